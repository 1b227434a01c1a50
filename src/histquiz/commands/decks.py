"""List the loaded decks with their topics, fact counts and item counts.

example:
  histquiz decks
  histquiz decks --format markdown      # the table in the README
"""

from __future__ import annotations

import argparse
from collections import Counter

from ..model import Deck
from .common import add_decks_option


def configure(parser: argparse.ArgumentParser) -> None:
    add_decks_option(parser)
    parser.add_argument("--format", choices=("text", "markdown"), default="text",
                        help="aligned text or a Markdown table (default text)")


def deck_rows(decks: list[Deck]) -> list[tuple[str, str, str, int, int]]:
    from ..cache import generate

    items = Counter(i.deck for i in generate(decks, 0))
    rows = []
    for deck in decks:
        topics = ", ".join(sorted({f.topic for f in deck.facts}))
        rows.append((deck.id, deck.title, topics, len(deck.facts), items[deck.id]))
    return rows


def cell(text: str) -> str:
    """Text as one Markdown table cell: a '|' would end the cell, a backslash escape it."""
    return text.replace("\\", "\\\\").replace("|", "\\|")


def render(rows: list[tuple[str, str, str, int, int]], markdown: bool) -> str:
    header = ("deck", "title", "topics", "facts", "items")
    total = ("total", "", "", sum(r[3] for r in rows), sum(r[4] for r in rows))
    table: list[tuple[object, ...]] = [header, *rows, total]
    if markdown:
        lines = ["| " + " | ".join(str(c) for c in header) + " |", "|---|---|---|---:|---:|"]
        for row in (*rows, total):
            cells = [f"`{row[0]}`" if row is not total else "**total**",
                     *(cell(str(c)) for c in row[1:])]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)
    widths = [max(len(str(line[i])) for line in table) for i in range(len(header))]
    out = []
    for line in table:
        cells = [str(c).rjust(w) if i >= 3 else str(c).ljust(w)
                 for i, (c, w) in enumerate(zip(line, widths, strict=True))]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    from ..textui import say
    from .common import load

    say(*render(deck_rows(load(args)), args.format == "markdown").split("\n"))
    return 0
