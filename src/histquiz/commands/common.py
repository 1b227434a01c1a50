"""Options shared by the commands: where the decks are, which facts, which items, the seed."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .. import seeds
from ..load.rules import ITEM_KINDS
from ..model import Deck, Item
from ..selection import Selection

if TYPE_CHECKING:
    from ..export.registry import Context, ExportOptions, LeftOutReport


def _split(values: list[str] | None) -> tuple[str, ...]:
    """Accept both ``--tag a --tag b`` and ``--tag a,b``."""
    out: list[str] = []
    for value in values or []:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return tuple(dict.fromkeys(out))


def add_decks_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--decks", metavar="PATH", action="extend", nargs="+", default=[],
        help="deck files or folders to load instead of the built-in decks (repeatable)",
    )


def add_filter_options(parser: argparse.ArgumentParser, *, kinds: bool = True) -> None:
    add_decks_option(parser)
    group = parser.add_argument_group("choosing facts")
    group.add_argument("--deck", metavar="ID", action="append",
                       help="only this deck (repeatable, or comma-separated)")
    group.add_argument("--topic", metavar="T", action="append",
                       help="only this topic, e.g. defence (repeatable, or comma-separated)")
    group.add_argument("--tag", metavar="T", action="append",
                       help="only facts with this tag, e.g. era::1970s (repeatable, or comma-separated)")
    if kinds:
        group.add_argument("--kind", metavar="K", action="append",
                           help=f"only these item kinds: {', '.join(ITEM_KINDS)}, or templates "
                           "such as first, true-statement (comma-separated)")


def add_seed_option(parser: argparse.ArgumentParser, default: int | None = 0) -> None:
    help_text = "random seed: the same seed gives the same items, options and order"
    if default is not None:
        help_text += f" (default {default})"
    parser.add_argument("--seed", type=int, default=default, metavar="N", help=help_text)


def selection(args: argparse.Namespace) -> Selection:
    return Selection(
        decks=_split(getattr(args, "deck", None)),
        topics=_split(getattr(args, "topic", None)),
        tags=_split(getattr(args, "tag", None)),
        kinds=_split(getattr(args, "kind", None)),
    )


def load(args: argparse.Namespace) -> list[Deck]:
    from ..cache import load_decks

    return load_decks(args.decks or None)


def seed_of(args: argparse.Namespace) -> int:
    """The run's seed: --seed, or one drawn once per run when the command has no default (kept
    in ``args``, so every stage of the run uses the same one)."""
    if args.seed is None:
        args.seed = seeds.draw()
    seed: int = args.seed
    return seed


def context(args: argparse.Namespace, decks: Sequence[Deck],
            options: ExportOptions | None = None) -> Context:
    """What the formats need besides the items: the decks, the seed, the build time (resolved
    once, here), the options, and the topic and tag filters."""
    from ..export.registry import Context, ExportOptions
    from ..load import find_deck_files
    from ..reproducible import build_time, is_reproducible

    chosen = selection(args)
    inputs, _ = find_deck_files(getattr(args, "decks", None) or None)
    return Context(decks=tuple(decks), seed=seed_of(args), build_time=build_time(),
                   reproducible=is_reproducible(), options=options or ExportOptions(),
                   topics=chosen.topics, tags=chosen.tags, inputs=tuple(inputs))


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than ``minimum``."""

    def whole(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more")
        return value

    return whole


positive = at_least(1)


def add_moodle_ordering_option(parser: argparse.ArgumentParser) -> None:
    """--moodle-no-ordering, for the commands that write Moodle XML (export, build)."""
    parser.add_argument("--moodle-no-ordering", action="store_true",
                        help="moodle-xml: write order items as matching questions (each event to "
                             "its place: 1st, 2nd, ...) for a Moodle without the Ordering question "
                             "type (standard since Moodle 4.4)")


def add_sample_options(parser: argparse.ArgumentParser, options_help: str = "") -> None:
    """--count and --options, for commands that print or export generated items."""
    parser.add_argument("--count", type=positive, metavar="N",
                        help="a random selection of N items (chosen by the seed)")
    parser.add_argument("--options", type=int, default=4, metavar="N",
                        help=options_help or "options per choice item, 3 to 5 (default 4)")


def sample_items(args: argparse.Namespace, decks: list[Deck] | None = None) -> Sequence[Item]:
    """The selected items, with --options options, and a seeded --count of them (in order),
    of which none gives another away (generate.reveal). Without ``decks``, the decks named by
    --decks, read only if the cache does not hold their items."""
    from ..cache import generate, items_for, reveals
    from ..generate.reveal import spread

    seed = seed_of(args)
    items = (items_for(args.decks or None, seed, selection(args), args.options) if decks is None
             else generate(decks, seed, selection(args), args.options))
    if args.count is None or args.count >= len(items):
        return items
    chosen = spread(range(len(items)), reveals(items), seeds.derive(seed, seeds.SAMPLE),
                    args.count)
    return [items[i] for i in chosen]


def print_left_out(report: LeftOutReport, verbose: bool) -> None:
    """The left-out summary (one line per format and reason), its warnings on standard error,
    and with ``verbose`` every item with its reason; without, a hint that says how to see them."""
    from ..textui import say

    for line in report.summary:
        say(line)
    for line in report.warnings:
        say(line, file=sys.stderr)
    if verbose:
        for line in report.listing:
            say(f"  {line}")
    elif report.entries:
        say("  (--verbose lists each item and why)")


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH",
                        help="the progress store to use (default: HISTQUIZ_HOME/progress.sqlite3 "
                             "if HISTQUIZ_HOME is set, else the user's data folder)")
