"""What makes a printed page machine-readable: solid square marks (the four corners and the
middles of the two long edges) to find and straighten the page, and a QR code (reportlab's own
barcode module) saying which worksheet, version, page and copy it is. The same marks sit at the
same place on every page, so a scan can be straightened before anything is known about it; the
code is then read at its known place.

The marks sit 7 mm in from the edges, inside what printers can print and far enough in that a
sheet feeder's shift or a scanner's cropped border does not lose them.
"""

from __future__ import annotations

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .flowables import GREY, INK
from .fonts import REGULAR

MARK_SIZE = 6 * mm
MARK_INSET = 7 * mm  # from the paper's edge to the mark's outer side
CODE_SIZE = 16 * mm
CODE_BOTTOM = 6 * mm
SCAN_BOTTOM_MARGIN = 25 * mm  # room for the code under the text


def mark_centres(pagesize: tuple[float, float]) -> list[tuple[float, float]]:
    """The marks' centres in points (origin bottom-left): the corners TL, TR, BR, BL, then the
    middles of the left and right edges. A sheet fed skewed may lose its corners to the
    scanner's window; the middle marks barely move when a page turns, so they stay."""
    width, height = pagesize
    near = MARK_INSET + MARK_SIZE / 2
    return [(near, height - near), (width - near, height - near), (width - near, near), (near, near),
            (near, height / 2), (width - near, height / 2)]


def code_origins(pagesize: tuple[float, float], side_margin: float) -> list[tuple[float, float]]:
    """The bottom-left corners of the two copies of the page code, in points: under the text's
    left and right edges. A page fed skewed tilts its bottom edge, and one end of it always
    moves into the scanner's window."""
    return [(side_margin, CODE_BOTTOM), (pagesize[0] - side_margin - CODE_SIZE, CODE_BOTTOM)]


def draw_scan_marks(canv: Canvas, pagesize: tuple[float, float], side_margin: float,
                    code: str, label: str) -> None:
    """The corner marks, the page code, and the code's text in small print beside it."""
    canv.saveState()
    canv.setFillColor(INK)
    for cx, cy in mark_centres(pagesize):
        canv.rect(cx - MARK_SIZE / 2, cy - MARK_SIZE / 2, MARK_SIZE, MARK_SIZE, stroke=0, fill=1)
    for x, y in code_origins(pagesize, side_margin):
        widget = QrCodeWidget(code, barLevel="M", barBorder=0, barWidth=CODE_SIZE,
                              barHeight=CODE_SIZE, barFillColor=INK, barStrokeColor=INK)
        drawing = Drawing(CODE_SIZE, CODE_SIZE)
        drawing.add(widget)
        renderPDF.draw(drawing, canv, x, y)
    canv.setFillColor(GREY)
    canv.setFont(REGULAR, 6.5)
    canv.drawRightString(x - 3 * mm, y + 1 * mm, label)
    canv.restoreState()
