"""Deciding what a page says: each bubble filled, empty or doubtful, then each question's answer
and each digit of the student number.

A bubble's darkness is measured against the page's own empty bubbles (their median: most
bubbles of a page are empty), so a grey scan and a crisp one read alike. Two figures decide:
the mean darkness inside the ring, and the share of it covered by dark strokes (a tick or a
cross covers little of the bubble, but darkly).

- filled: dark on average, or crossed by dark strokes;
- empty: barely darker than an empty bubble;
- doubtful: anything between (a faint smudge, a very light mark). A doubtful bubble is never
  guessed: its question goes to the review list with a crop of the page.

Within one question, a faint smudge beside one clearly filled bubble is an erased first answer
and reads as empty; two filled bubbles make both doubtful.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from ..export.worksheet.layout import Layout, Page, PageCode
from .images import Grey, ScanPage
from .page import SCALE, PageProblem, Straightened, crop, is_blank, measure, straighten_page

# Thresholds on darkness above the page's empty bubbles (0 paper, 1 the marks' ink). Measured
# on the simulated classroom (tests/scansim.py): empty bubbles stay under 0.04 and erased ones
# under 0.12; light pencil fills and ticks reach 0.15 and more, dark fills and crosses 0.22.
EMPTY_BELOW = 0.07
STROKES_EMPTY_BELOW = 0.05
FILLED_FROM = 0.15
STROKES_FROM, STROKES_MEAN_FROM = 0.20, 0.10
ERASED_AT_MOST = 0.13  # a smudge this faint beside an answer twice as dark is an erasure
PICTURE_SCALE = 5.0  # px per mm of the page pictures in the annotated sheets


@dataclass(frozen=True)
class Refused:
    """A page left out, and why."""

    where: str
    reason: str


class Mark(enum.Enum):
    EMPTY = "empty"
    FILLED = "filled"
    DOUBTFUL = "doubtful"


@dataclass
class Choice:
    """One question (or one digit of the student number) as read: the mark in each bubble."""

    labels: list[str]
    marks: list[Mark]
    darkness: list[float]
    why: str = ""  # why it is doubtful

    @property
    def doubtful(self) -> bool:
        return Mark.DOUBTFUL in self.marks

    @property
    def answer(self) -> str | None:
        """The letter (or digit) filled, "" for none, None when doubtful."""
        if self.doubtful:
            return None
        filled = [label for label, m in zip(self.labels, self.marks, strict=True) if m is Mark.FILLED]
        return filled[0] if filled else ""

    def describe(self) -> str:
        shown = [f"{label} {m.value}" for label, m in zip(self.labels, self.marks, strict=True)
                 if m is not Mark.EMPTY]
        return ", ".join(shown) or "nothing filled"


@dataclass
class PageReading:
    where: str  # the scan file and page
    code: PageCode
    marks: list[Mark]  # per bubble of the layout page
    questions: dict[int, Choice]
    digits: dict[int, Choice]
    crops: dict[str, bytes] = field(default_factory=dict)  # PNG of each doubtful one: "q5", "d2"
    boxes: dict[int, bytes] = field(default_factory=dict)  # PNG of each write-in area
    picture: bytes = b""  # JPEG of the straightened page, for the annotated sheet


def _bubble_mark(mean: float, strokes: float) -> Mark:
    if mean >= FILLED_FROM or (strokes >= STROKES_FROM and mean >= STROKES_MEAN_FROM):
        return Mark.FILLED
    if mean < EMPTY_BELOW and strokes < STROKES_EMPTY_BELOW:
        return Mark.EMPTY
    return Mark.DOUBTFUL


def decide(labels: list[str], means: list[float], strokes: list[float]) -> Choice:
    """The marks of one question's (or one digit's) bubbles, read together."""
    marks = [_bubble_mark(m, k) for m, k in zip(means, strokes, strict=True)]
    filled = [i for i, m in enumerate(marks) if m is Mark.FILLED]
    faint = [i for i, m in enumerate(marks) if m is Mark.DOUBTFUL]
    why = ""
    if len(filled) >= 2:
        for i in filled:
            marks[i] = Mark.DOUBTFUL
        why = "more than one bubble filled"
    elif len(filled) == 1 and faint:
        answer = means[filled[0]]
        if all(means[i] <= min(ERASED_AT_MOST, answer / 2) for i in faint):
            for i in faint:
                marks[i] = Mark.EMPTY
        else:
            why = "a faint mark beside the answer"
    elif faint:
        why = "a light mark"
    return Choice(labels, marks, [round(m, 3) for m in means], why)


def read_page(page: Straightened, layout: Layout, where: str, pictures: bool = True) -> PageReading:
    """Everything a straightened page of this worksheet says."""
    assert page.code is not None
    spec = layout.page(page.code)
    assert spec is not None
    means, strokes = measure(page, spec.bubbles)
    if len(means):  # relative to the page's own empty bubbles
        means = means - float(np.median(means))
        strokes = strokes - float(np.median(strokes))
    groups: dict[tuple[str, int], list[int]] = {}
    for i, b in enumerate(spec.bubbles):
        key = ("d", b.digit) if b.digit >= 0 else ("q", b.question)
        groups.setdefault(key, []).append(i)
    marks = [Mark.EMPTY] * len(spec.bubbles)
    questions: dict[int, Choice] = {}
    digits: dict[int, Choice] = {}
    for (kind, number), members in groups.items():
        labels = [spec.bubbles[i].option if kind == "q" else str(spec.bubbles[i].value) for i in members]
        choice = decide(labels, [float(means[i]) for i in members], [float(strokes[i]) for i in members])
        for i, m in zip(members, choice.marks, strict=True):
            marks[i] = m
        (questions if kind == "q" else digits)[number] = choice
    reading = PageReading(where, page.code, marks, questions, digits)
    if pictures:
        _pictures(reading, page, spec, groups)
    return reading


def _png(image: Grey) -> bytes:
    ok, data = cv2.imencode(".png", image)
    return data.tobytes() if ok else b""


def _pictures(reading: PageReading, page: Straightened, spec: Page,
              groups: dict[tuple[str, int], list[int]]) -> None:
    """Crops of the doubtful questions and of the write-in boxes, and the page's picture."""
    width = page.image.shape[1] / SCALE
    for (kind, number), members in groups.items():
        choice = (reading.questions if kind == "q" else reading.digits)[number]
        if not choice.doubtful:
            continue
        xs = [spec.bubbles[i].x for i in members]
        ys = [spec.bubbles[i].y for i in members]
        if kind == "q":
            region = crop(page, 16, min(ys) - 6, width - 16, max(ys) + 5)
        else:
            region = crop(page, min(xs) - 5, min(ys) - 12, max(xs) + 5, max(ys) + 4)
        reading.crops[f"{kind}{number}"] = _png(region)
    for box in spec.boxes:
        region = crop(page, box.x - 12, box.y - 3, box.x + box.w + 3, box.y + box.h + 2)
        reading.boxes[box.question] = _png(region)
    small = cv2.resize(page.image, None, fx=PICTURE_SCALE / SCALE, fy=PICTURE_SCALE / SCALE,
                       interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 70])
    reading.picture = data.tobytes() if ok else b""


def page_reader(layout: Layout) -> Callable[[ScanPage], PageReading | Refused | None]:
    """Read one scanned page: its reading, why it was refused, or None for a blank page."""

    def read(scan: ScanPage) -> PageReading | Refused | None:
        if is_blank(scan.image):
            return None
        try:
            page = straighten_page(scan.image, layout)
        except PageProblem as problem:
            foreign = _foreign(problem.code, layout)
            return Refused(scan.where, foreign or str(problem))
        if page.code is None:
            return Refused(scan.where, _foreign(page.code_text, layout) or
                           "its page code could not be read (smudged or torn?); mark it by hand")
        foreign = _foreign(page.code_text, layout)
        if foreign:
            return Refused(scan.where, foreign)
        if layout.page(page.code) is None:
            return Refused(scan.where, f"this worksheet has no page {page.code.page} in version "
                                       f"{page.code.version}")
        return read_page(page, layout, scan.where)

    return read


def _foreign(text: str, layout: Layout) -> str:
    """Why a page whose code says ``text`` is not from this worksheet ("" if it is, or if
    nothing was read)."""
    if not text:
        return ""
    code = PageCode.parse(text)
    if code is None:
        return "its code is not a histquiz page code: not a page of this worksheet"
    if code.sheet != layout.sheet:
        return (f"from another worksheet (sheet {code.sheet}, version {code.version}, page "
                f"{code.page}; this layout is sheet {layout.sheet}): mark it with that "
                "worksheet's layout file")
    return ""
