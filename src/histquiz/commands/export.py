"""Write the items in one classroom format: Moodle XML, GIFT, Kahoot, QTI, Quizlet or JSON.

example:
  histquiz export --format moodle-xml -o india-ussr.xml
  histquiz export --format gift --topic defence --seed 3 -o defence.gift.txt
  histquiz export --format kahoot --count 20 --time-limit 30 -o kahoot.xlsx
  histquiz export --format qti --deck un -o un-qti.zip
  histquiz export --format quizlet -o - | head

moodle-xml and gift: import into Moodle's question bank (Question bank → Import); questions go
into categories histquiz/<deck>/<topic>, with the item id as idnumber and topic, era and deck
tags. moodle-xml writes order items as Moodle's Ordering question (standard since Moodle 4.4);
--moodle-no-ordering writes them as matching questions (each event to its place: 1st, 2nd, ...)
for an older Moodle without the Ordering plugin. gift holds match items but no order items.
kahoot: Kahoot's "Import spreadsheet"; an item too long for Kahoot is dealt again within its
limits (the deck's short forms, candidates that fit), and what still does not fit is left out
and counted; more than 100 questions make one file per 100 (FILE-1.xlsx, FILE-2.xlsx, ...).
qti: a QTI 1.2 package, one quiz per deck, for Canvas ("QTI .zip file"), Blackboard, Brightspace
and Schoology; match items are matching questions, order items are left out. quizlet: paste
or upload into Quizlet's Import (tab between term and definition, new line between cards).
json: every field of every item. --verbose lists each item left out.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from ..errors import UsageError
from ..export.classroom.common import KAHOOT_TIME_LIMITS
from ..export.registry import names
from .common import (
    add_filter_options,
    add_moodle_ordering_option,
    add_sample_options,
    add_seed_option,
    at_least,
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", required=True, choices=names("classroom"),
                        help="the output format")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the file to write ('-' for standard output, text formats only)")
    add_filter_options(parser)
    add_seed_option(parser)
    add_sample_options(parser, "options per choice item, 3 to 5 (default 4; Kahoot takes at most 4)")
    parser.add_argument("--tolerance", type=at_least(0), default=0, metavar="YEARS",
                        help="moodle-xml, gift, qti: a typed year this many years off still counts "
                             "(default 0)")
    parser.add_argument("--time-limit", type=int, default=20, choices=KAHOOT_TIME_LIMITS,
                        metavar="SECONDS",
                        help="kahoot: seconds per question: 5, 10, 20, 30, 60, 90, 120 or 240 (default 20)")
    add_moodle_ordering_option(parser)
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list every item the format left out, with the reason")
    parser.add_argument("--title", metavar="TEXT",
                        help="kahoot: the quiz title written in the sheet (default: the deck's title)")


def run(args: argparse.Namespace) -> int:
    from ..export.registry import (
        ExportOptions,
        get_format,
        left_out_report,
        render_format,
        report_entries,
        where_written,
        write_format,
    )
    from ..textui import say, write_bytes
    from .common import context, load, print_left_out, sample_items

    fmt = get_format(args.format)
    if args.format == "kahoot" and args.options > 4:
        raise UsageError(f"Kahoot takes at most 4 answers per question, not {args.options}; "
                         "use --options 3 or 4")
    to_stdout = args.output == "-"
    if to_stdout and not fmt.text:
        raise UsageError(f"{args.format} writes a binary file; give a file name with -o")
    decks = load(args)
    items = sample_items(args, decks)
    if not items:
        raise UsageError("no items match the filters; nothing to export")
    options = ExportOptions(tolerance=args.tolerance, time_limit=args.time_limit, title=args.title,
                            moodle_ordering=not args.moodle_no_ordering)
    ctx = context(args, decks, options)
    if to_stdout:
        rendered = render_format(args.format, items, ctx)
        write_bytes(sys.stdout, rendered.files[0])  # the file's own bytes, whatever the terminal
        where = "standard output"
        paths: tuple[Path, ...] = ()
    else:
        rendered, paths = write_format(args.format, items, ctx, Path(args.output))
        where = where_written(paths)
    # Standard output may be the file itself: everything else goes to standard error.
    with contextlib.redirect_stdout(sys.stderr):
        print_left_out(left_out_report(report_entries(where, args.format, rendered)), args.verbose)
    for n, path in enumerate(paths):
        count = rendered.count_of(n)
        say(f"wrote {path}: {count} item{'s' * (count != 1)} ({args.format})", file=sys.stderr)
    return 0
