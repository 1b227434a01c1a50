"""Templates that ask for order, truth and connection rather than a single date or name.

- ``true-statement``: "Which of these statements is true?", the fact's statement against the
  three false statements written for it as a 2×2 set (never generated ones; see
  ``load.rules.MIN_FALSE``), always four options; each false option carries why it is false.
- ``first``: "Which came first?", the fact's event against one other event.
- ``order``: "Put these events in order, earliest first", the fact's event and others.
- ``match``: "Match each event to its year", the fact's event and others, distinct years.

The events of ``first``, ``order`` and ``match`` come from the fact's topic (or, when it has
too few, its deck), from the fact's period, within ``SPAN`` years of one another, and so far
apart that their order is knowable: no two overlap and no two fall in the same month (unless
the deck marks them as one ``sequence`` and both are dated to the day); and
never two of one series (the 19th and 21st annual summits) or two numbered resolutions, whose
order their names tell, nor an event whose headline names a year. Which
events, and in what order they are shown, come from the item's own seeded stream.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..dates import DateSpan, When, years_of
from ..load.rules import MIN_FALSE, enough_false, first_day, last_day, period_of
from ..model import Fact, Item
from ..textnorm import normalize
from .common import make_item, place_shuffled
from .context import Context

SPAN = 30  # the events of one item lie within this many years: a stretch a student can place
LETTERS = "ABCDEFGH"


def true_statement(fact: Fact, ctx: Context) -> list[Item]:
    if not enough_false(fact.false_statements):
        return []
    # all three of the 2×2 set, whatever --options says: any two of them would leave the
    # true statement in the middle again (see load.rules.MIN_FALSE)
    wrong = list(fact.false_statements[:MIN_FALSE])
    options, position = place_shuffled(ctx, fact.statement, [w.text for w in wrong])
    why = {w.text: w.why for w in wrong}
    notes = tuple("" if i == position else why[o] for i, o in enumerate(options))
    return [make_item(fact, "true-statement", "Which of these statements is true?",
                      fact.statement, options=options, answer_index=position, notes=notes)]


def _to_the_day(when: When) -> bool:
    return all(d.day is not None for d in
               ((when.start, when.end) if isinstance(when, DateSpan) else (when,)))


def _single_year(when: When) -> int | None:
    years = years_of(when)
    return years.start if len(years) == 1 else None


_YEAR = re.compile(r"\b(1[5-9]|20)\d\d\b")
# a numbered resolution (UN resolutions are numbered in the order they are adopted)
_NUMBERED = re.compile(r"\bResolution (ES-)?\d", re.IGNORECASE)


def placeable(fact: Fact) -> bool:
    """Can the fact's event stand among others to be put in order? It needs a date, and its
    headline must not name a year ("… its first tests since 1974"), which would tell the order."""
    return fact.date is not None and bool(fact.event) and not _YEAR.search(fact.event or "")


def _scopes(fact: Fact) -> tuple[str, str, str]:
    """Where a fact's companions are sought, nearest first: its topic in its deck, its topic,
    its deck."""
    return (f"topic {fact.topic} deck {fact.deck}", f"topic {fact.topic}", f"deck {fact.deck}")


class _Pools:
    """The placeable events of the loaded decks, by scope (topic and deck, topic, deck) and
    period, each list sorted by first year: built once per generation, so that picking the
    events of one item costs a search and a few draws, not a pass over every fact."""

    def __init__(self, ctx: Context) -> None:
        ix = ctx.events
        groups: dict[tuple[str, str | None], list[tuple[int, str, str, Fact]]] = {}
        for i, other in enumerate(ix.facts):
            if not placeable(other) or other.date is None:
                continue
            year = first_day(other.date)[0]
            for scope in _scopes(other):
                groups.setdefault((scope, ix.period[i]), []).append(
                    (year, other.deck, other.id, other))
        self.pools: dict[tuple[str, str | None], tuple[list[int], list[Fact]]] = {}
        # by id() of the fact, made when first needed; the fact is kept beside it, so that its
        # id cannot be taken by another fact while the entry stands (a Kahoot variant's
        # shortened fact lives only while its item is dealt again)
        self.places: dict[int, tuple[Fact, _Placed]] = {}
        for group, rows in groups.items():
            rows.sort(key=lambda r: r[:3])
            self.pools[group] = ([r[0] for r in rows], [r[3] for r in rows])

    @staticmethod
    def of(ctx: Context) -> _Pools:
        found = ctx.memo.get("history-pools")
        if not isinstance(found, _Pools):
            found = ctx.memo["history-pools"] = _Pools(ctx)
        return found


@dataclass(frozen=True, slots=True)
class _Placed:
    """What ``apart`` and the other tests of ``pick_events`` read of an event, worked out once."""

    first: tuple[int, int, int]
    last: tuple[int, int, int]
    key: str  # the headline, normalised
    series: str | None
    sequence: str | None
    numbered: bool
    to_the_day: bool


def _place(places: dict[int, tuple[Fact, _Placed]], fact: Fact) -> _Placed:
    entry = places.get(id(fact))
    if entry is not None and entry[0] is fact:
        return entry[1]
    assert fact.date is not None
    found = _Placed(
        first_day(fact.date), last_day(fact.date), normalize(fact.event or ""), fact.series,
        fact.sequence, bool(_NUMBERED.search(fact.event or "")), _to_the_day(fact.date))
    places[id(fact)] = (fact, found)
    return found


def apart(a: _Placed, b: _Placed) -> bool:
    """Is the order of two events knowable: no overlap, and not in the same month (or, for two
    facts the deck marks as one sequence, both dated to the day and on different days)?"""
    if a.sequence is not None and a.sequence == b.sequence and a.to_the_day and b.to_the_day:
        return a.first != b.first and (a.last < b.first or b.last < a.first)
    if a.last < b.first:
        return a.last[:2] != b.first[:2]
    if b.last < a.first:
        return b.last[:2] != a.first[:2]
    return False


def pick_events(fact: Fact, ctx: Context, count: int,
                fits: Callable[[Fact, Fact], bool] | None = None) -> list[Fact]:
    """The fact and ``count - 1`` other events for it (none if there are not enough): of its
    topic and deck, else its topic, else its deck; of its period; within SPAN years; pairwise
    ``apart`` (and ``fits``). Candidates are drawn by random index from the events within SPAN
    years, so a pick costs the same with a hundred facts or a hundred thousand."""
    if not placeable(fact) or fact.date is None:
        return []
    if fits is not None and not fits(fact, fact):
        return []
    period = period_of(fact.date, ctx.events.periods)
    year = first_day(fact.date)[0]
    places = _Pools.of(ctx).places

    def ok(chosen: Sequence[Fact], placed: Sequence[_Placed], other: Fact) -> bool:
        p = _place(places, other)
        low, high = p.first[0], p.last[0]
        for c in placed:
            if c.key == p.key:
                return False
            if p.series is not None and c.series == p.series:
                return False  # the 19th and the 21st summit: the numbers tell the order
            if p.numbered and c.numbered:
                return False  # Resolution 47 came before Resolution 307: numbers run in time
            if not apart(c, p):
                return False
            low, high = min(low, c.first[0]), max(high, c.last[0])
        if high - low > SPAN:
            return False
        return fits is None or all(fits(c, other) for c in chosen)

    pools = _Pools.of(ctx).pools
    for scope in _scopes(fact):
        years, pool = pools.get((scope, period), ([], []))
        lo, hi = bisect.bisect_left(years, year - SPAN), bisect.bisect_right(years, year + SPAN)
        chosen = _draw(fact, pool, range(lo, hi), count, ok, ctx, places)
        if len(chosen) == count:
            return chosen
    return []


def _draw(fact: Fact, pool: Sequence[Fact], near: range, count: int,
          ok: Callable[[Sequence[Fact], Sequence[_Placed], Fact], bool], ctx: Context,
          places: dict[int, tuple[Fact, _Placed]]) -> list[Fact]:
    """The fact and up to ``count - 1`` events of ``pool`` at the positions ``near``, drawn at
    random (Context.sample), each fitting beside those taken before it (``ok``, given them and
    what ``_place`` worked out for them)."""
    chosen = [fact]
    placed = [_place(places, fact)]

    def reject(j: int) -> bool:
        other = pool[near[j]]
        if other.id == fact.id or not ok(chosen, placed, other):
            return True
        chosen.append(other)  # taken at once: the next must fit beside it too
        placed.append(_place(places, other))
        return False

    ctx.sample(near, count - 1, reject, draws=_TRIES * count, walk=_WALK)
    return chosen


_TRIES = 30  # random draws per event wanted, before the rest of a small pool is walked
_WALK = 400  # a pool with at most this many events left undrawn is walked to the end


def _display(f: Fact) -> str:
    return f.date.display() if f.date is not None else ""


def _facts_of(events: Sequence[Fact]) -> tuple[str, ...]:
    return tuple(f"{e.deck}/{e.id}" for e in events)


def _chronological(events: Sequence[Fact]) -> list[int]:
    return sorted(range(len(events)), key=lambda i: first_day(events[i].date)  # type: ignore[arg-type]
                  if events[i].date is not None else (0, 0, 0))


def first(fact: Fact, ctx: Context) -> list[Item]:
    events = pick_events(fact, ctx, 2)
    if len(events) < 2:
        return []
    ctx.rng.shuffle(events)
    earlier = _chronological(events)[0]
    options = tuple(e.event or "" for e in events)
    notes = tuple(_display(e) for e in events)
    return [make_item(fact, "first", "Which came first?", options[earlier], options=options,
                      answer_index=earlier, notes=notes, option_facts=_facts_of(events))]


def order(fact: Fact, ctx: Context) -> list[Item]:
    events = pick_events(fact, ctx, ctx.n_options)
    if len(events) < 3:
        return []
    ctx.rng.shuffle(events)
    key = _chronological(events)
    if key == list(range(len(events))):
        # shown already in order would make no question: turn it around a step
        events = events[1:] + events[:1]
        key = _chronological(events)
    answer = "; ".join(f"{LETTERS[i]}. {events[i].event} ({_display(events[i])})" for i in key)
    return [make_item(fact, "order", "Put these events in order, earliest first.", answer,
                      options=tuple(e.event or "" for e in events),
                      notes=tuple(_display(e) for e in events), key=tuple(key),
                      option_facts=_facts_of(events))]


def match(fact: Fact, ctx: Context) -> list[Item]:
    def distinct_years(a: Fact, b: Fact) -> bool:
        ya = _single_year(a.date) if a.date is not None else None
        yb = _single_year(b.date) if b.date is not None else None
        return ya is not None and yb is not None and (a is b or ya != yb)

    events = pick_events(fact, ctx, ctx.n_options, distinct_years)
    if len(events) < 3:
        return []
    ctx.rng.shuffle(events)
    years = sorted({_single_year(e.date) or 0 for e in events if e.date is not None})
    targets = tuple(str(y) for y in years)
    key = tuple(years.index(_single_year(e.date) or 0) for e in events if e.date is not None)
    answer = "; ".join(f"{e.event}: {targets[k]}" for e, k in zip(events, key, strict=True))
    return [make_item(fact, "match", "Match each event to its year.", answer,
                      options=tuple(e.event or "" for e in events),
                      notes=tuple(_display(e) for e in events), key=key, targets=targets,
                      option_facts=_facts_of(events))]
