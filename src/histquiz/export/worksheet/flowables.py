"""The pieces a worksheet page is made of: styles, a question block with its bubbles or date
boxes, a block of event rows with a box each (order and match questions), the version badge,
the name/class/date lines, and invisible anchors for tests.

A question is one flowable that refuses to split, so it always sits whole on one page. On a
sheet printed to be scanned, a ``Recorder`` notes where each bubble and write-in box lands, and
the bubbles' letters are printed light so that only a pencil mark reads as dark.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

from .fonts import BOLD, ITALIC, REGULAR

INK = colors.HexColor("#1a1a1a")
GREY = colors.HexColor("#555555")
LIGHT = colors.HexColor("#9a9a9a")
SHADE = colors.HexColor("#efefef")

# Geometry of a question block, from the left edge of the text frame.
NUMBER_WIDTH = 9 * mm  # the number is right-aligned in this column, so 9. and 10. line up
TEXT_X = 11 * mm
POINTS_WIDTH = 15 * mm
BUBBLE_R = 2.3 * mm
OPTION_X = TEXT_X + 2 * BUBBLE_R + 2.6 * mm
BLOCK_GAP = 4.2 * mm  # space below each question
OPTION_GAP = 1.3 * mm
BOX_HEIGHT = 8 * mm
_SPACES = re.compile(r"[ \t\r\n]+")  # what a Paragraph folds into one space (not NBSP)
FIELD_WIDTHS = {"day": 16 * mm, "month": 36 * mm, "year": 24 * mm, "answer": 90 * mm}
# The event rows of order and match questions: a label, an empty square to write in, the event.
ROW_LABEL_RIGHT = TEXT_X + 4 * mm  # the row's label ends here
ROW_BOX = 7 * mm
ROW_BOX_X = ROW_LABEL_RIGHT + 1.6 * mm
ROW_TEXT_X = ROW_BOX_X + ROW_BOX + 3 * mm
ROW_GAP = 1.6 * mm
TARGET_PAD = 1.6 * mm  # around the strip of years a match question offers


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    stem: ParagraphStyle
    option: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    small: ParagraphStyle
    note: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_right: ParagraphStyle
    cell_center: ParagraphStyle


def make_styles() -> Styles:
    body = ParagraphStyle("hq-body", fontName=REGULAR, fontSize=10.5, leading=13.5, textColor=INK)
    cell = ParagraphStyle("hq-cell", parent=body, fontSize=9.5, leading=11.5)
    return Styles(
        body=body,
        stem=ParagraphStyle("hq-stem", parent=body),
        option=ParagraphStyle("hq-option", parent=body, fontSize=10, leading=12.5),
        title=ParagraphStyle("hq-title", parent=body, fontName=BOLD, fontSize=19, leading=23),
        subtitle=ParagraphStyle("hq-subtitle", parent=body, fontSize=11.5, leading=14.5,
                                textColor=GREY, spaceBefore=2),
        heading=ParagraphStyle("hq-heading", parent=body, fontName=BOLD, fontSize=12.5, leading=16,
                               spaceBefore=5 * mm, spaceAfter=3 * mm, keepWithNext=1),
        small=ParagraphStyle("hq-small", parent=body, fontSize=9, leading=11.5),
        note=ParagraphStyle("hq-note", parent=body, fontSize=9, leading=11.5, spaceAfter=1.6 * mm),
        cell=cell,
        cell_bold=ParagraphStyle("hq-cell-bold", parent=cell, fontName=BOLD),
        cell_right=ParagraphStyle("hq-cell-right", parent=cell, alignment=TA_RIGHT),
        cell_center=ParagraphStyle("hq-cell-center", parent=cell, fontName=BOLD,
                                   alignment=TA_CENTER),
    )


class Text:
    """Plain text in a style: drawn as one string when it fits the width, and only otherwise
    as a wrapped Paragraph (parsing markup for every option would cost more than the layout)."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        self.text = _SPACES.sub(" ", text).strip()
        self.style = style
        self.natural = stringWidth(self.text, style.fontName, style.fontSize)
        self.para: Paragraph | None = None
        self.height = 0.0

    def wrap(self, width: float, avail_height: float) -> float:
        if self.natural <= width:
            self.para = None
            self.height = self.style.leading
        else:
            if self.para is None:
                self.para = Paragraph(escape(self.text), self.style)
            self.height = self.para.wrap(width, avail_height)[1]
        return self.height

    def draw(self, canv: Canvas, x: float, top: float) -> None:
        if self.para is not None:
            self.para.drawOn(canv, x, top - self.height)
            return
        canv.setFillColor(self.style.textColor)
        canv.setFont(self.style.fontName, self.style.fontSize)
        canv.drawString(x, top - self.style.fontSize, self.text)


class Recorder:
    """Where the bubbles and write-in boxes land: absolute points (origin bottom-left) on the
    page the canvas is drawing, keyed by that page's number in the file."""

    def __init__(self) -> None:
        self.bubbles: dict[int, list[tuple[float, float, float, int, str, int, int]]] = {}
        self.boxes: dict[int, list[tuple[int, float, float, float, float]]] = {}

    def bubble(self, canv: Canvas, x: float, y: float, r: float, *, question: int = 0,
               option: str = "", digit: int = -1, value: int = -1) -> None:
        ax, ay = canv.absolutePosition(x, y)
        self.bubbles.setdefault(canv.getPageNumber(), []).append(
            (ax, ay, r, question, option, digit, value))

    def box(self, canv: Canvas, question: int, x: float, y: float, w: float, h: float) -> None:
        ax, ay = canv.absolutePosition(x, y)
        self.boxes.setdefault(canv.getPageNumber(), []).append((question, ax, ay, w, h))


class QuestionBlock(Flowable):  # type: ignore[misc]
    """Number, stem and points on the first line; then lettered bubbles, or boxes to write a
    date in. Short options sit side by side (A B C D on one row, or two by two), long ones one
    per row. Never split: platypus moves the whole block to the next page instead."""

    def __init__(self, number: int, stem: str, points: str, options: Sequence[str],
                 fields: Sequence[str], styles: Styles, recorder: Recorder | None = None) -> None:
        super().__init__()
        self.recorder = recorder
        self.number = number
        self.stem = Text(stem, styles.stem)
        self.points = points
        self.options = [Text(text, styles.option) for text in options]
        self.fields = list(fields)
        self.styles = styles
        self._wrapped: tuple[float, float] | None = None
        self._placed: list[tuple[float, float]] = []  # x, top (from the block's top)
        self._options_end = 0.0

    def _columns(self, avail_width: float) -> int:
        n = len(self.options)
        room = avail_width - TEXT_X
        widest = max(o.natural for o in self.options)
        for cols in dict.fromkeys((n, 2, 1)):
            if 1 <= cols <= n:
                cell = room / cols - (OPTION_X - TEXT_X) - 7 * mm
                if cols == 1 or widest <= cell:
                    return cols
        return 1

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self._wrapped is not None and self._wrapped[0] == avail_width:
            return self._wrapped
        height = self.stem.wrap(avail_width - TEXT_X - POINTS_WIDTH, avail_height)
        cols = self._columns(avail_width) if self.options else 1
        cell = (avail_width - TEXT_X) / cols
        text_w = cell - (OPTION_X - TEXT_X) - (4 * mm if cols == 1 else 0)
        self._placed = []
        for first in range(0, len(self.options), cols):
            row = self.options[first:first + cols]
            row_h = max(*(o.wrap(text_w, avail_height) for o in row), 2 * BUBBLE_R + 0.6 * mm)
            height += OPTION_GAP
            self._placed.extend((TEXT_X + j * cell, height) for j in range(len(row)))
            height += row_h
        self._options_end = height
        if self.fields:
            height += 2.2 * mm + BOX_HEIGHT + 3.4 * mm
        height += BLOCK_GAP
        self._wrapped = (avail_width, height)
        self.width, self.height = self._wrapped
        return self._wrapped

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        c = self.canv
        top = self.height
        _draw_head(c, self.number, self.stem, self.points, self.width, top)
        option_size = self.styles.option.fontSize
        for index, (option, (x, offset)) in enumerate(zip(self.options, self._placed, strict=True)):
            option.draw(c, x + OPTION_X - TEXT_X, top - offset)
            bx, by = x + BUBBLE_R, top - offset - option_size + 0.36 * option_size
            letter = chr(ord("A") + index)
            if self.recorder is None:
                _bubble(c, bx, by, letter)
            else:
                scan_bubble(c, bx, by, letter, BUBBLE_R)
                self.recorder.bubble(c, bx, by, BUBBLE_R, question=self.number, option=letter)
        if self.fields:
            self._boxes(top - self._options_end - 2.2 * mm - BOX_HEIGHT)

    def _boxes(self, y: float) -> None:
        c = self.canv
        x = TEXT_X
        c.setLineWidth(0.7)
        for field in self.fields:
            w = FIELD_WIDTHS.get(field, FIELD_WIDTHS["answer"])
            c.setStrokeColor(INK)
            c.rect(x, y, w, BOX_HEIGHT, stroke=1, fill=0)
            c.setFillColor(GREY)
            c.setFont(REGULAR, 7)
            c.drawString(x + 1, y - 2.6 * mm, field)
            x += w + 2.5 * mm
        if self.recorder is not None:  # the boxes and their labels, as one area to crop
            self.recorder.box(c, self.number, TEXT_X, y - 3.4 * mm, x - 2.5 * mm - TEXT_X,
                              BOX_HEIGHT + 3.4 * mm)


def _draw_head(canv: Canvas, number: int, stem: Text, points: str, width: float,
               top: float) -> None:
    """A question's first line: its number, right-aligned in its column; the stem; the points."""
    size = stem.style.fontSize
    canv.setFillColor(INK)
    canv.setFont(BOLD, size)
    canv.drawRightString(NUMBER_WIDTH, top - size, f"{number}.")
    canv.setFillColor(GREY)
    canv.setFont(ITALIC, 8.5)
    canv.drawRightString(width, top - size, points)
    stem.draw(canv, TEXT_X, top)


class RowsBlock(Flowable):  # type: ignore[misc]
    """An order or match question: number, stem and points; for match, a shaded strip of the
    years to choose from, each with its letter; then one row per event: its label (a letter for
    order, whose boxes take numbers; a number for match, whose boxes take letters), an empty
    square to write in, and the event, wrapped beside the square. Never split."""

    def __init__(self, number: int, stem: str, points: str, labels: Sequence[str],
                 events: Sequence[str], styles: Styles, targets: Sequence[str] = ()) -> None:
        super().__init__()
        self.number = number
        self.stem = Text(stem, styles.stem)
        self.points = points
        self.labels = list(labels)
        self.events = [Text(text, styles.option) for text in events]
        self.targets = [(chr(ord("A") + i), Text(text, styles.option))
                        for i, text in enumerate(targets)]
        self.styles = styles
        self._wrapped: tuple[float, float] | None = None
        self._rows: list[tuple[float, float]] = []  # each row's top and text offset
        self._cells: list[tuple[float, float]] = []  # each target's x, top
        self._strip = (0.0, 0.0)  # the target strip's top and height

    def _letter_width(self) -> float:
        return float(stringWidth("M", BOLD, self.styles.option.fontSize) + 1.5 * mm)

    def _place_targets(self, avail_width: float, top: float, avail_height: float) -> float:
        """Lay the lettered years out side by side (wrapping to more lines when they do not
        fit); returns the strip's height."""
        room = avail_width - TEXT_X - 2 * TARGET_PAD
        lead = self._letter_width()
        widest = max(float(t.natural) for _, t in self.targets) + lead
        pitch = widest + 8 * mm
        cols = max(1, min(len(self.targets), int((room + 8 * mm) // pitch)))
        self._cells = []
        y = top + TARGET_PAD
        for first in range(0, len(self.targets), cols):
            line = self.targets[first:first + cols]
            text_w = room - lead if cols == 1 else widest - lead
            height = max(t.wrap(text_w, avail_height) for _, t in line)
            self._cells.extend((TEXT_X + TARGET_PAD + j * pitch, y) for j in range(len(line)))
            y += height
        return float(y + TARGET_PAD - top)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self._wrapped is not None and self._wrapped[0] == avail_width:
            return self._wrapped
        height = self.stem.wrap(avail_width - TEXT_X - POINTS_WIDTH, avail_height)
        if self.targets:
            height += OPTION_GAP + 0.6 * mm
            strip = self._place_targets(avail_width, height, avail_height)
            self._strip = (height, strip)
            height += strip
        size = self.styles.option.fontSize
        first_line = max(0.0, ROW_BOX / 2 - 0.64 * size)  # a one-line event centred on its box
        self._rows = []
        for event in self.events:
            height += ROW_GAP
            text_h = event.wrap(avail_width - ROW_TEXT_X - 4 * mm, avail_height)
            self._rows.append((height, first_line))
            height += max(ROW_BOX, first_line + text_h)
        height += BLOCK_GAP
        self._wrapped = (avail_width, height)
        self.width, self.height = self._wrapped
        return self._wrapped

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        c = self.canv
        top = self.height
        _draw_head(c, self.number, self.stem, self.points, self.width, top)
        size = self.styles.option.fontSize
        if self.targets:
            strip_top, strip_h = self._strip
            c.setFillColor(SHADE)
            c.roundRect(TEXT_X, top - strip_top - strip_h, self.width - TEXT_X, strip_h,
                        1.2 * mm, stroke=0, fill=1)
            lead = self._letter_width()
            for (letter, text), (x, offset) in zip(self.targets, self._cells, strict=True):
                c.setFillColor(INK)
                c.setFont(BOLD, size)
                c.drawString(x, top - offset - size, letter)
                text.draw(c, x + lead, top - offset)
        c.setLineWidth(0.7)
        for label, event, (offset, first_line) in zip(self.labels, self.events, self._rows,
                                                      strict=True):
            box_top = top - offset
            c.setFillColor(INK)
            c.setFont(BOLD, size)
            c.drawRightString(ROW_LABEL_RIGHT, box_top - ROW_BOX / 2 - 0.36 * size, label)
            c.setStrokeColor(INK)
            c.rect(ROW_BOX_X, box_top - ROW_BOX, ROW_BOX, ROW_BOX, stroke=1, fill=0)
            event.draw(c, ROW_TEXT_X, box_top - first_line)


class Anchor(Flowable):  # type: ignore[misc]
    """Takes no space; reports the page it lands on (tests record where questions start and end)."""

    def __init__(self, report: Callable[[int], None] | None) -> None:
        super().__init__()
        self.report = report
        self.width = self.height = 0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        if self.report is not None:
            self.report(self.canv.getPageNumber())


class VersionBadge(Flowable):  # type: ignore[misc]
    """A box with the version letter, big enough to read across a classroom."""

    def __init__(self, letter: str, width: float = 26 * mm, height: float = 20 * mm) -> None:
        super().__init__()
        self.letter = letter
        self.width, self.height = width, height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(INK)
        c.setLineWidth(1.2)
        c.roundRect(0, 0, self.width, self.height, 2.5 * mm, stroke=1, fill=0)
        c.setFillColor(GREY)
        c.setFont(BOLD, 7.5)
        c.drawCentredString(self.width / 2, self.height - 4.6 * mm, "VERSION")
        c.setFillColor(INK)
        c.setFont(BOLD, 24)
        c.drawCentredString(self.width / 2, 3.2 * mm, self.letter)


class WriteInLines(Flowable):  # type: ignore[misc]
    """Labelled lines to write on, side by side: Name ______ Class ____ Date ____."""

    def __init__(self, fields: Sequence[tuple[str, float]], height: float = 9 * mm,
                 values: Sequence[str] = ()) -> None:
        super().__init__()
        self.fields = list(fields)  # (label, share of the width)
        self.height = height
        self.values = list(values)  # printed on the lines (a roster's name and class)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.height

    def draw(self) -> None:
        c = self.canv
        x = 0.0
        total = sum(share for _, share in self.fields)
        for index, (label, share) in enumerate(self.fields):
            w = self.width * share / total
            c.setFillColor(INK)
            c.setFont(BOLD, 10.5)
            c.drawString(x, 2 * mm, label)
            start = x + c.stringWidth(label, BOLD, 10.5) + 2 * mm
            c.setStrokeColor(INK)
            c.setLineWidth(0.6)
            c.line(start, 1.4 * mm, x + w - 5 * mm, 1.4 * mm)
            if index < len(self.values) and self.values[index]:
                room = x + w - 6 * mm - start - 2 * mm
                c.setFont(REGULAR, 11)
                c.drawString(start + 2 * mm, 2.2 * mm, _fit_text(self.values[index], REGULAR, 11, room))
            x += w


def _bubble(canv: Canvas, x: float, y: float, letter: str) -> None:
    """A circle with its letter, centred on (x, y). Drawn once per document as a form and then
    placed by reference: hundreds of circles cost one small operator each."""
    name = f"hq-bubble-{letter}"
    if not canv.hasForm(name):
        edge = BUBBLE_R + 1
        canv.beginForm(name, -edge, -edge, edge, edge)
        canv.setStrokeColor(INK)
        canv.setLineWidth(0.7)
        canv.circle(0, 0, BUBBLE_R, stroke=1, fill=0)
        canv.setFillColor(INK)
        canv.setFont(BOLD, 7.5)
        canv.drawCentredString(0, -2.6, letter)
        canv.endForm()
    canv.saveState()
    canv.translate(x, y)
    canv.doForm(name)
    canv.restoreState()


def scan_bubble(canv: Canvas, x: float, y: float, letter: str, radius: float) -> None:
    """A bubble of a sheet to be scanned: the same ring, its letter printed light grey, so that
    an empty bubble stays light and only a student's mark reads as dark."""
    name = f"hq-scan-bubble-{letter}-{radius:.2f}"
    if not canv.hasForm(name):
        edge = radius + 1
        canv.beginForm(name, -edge, -edge, edge, edge)
        canv.setStrokeColor(INK)
        canv.setLineWidth(0.7)
        canv.circle(0, 0, radius, stroke=1, fill=0)
        canv.setFillColor(LIGHT)
        size = 7.5 * radius / BUBBLE_R
        canv.setFont(BOLD, size)
        canv.drawCentredString(0, -size * 0.35, letter)
        canv.endForm()
    canv.saveState()
    canv.translate(x, y)
    canv.doForm(name)
    canv.restoreState()


ID_BUBBLE_R = 1.8 * mm
ID_PITCH_X = 5.0 * mm
ID_PITCH_Y = 4.4 * mm


class IdGrid(Flowable):  # type: ignore[misc]
    """The student-number grid: a box per digit to write it in, and under each box a column
    of bubbles 0 to 9 to fill in."""

    def __init__(self, digits: int, recorder: Recorder) -> None:
        super().__init__()
        self.digits = digits
        self.recorder = recorder
        self.width = max(digits * ID_PITCH_X + 4 * mm, 34 * mm)
        self.height = 12.5 * mm + 10 * ID_PITCH_Y + 1.5 * mm

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(INK)
        c.setLineWidth(0.8)
        c.roundRect(0, 0, self.width, self.height, 1.5 * mm, stroke=1, fill=0)
        c.setFillColor(INK)
        c.setFont(BOLD, 8)
        c.drawCentredString(self.width / 2, self.height - 4 * mm, "Student number")
        left = (self.width - self.digits * ID_PITCH_X) / 2 + ID_PITCH_X / 2
        box_top = self.height - 5.5 * mm
        c.setLineWidth(0.6)
        for d in range(self.digits):
            cx = left + d * ID_PITCH_X
            c.rect(cx - 2.2 * mm, box_top - 6 * mm, 4.4 * mm, 6 * mm, stroke=1, fill=0)
            for value in range(10):
                cy = box_top - 6 * mm - 1.2 * mm - ID_PITCH_Y * (value + 0.5)
                scan_bubble(c, cx, cy, str(value), ID_BUBBLE_R)
                self.recorder.bubble(c, cx, cy, ID_BUBBLE_R, digit=d, value=value)


def _fit_text(text: str, font: str, size: float, room: float) -> str:
    if stringWidth(text, font, size) <= room:
        return text
    while text and stringWidth(text + "…", font, size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def points_label(points: int) -> str:
    return f"{points} pt" if points == 1 else f"{points} pts"
