"""JSON: the items exactly as histquiz sees them, for other tools (``Item.to_json`` each), and
for each the ids of the items in the same file that it gives away (``reveals``)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ...model import Item
from ..registry import Context, Rendered


def render_json(items: Sequence[Item]) -> str:
    from ...generate.reveal import reveals

    relation = reveals(items)
    rows = []
    for index, item in enumerate(items):
        row = item.to_json()
        row["reveals"] = relation.ids_given_by(index)
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def render(items: Sequence[Item], ctx: Context) -> Rendered:
    return Rendered((render_json(items).encode("utf-8"),), len(items))
