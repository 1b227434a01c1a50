"""Mark scanned worksheets: marks, an item analysis, annotated sheets and a review list.

The worksheet must have been printed with 'histquiz worksheet --scan', which wrote
FILE-layout.json beside the PDF; marking needs only that file and the scans. Scans may be
PDFs from a copier or PNG, JPEG or TIFF images, 150 to 600 dpi, grey or colour, in any order.
Pages from another worksheet are left out with a line saying so. Marks in doubt (light, two
filled, half erased) are never guessed: they are listed in OUT/review with a crop each, and
--review walks through them in the terminal. Needs the scan extra: pip install 'histquiz[scan]'.

example:
  histquiz mark scans.pdf --layout test-layout.json -o marked/
  histquiz mark scans/ --layout test-layout.json -o marked/ --review
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scans", nargs="+", metavar="SCAN",
                        help="scanned pages: PDF, PNG, JPEG or TIFF files, or folders of them")
    parser.add_argument("--layout", required=True, metavar="FILE",
                        help="the -layout.json file written beside the worksheet's PDF")
    parser.add_argument("-o", "--out", default="marked", metavar="DIR",
                        help="the folder to write marks.csv, items.csv, sheets/ and review/ "
                             "into, created if missing (default: marked)")
    parser.add_argument("--review", action="store_true",
                        help="decide the doubtful marks in the terminal before the final files "
                             "are written (decisions are kept in OUT/review/decisions.json)")


def run(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..scan import require

    require()
    from ..export.worksheet.layout import read_layout
    from ..scan.analysis import analyse
    from ..scan.images import expand, pages
    from ..scan.mark import load_decisions, mark, settle
    from ..scan.read import page_reader
    from ..scan.report import write_report
    from ..textui import plural, say

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"-o {out}: this is a file, not a folder")
    layout = read_layout(args.layout)
    files = expand(args.scans)
    decisions_path = out / "review" / "decisions.json"
    decisions = load_decisions(decisions_path)
    marking = mark(pages(files), layout, page_reader(layout), decisions)
    for refused in marking.refused:
        say(f"histquiz: left out {refused.where}: {refused.reason}", file=sys.stderr)
    if not marking.sheets:
        raise UsageError(f"no page of worksheet {layout.sheet} was found in the scans")
    write_report(marking, analyse(marking.sheets, layout), out, decisions)
    if args.review and marking.doubts:
        from ..scan.review import save, terminal_ask, walk

        labels = {s.key: s.label for s in marking.sheets}
        decided = walk(marking.doubts, out / "review", decisions, terminal_ask(labels))
        save(decisions_path, decisions)
        say(f"recorded {plural(decided, 'decision')} in {decisions_path}")
        marking.doubts = settle(marking.sheets, layout, decisions)
    stats = analyse(marking.sheets, layout)
    write_report(marking, stats, out, decisions)
    pages_read = sum(len(s.pages) for s in marking.sheets)
    say(f"marked {plural(len(marking.sheets), 'student')} ({plural(pages_read, 'page')}) of "
          f"worksheet {layout.sheet} into {out}: marks.csv, items.csv, sheets/, review/")
    if marking.blank:
        say(f"  {plural(len(marking.blank), 'blank page')} skipped")
    for sheet in marking.sheets:
        if sheet.missing:
            pages_missing = ", ".join(map(str, sheet.missing))
            say(f"histquiz: warning: {sheet.label}: page {pages_missing} not found in the scans",
                  file=sys.stderr)
    numbers = [s.number for s in marking.sheets if s.number and "?" not in s.number]
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        say(f"histquiz: warning: student number {number} is on more than one sheet",
              file=sys.stderr)
    if marking.doubts:
        say(f"  {plural(len(marking.doubts), 'mark')} in doubt, not counted yet: see "
              f"{out / 'review' / 'review.csv'}, or run again with --review")
    flagged = [s for s in stats if s.flags]
    if flagged:
        say(f"  {plural(len(flagged), 'item')} to check (see items.csv, or "
              f"histquiz items --stats {out / 'items.csv'}):")
        for s in flagged:
            say(f"    {s.item}: {'; '.join(s.flags)}")
    return 0
