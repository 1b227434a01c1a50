"""Loading decks: YAML files → validated, frozen ``Deck`` objects.

``yaml.py`` reads a file into nodes that keep their positions, ``spec.py`` is the deck format
(one table of fields that drives validation and ``histquiz schema``), ``rules.py`` holds what
loading and generating must agree on, and ``loader.py`` checks across files and builds the
model. This package's own import is light: ``generate`` imports ``load.rules`` and
``histquiz --help`` must not import YAML, so the loader is imported only when asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .files import builtin_decks_dir, find_deck_files
    from .loader import load_decks

__all__ = ["builtin_decks_dir", "find_deck_files", "load_decks"]


def __getattr__(name: str) -> Any:
    if name in __all__:  # finding files needs no YAML: the cache asks before anything is loaded
        module = ".loader" if name == "load_decks" else ".files"
        return getattr(importlib.import_module(module, __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
