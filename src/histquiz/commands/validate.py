"""Check deck files and report every problem as path:line:col: message.

Exits 0 when everything is clean, 1 otherwise (problems go to stderr). Warnings (path:line:col:
warning: …) name what is valid but flawed: a question whose stem gives away another question
of its fact, an answer that stands out among its distractors, a fact that an output with
limits will leave out (a Kahoot question over 120 characters, say) with the field that would
make it fit. Warnings go to stderr too and leave the exit status 0.

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
    from ..cache import generate, load_decks
    from ..generate.quality import warnings
    from ..textui import say

    paths = [*args.paths, *args.decks]
    decks = load_decks(paths or None)
    # Every item is generated, as any command would, to be sure each one can be; the count
    # does not depend on the seed.
    items = generate(decks, seed=0)
    found = [str(w) for w in warnings(decks, items)] + list(output_warnings(decks, items))
    say(*found, file=sys.stderr)
    facts = sum(len(d.facts) for d in decks)
    note = f" ({len(found)} warning{'s' * (len(found) != 1)})" if found else ""
    print(f"ok: {len(decks)} deck{'s' * (len(decks) != 1)}, {facts} fact{'s' * (facts != 1)}, "
          f"{len(items)} item{'s' * (len(items) != 1)}{note}")
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
