"""``which-happened``: "Which of these happened in 1971?" with the events of other years as
distractors. Any event that touches the asked year is never offered, so only one option is true.
"""

from __future__ import annotations

from ..dates import DateSpan, years_of
from ..model import Fact, Item
from ..textnorm import normalize
from .common import make_item, place_shuffled
from .context import MIN_OPTIONS, Context


def reverse_stem(fact: Fact) -> tuple[str, int] | None:
    if fact.date is None or not fact.event:
        return None
    if isinstance(fact.date, DateSpan) and fact.date.start.year != fact.date.end.year:
        return f"Which of these began in {fact.date.start.year}?", fact.date.start.year
    return f"Which of these happened in {fact.date.year}?", fact.date.year


def which_happened(fact: Fact, ctx: Context) -> list[Item]:
    stem = reverse_stem(fact)
    if stem is None or fact.event is None:
        return []
    question, year = stem
    own = normalize(fact.event)
    taken = {own}

    def reject(i: int) -> bool:
        other = ctx.events[i]
        if other.date is None or other.event is None or year in years_of(other.date):
            return True
        key = normalize(other.event)
        if key in taken:
            return True
        taken.add(key)
        return False

    picked = ctx.sample(ctx.events, ctx.n_options - 1, reject)
    if len(picked) < MIN_OPTIONS - 1:
        return []
    distractors = [ctx.events[i].event or "" for i in picked]
    options, position = place_shuffled(ctx, fact.event, distractors)
    return [make_item(fact, "which-happened", question, fact.event, options=options,
                      answer_index=position, answer_kind="event")]
