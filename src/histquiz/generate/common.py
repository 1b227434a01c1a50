"""Pieces every template uses: the item id, the item skeleton, placing the key among options."""

from __future__ import annotations

import dataclasses
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
    """The item of ``fact`` made by ``template``; ``fields`` are the template's own (options,
    key and so on), each one of Item's fields with a default."""
    if not fields.keys() <= _OWN:
        raise TypeError(f"not fields of an item: {', '.join(sorted(fields.keys() - _OWN))}")
    # Item is frozen, and its __init__ sets each of its 27 fields through object.__setattr__:
    # filled in directly (every field, in the order declared, as __init__ leaves them), an item
    # is made in a quarter of the time, which is 5% of generating a big deck
    item = _new(Item)
    state = item.__dict__
    state.update(_DEFAULTS)
    state.update(id=item_id(fact, template, part), kind=TEMPLATE_KINDS[template],
                 template=template, question=question, answer=answer, deck=fact.deck,
                 fact=fact.id, topic=fact.topic, explanation=fact.explanation,
                 sources=fact.sources, tags=fact.all_tags, date=fact.date,
                 statement=fact.statement, note=fact.note, origin=fact.origin, event=fact.event)
    state.update(fields)
    return item


_new = object.__new__
# every field of Item in the order declared, with its default (the others are all given above)
_DEFAULTS = {f.name: None if f.default is dataclasses.MISSING else f.default
             for f in dataclasses.fields(Item)}
_OWN = frozenset(f.name for f in dataclasses.fields(Item) if f.default is not dataclasses.MISSING
                 ) - {"note", "origin", "event"}


def place_shuffled(ctx: Context, answer: str, distractors: Sequence[str]) -> tuple[tuple[str, ...], int]:
    """Shuffle the distractors and put the answer at a dealt position."""
    others = list(distractors)
    ctx.rng.shuffle(others)
    position = ctx.deal(len(others) + 1)
    others.insert(position, answer)
    return tuple(others), position
