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
    """The item of ``fact`` by ``template``: what every item takes from its fact, and
    ``fields`` (options, answer_index, ...) besides.

    The same as ``Item(...)``, made without the frozen dataclass's ``__init__``, which sets
    each of the 25 fields through ``object.__setattr__``: 1.9 µs against 4.5 µs, for each of a
    big deck's 80,000 items. The fields are set in their order, so that the items still share
    one table of field names (filling an empty ``__dict__`` at once would give each its own,
    and three times the memory)."""
    if not fields.keys() <= _GIVEN:
        raise TypeError(f"make_item() sets {sorted(fields.keys() - _GIVEN)} itself, or Item "
                        "has no such field")
    item = _new(Item)
    _set(item, "id", item_id(fact, template, part))
    values = item.__dict__
    values["kind"] = TEMPLATE_KINDS[template]
    values["template"] = template
    values["question"] = question
    values["answer"] = answer
    values["deck"] = fact.deck
    values["fact"] = fact.id
    values["topic"] = fact.topic
    values["explanation"] = fact.explanation
    values["sources"] = fact.sources
    values["tags"] = fact.all_tags
    values["date"] = fact.date
    values["statement"] = fact.statement
    values.update(_BEFORE_NOTE)
    values["note"] = fact.note
    values["origin"] = fact.origin
    values["event"] = fact.event
    values.update(_AFTER_EVENT)
    values.update(fields)
    return item


# The defaults of the fields that make_item does not take from the fact, in Item's order: those
# before ``note`` and those after ``event``. A template gives any of them (and only them).
_FIELDS = dataclasses.fields(Item)
_NAMES = [f.name for f in _FIELDS]
_BEFORE_NOTE = {f.name: f.default
                for f in _FIELDS[_NAMES.index("statement") + 1:_NAMES.index("note")]}
_AFTER_EVENT = {f.name: f.default for f in _FIELDS[_NAMES.index("event") + 1:]}
_GIVEN = frozenset(_BEFORE_NOTE) | frozenset(_AFTER_EVENT)
_new = object.__new__
_set = object.__setattr__


def place_shuffled(ctx: Context, answer: str, distractors: Sequence[str]) -> tuple[tuple[str, ...], int]:
    """Shuffle the distractors and put the answer at a dealt position."""
    others = list(distractors)
    ctx.rng.shuffle(others)
    position = ctx.deal(len(others) + 1)
    others.insert(position, answer)
    return tuple(others), position
