"""Variants of an item for an output with length limits (Kahoot: a question of 120 characters,
answers of 75): the same item, with the same id, dealt again so that it fits, rather than left
out or cut.

A variant is made by the item's own template, from its own seeded stream (the stream
``generate`` gives it), over a view of the decks in which every text that does not fit is
replaced by its short form where the deck gives one (``event_short``, ``when_short``,
``ask_short``) and left out of the candidates where it gives none. So a "Which of these
happened in …?" item whose drawn distractor is too long draws other events instead, and one
whose own headline is too long offers its short headline. The choice of what fits is the
caller's (a predicate for the question and one for an option); nothing is cut.

This module reuses the generators as they are: ``build_context`` for the candidates and the
package's ``_generate`` for the stream and the template call, so that a variant is dealt exactly
as its item was, from the same seed, over the fitting candidates only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..load.rules import EventIndex
from ..model import Deck, Fact, Item
from ..selection import Selection
from .context import Context, build_context
from .run import _generate

Fits = Callable[[str], bool]


@dataclass(frozen=True)
class Limits:
    """What an output can hold: ``question(text)`` and ``option(text)`` say whether a question
    and an option fit."""

    question: Fits
    option: Fits


def shorter(full: str | None, short: str | None, fits: Fits) -> str | None:
    """The full text where it fits, else the short form where there is one, else the full."""
    if full is None or fits(full) or short is None:
        return full
    return short


class Variants:
    """Makes fitting variants of the items generated from ``decks`` with ``seed``."""

    def __init__(self, decks: Sequence[Deck], seed: int, limits: Limits) -> None:
        self.decks = decks
        self.seed = seed
        self.limits = limits
        self.facts = {(f.deck, f.id): f for d in decks for f in d.facts}
        self._contexts: dict[int, Context] = {}

    def fact(self, item: Item) -> Fact | None:
        """The fact an item was made from, if it is among the decks."""
        return self.facts.get((item.deck, item.fact))

    def variant(self, item: Item) -> Item | None:
        """The item dealt again within the limits (same id, the fact's short forms, only
        candidates that fit), or None when its fact is not among the decks or the template
        makes no such item any more. The variant may still not fit: the caller checks."""
        fact = self.fact(item)
        if fact is None or item.kind != "choice":
            return None
        made = _generate([self._short_fact(fact, item)], self._context(len(item.options)),
                         Selection(templates=(item.template,)))
        return next((i for i in made if i.id == item.id), None)

    def _short_fact(self, fact: Fact, item: Item) -> Fact:
        """The fact with short forms where the full ones do not fit, and only the hand-picked
        distractors and false statements that fit."""
        long_question = not self.limits.question(item.question)
        option = self.limits.option
        questions = tuple(dataclasses.replace(
            q, ask=q.ask_short if long_question and q.ask_short else q.ask,
            distractors=tuple(d for d in q.distractors if option(d)))
            for q in fact.questions)
        return dataclasses.replace(
            fact, event=shorter(fact.event, fact.event_short, option),
            when=fact.when_short if long_question and fact.when_short else fact.when,
            questions=questions,
            false_statements=tuple(f for f in fact.false_statements if option(f.text)))

    def _context(self, n_options: int) -> Context:
        """The generators' context over the candidates that fit: pool values that fit, and
        events by their headline, or their short headline, where either fits."""
        ctx = self._contexts.get(n_options)
        if ctx is not None:
            return ctx
        full = build_context(self.decks, self.seed, n_options)
        fits = self.limits.option
        pools = {}
        for kind, pool in full.pools.items():
            kept = [(v, k) for v, k in zip(pool.values, pool.keys, strict=True) if fits(v)]
            pools[kind] = dataclasses.replace(pool, values=[v for v, _ in kept],
                                              keys=[k for _, k in kept],
                                              keyset={k for _, k in kept})
        events = []
        for event_fact in full.events.facts:
            headline = shorter(event_fact.event, event_fact.event_short, fits)
            if headline is not None and fits(headline):
                events.append(dataclasses.replace(event_fact, event=headline))
        index = EventIndex(events, self.decks[0].periods if self.decks else ())
        ctx = dataclasses.replace(full, pools=pools, events=index)
        self._contexts[n_options] = ctx
        return ctx
