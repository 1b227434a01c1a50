"""Template names, what each needs from a fact and the item kind it makes.

The table lives in ``load.rules``, below both the loader and the generators, so that the two
agree on which templates apply; it is re-exported here for the generators.
"""

from __future__ import annotations

from ..load.rules import ITEM_KINDS, TEMPLATE_KINDS, TEMPLATE_NEEDS, TEMPLATE_ORDER

__all__ = ["ITEM_KINDS", "TEMPLATE_KINDS", "TEMPLATE_NEEDS", "TEMPLATE_ORDER"]
