"""Date templates: ``date-recall`` (type the date) and ``date-choice`` (pick it from nearby dates).

The question asks at the fact's own precision: "In what year", "In what month and year" or
"On what date". A span inside one month or one year is asked at that month or year; a span
over several years has no single date to ask, so these templates skip it.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from ..dates import MAX_YEAR, MIN_YEAR, DateSpan, HistDate, Precision, When
from ..load.rules import last_day, last_day_of
from ..model import Fact, Item
from .common import make_item
from .context import MIN_OPTIONS, Context

OPENINGS = {
    Precision.YEAR: "In what year",
    Precision.MONTH: "In what month and year",
    Precision.DAY: "On what date",
}
# Offsets for distractors, in the unit of the precision; a mix of close and farther misses.
_YEAR_STEPS = (1, 2, 3, 4, 5, 6, 8)
_MONTH_STEPS = (1, 2, 3, 4, 6, 9, 12, 14, 18, 24)
# A day is asked among days only where the deck says the day matters, and then never one or
# two days apart (hair-splitting); otherwise the options are the same day of other months.
_DAY_STEPS = (3, 6, 9, 12, 16, 21, 30)
_DAY_AS_MONTH_STEPS = (1, 2, 3, 4, 6, 9, 12)


def asked_date(when: When | None) -> HistDate | None:
    """The date a question can ask about, or None for a span over several years."""
    if when is None:
        return None
    if isinstance(when, DateSpan):
        return when.common()
    return when


def date_question(fact: Fact, asked: HistDate) -> str:
    return f"{OPENINGS[asked.precision]} {fact.when}?"


def date_recall(fact: Fact, ctx: Context) -> list[Item]:
    asked = asked_date(fact.date)
    if asked is None or not fact.when:
        return []
    return [make_item(fact, "date-recall", date_question(fact, asked), asked.display(),
                      answer_date=asked, answer_kind="date")]


# A candidate date while distractors are chosen: (year, month, day), None where unknown. Plain
# tuples are cheap to build and compare; only the chosen few become HistDates. A tuple is valid
# exactly when HistDate would accept it, and equal exactly when the HistDates would be equal.
_Parts = tuple[int, int | None, int | None]


def _shift(d: HistDate, steps: int, *, months: bool = False) -> _Parts | None:
    """``d`` moved by ``steps`` of its precision (or, for a day, by months keeping the day)."""
    try:
        if months and d.day is not None and d.month is not None:
            index = d.month_index() + steps
            year, month = index // 12, index % 12 + 1
            moved: _Parts = (year, month, min(d.day, calendar.monthrange(year, month)[1]))
        elif d.precision is Precision.YEAR:
            moved = (d.year + steps, None, None)
        elif d.precision is Precision.MONTH:
            index = d.month_index() + steps
            moved = (index // 12, index % 12 + 1, None)
        else:
            day = date(d.year, d.month or 1, d.day or 1) + timedelta(days=steps)
            moved = (day.year, day.month, day.day)
    except (ValueError, OverflowError):
        return None
    return moved if MIN_YEAR <= moved[0] <= MAX_YEAR else None


def _key(parts: _Parts) -> tuple[int, int, int]:
    """``HistDate.sort_key`` of the date these parts make."""
    return (parts[0], parts[1] or 0, parts[2] or 0)


def nearby_dates(ctx: Context, asked: HistDate, fact: Fact, count: int) -> tuple[list[HistDate], int]:
    """``count`` distractor dates of the same precision around ``asked``, inside the fact's
    bounds (``not_before``, ``not_after``) and no later than the latest loaded year; returns
    them and how many fall before the answer (the answer's position once sorted)."""
    when = fact.date
    assert when is not None
    by_month = asked.precision is Precision.DAY and not fact.day_matters
    steps = (_DAY_AS_MONTH_STEPS if by_month else
             {Precision.YEAR: _YEAR_STEPS, Precision.MONTH: _MONTH_STEPS,
              Precision.DAY: _DAY_STEPS}[asked.precision])
    limit = max(ctx.latest_year, asked.year)
    low = fact.not_before.sort_key() if fact.not_before is not None else None
    high = last_day(fact.not_after) if fact.not_after is not None else None

    # is the candidate also true of the fact (inside its span, at the candidate's precision)?
    # worked out once for this call's precision
    precision = asked.precision
    if isinstance(when, DateSpan):
        lo, hi = when.start.truncate(precision), when.end.truncate(precision)
        by_year = lo.precision is not precision or hi.precision is not precision
        first, last = lo.sort_key(), hi.sort_key()
    else:
        same = when.truncate(precision)
        same_parts = (same.year, same.month, same.day)

    def inside(cand: _Parts) -> bool:
        if not isinstance(when, DateSpan):
            return cand == same_parts
        if by_year:
            return lo.year <= cand[0] <= hi.year
        return first <= _key(cand) <= last

    def fits(cand: _Parts) -> bool:
        # some day of the candidate lies inside the bounds
        if cand[0] > limit or inside(cand):
            return False
        return ((low is None or last_day_of(*cand) >= low)
                and (high is None or _key(cand) <= high))

    def side(sign: int) -> list[_Parts]:
        out: list[_Parts] = []
        for s in steps:
            if len(out) == count + 2:
                break
            cand = _shift(asked, sign * s, months=by_month)
            if cand is not None and fits(cand):
                out.append(cand)
        return out

    before, after = side(-1), side(1)
    # tight bounds leave room for fewer options, never for an option outside them
    count = min(count, len(before) + len(after))
    possible = [k for k in range(count + 1) if k <= len(before) and count - k <= len(after)]
    below = ctx.deal(count + 1, possible)
    chosen = _pick_near(ctx, before, below) + _pick_near(ctx, after, count - below)
    return [HistDate(*parts) for parts in sorted(set(chosen), key=_key)], below


def _pick_near(ctx: Context, candidates: list[_Parts], k: int) -> list[_Parts]:
    """k candidates, favouring the closer ones (the list is ordered by distance)."""
    if k <= 0:
        return []
    window = candidates[: k + 2]
    return ctx.rng.sample(window, k)


def date_choice(fact: Fact, ctx: Context) -> list[Item]:
    asked = asked_date(fact.date)
    if asked is None or not fact.when or fact.date is None:
        return []
    distractors, below = nearby_dates(ctx, asked, fact, ctx.n_options - 1)
    if len(distractors) < MIN_OPTIONS - 1:
        return []
    options = [d.display() for d in distractors]
    options.insert(below, asked.display())
    return [make_item(fact, "date-choice", date_question(fact, asked), asked.display(),
                      options=tuple(options), answer_index=below, ordered=True,
                      answer_date=asked, answer_kind="date")]
