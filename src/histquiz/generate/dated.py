"""Date templates: ``date-recall`` (type the date) and ``date-choice`` (pick it from nearby dates).

The question asks at the fact's own precision: "In what year", "In what month and year" or
"On what date". A span inside one month or one year is asked at that month or year; a span
over several years has no single date to ask, so these templates skip it.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from ..dates import DateSpan, HistDate, Precision, When
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


def _shift(d: HistDate, steps: int, *, months: bool = False) -> HistDate | None:
    """``d`` moved by ``steps`` of its precision (or, for a day, by months keeping the day)."""
    try:
        if months and d.day is not None and d.month is not None:
            index = d.month_index() + steps
            year, month = index // 12, index % 12 + 1
            return HistDate(year, month, min(d.day, calendar.monthrange(year, month)[1]))
        if d.precision is Precision.YEAR:
            return HistDate(d.year + steps)
        if d.precision is Precision.MONTH:
            index = d.month_index() + steps
            return HistDate(index // 12, index % 12 + 1)
        moved = date(d.year, d.month or 1, d.day or 1) + timedelta(days=steps)
        return HistDate(moved.year, moved.month, moved.day)
    except (ValueError, OverflowError):
        return None


def _inside(candidate: HistDate, when: When) -> bool:
    """Is the candidate also true of the fact (inside its span, at the candidate's precision)?"""
    if isinstance(when, DateSpan):
        p = candidate.precision
        lo, hi = when.start.truncate(p), when.end.truncate(p)
        if lo.precision is not p or hi.precision is not p:
            return lo.year <= candidate.year <= hi.year
        return lo.sort_key() <= candidate.sort_key() <= hi.sort_key()
    return candidate == when.truncate(candidate.precision)


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
    high = _last_day(fact.not_after) if fact.not_after is not None else None

    def fits(cand: HistDate) -> bool:
        # some day of the candidate lies inside the bounds
        if cand.year > limit or _inside(cand, when):
            return False
        return ((low is None or _last_day(cand) >= low)
                and (high is None or cand.sort_key() <= high))

    def side(sign: int) -> list[HistDate]:
        out: list[HistDate] = []
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
    return sorted(set(chosen), key=HistDate.sort_key), below


def _last_day(d: HistDate) -> tuple[int, int, int]:
    if d.month is None:
        return (d.year, 12, 31)
    return (d.year, d.month, d.day or calendar.monthrange(d.year, d.month)[1])


def _pick_near(ctx: Context, candidates: list[HistDate], k: int) -> list[HistDate]:
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
