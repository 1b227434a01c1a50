"""Quizlet: a text file to paste or upload into Quizlet's "Import", one card per line.

Each line is the term, a tab, then the definition, which is what Quizlet's importer reads with
its default settings ("between term and definition: Tab", "between cards: New line"). Tabs and
line breaks inside the text become spaces, so the file imports as it is.

The term is the question and the definition is the answer alone. The explanation is left out on
purpose: Quizlet's Learn and Test modes ask for the definition back, and a learner should not
have to type a paragraph. A card must stand without options, so items whose question is only a
question with its options ("Which of these happened in 1971?", "Which came first?", "Which of
these statements is true?") are not made into cards, nor are order and match items (the
registry says why), and an item with the same question and answer as an earlier one (a
date-choice item and its date-recall sibling) gives one card.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...model import Item
from ..registry import Context, Rendered, Skipped
from .common import one_line

# Templates whose question is only a question together with its options.
NEEDS_OPTIONS = frozenset({"which-happened", "first", "true-statement"})


def quizlet_cards(items: Sequence[Item]) -> tuple[list[tuple[str, str]], list[Skipped]]:
    """(term, definition) pairs, and the items that made no card with the reason."""
    cards: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    skipped: list[Skipped] = []
    for item in items:
        if item.template in NEEDS_OPTIONS:
            skipped.append(Skipped(item.id, "questions that need their options", by_design=True))
            continue
        card = (one_line(item.question), one_line(item.answer))
        if card in seen:
            skipped.append(Skipped(item.id, "same question and answer as another card (merged)",
                                   by_design=True))
            continue
        seen.add(card)
        cards.append(card)
    return cards, skipped


def render_quizlet(items: Sequence[Item]) -> Rendered:
    cards, skipped = quizlet_cards(items)
    text = "".join(f"{term}\t{definition}\n" for term, definition in cards)
    return Rendered((text.encode("utf-8"),), len(cards), tuple(skipped))


def render(items: Sequence[Item], ctx: Context) -> Rendered:
    return render_quizlet(items)
