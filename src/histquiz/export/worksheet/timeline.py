"""The optional study page: a timeline of the worksheet's dated facts, drawn with reportlab
graphics. An overview axis shows where the facts fall in time; below it, the facts in order,
one row each, grouped by decade.

reportlab.graphics draws in Helvetica unless told otherwise, and Helvetica is not embedded, so
every string here names the worksheet font.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import Flowable, Paragraph, Spacer

from ...dates import DateSpan, HistDate
from ...model import Item, sort_key_for_date
from .flowables import GREY, INK, LIGHT, Styles
from .fonts import BOLD, REGULAR, TextChecker, where_of

TEXT_SIZE = 9.5
LINE = 12.0  # leading of the fact text
DATE_SIZE = 8.5
DATE_LINE = 10.5
DATE_RIGHT = 36 * mm  # dates end here
AXIS_X = 40 * mm  # the vertical line
TEXT_X = 45 * mm
ROW_GAP = 5.0
DECADE_HEIGHT = 15.0


@dataclass(frozen=True)
class Entry:
    start: float  # in years, for the overview axis
    end: float
    dates: tuple[str, ...]  # the date, wrapped to the date column
    lines: tuple[str, ...]
    decade: int


def _drawing(width: float, height: float) -> Drawing:
    drawing = Drawing(width, height)
    drawing.initialFontName = REGULAR  # the renderer's starting font, else Helvetica
    return drawing


def _year_of(d: HistDate) -> float:
    return d.year + ((d.month or 1) - 1) / 12 + ((d.day or 1) - 1) / 365


def entries(checker: TextChecker, items: Sequence[Item], text_width: float) -> list[Entry]:
    """One entry per dated fact, in date order; the text checked and wrapped to the width."""
    facts: dict[tuple[str, str], Item] = {}
    for item in items:
        if item.date is not None:
            facts.setdefault((item.deck, item.fact), item)
    ordered = sorted(facts.values(), key=lambda i: (sort_key_for_date(i.date), i.statement))
    out = []
    for item in ordered:
        when = item.date
        assert when is not None
        if isinstance(when, DateSpan):
            start, end = _year_of(when.start), _year_of(when.end)
        else:
            start = end = _year_of(when)
        text = checker.plain(item.statement, where_of(item))
        lines = simpleSplit(text, REGULAR, TEXT_SIZE, text_width) or [""]
        date = checker.plain(item.date_display, where_of(item), BOLD)
        dates = simpleSplit(date, BOLD, DATE_SIZE, DATE_RIGHT - 2 * mm) or [""]
        out.append(Entry(start, end, tuple(dates), tuple(lines), int(start) // 10 * 10))
    return out


def overview(rows: Sequence[Entry], width: float) -> Drawing:
    """A horizontal axis by decades with a dot for each fact (a bar for a span)."""
    height = 26 * mm
    drawing = _drawing(width, height)
    first = math.floor(min(e.start for e in rows) / 10) * 10
    last = math.floor(max(e.end for e in rows) / 10) * 10 + 10
    step = 10 if last - first <= 100 else 20 if last - first <= 200 else 50
    left, right, axis = 6.0 * mm, width - 6.0 * mm, 9.0 * mm

    def x(year: float) -> float:
        return float(left + (year - first) / (last - first) * (right - left))

    drawing.add(Line(left, axis, right, axis, strokeColor=INK, strokeWidth=0.9))
    for year in range(first, last + 1, step):
        drawing.add(Line(x(year), axis - 1.5 * mm, x(year), axis + 1.5 * mm, strokeColor=INK,
                         strokeWidth=0.7))
        drawing.add(String(x(year), axis - 5 * mm, str(year), fontName=BOLD, fontSize=7.5,
                           fillColor=INK, textAnchor="middle"))
    stacks: dict[int, int] = {}
    for entry in rows:
        bucket = int(x(entry.start) // (2.4 * mm))
        level = stacks.get(bucket, 0)
        stacks[bucket] = level + 1
        y = axis + 3.2 * mm + min(level, 5) * 2.3 * mm
        if entry.end - entry.start > 0.2:
            drawing.add(Line(x(entry.start), y, x(entry.end), y, strokeColor=INK, strokeWidth=2))
        drawing.add(Circle(x(entry.start), y, 0.9 * mm, fillColor=INK, strokeColor=None))
    return drawing


def _height(row: Entry | int) -> float:
    """A row is a fact, or an int: the heading of a decade."""
    if isinstance(row, int):
        return DECADE_HEIGHT
    return max(len(row.lines) * LINE, len(row.dates) * DATE_LINE) + ROW_GAP


def _rows_drawing(rows: Sequence[Entry | int], width: float) -> Drawing:
    height = sum(_height(r) for r in rows)
    drawing = _drawing(width, height)
    drawing.add(Line(AXIS_X, 0, AXIS_X, height, strokeColor=LIGHT, strokeWidth=1.2))
    y = height
    for row in rows:
        if isinstance(row, int):
            drawing.add(Circle(AXIS_X, y - 7.5, 1.1 * mm, fillColor=INK, strokeColor=None))
            drawing.add(String(AXIS_X - 3 * mm, y - 11, f"{row}s", fontName=BOLD, fontSize=11,
                               fillColor=INK, textAnchor="end"))
        else:
            base = y - TEXT_SIZE
            drawing.add(Circle(AXIS_X, base + 3.2, 1.1 * mm, fillColor=colors.white,
                               strokeColor=INK, strokeWidth=0.8))
            for n, line in enumerate(row.dates):
                drawing.add(String(DATE_RIGHT, base - n * DATE_LINE, line, fontName=BOLD,
                                   fontSize=DATE_SIZE, fillColor=GREY, textAnchor="end"))
            for n, line in enumerate(row.lines):
                drawing.add(String(TEXT_X, base - n * LINE, line, fontName=REGULAR,
                                   fontSize=TEXT_SIZE, fillColor=INK))
        y -= _height(row)
    return drawing


def timeline_story(checker: TextChecker, styles: Styles, items: Sequence[Item],
                   width: float) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph("Study page: timeline", styles.title),
        Paragraph("The dated facts of this worksheet, in order. Keep it for revision once the "
                  "worksheet is marked.", styles.subtitle),
        Spacer(1, 5 * mm),
    ]
    rows = entries(checker, items, width - TEXT_X)
    if not rows:
        story.append(Paragraph("None of the facts on this worksheet has a date.", styles.body))
        return story
    story += [overview(rows, width), Spacer(1, 4 * mm)]
    # one drawing per fact (with its decade's heading when a decade begins): the drawings
    # abut, so the line runs on unbroken, and a page breaks only between facts
    decade = None
    for entry in rows:
        group: list[Entry | int] = []
        if entry.decade != decade:
            decade = entry.decade
            group.append(decade)
        group.append(entry)
        story.append(_rows_drawing(group, width))
    return story
