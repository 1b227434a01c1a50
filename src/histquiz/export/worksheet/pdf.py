"""Lay the planned versions out as PDF.

One document holds several parts (a version, an answer key, the study page). Each version
starts on a fresh sheet, so a blank page follows a version with an odd number of pages, and
"Page x of y" counts within each part: a two-pass canvas keeps every page until the end, when
the totals are known, and only then draws the headers and footers.

With ``scan`` on, each part is a numbered copy of a version: its pages get corner marks and a
page code (marks.py), the first page a student-number grid (or the roster's name), and the
positions of every bubble and box are recorded while drawing, for the layout file. Order and
match questions, whose boxes are marked by hand row by row, are left out of such sheets.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as _escape

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    ActionFlowable,
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ...atomic import check_targets
from ...dates import Precision
from ...errors import ExportError, UsageError
from ...model import Item
from ...owned import write_owned
from ...seeds import WORKSHEET_PICK, derive
from ...version import __version__
from ..registry import Context, Rendered, Skipped, kept_key, single_deck_title
from .flowables import (
    GREY,
    INK,
    SHADE,
    Anchor,
    IdGrid,
    QuestionBlock,
    Recorder,
    RowsBlock,
    Styles,
    Text,
    VersionBadge,
    WriteInLines,
    make_styles,
    points_label,
)
from .fonts import BOLD, REGULAR, TextChecker, register_fonts, where_of
from .layout import FORMAT as LAYOUT_FORMAT
from .layout import Box, Bubble, Copy, Layout, Page, PageCode, Question, VersionLayout
from .layout import mm as to_mm
from .layout import sheet_code as make_sheet_code
from .marks import (
    CODE_SIZE,
    MARK_SIZE,
    SCAN_BOTTOM_MARGIN,
    code_origins,
    draw_scan_marks,
    mark_centres,
)
from .plan import (
    DEFAULT_TITLE,
    LAYOUT_ENDING,
    ROW_KINDS,
    PrintedQuestion,
    Version,
    WorksheetOptions,
    WorksheetResult,
    answers_path,
    layout_path,
    letter_of,
    pick,
    plan_versions,
    subtitle_for,
)

PAGE_SIZES = {"a4": A4, "letter": LETTER}
SIDE_MARGIN = 18 * mm
TOP_MARGIN = 19 * mm  # the running header sits above this
BOTTOM_MARGIN = 17 * mm  # the page number sits below this

# What each kind of question is called, and what the student does.
KIND_TEXT = {
    "choice": ("Multiple choice", "Fill in the bubble of the one best answer."),
    "date": ("Dates", "Write the date in the boxes, as precisely as the boxes ask."),
    "order": ("Order", "Put each set of events in order: write 1 for the earliest, 2 for the "
              "next, and so on, in the boxes."),
    "match": ("Matching", "Write the letter of the matching year in each box."),
}
SCAN_REASON = ("the scanner reads only bubbles, and the boxes of order and match questions are "
               "marked by hand")
FIELDS = {
    Precision.YEAR: ("year",),
    Precision.MONTH: ("month", "year"),
    Precision.DAY: ("day", "month", "year"),
}

# (part key, question number, "start" or "end", page number in the file)
Trace = Callable[[str, int, str, int], None]


@dataclass
class Part:
    """A run of pages with its own header label and its own "Page x of y"."""

    key: str
    label: str
    story: list[Flowable]
    fresh_sheet: bool  # start on the front of a new sheet, not just on a new page
    copy: Copy | None = None  # a sheet to be scanned: marks and a code on each page


@dataclass
class RenderedPdf:
    pdf: bytes
    part_pages: dict[str, int]
    pages: int
    page_keys: list[str | None] = field(default_factory=list)  # each page's part; None: padding


@dataclass
class Documents:
    worksheet: RenderedPdf
    key: RenderedPdf | None
    version_keys: list[str] = field(default_factory=list)
    key_keys: list[str] = field(default_factory=list)
    layout: Layout | None = None


class _SheetDoc(BaseDocTemplate):  # type: ignore[misc]
    """A document of parts; ``startPart`` actions between them break to a new page or sheet."""

    def __init__(self, buffer: io.BytesIO, first: Part, pagesize: tuple[float, float],
                 bottom_margin: float = BOTTOM_MARGIN, **meta: Any) -> None:
        super().__init__(buffer, pagesize=pagesize, leftMargin=SIDE_MARGIN,
                         rightMargin=SIDE_MARGIN, topMargin=TOP_MARGIN,
                         bottomMargin=bottom_margin, initialFontName=REGULAR, **meta)
        # (the canvas names its initial font on every page: ours, not reportlab's Helvetica,
        # which is not embedded)
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._on_page)])
        self.current: Part | None = first
        self.first_page = 1
        self.page_parts: list[Part | None] = []  # the part of each page; None for padding

    def _on_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        self.page_parts.append(self.current)

    def handle_startPart(self, part: Part) -> None:
        self.handle_pageBreak()
        used = self.page - self.first_page + 1
        if part.fresh_sheet and used % 2 == 1:
            self.current = None
            self.clean_hanging()  # begins the blank back of the last sheet
            self.handle_pageEnd()
        self.current = part
        self.first_page = self.page + 1


class _PagedCanvas(Canvas):  # type: ignore[misc]
    """Keeps every page until ``save``, then decorates each one knowing the page totals."""

    def __init__(self, *args: Any, decorate: Callable[[Canvas, int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept_pages: list[dict[str, Any]] = []
        self._decorate = decorate

    def showPage(self) -> None:
        self._kept_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for index, state in enumerate(self._kept_pages):
            self.__dict__.update(state)
            self._decorate(self, index)
            super().showPage()
        super().save()


class _Decorator:
    """Draws the running header, "Page x of y" and the outline entry of each page."""

    def __init__(self, doc: _SheetDoc, title: str, pagesize: tuple[float, float],
                 sheet: str = "") -> None:
        self.doc = doc
        self.title = title
        self.pagesize = pagesize
        self.sheet = sheet  # the worksheet's code, on sheets to be scanned
        self.numbers: list[tuple[int, int]] = []

    def _number_pages(self) -> None:
        totals: dict[str, int] = {}
        for part in self.doc.page_parts:
            if part is not None:
                totals[part.key] = totals.get(part.key, 0) + 1
        seen: dict[str, int] = {}
        for part in self.doc.page_parts:
            if part is None:
                self.numbers.append((0, 0))
                continue
            seen[part.key] = seen.get(part.key, 0) + 1
            self.numbers.append((seen[part.key], totals[part.key]))

    def __call__(self, canv: Canvas, index: int) -> None:
        if not self.numbers:
            self._number_pages()
        width, height = self.pagesize
        part = self.doc.page_parts[index]
        canv.saveState()
        if part is None:
            canv.setFont(REGULAR, 8)
            canv.setFillColor(GREY)
            canv.drawCentredString(width / 2, height / 2,
                                   "This page is intentionally left blank.")
            canv.restoreState()
            return
        number, total = self.numbers[index]
        if number == 1:
            canv.bookmarkPage(part.key)
            canv.addOutlineEntry(part.label, part.key, level=0)
        left, right = SIDE_MARGIN, width - SIDE_MARGIN
        top = height - 12 * mm
        canv.setFillColor(INK)
        canv.setFont(BOLD, 9)
        canv.drawRightString(right, top, part.label)
        room = right - left - canv.stringWidth(part.label, BOLD, 9) - 8 * mm
        canv.setFont(REGULAR, 9)
        canv.drawString(left, top, _fit(self.title, room, canv))
        canv.setStrokeColor(GREY)
        canv.setLineWidth(0.5)
        canv.line(left, top - 2.2 * mm, right, top - 2.2 * mm)
        canv.setFont(REGULAR, 9)
        canv.drawCentredString(width / 2, 9 * mm, f"Page {number} of {total}")
        canv.restoreState()
        if part.copy is not None:
            code = PageCode(self.sheet, part.copy.version, number, part.copy.number)
            label = f"{self.sheet} · {part.copy.version} · page {number}"
            if part.copy.number:
                label += f" · copy {part.copy.number}"
            draw_scan_marks(canv, self.pagesize, SIDE_MARGIN, code.text(), label)


def _fit(text: str, room: float, canv: Canvas) -> str:
    if canv.stringWidth(text, REGULAR, 9) <= room:
        return text
    while text and canv.stringWidth(text + "…", REGULAR, 9) > room:
        text = text[:-1]
    return text.rstrip() + "…"


@contextlib.contextmanager
def _creation_time(seconds: int) -> Iterator[None]:
    """Make reportlab date the PDF ``seconds`` after the epoch, in UTC.

    reportlab takes a document's time only from SOURCE_DATE_EPOCH (its creation and change
    dates, and the seed of the file's /ID): it is set to the build time the command resolved
    while the document is made, and put back afterwards."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(seconds)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def render_parts(parts: Sequence[Part], pagesize: tuple[float, float], title: str,
                 meta: dict[str, str], build_time: int, sheet: str = "") -> RenderedPdf:
    with _creation_time(build_time):
        return _render_parts(parts, pagesize, title, meta, sheet)


def _render_parts(parts: Sequence[Part], pagesize: tuple[float, float], title: str,
                  meta: dict[str, str], sheet: str = "") -> RenderedPdf:
    buffer = io.BytesIO()
    # the page codes need room under the text; the margin changes on every page of the file
    bottom = SCAN_BOTTOM_MARGIN if sheet else BOTTOM_MARGIN
    doc = _SheetDoc(buffer, parts[0], pagesize, bottom, creator=f"histquiz {__version__}",
                    lang="en", **meta)
    story: list[Flowable] = list(parts[0].story)
    for part in parts[1:]:
        story.append(ActionFlowable(("startPart", part)))
        story.extend(part.story)

    def canvasmaker(*args: Any, **kwargs: Any) -> Canvas:
        return _PagedCanvas(*args, decorate=_Decorator(doc, title, pagesize, sheet), **kwargs)

    doc.build(story, canvasmaker=canvasmaker)
    counts: dict[str, int] = {}
    for page_part in doc.page_parts:
        if page_part is not None:
            counts[page_part.key] = counts.get(page_part.key, 0) + 1
    keys = [p.key if p is not None else None for p in doc.page_parts]
    return RenderedPdf(buffer.getvalue(), counts, len(doc.page_parts), keys)


@dataclass
class _Context:
    options: WorksheetOptions
    checker: TextChecker
    styles: Styles
    width: float
    frame_height: float
    title: str
    subtitle: str
    trace: Trace | None
    recorder: Recorder | None = None  # on sheets to be scanned


def _first_page(ctx: _Context, version: Version, copy: Copy | None = None) -> list[Flowable]:
    styles, width = ctx.styles, ctx.width
    heading: list[Flowable] = [Paragraph(_escape(ctx.title), styles.title)]
    if ctx.subtitle:
        heading.append(Paragraph(_escape(ctx.subtitle), styles.subtitle))
    top = Table([[heading, VersionBadge(version.letter)]], colWidths=[width - 30 * mm, 30 * mm])
    # every table names the font, even one of flowables only: a cell sets its font before
    # drawing, and reportlab's default is Helvetica, which is not embedded
    top.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 0), (1, 0), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    kinds = {q.item.kind for q in version.questions}
    lines = ["<b>Instructions.</b> Answer every question. Write clearly, in pen."]
    if "choice" in kinds and ctx.recorder is not None:
        lines = ["<b>Instructions.</b> Answer every question. Write clearly, with a dark pencil "
                 "or a pen. This sheet is marked by a scanner: do not fold it or write near "
                 "the black squares."]
        lines.append("<b>Multiple choice:</b> fill in the bubble of the one best answer "
                     "completely, like this: ●. To change an answer, erase it completely; a "
                     "bubble crossed out, or two filled, goes to your teacher to check.")
    elif "choice" in kinds:
        lines.append("<b>Multiple choice:</b> fill in the bubble of the one best answer "
                     "completely, like this: ●. If you change your mind, cross out the wrong "
                     "bubble clearly.")
    if "date" in kinds:
        lines.append("<b>Dates:</b> write the date in the boxes under the question: a year; a "
                     "month and a year; or a day, a month and a year, as the boxes show.")
    if "order" in kinds:
        lines.append("<b>Order:</b> write 1 in the box of the earliest event, 2 in the next, and "
                     "so on; use each number once.")
    if "match" in kinds:
        lines.append("<b>Matching:</b> write in each event's box the letter of its year; use "
                     "each letter once.")
    n, total = len(version.questions), version.points
    summary = [
        Paragraph(f"<b>{n}</b> question{'s' * (n != 1)}", styles.body),
        Paragraph(f"<b>{total}</b> point{'s' * (total != 1)} in all", styles.body),
        Spacer(1, 3 * mm),
        Paragraph(f"Score: ________ / {total}", styles.body),
    ]
    recorder = ctx.recorder
    grid = None
    if recorder is not None and (copy is None or copy.student is None):
        grid = IdGrid(ctx.options.id_digits, recorder)
        width = ctx.width - grid.width - 5 * mm  # the grid stands beside the lines and the box
    info = Table([[[Paragraph(line, styles.note) for line in lines], summary]],
                 colWidths=[width - 48 * mm, 48 * mm])
    info.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR), ("BACKGROUND", (0, 0), (-1, -1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm), ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5 * mm), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5 * mm),
        ("LINEBEFORE", (1, 0), (1, 0), 0.5, GREY),
    ]))
    if recorder is None:
        return [top, Spacer(1, 7 * mm), WriteInLines([("Name", 5.2), ("Class", 2.2), ("Date", 2.8)]),
                Spacer(1, 6 * mm), info, Spacer(1, 2 * mm)]
    if grid is None:  # a roster's sheet: the name is printed, the code says who it is
        assert copy is not None and copy.student is not None
        student = copy.student
        name = student.name + (f" ({student.number})" if student.number else "")
        lines_row = WriteInLines([("Name", 5.2), ("Class", 2.2), ("Date", 2.8)],
                                 values=[ctx.checker.plain(name, "the roster"),
                                         ctx.checker.plain(student.group, "the roster"), ""])
        return [top, Spacer(1, 7 * mm), lines_row, Spacer(1, 6 * mm), info, Spacer(1, 2 * mm)]
    left = [WriteInLines([("Name", 1.0)]), Spacer(1, 3 * mm),
            WriteInLines([("Class", 1.0), ("Date", 1.2)]), Spacer(1, 5 * mm), info]
    row = Table([[left, grid]], colWidths=[width + 5 * mm, grid.width])
    row.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (0, 0), 5 * mm),
    ]))
    return [top, Spacer(1, 5 * mm), row, Spacer(1, 2 * mm)]


def _question(ctx: _Context, part_key: str, q: PrintedQuestion) -> list[Flowable]:
    """The question's block between two anchors, to be kept together on one page."""
    item, check, styles = q.item, ctx.checker, ctx.styles
    where = where_of(item)
    stem = check.plain(item.question, where)
    options = [check.plain(text, where) for text in q.options]
    block: QuestionBlock | RowsBlock
    if item.kind in ROW_KINDS:
        if ctx.recorder is not None:  # plan_versions refuses them; never draw unrecorded boxes
            raise ExportError(f"{where}: {item.kind} questions cannot go on a sheet to be scanned")
        block = _rows_block(ctx, q, stem, options)
    else:
        if item.kind == "choice":
            fields: Sequence[str] = ()
        elif item.kind == "date" and item.answer_date is not None:
            fields = FIELDS[item.answer_date.precision]
        else:
            fields = ("answer",)
        block = QuestionBlock(q.number, stem, points_label(q.points), options, fields, styles,
                              ctx.recorder)
    height = block.wrap(ctx.width, ctx.frame_height)[1]
    if height > ctx.frame_height:
        raise ExportError(f"{where}: question {item.id} is too long to fit on one page; shorten it")
    trace = ctx.trace

    def anchor(which: str) -> Anchor:
        if trace is None:
            return Anchor(None)
        return Anchor(lambda page: trace(part_key, q.number, which, page))

    return [anchor("start"), block, anchor("end")]


def _rows_block(ctx: _Context, q: PrintedQuestion, stem: str, events: Sequence[str]) -> RowsBlock:
    """An order question's rows are lettered (the student writes numbers); a match question's
    rows are numbered (the student writes the letters of its years)."""
    n = len(events)
    if q.item.kind == "order":
        return RowsBlock(q.number, stem, points_label(q.points), [letter_of(i) for i in range(n)],
                         events, ctx.styles)
    targets = [ctx.checker.plain(t, where_of(q.item)) for t in q.item.targets]
    return RowsBlock(q.number, stem, points_label(q.points), [str(i + 1) for i in range(n)],
                     events, ctx.styles, targets)


def version_story(ctx: _Context, version: Version, copy: Copy | None = None) -> list[Flowable]:
    story = _first_page(ctx, version, copy)
    section = 0
    kind = None
    for q in version.questions:
        heading: list[Flowable] = []
        if q.item.kind != kind:
            kind = q.item.kind
            section += 1
            group = [x for x in version.questions if x.item.kind == kind]
            name, hint = KIND_TEXT.get(kind, (kind.replace("-", " ").capitalize(), ""))
            points = sum(x.points for x in group)
            text = (f"Part {section}: {_escape(name)} <font name='{REGULAR}' size='9.5' "
                    f"color='#555555'>({len(group)} question{'s' * (len(group) != 1)}, "
                    f"{points} point{'s' * (points != 1)})</font>")
            if hint:
                text += f"<br/><font name='{REGULAR}' size='9.5' color='#555555'>{hint}</font>"
            heading.append(Paragraph(text, ctx.styles.heading))
        # a part's heading shares its first question's page: the heading style's keepWithNext
        # would not do it, as reportlab never joins a KeepTogether to what comes before it
        story.append(KeepTogether([*heading, *_question(ctx, version.letter, q)]))
    return story


def key_story(ctx: _Context, version: Version) -> list[Flowable]:
    styles, check = ctx.styles, ctx.checker
    n, total = len(version.questions), version.points
    story: list[Flowable] = [
        Paragraph(f"Answer key: version {version.letter}", styles.title),
        Paragraph(_escape(ctx.title) + (" · " + _escape(ctx.subtitle) if ctx.subtitle else ""),
                  styles.subtitle),
        Paragraph(f"{n} question{'s' * (n != 1)}, {total} point{'s' * (total != 1)} in all. "
                  f"Use it only for the sheets marked version {version.letter}.", styles.small),
        Spacer(1, 5 * mm),
    ]
    text_width = ctx.width - 50 * mm
    rows: list[list[Any]] = [["No.", "Answer", "Answer text", "Points"]]
    for q in version.questions:
        if q.item.kind in ROW_KINDS:
            # the boxes top to bottom, as a plain string: five of them still fit the column
            rows.append([f"{q.number}.", " ".join(q.boxes), _rows_key(ctx, q, text_width - 12),
                         str(q.points)])
            continue
        if q.answer_index is not None:
            letter, answer = q.letter, q.options[q.answer_index]
        else:
            letter, answer = "write-in", q.item.answer
        text = Text(check.plain(answer, where_of(q.item)), styles.cell)
        # a plain string cell when the answer fits on its line; a Paragraph only to wrap
        cell = text.text if text.natural <= text_width - 13 else Paragraph(_escape(text.text), styles.cell)
        rows.append([f"{q.number}.", letter, cell, str(q.points)])
    rows.append(["", "", "Total", str(total)])
    table = Table(rows, colWidths=[14 * mm, 20 * mm, text_width, 16 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR), ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("FONTNAME", (0, 0), (-1, 0), BOLD), ("FONTNAME", (1, 1), (1, -1), BOLD),
        ("FONTNAME", (0, -1), (-1, -1), BOLD),
        ("ALIGN", (0, 0), (0, -1), "RIGHT"), ("ALIGN", (1, 0), (1, -1), "CENTER"),
        ("ALIGN", (3, 0), (3, -1), "RIGHT"), ("ALIGN", (2, -1), (2, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK), ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
        ("ROWBACKGROUNDS", (0, 1), (-1, -2), [None, SHADE]),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.3),
    ]))
    story.append(table)
    return story


def _rows_key(ctx: _Context, q: PrintedQuestion, width: float) -> list[Flowable]:
    """The key of an order or match question, as the teacher marks it: what each row's box
    holds, by the row's label; then, one line each, the events earliest first with their dates
    (order: "earliest first: C, A, D, B"), or each row's letter and year (match). The Answer
    column beside it has the boxes top to bottom."""
    where, styles = where_of(q.item), ctx.styles

    def para(text: str) -> Paragraph:
        return Paragraph(_escape(ctx.checker.plain(text, where)), styles.cell)

    boxes = q.boxes
    if q.item.kind == "order":
        labels = [letter_of(i) for i in range(len(q.options))]
        first = ", ".join(f"{labels[r]} {boxes[r]}" for r in range(len(labels)))
        head = (f"<b>Boxes</b> {first}; <b>earliest first</b>: "
                f"{', '.join(labels[r] for r in q.key)}")
        data = [[labels[r], para(q.dates[r]), para(q.options[r])] for r in q.key]
        widths = [6 * mm, 33 * mm, width - 39 * mm]
    else:
        head = "<b>Boxes</b> " + ", ".join(f"{r + 1} {b}" for r, b in enumerate(boxes))
        data = [[str(r + 1), boxes[r], para(q.item.targets[k]), para(q.options[r])]
                for r, k in enumerate(q.key)]
        widths = [6 * mm, 6 * mm, 14 * mm, width - 26 * mm]
    table = Table(data, colWidths=widths)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR), ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("FONTNAME", (0, 0), (-3, -1), BOLD), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 0.6), ("BOTTOMPADDING", (0, 0), (-1, -1), 0.6),
    ]))
    return [Paragraph(head, styles.cell), table]


def build_documents(versions: Sequence[Version], options: WorksheetOptions,
                    trace: Trace | None = None) -> Documents:
    """Render the worksheet (and the separate key, if asked) to bytes. Every piece of text is
    checked against the font first, so an unprintable character fails before any drawing."""
    checker = TextChecker(register_fonts())
    pagesize = PAGE_SIZES[options.paper]
    bottom = SCAN_BOTTOM_MARGIN if options.scan else BOTTOM_MARGIN
    ctx = _Context(
        options=options, checker=checker, styles=make_styles(),
        width=pagesize[0] - 2 * SIDE_MARGIN, frame_height=pagesize[1] - TOP_MARGIN - bottom,
        title=checker.plain(options.title, "the worksheet title", BOLD),
        subtitle=checker.plain(options.subtitle, "the worksheet subtitle"), trace=trace,
        recorder=Recorder() if options.scan else None,
    )
    sheet = ""
    if options.scan:
        copies = plan_copies(versions, options)
        sheet = sheet_code_of(versions, copies, options)
        by_letter = {v.letter: v for v in versions}
        sheet_parts = [Part(_copy_key(c), _copy_label(c), version_story(ctx, by_letter[c.version], c),
                            True, c) for c in copies]
    else:
        sheet_parts = [Part(v.letter, f"Version {v.letter}", version_story(ctx, v), True)
                       for v in versions]
    key_parts = []
    if options.answer_key != "none":
        key_parts = [Part(f"key-{v.letter}", f"Answer key · version {v.letter}",
                          key_story(ctx, v), index == 0) for index, v in enumerate(versions)]
    extra: list[Part] = []
    if options.timeline:
        from .timeline import timeline_story

        items = [q.item for q in versions[0].questions]
        story = timeline_story(ctx.checker, ctx.styles, items, ctx.width)
        # on a sheet of its own when it follows the students' pages; after a key, a new page
        extra.append(Part("study", "Study page", story, options.answer_key == "none"))
    checker.raise_problems()

    n = len(versions[0].questions)
    letters = ", ".join(v.letter for v in versions)
    subject = f"Worksheet of {n} question{'s' * (n != 1)}, version{'s' * (len(versions) != 1)} {letters}"
    if ctx.subtitle:
        subject += f". {ctx.subtitle}"
    meta = {"title": ctx.title, "author": options.author, "subject": subject,
            "keywords": "history worksheet, histquiz"}
    key = None
    if options.answer_key == "separate":
        worksheet = render_parts([*sheet_parts], pagesize, ctx.title, meta, options.build_time,
                                 sheet)
        key_meta = {**meta, "title": f"{ctx.title}: answer keys"}
        key = render_parts([*key_parts, *extra], pagesize, ctx.title, key_meta,
                           options.build_time)
    else:
        worksheet = render_parts([*sheet_parts, *key_parts, *extra], pagesize, ctx.title, meta,
                                 options.build_time, sheet)
    layout = None
    if ctx.recorder is not None:
        layout = _layout(ctx.recorder, worksheet, sheet_parts, versions, options, ctx.title, sheet)
    return Documents(worksheet, key, [p.key for p in sheet_parts], [p.key for p in key_parts],
                     layout)


def plan_copies(versions: Sequence[Version], options: WorksheetOptions) -> list[Copy]:
    """The copies a sheet to be scanned is printed in: one named copy per roster entry, or
    ``copies`` numbered ones, the versions dealt in turn (neighbours get different versions);
    without either, one master of each version (copy 0), to photocopy."""
    letters = [v.letter for v in versions]
    if options.roster:
        return [Copy(n + 1, letters[n % len(letters)], student)
                for n, student in enumerate(options.roster)]
    if options.copies:
        return [Copy(n + 1, letters[n % len(letters)]) for n in range(options.copies)]
    return [Copy(0, letter) for letter in letters]


def sheet_code_of(versions: Sequence[Version], copies: Sequence[Copy],
                  options: WorksheetOptions) -> str:
    """The worksheet's code, from everything that shapes its pages."""
    parts: list[object] = [options.title, options.subtitle, options.paper, options.points,
                           options.id_digits, options.answer_key]
    for v in versions:
        parts += [v.letter, *((q.item.id, q.options, q.points) for q in v.questions)]
    parts += [(c.number, c.version, c.student) for c in copies]
    return make_sheet_code(parts)


def _copy_key(copy: Copy) -> str:
    return copy.version if copy.number == 0 else f"{copy.version}-{copy.number}"


def _copy_label(copy: Copy) -> str:
    if copy.student is not None:
        return f"Version {copy.version} · {copy.student.name}"
    if copy.number:
        return f"Version {copy.version} · copy {copy.number}"
    return f"Version {copy.version}"


def _layout(recorder: Recorder, pdf: RenderedPdf, parts: Sequence[Part],
            versions: Sequence[Version], options: WorksheetOptions, title: str,
            sheet: str) -> Layout:
    """The layout file's content, from what the recorder saw on each page. Every copy of a
    version must have put its bubbles at the same places: the marker reads any copy by the
    version's pages."""
    pagesize = PAGE_SIZES[options.paper]
    height = pagesize[1]
    pages_of: dict[str, list[int]] = {}
    for number, key in enumerate(pdf.page_keys, start=1):
        if key is not None:
            pages_of.setdefault(key, []).append(number)

    def page(number: int, index: int) -> Page:
        bubbles = tuple(
            Bubble(to_mm(x), to_mm(height - y), to_mm(r), question, option, digit, value)
            for x, y, r, question, option, digit, value in recorder.bubbles.get(number, []))
        boxes = tuple(Box(question, to_mm(x), to_mm(height - y - h), to_mm(w), to_mm(h))
                      for question, x, y, w, h in recorder.boxes.get(number, []))
        return Page(index, bubbles, boxes)

    layouts: dict[str, VersionLayout] = {}
    by_letter = {v.letter: v for v in versions}
    for part in parts:
        assert part.copy is not None
        letter = part.copy.version
        pages = tuple(page(n, i) for i, n in enumerate(pages_of.get(part.key, []), start=1))
        if letter in layouts:
            if layouts[letter].pages != pages:
                raise ExportError(f"the copies of version {letter} came out with different "
                                  "layouts; shorten the long roster names and try again")
            continue
        questions = tuple(_layout_question(q) for q in by_letter[letter].questions)
        layouts[letter] = VersionLayout(letter, pages, questions)
    return Layout(
        sheet=sheet, title=title, paper=options.paper,
        page_size=(to_mm(pagesize[0]), to_mm(height)),
        marks=tuple((to_mm(cx), to_mm(height - cy)) for cx, cy in mark_centres(pagesize)),
        mark_size=to_mm(MARK_SIZE), code_size=to_mm(CODE_SIZE),
        code_places=tuple((to_mm(x), to_mm(height - y - CODE_SIZE))
                          for x, y in code_origins(pagesize, SIDE_MARGIN)),
        id_digits=0 if options.roster else options.id_digits,
        versions=layouts, copies=tuple(p.copy for p in parts if p.copy is not None),
    )


def _layout_question(q: PrintedQuestion) -> Question:
    item = q.item
    answer = item.answer
    if item.answer_date is not None and q.answer_index is None:
        answer = item.answer_date.display()
    return Question(q.number, item.id, item.kind, item.question, q.options, q.letter, answer,
                    q.points)


def _render(questions: Sequence[Item], options: WorksheetOptions
            ) -> tuple[tuple[bytes, ...], bytes | None, WorksheetResult]:
    """The worksheet's bytes, then the separate key's if any; the layout file of a sheet to be
    scanned; and what they hold."""
    versions = plan_versions(questions, options)
    docs = build_documents(versions, options)
    files = [docs.worksheet.pdf]
    key_pages = sum(docs.worksheet.part_pages.get(k, 0) for k in docs.key_keys)
    if docs.key is not None:
        files.append(docs.key.pdf)
        key_pages = docs.key.pages
    layout = docs.layout.to_json().encode("utf-8") if docs.layout is not None else None
    version_pages = []
    for v in versions:
        keys = [k for k in docs.version_keys if k == v.letter or k.startswith(f"{v.letter}-")]
        version_pages.append(docs.worksheet.part_pages[keys[0]])
    return tuple(files), layout, WorksheetResult(
        questions=len(versions[0].questions),
        versions=len(versions),
        points=versions[0].points,
        pages=docs.worksheet.pages,
        version_pages=tuple(version_pages),
        key_pages=key_pages,
        copies=len(docs.version_keys),
        sheet=docs.layout.sheet if docs.layout is not None else "",
    )


def render(items: Sequence[Item], ctx: Context) -> Rendered:
    """The worksheet of the questions chosen from ``items`` by the seed (each fact's date asked
    once; ``count`` of them when given), titled with the given title, else the title of the
    one deck they come from, else the default; then its separate answer key, if any."""
    from ...cache import rendered as cached

    opts = ctx.options
    skipped: tuple[Skipped, ...] = ()
    if opts.scan:  # the scanner reads bubbles; rows of boxes would all go to the teacher
        skipped = tuple(Skipped(i.id, SCAN_REASON, by_design=True) for i in items
                        if i.kind in ROW_KINDS)
        items = [i for i in items if i.kind not in ROW_KINDS]
        if not items:
            raise UsageError("no questions to print: a sheet to be scanned cannot hold order or "
                             "match questions; choose other kinds, or leave out --scan")
    # the choice depends on the items, the seed and the options only: kept in the cache when
    # the items are, so that a rebuild of a big unchanged deck need not read them all
    chosen = cached(kept_key("worksheet", ctx),
                    lambda: pick(items, opts.count, derive(ctx.seed, WORKSHEET_PICK)))
    questions = chosen.items
    title = opts.title
    if title is None:
        title = single_deck_title(ctx.decks, questions) or DEFAULT_TITLE
    options = WorksheetOptions(
        title=title, subtitle=subtitle_for(ctx.decks, questions, ctx.topics, ctx.tags),
        versions=opts.versions, points=opts.points, paper=opts.paper,
        answer_key=opts.answer_key, timeline=opts.timeline, seed=ctx.seed,
        build_time=ctx.build_time, scan=opts.scan, id_digits=opts.id_digits, copies=opts.copies,
        roster=opts.roster,
    )
    files, layout, result = _render(questions, options)
    result = replace(result, cap=chosen.cap)
    extra = ((LAYOUT_ENDING, layout),) if layout is not None else ()
    return Rendered(files, result.questions, skipped=skipped, notes=(f"{result.pages} pages",),
                    details=result, extra=extra)


def write_worksheet(items: Sequence[Item], path: str | os.PathLike[str],
                    options: WorksheetOptions) -> WorksheetResult:
    """Write the worksheet PDF of exactly ``items`` (all versions) to ``path``; with
    ``answer_key="separate"`` also ``FILE-answers.pdf``, and with ``scan`` ``FILE-layout.json``,
    all renamed into place together."""
    path = Path(path)
    check_targets([path, answers_path(path), layout_path(path)])
    files, layout, result = _render(items, options)
    written = list(zip((path, answers_path(path)), files, strict=False))
    if layout is not None:
        written.append((layout_path(path), layout))
    write_owned(written, made_here)
    return result


def made_here(path: Path) -> bool:
    """Is the file at ``path`` a worksheet, key or scan layout that histquiz wrote (the PDF's
    Creator, the layout's format)?"""
    from ...owned import head

    if path.suffix.lower() == ".json":
        return f'"format": "{LAYOUT_FORMAT}"'.encode() in head(path, 4096)
    data = head(path, 300_000_000)
    return data.startswith(b"%PDF") and b"/Creator (histquiz " in data
