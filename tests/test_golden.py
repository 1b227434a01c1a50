"""Every template applied to every shipped fact, compared with a golden file a person has read.

After changing decks or templates, regenerate it and read the diff before committing:
    HISTQUIZ_REGENERATE_GOLDEN=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

from histquiz import Deck, generate
from histquiz.commands.items import render_text

GOLDEN = Path(__file__).parent / "golden" / "items.txt"


def render_all(decks: list[Deck]) -> str:
    return "".join(render_text(item) + "\n" for item in generate(decks, 0))


def test_items_match_golden_file(builtin_decks: list[Deck]) -> None:
    text = render_all(builtin_decks)
    if os.environ.get("HISTQUIZ_REGENERATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == text, (
        "items changed; regenerate with HISTQUIZ_REGENERATE_GOLDEN=1 and read the diff"
    )
