"""Check deck files and report every problem as path:line:col: message.

Exits 0 when everything is clean, 1 otherwise (problems go to stderr). A fact that an output
with limits will leave out (a Kahoot question over 120 characters, say) is a warning, one line
per item with the reason and the field that would make it fit; warnings do not fail.

example:
  histquiz validate                      # the built-in decks
  histquiz validate my-decks/ extra.yaml
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..model import Deck, Item
from .common import add_decks_option


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="deck files or folders")
    add_decks_option(parser)


def run(args: argparse.Namespace) -> int:
    from ..generate import generate
    from ..load import load_decks
    paths = [*args.paths, *args.decks]
    decks = load_decks(paths or None)
    # Every item is generated, as any command would, to be sure each one can be; the count
    # does not depend on the seed.
    items = generate(decks, seed=0)
    for line in output_warnings(decks, items):
        print(line, file=sys.stderr)
    facts = sum(len(d.facts) for d in decks)
    print(f"ok: {len(decks)} deck{'s' * (len(decks) != 1)}, {facts} fact{'s' * (facts != 1)}, "
          f"{len(items)} item{'s' * (len(items) != 1)}")
    return 0


def output_warnings(decks: Sequence[Deck], items: Sequence[Item]) -> list[str]:
    """Per fact, the items that an output with limits will leave out, and why:
    ``path:line:col: warning: fact 'f': kahoot leaves out 'which-happened': … (…)``."""
    from ..export.registry import Context, limit_problems

    by_id = {item.id: item for item in items}
    lines = []
    for entry in limit_problems(items, Context(decks=tuple(decks), seed=0, build_time=0)):
        item = by_id[entry.skipped.item_id]
        where = f"{item.origin}: " if item.origin is not None else ""
        detail = getattr(entry.skipped, "detail", "")
        lines.append(f"{where}warning: fact '{item.fact}': {entry.fmt} leaves out "
                     f"'{item.id.rsplit('/', 1)[1]}': {entry.skipped.reason}"
                     + (f" ({detail})" if detail else ""))
    return lines
