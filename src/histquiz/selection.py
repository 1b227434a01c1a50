"""Which facts and items a command works on: a module of its own, so that a command can name
its selection (and the cache its key) without importing the generators."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Selection:
    """Which facts and items a command works on. Empty means everything. A ``kinds`` entry is
    an item kind (``choice``, ``date``, ``order``, ``match``) or a template's name (``first``,
    ``true-statement``), for the items of one template only."""

    decks: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
