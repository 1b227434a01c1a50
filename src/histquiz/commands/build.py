"""Build every artefact for every deck: Anki, worksheet PDFs, Moodle, GIFT, Kahoot, Quizlet, JSON.

For each deck it writes into the output folder (dist/ unless --out says otherwise):

  DECK.apkg                     Anki package (File → Import in Anki or AnkiDroid)
  DECK-worksheet.pdf            printable worksheet, and DECK-worksheet-answers.pdf, its key
  DECK-moodle.xml               Moodle XML (Question bank → Import → Moodle XML format)
  DECK-gift.txt                 the same questions in GIFT (Question bank → Import → GIFT)
  DECK-kahoot.xlsx              Kahoot's quiz spreadsheet (Kahoot → Create → Import spreadsheet)
  DECK-quizlet.txt              Quizlet import text (Quizlet → Create → Import)
  DECK-items.json               every item with every field, for other tools

A format that cannot be written (a character the worksheet font lacks, say) does not stop the
others: every file that can be written is, the failures are listed at the end, and the exit
status is 1. Each file is written beside its target and renamed into place, so an interrupted
build leaves every file either as it was or complete; the unfinished temporary files
(.NAME.histquiz-PID-….part) that a killed build left for the files it writes are removed by the
next one. The same --seed gives the same questions and options; with SOURCE_DATE_EPOCH set, the
same bytes. A deck's files are those that `histquiz export`, `anki` and `worksheet` write with
--deck DECK and the same seed.

example:
  histquiz build
  histquiz build --out handouts --seed 7
  histquiz build --decks my-decks/ --formats moodle-xml,gift,kahoot
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..export.registry import FORMATS, names
from .common import add_decks_option, add_seed_option


def _formats(text: str) -> list[str]:
    chosen = [n.strip() for n in text.split(",") if n.strip()]
    for name in chosen:
        if name not in FORMATS:
            raise argparse.ArgumentTypeError(
                f"unknown format '{name}'; choose from {', '.join(names())}")
    return chosen


def configure(parser: argparse.ArgumentParser) -> None:
    add_decks_option(parser)
    parser.add_argument("--out", metavar="DIR", default="dist",
                        help="the folder to write into, created if missing (default: dist)")
    add_seed_option(parser)
    parser.add_argument("--formats", metavar="LIST", type=_formats, action="extend",
                        help=f"only these, comma-separated: {', '.join(names())} (default: all)")


def run(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..export.build import build, table_lines
    from ..export.registry import left_out_report
    from ..generate import generate
    from ..textui import Progress, plural, say
    from .common import context, load, seed_of

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: this is a file, not a folder")
    decks = load(args)
    ctx = context(args, decks)
    # Every deck's items, generated once: an item depends only on the seed and its own id, so
    # a deck's items are exactly those that the single commands make with --deck DECK.
    items = generate(decks, seed_of(args), n_options=4)
    formats = list(dict.fromkeys(args.formats or FORMATS))
    progress = Progress(len(decks) * len(formats), sys.stderr)
    report = build(decks, items, formats, out, ctx, progress)
    if report.stale:
        say(f"removed {plural(len(report.stale), 'unfinished temporary file')} "
            f"left by an interrupted build", file=sys.stderr)
    say(*table_lines(report.written))
    shown, warnings = left_out_report(report.left_out)
    say(*shown)
    say(*warnings, file=sys.stderr)
    if report.empty:
        empty = report.empty
        say(f"histquiz: warning: no items in {', '.join(empty)}; nothing written for "
            f"{'them' if len(empty) > 1 else 'it'}", file=sys.stderr)
    if report.failed:
        say(*(f"histquiz: error: {failed.reason}" for failed in report.failed), file=sys.stderr)
        failed = ", ".join(dict.fromkeys(f.fmt for f in report.failed))
        say(f"histquiz: {plural(len(report.failed), 'output')} could not be written ({failed}); "
            "every other file was written", file=sys.stderr)
        return 1
    return 0
