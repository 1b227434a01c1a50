"""Facts → items. A registry of question templates (``run.TEMPLATES``), a fact selection, and
``generate`` (in ``run``).

Items come out in deck order, then fact order, then template order. Distractors and option
order depend on the seed and the item's own id only, so the same item comes out the same
whatever else is loaded or selected.

The package's own import is light: a run that reads its items from the cache (and the
revealing relation in ``reveal``) imports no generator; they are imported when first asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ..selection import Selection
from .registry import ITEM_KINDS, TEMPLATE_KINDS, TEMPLATE_NEEDS, TEMPLATE_ORDER

if TYPE_CHECKING:
    from .run import TEMPLATES, generate, select_facts

__all__ = [
    "ITEM_KINDS",
    "TEMPLATES",
    "TEMPLATE_KINDS",
    "TEMPLATE_NEEDS",
    "TEMPLATE_ORDER",
    "Selection",
    "generate",
    "select_facts",
]

_IN_RUN = ("TEMPLATES", "generate", "select_facts")


def __getattr__(name: str) -> Any:
    if name in _IN_RUN:
        return getattr(importlib.import_module(".run", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
