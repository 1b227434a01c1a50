"""Write Anki decks (.apkg) that import cleanly and update in place when imported again.

One .apkg per deck goes into the current folder (or --out-dir); -o puts everything into one
file. Import it in Anki (File → Import), AnkiDroid or AnkiMobile. Importing a newer build
updates the cards in place and keeps your reviews; run it again in the same folder, so that it
can compare with the file it replaces, and it lists the notes a rebuild dropped (Anki never
deletes notes on import) with a search that finds them in Anki's browser. Keep the same
--seed between builds, or every card with options (multiple choice, order, match) gets new ones.

example:
  histquiz anki                               # indo-soviet.apkg here
  histquiz anki --topic defence -o defence.apkg
  histquiz anki --out-dir anki --type-in      # type the dates instead of recalling them
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UsageError
from .common import add_filter_options, add_seed_option


def configure(parser: argparse.ArgumentParser) -> None:
    add_filter_options(parser)
    add_seed_option(parser)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", metavar="FILE.apkg",
                       help="write every selected deck into this one file")
    where.add_argument("--out-dir", metavar="DIR", default=".",
                       help="folder for the per-deck files, created if missing (default: here)")
    parser.add_argument("--type-in", action="store_true",
                        help="date cards ask you to type the date (Anki's type-in box) instead of "
                             "recalling it; a different note type, so switching adds new notes")


def run(args: argparse.Namespace) -> int:
    from ..atomic import make_folder
    from ..cache import generate
    from ..export.anki.writer import ApkgStats
    from ..export.registry import ExportOptions, write_format
    from ..textui import say
    from .common import context, load, seed_of, selection

    if args.output and not args.output.endswith(".apkg"):
        raise UsageError(f"-o {args.output}: the file name must end in .apkg, "
                         "or Anki will not offer to import it")
    decks = load(args)
    items = generate(decks, seed_of(args), selection(args))
    if not items:
        raise UsageError("no items match the selection; nothing to write")
    if args.output:
        plan = [(Path(args.output), items)]
    else:
        folder = Path(args.out_dir)
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"--out-dir {folder}: this is a file, not a folder")
        make_folder(folder)
        plan = [(folder / f"{deck}.apkg", [i for i in items if i.deck == deck])
                for deck in dict.fromkeys(i.deck for i in items)]
    ctx = context(args, decks, ExportOptions(type_in=args.type_in))
    for path, chosen in plan:
        # The file being replaced tells which notes really changed (see export.anki.writer).
        rendered, _ = write_format("anki", chosen, ctx, path)
        stats = rendered.details
        assert isinstance(stats, ApkgStats)
        say(f"wrote {path}: {stats.notes} notes, {stats.cards} cards "
            f"in {stats.decks} deck{'s' * (stats.decks != 1)}")
        say(*(f"  {name}: {count} notes" for name, count in stats.deck_notes))
        if stats.removed:
            _report_removed(path, stats.removed)
    return 0


def _report_removed(path: Path, removed: tuple[str, ...]) -> None:
    from ..textui import say

    count = len(removed)
    say(f"{path}: {count} note{'s' * (count != 1)} of the file it replaced "
        f"{'are' if count != 1 else 'is'} no longer built (removed facts or questions). "
        "Anki keeps them on import; to find and delete them, search in Anki's browser for:",
        "  " + " OR ".join(f"Item:{item_id}" for item_id in removed), file=sys.stderr)
