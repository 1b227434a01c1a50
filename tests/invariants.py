"""The item invariants, checked independently of the generators that should uphold them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from histquiz import Deck, Item
from histquiz.dates import DateSpan, HistDate, parse_answer, years_of
from histquiz.textnorm import normalize

_NUMBER = re.compile(r"^(\d[\d,]*(?:\.\d+)?)(%| .+)?$")


def _number(option: str) -> tuple[float, str]:
    m = _NUMBER.match(option)
    assert m, f"not a number: {option!r}"
    return float(m.group(1).replace(",", "")), m.group(2) or ""


def candidates_by_kind(decks: Sequence[Deck]) -> dict[str, set[str]]:
    pools: dict[str, set[str]] = {}
    for deck in decks:
        for kind, values in deck.pools.items():
            pools.setdefault(kind, set()).update(normalize(v.value) for v in values)
        for fact in deck.facts:
            for q in fact.questions:
                pools.setdefault(q.kind, set()).add(normalize(q.answer))
    return pools


def check_items(items: Sequence[Item], decks: Sequence[Deck], n_options: int = 4) -> None:
    """Assert every invariant of every item; the message names the failing item."""
    facts = {(f.deck, f.id): f for d in decks for f in d.facts}
    events = {normalize(f.event): f for f in facts.values() if f.event}
    pools = candidates_by_kind(decks)
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids)), "item ids must be unique"
    for item in items:
        fact = facts[(item.deck, item.fact)]
        assert item.id.startswith(f"{item.deck}/{item.fact}/{item.template}"), item.id
        assert item.question.strip() and item.answer.strip(), item.id
        if item.kind == "date":
            check_date_item(item)
        else:
            check_choice_item(item, fact, events, pools, n_options)


def check_date_item(item: Item) -> None:
    assert item.answer_date is not None, item.id
    assert parse_answer(item.answer) == item.answer_date, item.id
    assert item.answer_date.display() == item.answer, item.id
    assert not item.options, item.id


def check_choice_item(item: Item, fact: object, events: dict[str, object],
                      pools: dict[str, set[str]], n_options: int) -> None:
    opts = item.options
    keys = [normalize(o) for o in opts]
    named = item.answer_kind.split(".")[0] not in ("number", "percentage", "year")
    if item.template == "which-happened" or (item.template == "choice" and named):
        # a kind with fewer candidates than asked for gives fewer options, never fewer than 3
        assert 3 <= len(opts) <= n_options, f"{item.id}: {len(opts)} options"
    else:
        assert len(opts) == n_options, f"{item.id}: {len(opts)} options"
    assert len(set(keys)) == len(keys), f"{item.id}: options not distinct: {opts}"
    correct = {normalize(item.answer), *(normalize(a) for a in item.accept)}
    right = [i for i, k in enumerate(keys) if k in correct]
    assert right == [item.answer_index], f"{item.id}: exactly one option must be right: {opts}"
    assert opts[item.answer_index] == item.answer, item.id
    for o in opts:
        assert "all of the above" not in o.lower() and "none of the above" not in o.lower()
    if item.template == "date-choice":
        assert item.ordered and item.answer_date is not None
        parsed = [parse_answer(o) for o in opts]
        assert all(p is not None for p in parsed), f"{item.id}: {opts}"
        dates = [p for p in parsed if p is not None]
        assert all(d.precision is item.answer_date.precision for d in dates), item.id
        assert [d.sort_key() for d in dates] == sorted(d.sort_key() for d in dates), item.id
        when = item.date
        for i, d in enumerate(dates):
            if i != item.answer_index and isinstance(when, (HistDate, DateSpan)):
                assert not _covers(when, d), f"{item.id}: distractor {d} is also true"
    elif item.template == "which-happened":
        m = re.match(r"^Which of these (?:happened|began) in (\d{4})\?$", item.question)
        assert m, item.question
        year = int(m.group(1))
        for i, k in enumerate(keys):
            other = events[k]
            assert other.date is not None  # type: ignore[attr-defined]
            touches = year in years_of(other.date)  # type: ignore[attr-defined]
            assert touches == (i == item.answer_index), f"{item.id}: option {opts[i]!r}"
    elif item.answer_kind.split(".")[0] in ("number", "percentage", "year"):
        assert item.ordered, item.id
        values = [_number(o) for o in opts]
        assert len({unit for _, unit in values}) == 1, f"{item.id}: mixed units {opts}"
        nums = [v for v, _ in values]
        assert nums == sorted(nums), f"{item.id}: not ascending {opts}"
        assert all(v > 0 for v in nums), item.id
        if item.answer_kind == "percentage":
            assert all(v <= 100 for v in nums), item.id
    elif item.ordered:  # text options that begin with a year, in time order
        years = [int(o[:4]) for o in opts]
        assert all(o[:4].isdigit() for o in opts) and years == sorted(years), item.id
    else:
        assert not all(o[:4].isdigit() for o in opts), f"{item.id}: periods not in order {opts}"
        if not item.answer_kind.startswith("text"):
            pool = pools.get(item.answer_kind, set())
            own = {normalize(d) for q in fact.questions for d in q.distractors}  # type: ignore[attr-defined]
            for k, o in zip(keys, opts, strict=True):
                assert k in pool or k in own, f"{item.id}: {o!r} is not a {item.answer_kind}"


def _covers(when: HistDate | DateSpan, d: HistDate) -> bool:
    if isinstance(when, DateSpan):
        lo, hi = when.start.truncate(d.precision), when.end.truncate(d.precision)
        return lo.sort_key() <= d.sort_key() <= hi.sort_key()
    return when.truncate(d.precision) == d
