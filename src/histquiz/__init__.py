"""histquiz: learn the history of India's relations with the Soviet Union and Russia.

The public API is the pipeline: ``load_decks`` → ``generate`` → an exporter or the quiz.
The loader is imported on first use, so importing one module of histquiz (an exporter, say)
does not load the loader and yaml with it. (``generate`` is imported at once: it is also the
name of a subpackage, which would otherwise shadow the function once imported.)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import DeckError, ExportError, HistquizError, UsageError
from .generate import Selection, generate, select_facts
from .model import Deck, Fact, Item, Question, Source
from .version import __version__

if TYPE_CHECKING:
    from .load import builtin_decks_dir, load_decks

# public name → the module that defines it, imported on first use
_LAZY = {"builtin_decks_dir": "load", "load_decks": "load"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'histquiz' has no attribute '{name}'")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "Deck",
    "DeckError",
    "ExportError",
    "Fact",
    "HistquizError",
    "Item",
    "Question",
    "Selection",
    "Source",
    "UsageError",
    "__version__",
    "builtin_decks_dir",
    "generate",
    "load_decks",
    "select_facts",
]
