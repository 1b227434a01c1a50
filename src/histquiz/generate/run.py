"""Facts → items: the registry of question templates, and ``generate``.

Items come out in deck order, then fact order, then template order. Distractors and option
order depend on the seed and the item's own id only, so the same item comes out the same
whatever else is loaded or selected.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence

from ..errors import UsageError
from ..model import Deck, Fact, Item
from ..selection import Selection
from ..textnorm import gc_paused
from .choice import choice
from .context import MAX_OPTIONS, MIN_OPTIONS, Context, build_context
from .dated import date_choice, date_recall
from .history import first, match, order, true_statement
from .registry import ITEM_KINDS, TEMPLATE_KINDS, TEMPLATE_ORDER
from .reverse import which_happened

Template = Callable[[Fact, Context], list[Item]]

TEMPLATES: dict[str, Template] = {
    "date-recall": date_recall,
    "date-choice": date_choice,
    "which-happened": which_happened,
    "choice": choice,
    "true-statement": true_statement,
    "first": first,
    "order": order,
    "match": match,
}
assert tuple(TEMPLATES) == TEMPLATE_ORDER


def _unknown(what: str, wanted: Sequence[str], known: Iterable[str]) -> None:
    if not wanted:
        return  # nothing asked for: ``known`` (every fact's tags, say) is never gathered
    known = sorted(set(known))
    for name in wanted:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise UsageError(f"unknown {what} '{name}'.{hint} Known: {', '.join(known) or 'none'}")


def select_facts(decks: Sequence[Deck], selection: Selection) -> list[Fact]:
    """The facts that pass the deck, topic and tag filters; unknown names are errors."""
    _unknown("deck", selection.decks, (d.id for d in decks))
    all_facts = [f for d in decks for f in d.facts]
    _unknown("topic", selection.topics, (f.topic for f in all_facts))
    _unknown("tag", selection.tags, (t for f in all_facts for t in f.all_tags))
    _unknown("kind", selection.kinds, (*ITEM_KINDS, *TEMPLATES))
    _unknown("template", selection.templates, TEMPLATES)
    return [
        f for f in all_facts
        if (not selection.decks or f.deck in selection.decks)
        and (not selection.topics or f.topic in selection.topics)
        and (not selection.tags or any(t in f.all_tags for t in selection.tags))
    ]


def generate(
    decks: Sequence[Deck],
    seed: int,
    selection: Selection | None = None,
    n_options: int = 4,
) -> list[Item]:
    """Build the items of the selected facts. Distractors come from all of ``decks``; each
    item's draws come from its own stream of ``seed`` (see histquiz.seeds)."""
    if not MIN_OPTIONS <= n_options <= MAX_OPTIONS:
        raise UsageError(f"options must be from {MIN_OPTIONS} to {MAX_OPTIONS}, not {n_options}")
    selection = selection or Selection()
    facts = select_facts(decks, selection)
    with gc_paused():
        return _generate(facts, build_context(decks, seed, n_options), selection)


# Below this many facts the items are made in one process: forking would cost more than it saves.
FORK_FROM = 2000
# Shared among processes, the facts go in runs taken from one queue: at least this many runs per
# process, so that a process on a slower core takes fewer and none waits long for the last, and
# at most RUN_FACTS facts in a run, which keeps what a run sends back small.
RUNS_PER_PROCESS = 16
RUN_FACTS = 250


def _generate(facts: Sequence[Fact], ctx: Context, selection: Selection) -> list[Item]:
    from .. import forked

    processes = forked.jobs() if len(facts) >= FORK_FROM else 1
    n = len(facts)
    runs = max(processes * RUNS_PER_PROCESS, -(-n // RUN_FACTS)) if processes > 1 else 1
    chunks = [facts[n * k // runs: n * (k + 1) // runs] for k in range(runs)]
    made = forked.queued(lambda chunk: _items_of(chunk, ctx, selection), chunks, processes)
    items: list[Item] = []
    sets: set[tuple[str, frozenset[str]]] = set()  # the events asked, by template
    for item in (item for part in made for item in part):
        if item.option_facts:
            # in a small topic two facts may draw the same events: one question
            asked = (item.template, frozenset(item.option_facts))
            if asked in sets:
                continue
            sets.add(asked)
        items.append(item)
    return items


def _items_of(facts: Sequence[Fact], ctx: Context, selection: Selection) -> list[Item]:
    """The selected templates' items of ``facts``, each from its own stream: the same whatever
    other facts are made in this process (so the facts can be shared out among processes)."""
    items: list[Item] = []
    for fact in facts:
        for name in TEMPLATE_ORDER:
            if name not in fact.templates:
                continue
            if selection.templates and name not in selection.templates:
                continue
            if selection.kinds and not (TEMPLATE_KINDS[name] in selection.kinds
                                        or name in selection.kinds):
                continue
            ctx.seed_for(f"{fact.deck}/{fact.id}/{name}")
            items.extend(TEMPLATES[name](fact, ctx))
    return items
