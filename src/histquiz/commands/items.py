"""Print the generated items, as readable text or as JSON.

example:
  histquiz items --topic un --kind choice --seed 7
  histquiz items --format json --count 20 --seed 1 > items.json
"""

from __future__ import annotations

import argparse
import sys

from ..model import Item
from .common import add_filter_options, add_sample_options, add_seed_option


def configure(parser: argparse.ArgumentParser) -> None:
    add_filter_options(parser)
    add_seed_option(parser)
    add_sample_options(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text for reading, json for tools (default text)")


def run(args: argparse.Namespace) -> int:
    from ..textui import say, write_bytes
    from .common import load, sample_items

    items = sample_items(args, load(args))
    if args.format == "json":
        from ..export.classroom.jsonout import render_json

        # JSON is UTF-8 by definition: the same bytes whatever the terminal's encoding
        write_bytes(sys.stdout, render_json(items).encode("utf-8"))
        return 0
    for item in items:
        say(*render_text(item).split("\n"))
    say(f"{len(items)} item{'s' * (len(items) != 1)}", file=sys.stderr)
    return 0


def render_text(item: Item) -> str:
    lines = [f"{item.id}  [{item.kind} · {item.topic} · {item.date_display or 'undated'}]",
             f"  {item.question}"]
    for i, option in enumerate(item.options):
        mark = "*" if i == item.answer_index else " "
        lines.append(f"  {mark} {chr(65 + i)}) {option}")
    lines.append(f"  answer: {item.answer}")
    return "\n".join(lines) + "\n"
