"""Print the generated items, as readable text or as JSON.

With --stats ITEMS.csv (written by 'histquiz mark'), prints the item analysis of a marked class
beside each item, the items to check first, with the deck file and line of each.

example:
  histquiz items --topic un --kind choice --seed 7
  histquiz items --format json --count 20 --seed 1 > items.json
  histquiz items --stats marked/items.csv
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
    parser.add_argument("--stats", metavar="ITEMS.csv",
                        help="show the item analysis that 'histquiz mark' wrote, flagged items first")


def run(args: argparse.Namespace) -> int:
    from ..textui import say, write_bytes
    from .common import sample_items

    if args.stats:
        return show_stats(args)
    items = sample_items(args)
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
    numbered = item.kind == "match"  # events numbered, the years lettered
    for i, option in enumerate(item.options):
        mark = "*" if i == item.answer_index else " "
        lines.append(f"  {mark} {i + 1 if numbered else chr(65 + i)}) {option}")
    if item.targets:
        lines.append("    years: " + ", ".join(f"{chr(65 + i)}) {t}"
                                                for i, t in enumerate(item.targets)))
    lines.append(f"  answer: {item.answer}")
    return "\n".join(lines) + "\n"


def show_stats(args: argparse.Namespace) -> int:
    """The item analysis of a marked class, each item with its options and how often each was
    chosen; flagged items first, with where the fact is in its deck."""
    import csv
    from pathlib import Path

    from ..errors import HistquizError, UsageError
    from ..textui import say
    from .common import load

    path = Path(args.stats)
    try:
        rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the item analysis ({exc})") from None
    if not rows or "item" not in rows[0] or "flags" not in rows[0]:
        raise UsageError(f"{path}: not an items.csv written by 'histquiz mark'")
    origins: dict[str, str] = {}
    try:
        for deck in load(args):
            for fact in deck.facts:
                if fact.origin is not None:
                    origins[f"{deck.id}/{fact.id}"] = str(fact.origin)
    except HistquizError:  # the item analysis is still worth showing without the decks
        origins = {}
    rows.sort(key=lambda r: (not r["flags"], r["item"]))
    for row in rows:
        fact_key = row["item"].rsplit("/", 1)[0]
        where = f"  ({origins[fact_key]})" if fact_key in origins else ""
        lines = [f"{row['item']}{where}", f"  {row['question']}"]
        n = 1
        while row.get(f"option {n}"):
            option, chosen = row[f"option {n}"], row[f"chosen {n}"]
            mark = "*" if option == row["answer"] else " "
            lines.append(f"  {mark} {chosen:>3}  {option}")
            n += 1
        lines.append(f"  students {row['students']}, blank {row['blank']}, difficulty "
                     f"{row['difficulty'] or '-'}, discrimination {row['discrimination'] or '-'}, "
                     f"upper-lower {row['upper-lower'] or '-'}")
        if row["flags"]:
            lines.append(f"  CHECK: {row['flags']}")
        say(*lines, "")
    flagged = sum(1 for r in rows if r["flags"])
    say(f"{len(rows)} item{'s' * (len(rows) != 1)}, {flagged} to check", file=sys.stderr)
    return 0
