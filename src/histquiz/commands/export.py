"""Write the items in one classroom format: Moodle XML, GIFT, Kahoot, Quizlet or JSON.

example:
  histquiz export --format moodle-xml -o india-ussr.xml
  histquiz export --format gift --topic defence --seed 3 -o defence.gift.txt
  histquiz export --format kahoot --count 20 --time-limit 30 -o kahoot.xlsx
  histquiz export --format quizlet -o - | head

moodle-xml and gift: import into Moodle's question bank (Question bank → Import); questions go
into categories histquiz/<deck>/<topic>. kahoot: Kahoot's "Import spreadsheet"; items that do
not fit Kahoot's limits are left out and listed. quizlet: paste or upload into Quizlet's Import
(tab between term and definition, new line between cards). json: every field of every item.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..errors import UsageError
from ..export import CLASSROOM_FORMATS
from ..export.classroom.common import KAHOOT_TIME_LIMITS, ExportOptions, ExportResult
from ..model import Deck, Item
from .common import add_filter_options, add_sample_options, add_seed_option, at_least


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", required=True, choices=CLASSROOM_FORMATS,
                        help="the output format")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the file to write ('-' for standard output, text formats only)")
    add_filter_options(parser)
    add_seed_option(parser)
    add_sample_options(parser, "options per choice item, 3 to 5 (default 4; Kahoot takes at most 4)")
    parser.add_argument("--tolerance", type=at_least(0), default=0, metavar="YEARS",
                        help="moodle-xml, gift: a typed year this many years off still counts (default 0)")
    parser.add_argument("--time-limit", type=int, default=20, choices=KAHOOT_TIME_LIMITS,
                        metavar="SECONDS",
                        help="kahoot: seconds per question: 5, 10, 20, 30, 60, 90, 120 or 240 (default 20)")
    parser.add_argument("--title", metavar="TEXT", help="kahoot: the quiz title written in the sheet")


def report_skipped(fmt: str, result: ExportResult, total: int) -> None:
    """Warn on stderr about items left out: each one that did not fit, by name with the reason;
    those the format never takes, counted by reason."""
    if not result.skipped:
        return
    print(f"histquiz: warning: {fmt}: left out {len(result.skipped)} of {total} items:", file=sys.stderr)
    designed: dict[str, int] = {}
    for skip in result.skipped:
        if skip.by_design:
            designed[skip.reason] = designed.get(skip.reason, 0) + 1
        else:
            print(f"  {skip.item_id}: {skip.reason}", file=sys.stderr)
    for reason, count in designed.items():
        print(f"  {count} item{'s' * (count != 1)} with {reason}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from ..export import load_exporter
    from .common import load, sample_items

    if args.format == "kahoot" and args.options > 4:
        raise UsageError(f"Kahoot takes at most 4 answers per question, not {args.options}; "
                         "use --options 3 or 4")
    decks = load(args)
    items = sample_items(args, decks)
    if not items:
        raise UsageError("no items match the filters; nothing to export")
    options = ExportOptions(tolerance=args.tolerance, time_limit=args.time_limit,
                            title=args.title or _title(decks, items))
    if args.output == "-":
        result = _to_stdout(args.format, items, options)
    else:
        result = load_exporter(args.format)(items, args.output, options)
    report_skipped(args.format, result, len(items))
    if args.output != "-":
        print(f"wrote {args.output}: {result.count} item{'s' * (result.count != 1)} ({args.format})",
              file=sys.stderr)
    return 0


def _title(decks: Sequence[Deck], items: Sequence[Item]) -> str:
    used = {i.deck for i in items}
    titles = [d.title for d in decks if d.id in used]
    return titles[0] if len(titles) == 1 else "histquiz"


def _to_stdout(fmt: str, items: Sequence[Item], options: ExportOptions) -> ExportResult:
    from ..export.classroom.gift import render_gift
    from ..export.classroom.jsonout import render_json
    from ..export.classroom.moodle import render_moodle_xml
    from ..export.classroom.quizlet import render_quizlet

    if fmt == "kahoot":
        raise UsageError("a Kahoot spreadsheet is a binary file; give a file name with -o")
    if fmt == "quizlet":
        text, result = render_quizlet(items, options)
    else:
        render = {"moodle-xml": render_moodle_xml, "gift": render_gift, "json": render_json}[fmt]
        text, result = render(items, options), ExportResult(len(items))
    sys.stdout.write(text)
    sys.stdout.flush()
    return result
