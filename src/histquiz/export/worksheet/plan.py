"""Printable PDF worksheets: which questions, in which order, in each lettered version.

This module is the light half (no reportlab): the options, picking the questions, and planning
the versions, whose order and options are shuffled and whose answer letters are recomputed from
what each version prints. Order and match questions get their event rows shuffled the same way,
and their keys recomputed from the rows each version prints. ``pdf.write_worksheet`` draws the
plan.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ...cache import reveals
from ...errors import ExportError, UsageError
from ...generate.reveal import Apart, Reveals, spread
from ...model import Deck, Item
from ...seeds import WORKSHEET_VERSION, derive

if TYPE_CHECKING:
    from .layout import Student

PAPERS = ("a4", "letter")
KEY_MODES = ("separate", "append", "none")
MAX_VERSIONS = 26
MAX_ID_DIGITS = 12  # of the student-number grid on a sheet to be scanned
# Sections of a worksheet, in print order; an item kind not listed here comes after, by name.
KIND_ORDER = ("choice", "date", "order", "match")
# Kinds that may not flood a sheet that mixes them with others: each makes at most one
# CAP_SHARE-th of it (see ``kind_cap``). A sheet of these kinds alone has no cap.
CAPPED_KINDS = ("order", "match")
CAP_SHARE = 10
# Kinds with one box per event row, marked by hand: the scanner reads only bubbles and crops
# single write-in boxes, so a sheet to be scanned leaves them out.
ROW_KINDS = ("order", "match")
DEFAULT_TITLE = "History worksheet"


@dataclass(frozen=True)
class WorksheetOptions:
    """How to print a worksheet. ``points`` is per question; ``seed`` drives the version shuffles;
    ``build_time`` (seconds since the epoch) is the creation time written into the PDF."""

    title: str = DEFAULT_TITLE
    subtitle: str = ""
    versions: int = 1
    points: int = 1
    paper: str = "a4"
    answer_key: str = "separate"
    timeline: bool = False
    seed: int = 0
    author: str = "histquiz"
    build_time: int = 946684800
    # Sheets a machine can read back (``histquiz mark``): corner marks, a code on every page,
    # a student-number grid of ``id_digits`` digits, and the layout file. ``copies`` numbered
    # copies (0: one master of each version, to photocopy), or one named copy per ``roster``
    # entry, the versions dealt in turn.
    scan: bool = False
    id_digits: int = 6
    copies: int = 0
    roster: tuple[Student, ...] = ()

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise UsageError("the worksheet title is empty")
        if not 1 <= self.versions <= MAX_VERSIONS:
            raise UsageError(f"versions must be from 1 to {MAX_VERSIONS} (A to Z), not {self.versions}")
        if self.points < 1:
            raise UsageError(f"points per question must be 1 or more, not {self.points}")
        if self.paper not in PAPERS:
            raise UsageError(f"unknown paper '{self.paper}'; choose one of {', '.join(PAPERS)}")
        if self.answer_key not in KEY_MODES:
            raise UsageError(
                f"unknown answer key mode '{self.answer_key}'; choose one of {', '.join(KEY_MODES)}"
            )
        if not 1 <= self.id_digits <= MAX_ID_DIGITS:
            raise UsageError(f"the student number has 1 to {MAX_ID_DIGITS} digits, not {self.id_digits}")
        if not 0 <= self.copies <= 9999:
            raise UsageError(f"copies must be from 1 to 9999, not {self.copies}")
        if (self.copies or self.roster) and not self.scan:
            raise UsageError("numbered copies and rosters are for sheets printed to be scanned; "
                             "add --scan")
        if self.copies and self.roster:
            raise UsageError("give either a number of copies or a roster, not both")
        if len(self.roster) > 9999:
            raise UsageError("a roster of more than 9999 students; split the class")


@dataclass(frozen=True)
class WorksheetResult:
    """What a worksheet holds."""

    questions: int
    versions: int
    points: int  # the total of one version
    pages: int  # pages in the worksheet file, blank padding pages included
    version_pages: tuple[int, ...]  # pages of each version, without padding
    key_pages: int  # pages of answer keys (and the study page when it sits with them)
    copies: int = 0  # parts printed: the versions, or the numbered copies of a scan sheet
    sheet: str = ""  # the code of a sheet to be scanned
    cap: int | None = None  # order and match questions each held to this many (see ``pick``)


@dataclass(frozen=True)
class PrintedQuestion:
    """One question as a version prints it: its number, its options in printed order, the key.

    For order and match questions ``options`` are the event rows in printed order, ``dates``
    each row's date, and ``key`` is in printed terms: for order, the rows earliest first; for
    match, the index into the item's ``targets`` of each row."""

    number: int
    item: Item
    options: tuple[str, ...]
    answer_index: int | None
    points: int
    key: tuple[int, ...] = ()
    dates: tuple[str, ...] = ()

    @property
    def letter(self) -> str | None:
        return None if self.answer_index is None else letter_of(self.answer_index)

    @property
    def boxes(self) -> tuple[str, ...]:
        """What each row's box should hold, top to bottom: the row's place in time (1 for the
        earliest) for order, the letter of its year for match; () for other kinds."""
        if self.item.kind == "order":
            place = {row: n for n, row in enumerate(self.key, start=1)}
            return tuple(str(place[row]) for row in range(len(self.options)))
        if self.item.kind == "match":
            return tuple(letter_of(k) for k in self.key)
        return ()


@dataclass(frozen=True)
class Version:
    letter: str
    questions: tuple[PrintedQuestion, ...]  # grouped by kind in KIND_ORDER, numbered from 1

    @property
    def points(self) -> int:
        return sum(q.points for q in self.questions)


def letter_of(index: int) -> str:
    return chr(ord("A") + index)


def answers_path(path: str | os.PathLike[str]) -> Path:
    """Where ``--answer-key separate`` puts the key: FILE.pdf → FILE-answers.pdf."""
    path = Path(path)
    return path.with_name(f"{path.stem}-answers.pdf")


LAYOUT_ENDING = "-layout.json"


def layout_path(path: str | os.PathLike[str]) -> Path:
    """Where a sheet to be scanned has its layout: FILE.pdf → FILE-layout.json."""
    path = Path(path)
    return path.with_name(f"{path.stem}{LAYOUT_ENDING}")


def kinds_in_order(items: Sequence[Item]) -> list[str]:
    present = {i.kind for i in items}
    return [k for k in KIND_ORDER if k in present] + sorted(present - set(KIND_ORDER))


def kind_cap(size: int) -> int:
    """How many questions of each capped kind (order, match) a mixed sheet of ``size``
    questions may hold: a tenth of it, and at least one."""
    return max(1, size // CAP_SHARE)


@dataclass(frozen=True)
class Pick:
    """The questions chosen, and the cap per capped kind when it held some back (else None)."""

    items: list[Item]
    cap: int | None = None


def pick_questions(items: Sequence[Item], count: int | None, rng: random.Random) -> list[Item]:
    """The worksheet's questions: see ``pick``."""
    return pick(items, count, rng).items


def pick(items: Sequence[Item], count: int | None, rng: random.Random) -> Pick:
    """The worksheet's questions: ``count`` of them (as many as fit, if None) chosen by
    ``rng`` so that no question gives another away (generate.reveal: a date-choice question
    beside the same fact's date-recall, a stem that names another question's answer), kept
    in the generated order.

    Order and match questions take long to answer and are many in a bank (one of each per
    dated fact), so when the items mix them with other kinds each of the two makes at most a
    tenth of the sheet (``kind_cap``): of ``count``, or without one, of the questions chosen,
    the cap lowered until it holds; they are chosen first, up to the cap, so that the sheet
    holds them. Items of those kinds alone (``--kind order,match``) have no cap."""
    relation = reveals(items)
    capped = {i for i, item in enumerate(items) if item.kind in CAPPED_KINDS}
    if not capped or len(capped) == len(items):
        return Pick([items[i] for i in spread(range(len(items)), relation, rng, count)])
    order = list(range(len(items)))
    rng.shuffle(order)
    # the capped kinds are offered first: each shows the dates of several events, so once the
    # sheet holds the date questions of most events there would be no room left for them
    order.sort(key=lambda i: i not in capped)
    if count is not None:
        cap = kind_cap(count)
        chosen, held = _take(items, order, relation, count, cap)
    else:
        chosen, held = _take(items, order, relation, None, None)
        cap = kind_cap(len(chosen))
        while True:  # fewer of them may make the sheet shorter, and its tenth smaller
            chosen, held = _take(items, order, relation, None, cap)
            if kind_cap(len(chosen)) >= cap:
                break
            cap = kind_cap(len(chosen))
    return Pick([items[i] for i in sorted(chosen)], cap if held else None)


def _take(items: Sequence[Item], order: Sequence[int], relation: Reveals, count: int | None,
          cap: int | None) -> tuple[set[int], bool]:
    """In ``order``, each item that gives none of those taken away (nor is given away by
    one), until there are ``count``, and at most ``cap`` of each capped kind; and whether the
    cap held back an item that would otherwise have been taken."""
    apart = Apart(relation)
    taken: Counter[str] = Counter()
    held = False
    for i in order:
        if count is not None and len(apart.chosen) >= count:
            break
        if not apart.fits(i):
            continue
        kind = items[i].kind
        if cap is not None and kind in CAPPED_KINDS and taken[kind] >= cap:
            held = True
            continue
        apart.take(i)
        taken[kind] += 1
    return apart.chosen, held


def _check_item(item: Item) -> None:
    where = f"{item.origin}: " if item.origin else ""
    if item.kind in ROW_KINDS:
        _check_rows(item, where)
        return
    if item.kind != "choice":
        return
    if len(item.options) < 2 or item.answer_index is None:
        raise ExportError(f"{where}item '{item.id}' is a choice question without options")
    if not 0 <= item.answer_index < len(item.options):
        raise ExportError(f"{where}item '{item.id}' has an answer index outside its options")
    if item.options[item.answer_index] != item.answer:
        raise ExportError(f"{where}item '{item.id}': the option at the answer index is not the answer")


def _check_rows(item: Item, where: str) -> None:
    """An order or match item must say, for every event, where it belongs, and its date."""
    n = len(item.options)
    if n < 2 or len(item.notes) != n:
        raise ExportError(f"{where}item '{item.id}' needs two or more events, each with its date")
    if item.kind == "order" and sorted(item.key) != list(range(n)):
        raise ExportError(f"{where}item '{item.id}': its order does not list each event once")
    if item.kind == "match" and (len(item.key) != n
                                 or not all(0 <= k < len(item.targets) for k in item.key)):
        raise ExportError(f"{where}item '{item.id}': not every event is matched to one of its years")


class Dealer:
    """Deals answer positions so that each position is used equally often, in random order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.hands: dict[int, list[int]] = {}

    def deal(self, n: int, allowed: Sequence[int] | None = None) -> int:
        hand = self.hands.setdefault(n, [])
        if allowed is not None:
            for i, pos in enumerate(hand):
                if pos in allowed:
                    return hand.pop(i)
            return self.rng.choice(list(allowed))
        if not hand:
            hand.extend(range(n))
            self.rng.shuffle(hand)
        return hand.pop()



def _shuffle_options(item: Item, rng: random.Random, dealer: Dealer) -> tuple[tuple[str, ...], int | None]:
    """Options in a new order with the right one at a dealt position; ordered options (dates,
    numbers) keep their natural order, and so their key letter."""
    if item.kind != "choice":
        return (), None
    assert item.answer_index is not None
    if item.ordered:
        return item.options, item.answer_index
    others = [o for i, o in enumerate(item.options) if i != item.answer_index]
    rng.shuffle(others)
    position = dealer.deal(len(item.options))
    others.insert(position, item.options[item.answer_index])
    return tuple(others), position


def _shuffle_rows(item: Item, rng: random.Random, number: int, points: int) -> PrintedQuestion:
    """An order or match question with its event rows in a new order, never in time order
    (the boxes would then read 1, 2, 3 or A, B, C), and its key recomputed for the rows
    printed."""
    rows = list(range(len(item.options)))
    rng.shuffle(rows)
    key = item.rows_key(rows)
    if list(key) == sorted(key):  # earliest first, or the years ascending: turn it a step
        rows = rows[1:] + rows[:1]
        key = item.rows_key(rows)
    return PrintedQuestion(number, item, tuple(item.options[i] for i in rows), None, points, key,
                           tuple(item.notes[i] for i in rows))


def plan_versions(items: Sequence[Item], options: WorksheetOptions) -> list[Version]:
    """Each version: the same questions, grouped by kind, shuffled within each group, options
    shuffled (except ordered ones), and each answer position dealt evenly over the letters;
    the event rows of order and match questions shuffled too."""
    if not items:
        raise UsageError("no questions to print: the selection is empty")
    seen: set[str] = set()
    for item in items:
        _check_item(item)
        if options.scan and item.kind in ROW_KINDS:
            raise ExportError(f"item '{item.id}': the scanner cannot mark {item.kind} "
                              "questions; leave order and match questions out of sheets to be "
                              "scanned")
        if item.id in seen:
            raise ExportError(f"item '{item.id}' is listed twice; a worksheet asks each item once")
        seen.add(item.id)
    groups = {kind: [i for i in items if i.kind == kind] for kind in kinds_in_order(items)}
    versions = []
    for v in range(options.versions):
        # each version from its own stream: version B is the same whether 2 or 26 are printed
        rng = derive(options.seed, WORKSHEET_VERSION, letter_of(v))
        dealer = Dealer(rng)
        printed: list[PrintedQuestion] = []
        for group in groups.values():
            order = list(group)
            rng.shuffle(order)
            for item in order:
                number = len(printed) + 1
                if item.kind in ROW_KINDS:
                    printed.append(_shuffle_rows(item, rng, number, options.points))
                    continue
                shown, answer = _shuffle_options(item, rng, dealer)
                printed.append(PrintedQuestion(number, item, shown, answer, options.points))
        versions.append(Version(letter_of(v), tuple(printed)))
    return versions


def subtitle_for(decks: Sequence[Deck], items: Sequence[Item], topics: Sequence[str] = (),
                 tags: Sequence[str] = ()) -> str:
    """A subtitle naming where the questions come from: the decks, and the topic or tag filters."""
    used = {i.deck for i in items}
    titles = [d.title for d in decks if d.id in used]
    parts = []
    if titles:
        shown = titles if len(titles) <= 3 else [*titles[:2], f"and {len(titles) - 2} more"]
        parts.append(("Deck: " if len(titles) == 1 else "Decks: ") + "; ".join(shown))
    if topics:
        names = [t.replace("-", " ") for t in topics]
        parts.append(("Topic: " if len(names) == 1 else "Topics: ") + ", ".join(names))
    if tags:
        parts.append(("Tag: " if len(tags) == 1 else "Tags: ") + ", ".join(tags))
    return " · ".join(parts)
