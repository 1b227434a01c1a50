"""The item invariants, checked independently of the generators that should uphold them."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from histquiz import Deck, Fact, Item
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
        elif item.template in ("first", "order", "match"):
            check_event_set(item, events, n_options)
        elif item.template == "true-statement":
            check_true_statement(item, fact, n_options)
        else:
            check_choice_item(item, fact, events, pools, n_options)


def _to_the_day(when: HistDate | DateSpan) -> bool:
    ends = (when.start, when.end) if isinstance(when, DateSpan) else (when,)
    return all(d.day is not None for d in ends)


def _first_day(when: HistDate | DateSpan) -> tuple[int, int, int]:
    return (when.start if isinstance(when, DateSpan) else when).sort_key()


def check_event_set(item: Item, events: dict[str, object], n_options: int) -> None:
    """The events are loaded facts' events, from one period of at most 30 years, far enough
    apart to order; the key follows from the facts' dates alone."""
    facts = [events[normalize(o)] for o in item.options]
    ids = [f"{f.deck}/{f.id}" for f in facts]  # type: ignore[attr-defined]
    assert list(item.option_facts) == ids, f"{item.id}: {item.option_facts} {ids}"
    series = [f.series for f in facts if f.series is not None]  # type: ignore[attr-defined]
    assert len(series) == len(set(series)), f"{item.id}: two events of one series {series}"
    for o in item.options:
        assert not re.search(r"\b(1[5-9]|20)\d\d\b", o), f"{item.id}: {o!r} names a year"
    numbered = [o for o in item.options if re.search(r"\bResolution (ES-)?\d", o, re.I)]
    assert len(numbered) <= 1, f"{item.id}: numbered resolutions tell the order {numbered}"
    dates: list[HistDate | DateSpan] = [f.date for f in facts]  # type: ignore[attr-defined]
    assert len({normalize(o) for o in item.options}) == len(item.options), item.id
    years = [y for d in dates for y in years_of(d)]
    assert max(years) - min(years) <= 30, f"{item.id}: spans {min(years)}-{max(years)}"
    starts = [_first_day(d) for d in dates]
    for i, a in enumerate(dates):
        for j, b in enumerate(dates[i + 1:], start=i + 1):
            ya, yb = years_of(a), years_of(b)
            assert set(ya).isdisjoint(yb) or a != b, item.id
            sequence = facts[i].sequence  # type: ignore[attr-defined]
            if sequence is not None and sequence == facts[j].sequence:  # type: ignore[attr-defined]
                # one sequence: days of one month may stand together, if dated to the day
                if _first_day(a)[:2] == _first_day(b)[:2]:
                    assert _to_the_day(a) and _to_the_day(b), f"{item.id}: {a} {b}"
                    assert _first_day(a) != _first_day(b), f"{item.id}: same day {a} {b}"
                continue
            assert _first_day(a)[:2] != _first_day(b)[:2], f"{item.id}: same month {a} {b}"
    earliest_first = sorted(range(len(dates)), key=lambda i: starts[i])
    if item.template == "first":
        assert len(item.options) == 2 and item.kind == "choice", item.id
        assert item.answer_index == earliest_first[0], item.id
        assert item.options[item.answer_index] == item.answer, item.id
    elif item.template == "order":
        assert item.kind == "order" and 3 <= len(item.options) <= n_options, item.id
        assert list(item.key) == earliest_first, f"{item.id}: {item.key}"
        assert sorted(item.key) == list(range(len(item.options))), item.id
    else:
        assert item.kind == "match" and 3 <= len(item.options) <= n_options, item.id
        assert len(set(item.targets)) == len(item.targets) == len(item.options), item.id
        assert sorted(item.key) == list(range(len(item.targets))), f"{item.id}: not one-to-one"
        for d, k in zip(dates, item.key, strict=True):
            assert list(years_of(d)) == [int(item.targets[k])], f"{item.id}: {d} {item.targets}"


def check_true_statement(item: Item, fact: object, n_options: int) -> None:
    """Exactly one option is the fact's statement; the others are its own false statements,
    each with why it is false."""
    false = {f.text: f.why for f in fact.false_statements}  # type: ignore[attr-defined]
    assert item.kind == "choice" and len(item.options) == 4, item.id  # the 2×2 set, always
    right = [i for i, o in enumerate(item.options)
             if o == fact.statement]  # type: ignore[attr-defined]
    assert right == [item.answer_index], item.id
    for i, o in enumerate(item.options):
        if i != item.answer_index:
            assert o in false and item.notes[i] == false[o], f"{item.id}: {o!r}"


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


def with_every_template(decks: list[Deck]) -> list[Deck]:
    """The decks with the history templates asked for by every fact that can make them."""
    def more(f: Fact) -> tuple[str, ...]:
        extra = ("true-statement",) if len(f.false_statements) >= 3 else ()
        if f.event and f.date is not None:
            extra += ("first", "order", "match")
        return (*f.templates, *(t for t in extra if t not in f.templates))
    return [dataclasses.replace(d, facts=tuple(dataclasses.replace(f, templates=more(f))
                                               for f in d.facts)) for d in decks]
