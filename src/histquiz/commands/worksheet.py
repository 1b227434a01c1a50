"""Write a printable PDF worksheet: numbered questions, shuffled versions and answer keys.

Every version has the same questions in its own order, with the options shuffled (dates and
numbers stay in order), and starts on a fresh sheet for double-sided printing. Each fact's date
is asked at most once. The answer keys go to FILE-answers.pdf unless --answer-key says otherwise.

Order and match questions come last, in parts of their own; on a sheet that mixes them with
other kinds, each makes at most a tenth of the questions (--kind order,match for more).

With --scan the sheets can be marked by 'histquiz mark': corner marks and a code on every page,
a student-number grid (or, with --roster, one named sheet per student), and FILE-layout.json
beside the PDF, which marking needs. The scanner reads bubbles only, so such sheets leave order
and match questions out.

example:
  histquiz worksheet --topic defence --count 20 --versions 2 --seed 7 -o defence.pdf
  histquiz worksheet --decks my-decks/ --kind choice --answer-key append --timeline -o quiz.pdf
  histquiz worksheet --count 20 --versions 2 --scan --roster class-9b.csv -o test.pdf
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..export.worksheet.plan import DEFAULT_TITLE, KEY_MODES, MAX_ID_DIGITS, MAX_VERSIONS, PAPERS
from .common import add_filter_options, add_seed_option, positive

if TYPE_CHECKING:
    from ..export.worksheet.layout import Student


def _digits(text: str) -> int:
    value = positive(text)
    if value > MAX_ID_DIGITS:
        raise argparse.ArgumentTypeError(f"at most {MAX_ID_DIGITS} digits")
    return value


def _copies(text: str) -> int:
    value = positive(text)
    if value > 9999:
        raise argparse.ArgumentTypeError("at most 9999 copies")
    return value


def _versions(text: str) -> int:
    value = positive(text)
    if value > MAX_VERSIONS:
        raise argparse.ArgumentTypeError(f"at most {MAX_VERSIONS} versions (A to Z)")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    add_filter_options(parser)
    add_seed_option(parser)
    group = parser.add_argument_group("the worksheet")
    group.add_argument("--count", type=positive, metavar="N",
                       help="N questions chosen by the seed (default: every question)")
    group.add_argument("--versions", type=_versions, default=1, metavar="K",
                       help="K versions, lettered A, B, …, with the same questions (default 1)")
    group.add_argument("--title", metavar="TEXT",
                       help="the title (default: the deck's title when the questions come from "
                            f"one deck, else '{DEFAULT_TITLE}')")
    group.add_argument("--points", type=positive, default=1, metavar="N",
                       help="points per question (default 1)")
    group.add_argument("--paper", choices=PAPERS, default="a4", help="paper size (default a4)")
    group.add_argument("--answer-key", choices=KEY_MODES, default="separate",
                       help="separate: FILE-answers.pdf; append: after the versions in FILE; "
                            "none: no key (default separate)")
    group.add_argument("--timeline", action="store_true",
                       help="add a study page with a timeline of the facts (with the answer "
                            "keys, or at the end when there is no key)")
    group.add_argument("-o", "--output", metavar="FILE.pdf", required=True,
                       help="the PDF to write")
    scan = parser.add_argument_group("sheets to scan and mark (histquiz mark)")
    scan.add_argument("--scan", action="store_true",
                      help="print corner marks, a page code and a student-number grid, and "
                           "write FILE-layout.json beside the PDF")
    scan.add_argument("--id-digits", type=_digits, default=6, metavar="N",
                      help="digits of the student-number grid (default 6)")
    who = scan.add_mutually_exclusive_group()
    who.add_argument("--copies", type=_copies, default=0, metavar="N",
                     help="N numbered copies, the versions in turn, so that the pages of each "
                          "student are known however the scans are ordered (default: one "
                          "master per version, to photocopy)")
    who.add_argument("--roster", metavar="CLASS.csv",
                     help="one named sheet per student of this CSV (columns: name, and "
                          "optionally number and class)")


def run(args: argparse.Namespace) -> int:
    from ..cache import generate
    from ..export.registry import ExportOptions, left_out_report, report_entries, write_format
    from ..export.worksheet.plan import WorksheetResult
    from ..textui import say
    from .common import context, load, seed_of, selection

    output = Path(args.output)
    if output.suffix.lower() != ".pdf":
        raise UsageError(f"the output '{args.output}' must be a .pdf file, e.g. -o worksheet.pdf")
    if args.title is not None and not args.title.strip():
        raise UsageError("--title is empty; give the worksheet a title")
    if (args.copies or args.roster) and not args.scan:
        raise UsageError("--copies and --roster print sheets to be scanned; add --scan")
    roster: tuple[Student, ...] = ()
    if args.roster:
        from ..export.worksheet.layout import read_roster

        roster = read_roster(args.roster)
    decks = load(args)
    items = generate(decks, seed_of(args), selection(args))
    if not items:
        raise UsageError("no questions match the filters; loosen --deck, --topic, --tag or --kind")
    options = ExportOptions(title=args.title, count=args.count, versions=args.versions,
                            points=args.points, paper=args.paper, answer_key=args.answer_key,
                            timeline=args.timeline, scan=args.scan, id_digits=args.id_digits,
                            copies=args.copies, roster=roster)
    rendered, paths = write_format("worksheet", items, context(args, decks, options), output)
    result = rendered.details
    assert isinstance(result, WorksheetResult)
    if args.count is not None and result.questions < args.count:
        if result.cap is not None:
            say(f"histquiz: only {result.questions} questions fit: a sheet that mixes kinds "
                f"holds at most {result.cap} order and {result.cap} match questions; "
                "--kind order,match prints those alone", file=sys.stderr)
        else:
            say(f"histquiz: only {result.questions} questions match; the worksheet has all of "
                "them", file=sys.stderr)
    for line in left_out_report(report_entries(str(paths[0]), "worksheet", rendered)).summary:
        say(line)
    pages = "+".join(str(p) for p in result.version_pages)
    versions = f"{result.versions} version{'s' * (result.versions != 1)}"
    say(f"wrote {paths[0]}: {result.questions} questions, {result.points} points, "
          f"{versions} ({pages} pages)")
    if args.answer_key == "separate":
        say(f"wrote {paths[1]}: answer keys ({result.key_pages} pages)")
    elif args.answer_key == "append":
        say(f"  the answer keys ({result.key_pages} pages) follow the versions in {paths[0]}")
    if args.scan:
        copies = (f"{result.copies} named copies" if roster else
                  f"{result.copies} numbered copies" if args.copies else
                  "one master per version, to photocopy")
        say(f"wrote {paths[-1]}: the scan layout of sheet {result.sheet} ({copies}); keep it "
              "to mark the scans with 'histquiz mark'")
    return 0
