"""The CLI's commands, one module each. A module has a docstring (its help: a one-line summary,
then an example), ``configure(parser)`` and ``run(args) -> int``. Heavy libraries are imported
inside ``run`` only, so ``histquiz --help`` stays fast."""

from __future__ import annotations

# name → module under histquiz.commands, in the order --help lists them
COMMANDS: dict[str, str] = {
    "build": "build",
    "validate": "validate",
    "decks": "decks",
    "items": "items",
    "anki": "anki",
    "worksheet": "worksheet",
    "mark": "mark",
    "schema": "schema",
    "export": "export",
    "quiz": "quiz",
    "stats": "stats",
    "flags": "flags",
}
