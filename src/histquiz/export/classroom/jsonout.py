"""JSON: the items exactly as histquiz sees them, for other tools (``Item.to_json`` each)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from ...atomic import write_file
from ...model import Item
from .common import ExportOptions, ExportResult


def render_json(items: Sequence[Item], options: ExportOptions | None = None) -> str:
    return json.dumps([item.to_json() for item in items], ensure_ascii=False, indent=2) + "\n"


def write_json(
    items: Sequence[Item], path: str | os.PathLike[str], options: ExportOptions | None = None
) -> ExportResult:
    write_file(path, render_json(items, options).encode("utf-8"))
    return ExportResult(len(items))
