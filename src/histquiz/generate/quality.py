"""Warnings about items a deck's author should look at: they pass validation, but a history
teacher reading them would find a flaw.

- A hand-written question that gives away another item of its own fact (its stem states the
  year that the fact's date question asks, say). Worksheets, quizzes and Anki keep such pairs
  apart, but the pair can then never be asked together: reword the stem.
- A hand-written answer that stands out among its hand-picked distractors: much longer than
  every one of them, or alone in carrying a parenthesis. A student picks it without knowing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Deck, Fact, Item, Origin, Question
from .reveal import reveals

LONGER = 1.6  # the answer is "much longer" than a distractor at this ratio ...
MARGIN = 12  # ... and this many characters more


@dataclass(frozen=True)
class Warning:
    origin: Origin | None
    message: str

    def __str__(self) -> str:
        where = f"{self.origin}: " if self.origin is not None else ""
        return f"{where}warning: {self.message}"


def warnings(decks: Sequence[Deck], items: Sequence[Item]) -> list[Warning]:
    """Every warning about ``decks`` and their generated ``items``, in file order."""
    questions = {(f.deck, f.id, q.id): (f, q) for d in decks for f in d.facts
                 for q in f.questions}
    found = [*_revealing_stems(items, questions), *_standing_out(decks)]
    return sorted(found, key=lambda w: (w.origin.path, w.origin.line, w.origin.col)
                  if w.origin is not None else ("", 0, 0))


def _revealing_stems(items: Sequence[Item],
                     questions: dict[tuple[str, str, str], tuple[Fact, Question]]) -> list[Warning]:
    relation = reveals(items)
    out = []
    for a, item in enumerate(items):
        if item.template != "choice":
            continue
        part = item.id.rsplit("/", 1)[-1].removeprefix("choice-")
        found = questions.get((item.deck, item.fact, part))
        if found is None:
            continue
        fact, question = found
        siblings = [items[b] for b in sorted(relation.gives[a])
                    if (items[b].deck, items[b].fact) == (item.deck, item.fact)]
        if siblings:
            names = ", ".join(f"'{other.id}' ({other.answer})" for other in siblings)
            out.append(Warning(question.origin, f"fact '{fact.id}', question '{question.id}': "
                               f"its question gives away the answer of {names}; reword it "
                               "without that"))
    return out


def _standing_out(decks: Sequence[Deck]) -> list[Warning]:
    out = []
    for deck in decks:
        for fact in deck.facts:
            for q in fact.questions:
                problem = key_stands_out(q)
                if problem is not None:
                    out.append(Warning(q.origin, f"fact '{fact.id}', question '{q.id}': the "
                                       f"answer {problem}; make the options alike"))
    return out


def key_stands_out(q: Question) -> str | None:
    """How a hand-written answer gives itself away among its own distractors, or None."""
    own = list(q.distractors)
    if not own:
        return None
    key = q.answer
    if all(len(key) > LONGER * len(d) and len(key) >= len(d) + MARGIN for d in own):
        return "is much longer than every distractor"
    if "(" in key and not any("(" in d for d in own):
        return "alone has a parenthesis"
    return None
