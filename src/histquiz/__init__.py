"""histquiz: learn the history of India's relations with the Soviet Union and Russia.

The public API is the pipeline: ``load_decks`` → ``generate`` → an exporter or the quiz.
"""

from __future__ import annotations

from .errors import DeckError, ExportError, HistquizError, UsageError
from .generate import Selection, generate, select_facts
from .loader import builtin_decks_dir, load_decks
from .model import Deck, Fact, Item, Question, Source

__version__ = "0.1.0"

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
