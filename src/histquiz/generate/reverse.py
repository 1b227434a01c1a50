"""``which-happened``: "Which of these happened in 1971?", the other options events of years
near it.

Only one option may be true, and none may be ruled out at a glance. So the distractors are
events of the asked year's period (a deck's ``periods``: no "The Soviet Union …" offered for
2013), of another series than the fact's (no second rupee trade agreement beside the first),
at least two years from the asked year at both ends (nothing on the year's boundary), and
drawn from as close to the asked year as there are enough of (see load.rules.EventIndex).
"""

from __future__ import annotations

from ..dates import DateSpan
from ..load.rules import WINDOWS
from ..model import Fact, Item
from .common import make_item, place_shuffled
from .context import MIN_OPTIONS, Context


def reverse_stem(fact: Fact) -> tuple[str, int] | None:
    if fact.date is None or not fact.event:
        return None
    if isinstance(fact.date, DateSpan) and fact.date.start.year != fact.date.end.year:
        return f"Which of these began in {fact.date.start.year}?", fact.date.start.year
    return f"Which of these happened in {fact.date.year}?", fact.date.year


# Once the rings walked hold this many events, farther ones are not looked at: in a deck of
# ten thousand facts the first window alone holds hundreds, and walking them all for every
# fact made the template quadratic.
_PLENTY = 32


def which_happened(fact: Fact, ctx: Context) -> list[Item]:
    stem = reverse_stem(fact)
    if stem is None or fact.event is None:
        return []
    question, _ = stem
    want = ctx.n_options - 1
    index = ctx.events
    near: dict[str, int] = {}  # one event per headline, the nearest rings first
    windows = iter(WINDOWS)
    limit = next(windows)
    for distance, found in index.rings(fact, _PLENTY):
        while distance > limit and len(near) < want:
            limit = next(windows, 10**6)
        if distance > limit:
            break
        for i in found:
            near[index.keys[i]] = i  # rings names each headline once
    if len(near) < MIN_OPTIONS - 1:
        return []
    chosen = sorted(near.values())
    picked = ctx.rng.sample(chosen, min(want, len(chosen)))
    distractors = [index.facts[i].event or "" for i in picked]
    options, position = place_shuffled(ctx, fact.event, distractors)
    return [make_item(fact, "which-happened", question, fact.event, options=options,
                      answer_index=position, answer_kind="event")]
