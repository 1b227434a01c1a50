"""JSON: the items exactly as histquiz sees them, for other tools (``Item.to_json`` each)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ...model import Item
from ..registry import Context, Rendered


def render_json(items: Sequence[Item]) -> str:
    return json.dumps([item.to_json() for item in items], ensure_ascii=False, indent=2) + "\n"


def render(items: Sequence[Item], ctx: Context) -> Rendered:
    return Rendered((render_json(items).encode("utf-8"),), len(items))
