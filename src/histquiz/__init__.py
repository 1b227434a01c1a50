"""histquiz: learn the history of India's relations with the Soviet Union and Russia.

The public API is the pipeline: ``load_decks`` → ``generate`` → an exporter or the quiz.
The loader is imported when first used, so that ``histquiz --help`` does not load YAML.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import DeckError, ExportError, HistquizError, UsageError
from .generate import Selection, generate, select_facts
from .model import Deck, Fact, Item, Question, Source

if TYPE_CHECKING:
    from .load import builtin_decks_dir, load_decks

__version__ = "0.1.0"

_LAZY = ("builtin_decks_dir", "load_decks")

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


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(".load", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
