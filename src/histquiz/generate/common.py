"""Pieces every template uses: the item id, the item skeleton, placing the key among options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..model import Fact, Item
from .context import Context
from .registry import TEMPLATE_KINDS


def item_id(fact: Fact, template: str, part: str | None = None) -> str:
    """``deck/fact/template``, with the question id for per-question templates."""
    name = f"{template}-{part}" if part else template
    return f"{fact.deck}/{fact.id}/{name}"


def make_item(fact: Fact, template: str, question: str, answer: str, *,
              part: str | None = None, **fields: Any) -> Item:
    return Item(
        id=item_id(fact, template, part),
        kind=TEMPLATE_KINDS[template],
        template=template,
        question=question,
        answer=answer,
        deck=fact.deck,
        fact=fact.id,
        topic=fact.topic,
        explanation=fact.explanation,
        sources=fact.sources,
        tags=fact.all_tags,
        date=fact.date,
        statement=fact.statement,
        note=fact.note,
        origin=fact.origin,
        event=fact.event,
        **fields,
    )


def place_shuffled(ctx: Context, answer: str, distractors: Sequence[str]) -> tuple[tuple[str, ...], int]:
    """Shuffle the distractors and put the answer at a dealt position."""
    others = list(distractors)
    ctx.rng.shuffle(others)
    position = ctx.deal(len(others) + 1)
    others.insert(position, answer)
    return tuple(others), position
