"""``choice``: each hand-written question of a fact as multiple choice.

Distractors are of exactly the answer's kind (``person.soviet`` with ``person.soviet``), drawn
from every loaded deck's answers and pools; the question's own hand-picked distractors come
first. Numbers and percentages get numeric distractors of similar size and rounding, in
ascending order.
"""

from __future__ import annotations

import math
import re

from ..load.rules import allowed_own, asking
from ..model import NUMERIC_KINDS, Fact, Item, Question
from ..textnorm import format_number, normalize
from .common import make_item, place_shuffled
from .context import MIN_OPTIONS, Context

SAMPLE_FACTOR = 3  # candidates drawn for each distractor needed, before the nearest are kept
UNDATED = 15  # how far, in years, a candidate known from no dated fact counts as being


def choice(fact: Fact, ctx: Context) -> list[Item]:
    items = []
    for q in fact.questions:
        item = _numeric(fact, q, ctx) if q.base_kind in NUMERIC_KINDS else _named(fact, q, ctx)
        if item is not None:
            items.append(item)
    return items


def _named(fact: Fact, q: Question, ctx: Context) -> Item | None:
    want = ctx.n_options - 1
    year = fact.date.year if fact.date is not None else None
    ask = asking(q, year)
    taken = set(ask.correct)
    chosen: list[str] = []
    own = allowed_own(q, ask)
    ctx.rng.shuffle(own)
    for d in own:
        if len(chosen) < want and normalize(d) not in taken:
            taken.add(normalize(d))
            chosen.append(d)
    if len(chosen) < want and q.base_kind != "text":
        pool = ctx.pools.get(q.kind)
        values = pool.values if pool else []
        keys = pool.keys if pool else []
        spans = pool.spans if pool else {}

        def reject(i: int) -> bool:
            # the question's rules (load.rules.Asking): not right, not named in the stem, not
            # a variant of a right answer, and of the question's years if the deck says
            key = keys[i]
            if key in taken or not ask.allows(key, spans.get(key)):
                return True
            taken.add(key)
            return False

        need = want - len(chosen)
        drawn = ctx.sample(values, need * SAMPLE_FACTOR, reject)
        if pool is not None and fact.date is not None:
            # Of a few random candidates, keep those nearest the fact's period: a person known
            # from the 2000s makes a poor distractor for a question about 1959.
            # (a candidate declared to fit the question's years is as near as can be; the
            # pool's keys are its values already normalised)
            year = fact.date.year
            years = pool.years

            def distance(i: int) -> int:
                key = keys[i]
                return 0 if key in spans else abs(years.get(key, year - UNDATED) - year)

            drawn.sort(key=distance)
        chosen.extend(values[i] for i in drawn[:need])
    if len(chosen) < MIN_OPTIONS - 1:
        return None  # the loader refuses such decks; kept as a guard for hand-built Decks
    # With more options asked for than a kind has candidates, the item gets fewer options
    # rather than disappearing.
    if all(_LEADING_YEAR.match(v) for v in (q.answer, *chosen)):
        # periods and dates written as text ("1950–51") read best in time order
        ordered = sorted([q.answer, *chosen], key=_time_key)
        return make_item(fact, "choice", q.ask, q.answer, part=q.id, options=tuple(ordered),
                         answer_index=ordered.index(q.answer), ordered=True,
                         answer_kind=q.kind, accept=q.accept)
    options, position = place_shuffled(ctx, q.answer, chosen)
    return make_item(fact, "choice", q.ask, q.answer, part=q.id, options=options,
                     answer_index=position, answer_kind=q.kind, accept=q.accept)


_LEADING_YEAR = re.compile(r"^(\d{4})\b")


def _time_key(text: str) -> tuple[int, str]:
    m = _LEADING_YEAR.match(text)
    return (int(m.group(1)) if m else 0, text)


def _grain(value: float, base: str) -> float:
    """The value's rounding: 1 for 184, 100 for 1,200, 0.5 for 2.5."""
    if base == "year":
        return 1.0
    if value == int(value):
        grain = 1.0
        while value % (grain * 10) == 0 and grain * 10 <= value / 2:
            grain *= 10
        return grain
    decimals = len(f"{value:.4f}".rstrip("0").split(".")[1])
    return 10.0 ** -decimals


def numeric_steps(value: float, base: str) -> float:
    """The spacing of numeric distractors: about a sixth of the value, at the value's rounding."""
    if base == "year":
        return 1.0
    grain = _grain(value, base)
    return max(grain, round(value / 6 / grain) * grain)


def _fitted_step(step: float, grain: float, room: tuple[float, float], count: int) -> float:
    """A step no wider than lets ``count`` options fit on a side that the bounds make narrow
    (184 votes of at most 193: steps of 3, not 31), so the key can stand anywhere."""
    for side in room:
        if side < count * step:
            step = min(step, max(grain, (side // count // grain) * grain))
    return step


def number_bounds(q: Question, latest_year: int) -> tuple[float, float]:
    """The range every option of a number question lies in: the deck's ``bounds``, else what
    the kind allows (a share is 0-100%, a year no later than the latest loaded, a count at
    least 1)."""
    if q.bounds is not None:
        return q.bounds
    value = q.number or 0.0
    if q.base_kind == "percentage":
        return (0.0 if value < 1 else 1.0, 100.0)
    if q.base_kind == "year":
        return (1.0, float(max(latest_year, value)))
    return (1.0 if value >= 1 else 0.0, math.inf)


def numeric_distractors(ctx: Context, q: Question, count: int) -> tuple[list[float], int]:
    value = q.number or 0.0
    low, high = number_bounds(q, ctx.latest_year)
    if q.step:
        step = q.step
    else:
        grain = _grain(value, q.base_kind)
        step = _fitted_step(numeric_steps(value, q.base_kind), grain,
                            (value - low, high - value), count)
    correct = {normalize(q.answer), *(normalize(a) for a in q.accept)}

    def fine(v: float) -> bool:
        shown = format_number(v, q.base_kind, q.unit)
        return low <= v <= high and (v > 0 or low <= 0) and normalize(shown) not in correct

    def side(sign: int) -> list[float]:
        # the nearest that fit, up to ``count``: no more can be dealt to one side
        found: list[float] = []
        for k in range(1, 9):
            v = value + sign * k * step
            if fine(v):
                found.append(v)
                if len(found) == count:
                    break
        return found

    before, after = side(-1), side(1)
    possible = [k for k in range(count + 1) if k <= len(before) and count - k <= len(after)]
    if not possible:
        return [], 0
    below = ctx.deal(count + 1, possible)
    # the nearest on each side, so the options are evenly spaced: a gap next to one option
    # would point at it
    lower = before[:below]
    upper = after[: count - below]
    return sorted(lower) + sorted(upper), below


def _numeric(fact: Fact, q: Question, ctx: Context) -> Item | None:
    values, below = numeric_distractors(ctx, q, ctx.n_options - 1)
    if len(values) < ctx.n_options - 1:
        return None
    options = [format_number(v, q.base_kind, q.unit) for v in values]
    options.insert(below, q.answer)
    return make_item(fact, "choice", q.ask, q.answer, part=q.id, options=tuple(options),
                     answer_index=below, ordered=True, answer_kind=q.kind, accept=q.accept)
