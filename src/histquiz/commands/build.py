"""Build every artefact for every deck: Anki, worksheet PDFs, Moodle, GIFT, Kahoot, QTI, Quizlet, JSON.

For each deck it writes into the output folder (dist/ unless --out says otherwise):

  DECK.apkg                     Anki package (File → Import in Anki or AnkiDroid)
  DECK-worksheet.pdf            printable worksheet of 40 questions (--worksheet-count), chosen
                                as `histquiz worksheet --count 40` chooses them, and
                                DECK-worksheet-answers.pdf, its key
  DECK-moodle.xml               Moodle XML (Question bank → Import → Moodle XML format); order
                                items as Ordering questions (Moodle 4.4 and later), or with
                                --moodle-no-ordering as matching questions
  DECK-gift.txt                 the same questions in GIFT (Question bank → Import → GIFT)
  DECK-kahoot.xlsx              Kahoot's quiz spreadsheet (Kahoot → Create → Import spreadsheet);
                                over 100 questions: DECK-kahoot-1.xlsx, DECK-kahoot-2.xlsx, ...
  DECK-qti.zip                  QTI 1.2 package (Canvas: Import existing content → QTI .zip file)
  DECK-quizlet.txt              Quizlet import text (Quizlet → Create → Import)
  DECK-items.json               every item with every field, for other tools

A format that cannot be written (a character the worksheet font lacks, say) does not stop the
others: every file that can be written is, the failures are listed at the end, and the exit
status is 1. Each file is written beside its target and renamed into place, so an interrupted
build leaves every file either as it was or complete; the unfinished temporary files
(.NAME.histquiz-PID-….part) that a killed build left for the files it writes are removed by the
next one. The same --seed gives the same questions and options; with SOURCE_DATE_EPOCH set, the
same bytes. A deck's files are those that `histquiz export`, `anki` and `worksheet` write with
--deck DECK and the same seed. What a format leaves out is counted, one line per reason;
--verbose lists each item.

example:
  histquiz build
  histquiz build --out handouts --seed 7
  histquiz build --decks my-decks/ --formats moodle-xml,gift,kahoot
  histquiz build --worksheet-count 25
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..export.registry import FORMATS, names
from .common import add_decks_option, add_moodle_ordering_option, add_seed_option


def _formats(text: str) -> list[str]:
    chosen = [n.strip() for n in text.split(",") if n.strip()]
    for name in chosen:
        if name not in FORMATS:
            raise argparse.ArgumentTypeError(
                f"unknown format '{name}'; choose from {', '.join(names())}")
    return chosen


WORKSHEET_COUNT = 40  # questions on a built worksheet: a lesson's test, not the whole bank


def _worksheet_count(text: str) -> int | None:
    if text.strip().lower() == "all":
        return None
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is neither a whole number nor 'all'") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more, or 'all'")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    add_decks_option(parser)
    parser.add_argument("--out", metavar="DIR", default="dist",
                        help="the folder to write into, created if missing (default: dist)")
    add_seed_option(parser)
    parser.add_argument("--formats", metavar="LIST", type=_formats, action="extend",
                        help=f"only these, comma-separated: {', '.join(names())} (default: all)")
    parser.add_argument("--worksheet-count", metavar="N", type=_worksheet_count,
                        default=WORKSHEET_COUNT,
                        help=f"questions on each deck's worksheet, chosen by the seed, or 'all' "
                        f"(default {WORKSHEET_COUNT}); the other files hold every item")
    add_moodle_ordering_option(parser)
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list every item a format left out, with the reason")


def run(args: argparse.Namespace) -> int:
    from ..cache import generated
    from ..errors import UsageError
    from ..export.build import build, table_lines
    from ..export.registry import ExportOptions, left_out_report
    from ..textui import Progress, plural, say
    from .common import context, load, print_left_out, seed_of

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: this is a file, not a folder")
    decks = load(args)
    ctx = context(args, decks, ExportOptions(count=args.worksheet_count,
                                             moodle_ordering=not args.moodle_no_ordering))
    # Every deck's items, generated once: an item depends only on the seed and its own id, so
    # a deck's items are exactly those that the single commands make with --deck DECK.
    items = generated(decks, seed_of(args), n_options=4)
    formats = list(dict.fromkeys(args.formats or FORMATS))
    progress = Progress(len(decks) * len(formats), sys.stderr)
    report = build(decks, items, formats, out, ctx, progress)
    if report.stale:
        say(f"removed {plural(len(report.stale), 'unfinished temporary file')} "
            f"left by an interrupted build", file=sys.stderr)
    say(*table_lines(report.written))
    print_left_out(left_out_report(report.left_out), args.verbose)
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
