"""Exporters: one module per output format, named in a registry and imported only when used.

The registry maps a format name to ``"module:function"``; ``load_exporter`` imports the module on
first use, so naming every format here costs ``histquiz --help`` nothing (genanki and reportlab
are imported only by the exporters that need them).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ..errors import UsageError

EXPORTERS: dict[str, str] = {
    "anki": "histquiz.export.anki.writer:write_apkg",  # write_apkg(items, decks, path, *, timestamp)
    "moodle-xml": "histquiz.export.classroom.moodle:write_moodle_xml",
    "gift": "histquiz.export.classroom.gift:write_gift",
    "kahoot": "histquiz.export.classroom.kahoot:write_kahoot",
    "quizlet": "histquiz.export.classroom.quizlet:write_quizlet",
    "json": "histquiz.export.classroom.jsonout:write_json",
}

# The formats ``histquiz export`` writes: each is ``write(items, path, options) -> ExportResult``
# (see histquiz.export.classroom).
CLASSROOM_FORMATS: tuple[str, ...] = ("moodle-xml", "gift", "kahoot", "quizlet", "json")


def load_exporter(name: str) -> Callable[..., Any]:
    """The writer function registered under ``name``, imported now."""
    try:
        target = EXPORTERS[name]
    except KeyError:
        raise UsageError(f"unknown format '{name}'; known: {', '.join(sorted(EXPORTERS))}") from None
    module_name, _, function = target.partition(":")
    module = importlib.import_module(module_name)
    writer: Callable[..., Any] = getattr(module, function)
    return writer
