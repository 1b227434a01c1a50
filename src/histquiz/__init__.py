"""histquiz: learn the history of India's relations with the Soviet Union and Russia.

The public API is the pipeline: ``load_decks`` → ``generate`` → an exporter or the quiz.
Every public name is imported on first use, so ``histquiz --help`` and ``--version``, and
importing one module of histquiz (an exporter, say), load neither the loader nor the generator.

``generate`` is both a function of the public API and the name of a subpackage. Importing the
subpackage would bind the module to the package's ``generate`` attribute; the package's module
class refuses that binding, so ``histquiz.generate`` is always the function.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from .errors import DeckError, ExportError, HistquizError, UsageError
from .version import __version__

if TYPE_CHECKING:
    from .generate import Selection, generate, select_facts
    from .load import builtin_decks_dir, load_decks
    from .model import Deck, Fact, Item, Question, Source

# public name → the module that defines it, imported on first use
_LAZY = {
    "builtin_decks_dir": "load", "load_decks": "load",
    "Selection": "generate", "generate": "generate", "select_facts": "generate",
    "Deck": "model", "Fact": "model", "Item": "model", "Question": "model", "Source": "model",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'histquiz' has no attribute '{name}'")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    if name != "generate":
        globals()[name] = value
    return value


class _Package(types.ModuleType):
    """histquiz's module: a subpackage named like a public function does not replace it."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

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
