"""Build every artefact for every deck: Anki, worksheet PDFs, Moodle, GIFT, Kahoot, Quizlet, JSON.

For each deck it writes into the output folder (dist/ unless --out says otherwise):

  DECK.apkg                     Anki package (File → Import in Anki or AnkiDroid)
  DECK-worksheet.pdf            printable worksheet, and DECK-worksheet-answers.pdf, its key
  DECK-moodle.xml               Moodle XML (Question bank → Import → Moodle XML format)
  DECK-gift.txt                 the same questions in GIFT (Question bank → Import → GIFT)
  DECK-kahoot.xlsx              Kahoot's quiz spreadsheet (Kahoot → Create → Import spreadsheet)
  DECK-quizlet.txt              Quizlet import text (Quizlet → Create → Import)
  DECK-items.json               every item with every field, for other tools

Each file is written beside its target and renamed into place, so an interrupted build leaves
every file either as it was or complete; unfinished temporary files (.NAME.*.part) left by a
killed build are removed by the next one. The same --seed gives the same questions and options;
with SOURCE_DATE_EPOCH set, the same bytes. A deck's files are those `histquiz export --deck DECK`
writes with the same seed.

example:
  histquiz build
  histquiz build --out handouts --seed 7
  histquiz build --decks my-decks/ --formats moodle-xml,gift,kahoot
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..atomic import remove_stale_temporaries
from ..errors import UsageError
from ..export.classroom.common import ExportOptions, Skipped
from ..model import Deck, Item
from .common import add_decks_option, add_seed_option

ARTEFACTS: dict[str, str] = {
    # format → file name after the deck id
    "anki": ".apkg",
    "worksheet": "-worksheet.pdf",
    "moodle-xml": "-moodle.xml",
    "gift": "-gift.txt",
    "kahoot": "-kahoot.xlsx",
    "quizlet": "-quizlet.txt",
    "json": "-items.json",
}


def _formats(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    for name in names:
        if name not in ARTEFACTS:
            raise argparse.ArgumentTypeError(
                f"unknown format '{name}'; choose from {', '.join(ARTEFACTS)}")
    return names


def configure(parser: argparse.ArgumentParser) -> None:
    add_decks_option(parser)
    parser.add_argument("--out", metavar="DIR", default="dist",
                        help="the folder to write into, created if missing (default: dist)")
    add_seed_option(parser)
    parser.add_argument("--formats", metavar="LIST", type=_formats, action="extend",
                        help=f"only these, comma-separated: {', '.join(ARTEFACTS)} (default: all)")


@dataclass(frozen=True)
class Written:
    path: Path
    fmt: str
    count: int
    note: str = ""


class Progress:
    """A progress bar on a terminal; on anything else (a log, a pipe) one line per file."""

    WIDTH = 28

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream
        self.tty = stream.isatty()
        self.drawn = False

    def start(self, label: str) -> None:
        if self.tty:
            filled = self.WIDTH * self.done // self.total
            bar = "#" * filled + "." * (self.WIDTH - filled)
            line = f"[{bar}] {self.done}/{self.total} {label}"
            # A line wider than the terminal wraps, and '\r' would then redraw only its tail.
            columns = shutil.get_terminal_size().columns
            self.stream.write(f"\r\x1b[K{line[:max(columns - 1, 10)]}")
            self.stream.flush()
            self.drawn = True

    def finish(self, written: list[Written]) -> None:
        self.done += 1
        if not self.tty:
            for w in written:
                print(f"wrote {w.path} ({w.count} item{'s' * (w.count != 1)})", file=self.stream)
            self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False


def run(args: argparse.Namespace) -> int:
    from .common import load

    formats = list(dict.fromkeys(args.formats or ARTEFACTS))
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: this is a file, not a folder")
    decks = load(args)
    out.mkdir(parents=True, exist_ok=True)
    names = [f"{deck.id}{ARTEFACTS[fmt]}" for deck in decks for fmt in formats]
    names += [n.replace(".pdf", "-answers.pdf") for n in names if n.endswith("-worksheet.pdf")]
    stale = remove_stale_temporaries(out, names)
    if stale:
        print(f"removed {len(stale)} unfinished temporary file{'s' * (len(stale) != 1)} "
              f"left by an interrupted build", file=sys.stderr)

    plan = [(deck, fmt) for deck in decks for fmt in formats]
    progress = Progress(len(plan), sys.stderr)
    written: list[Written] = []
    left_out: list[tuple[Path, str, Skipped]] = []
    items_of = _items_by_deck(decks, args)
    try:
        for deck, fmt in plan:
            items = items_of[deck.id]
            if not items:
                continue
            path = out / f"{deck.id}{ARTEFACTS[fmt]}"
            progress.start(path.name)
            options = ExportOptions(title=deck.title)
            files = _write(fmt, items, decks, deck, path, options, args.seed, left_out)
            written.extend(files)
            progress.finish(files)
    finally:
        progress.close()

    empty = [d.id for d in decks if not items_of[d.id]]
    print_table(written, sys.stdout)
    print_left_out(left_out, sys.stdout, sys.stderr)
    if empty:
        print(f"histquiz: warning: no items in {', '.join(empty)}; nothing written for "
              f"{'them' if len(empty) > 1 else 'it'}", file=sys.stderr)
    return 0


def _items_by_deck(decks: list[Deck], args: argparse.Namespace) -> dict[str, list[Item]]:
    """Every deck's items, generated once. An item depends only on the seed and its own id, so
    a deck's items are exactly those ``histquiz export --deck DECK --seed SEED`` makes."""
    from ..generate import generate
    from .common import rng

    items_of: dict[str, list[Item]] = {deck.id: [] for deck in decks}
    for item in generate(decks, rng(args), n_options=4):
        items_of[item.deck].append(item)
    return items_of


def _write(fmt: str, items: list[Item], decks: list[Deck], deck: Deck, path: Path,
           options: ExportOptions, seed: int | None,
           left_out: list[tuple[Path, str, Skipped]]) -> list[Written]:
    from ..export import load_exporter
    from ..export.classroom.common import ExportResult

    if fmt == "anki":
        return [_anki(items, decks, path)]
    if fmt == "worksheet":
        return _worksheet(items, decks, deck, path, seed)
    result: ExportResult = load_exporter(fmt)(items, path, options)
    left_out.extend((path, fmt, skip) for skip in result.skipped)
    note = f"{len(result.skipped)} left out" if result.skipped else ""
    return [Written(path, fmt, result.count, note)]


def _anki(items: list[Item], decks: list[Deck], path: Path) -> Written:
    from ..export.anki.writer import write_apkg
    from ..reproducible import build_time, is_reproducible

    # The file being replaced lets unchanged notes keep their time (see histquiz.export.anki);
    # a reproducible build depends on its inputs alone.
    previous = path if path.is_file() and not is_reproducible() else None
    stats = write_apkg(items, decks, path, timestamp=build_time(), previous=previous)
    return Written(path, "anki", stats.notes, f"{stats.cards} cards")


def _worksheet(items: list[Item], decks: list[Deck], deck: Deck, path: Path,
               seed: int | None) -> list[Written]:
    from ..export.worksheet.pdf import write_worksheet
    from ..export.worksheet.plan import WorksheetOptions, pick_questions, subtitle_for

    chosen = pick_questions(items, None, random.Random(seed))
    options = WorksheetOptions(title=deck.title, subtitle=subtitle_for(decks, chosen),
                               seed=seed or 0, answer_key="separate")
    result = write_worksheet(chosen, path, options)
    kinds = ["worksheet", "answer key"]
    return [Written(Path(f), kinds[min(n, 1)], result.questions,
                    f"{result.pages} pages" if n == 0 else "")
            for n, f in enumerate(result.files)]


def print_table(written: list[Written], stream: TextIO) -> None:
    """The files written, with what each holds."""
    if not written:
        print("nothing written", file=stream)
        return
    rows = [("file", "format", "items", "size", "")]
    for w in written:
        size = w.path.stat().st_size if w.path.exists() else 0
        rows.append((str(w.path), w.fmt, str(w.count), _size(size), w.note))
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]),
                 row[2].rjust(widths[2]), row[3].rjust(widths[3]), row[4]]
        print("  ".join(cells).rstrip(), file=stream)
        if n == 0:
            print("  ".join("-" * w for w in widths), file=stream)
    folders = sorted({str(w.path.parent) for w in written})
    print(f"{len(written)} file{'s' * (len(written) != 1)} in {', '.join(folders)}", file=stream)


def print_left_out(left_out: list[tuple[Path, str, Skipped]], out: TextIO, err: TextIO) -> None:
    """Items a format left out: those it never takes, counted under the table; those that
    did not fit its limits, each named in a warning."""
    designed: dict[tuple[str, str], int] = {}
    misfits = []
    for path, fmt, skip in left_out:
        if skip.by_design:
            designed[(fmt, skip.reason)] = designed.get((fmt, skip.reason), 0) + 1
        else:
            misfits.append(f"  {path}: {skip.item_id}: {skip.reason}")
    if designed:
        print("left out by design:", file=out)
        for (fmt, reason), count in designed.items():
            print(f"  {fmt}: {count} item{'s' * (count != 1)} with {reason}", file=out)
    if misfits:
        many = len(misfits) != 1
        print(f"histquiz: warning: {len(misfits)} item{'s' * many} did not fit a format's limits "
              f"and {'were' if many else 'was'} left out:", file=err)
        for line in misfits:
            print(line, file=err)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"
