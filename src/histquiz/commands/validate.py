"""Check deck files and report every problem as path:line:col: message.

Exits 0 when everything is clean, 1 otherwise (problems go to stderr). Warnings (path:line:col:
warning: …) name items that are valid but flawed, such as a question whose stem gives away
another question of its fact; they go to stderr too and leave the exit status 0.

example:
  histquiz validate                      # the built-in decks
  histquiz validate my-decks/ extra.yaml
"""

from __future__ import annotations

import argparse

from .common import add_decks_option


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="deck files or folders")
    add_decks_option(parser)


def run(args: argparse.Namespace) -> int:
    import sys

    from ..generate import generate
    from ..generate.quality import warnings
    from ..load import load_decks
    from ..textui import say

    paths = [*args.paths, *args.decks]
    decks = load_decks(paths or None)
    # Every item is generated, as any command would, to be sure each one can be; the count
    # does not depend on the seed.
    items = generate(decks, seed=0)
    found = warnings(decks, items)
    say(*(str(w) for w in found), file=sys.stderr)
    facts = sum(len(d.facts) for d in decks)
    note = f" ({len(found)} warning{'s' * (len(found) != 1)})" if found else ""
    print(f"ok: {len(decks)} deck{'s' * (len(decks) != 1)}, {facts} facts, {len(items)} items{note}")
    return 0
