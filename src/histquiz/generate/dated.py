"""Date templates: ``date-recall`` (type the date) and ``date-choice`` (pick it from nearby dates).

The question asks at the fact's own precision: "In what year", "In what month and year" or
"On what date". A span inside one month or one year is asked at that month or year; a span
over several years has no single date to ask, so these templates skip it.
"""

from __future__ import annotations

from datetime import date, timedelta

from ..dates import DateSpan, HistDate, Precision, When
from ..model import Fact, Item
from .common import make_item
from .context import Context

OPENINGS = {
    Precision.YEAR: "In what year",
    Precision.MONTH: "In what month and year",
    Precision.DAY: "On what date",
}
# Offsets for distractors, in the unit of the precision; a mix of close and farther misses.
_YEAR_STEPS = (1, 2, 3, 4, 5, 6, 8)
_MONTH_STEPS = (1, 2, 3, 4, 6, 9, 12, 14, 18, 24)
_DAY_STEPS = (1, 2, 3, 5, 7, 10, 14, 30, 31, 61, 92, 365, 366)


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


def _shift(d: HistDate, steps: int) -> HistDate | None:
    try:
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


def nearby_dates(ctx: Context, asked: HistDate, when: When, count: int) -> tuple[list[HistDate], int]:
    """``count`` distractor dates of the same precision around ``asked``; returns them and how
    many fall before the answer (the answer's position once sorted)."""
    steps = {Precision.YEAR: _YEAR_STEPS, Precision.MONTH: _MONTH_STEPS,
             Precision.DAY: _DAY_STEPS}[asked.precision]
    limit = max(ctx.latest_year, asked.year)

    def side(sign: int) -> list[HistDate]:
        out: list[HistDate] = []
        for s in steps:
            if len(out) == count + 2:
                break
            cand = _shift(asked, sign * s)
            if cand is not None and cand.year <= limit and not _inside(cand, when):
                out.append(cand)
        return out

    before, after = side(-1), side(1)
    possible = [k for k in range(count + 1) if k <= len(before) and count - k <= len(after)]
    below = ctx.deal(count + 1, possible)
    chosen = _pick_near(ctx, before, below) + _pick_near(ctx, after, count - below)
    return sorted(set(chosen), key=HistDate.sort_key), below


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
    distractors, below = nearby_dates(ctx, asked, fact.date, ctx.n_options - 1)
    options = [d.display() for d in distractors]
    options.insert(below, asked.display())
    return [make_item(fact, "date-choice", date_question(fact, asked), asked.display(),
                      options=tuple(options), answer_index=below, ordered=True,
                      answer_date=asked, answer_kind="date")]
