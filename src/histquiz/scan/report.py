"""The files ``histquiz mark`` writes into its output folder, all renamed into place together:

  marks.csv            one row per student: number, name, version, copy, score, each answer
  items.csv            per item: difficulty, discrimination, how often each option was chosen
  sheets/*.pdf         each student's pages with the marks read, right and wrong, and the score
  review/*.png         a crop of every question (or student-number digit) read as doubtful
  review/review.csv    the doubtful ones: what was seen, why, the crop, the decision
  review/boxes.pdf     every write-in answer (dates, …) cropped, with the expected answer beside
  review/boxes/*.png   the same crops as images
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from ..export.worksheet.fonts import BOLD, REGULAR, register_fonts
from ..export.worksheet.layout import Layout
from ..owned import write_owned
from .analysis import ItemStats
from .mark import Marking, Sheet
from .read import Mark

GREEN = colors.HexColor("#1b8a2f")
RED = colors.HexColor("#c62828")
ORANGE = colors.HexColor("#ef8c00")


def _csv(rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def marks_csv(marking: Marking) -> bytes:
    count = max((len(v.questions) for v in marking.layout.versions.values()), default=0)
    rows: list[list[object]] = [["number", "name", "version", "copy", "score", "out of",
                                 "handwritten points", "doubtful", "missing pages",
                                 *(f"q{n}" for n in range(1, count + 1))]]
    for sheet in marking.sheets:
        version = marking.layout.versions[sheet.version]
        cells: list[object] = []
        for q in version.questions:
            if q.key is None:
                cells.append("write-in")
            elif q.number not in sheet.answers:
                cells.append("-")  # its page was not scanned
            else:
                answer = sheet.answers[q.number]
                cells.append("?" if answer is None else answer)
        rows.append([sheet.number, sheet.name, sheet.version, sheet.copy or "", sheet.score,
                     sheet.out_of, sheet.handwritten, len(sheet.doubtful),
                     " ".join(map(str, sheet.missing)), *cells])
    return _csv(rows)


def items_csv(stats: Sequence[ItemStats]) -> bytes:
    width = max((len(s.options) for s in stats), default=0)
    head: list[object] = ["item", "question", "answer", "students", "right", "difficulty",
                          "discrimination", "upper-lower", "blank", "flags"]
    for n in range(1, width + 1):
        head += [f"option {n}", f"chosen {n}"]
    rows = [head]
    for s in stats:
        row: list[object] = [s.item, s.text, s.key, s.students, s.right, _fmt(s.difficulty),
                             _fmt(s.discrimination), _fmt(s.upper_lower), s.blank, "; ".join(s.flags)]
        for option in s.options:
            row += [option, s.chosen.get(option, 0)]
        rows.append(row)
    return _csv(rows)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "sheet"


def sheet_file(sheet: Sheet) -> str:
    stem = f"{sheet.version}-{sheet.copy:03d}" if sheet.copy else _safe(sheet.key.replace("@", "-"))
    who = sheet.name or sheet.number.replace("?", "x")
    return f"{stem}-{_safe(who)}.pdf" if who.strip() else f"{stem}.pdf"


def annotated(sheet: Sheet, layout: Layout) -> bytes:
    """The student's pages as scanned, straightened, with what was read drawn over them."""
    register_fonts()
    width, height = layout.page_size[0] * mm, layout.page_size[1] * mm
    buffer = io.BytesIO()
    canv = Canvas(buffer, pagesize=(width, height), invariant=1, initialFontName=REGULAR)
    canv.setTitle(f"{layout.title}: {sheet.label}")
    version = layout.versions[sheet.version]
    for number in range(1, len(version.pages) + 1):
        reading = sheet.pages.get(number)
        if reading is None:
            canv.setFont(BOLD, 14)
            canv.drawCentredString(width / 2, height / 2, f"Page {number} was not scanned")
            canv.showPage()
            continue
        canv.drawImage(ImageReader(io.BytesIO(reading.picture)), 0, 0, width, height)
        page = version.pages[number - 1]

        def at(x: float, y: float) -> tuple[float, float]:
            return x * mm, height - y * mm

        for bubble, state in zip(page.bubbles, reading.marks, strict=True):
            if bubble.digit >= 0:
                continue
            q = version.question(bubble.question)
            answer = sheet.answers.get(bubble.question)
            x, y = at(bubble.x, bubble.y)
            r = bubble.r * mm + 1.8
            canv.setLineWidth(1.6)
            if answer is None or state is Mark.DOUBTFUL:
                canv.setStrokeColor(ORANGE)
                canv.circle(x, y, r, stroke=1, fill=0)
            elif bubble.option == answer:
                canv.setStrokeColor(GREEN if answer == q.key else RED)
                canv.circle(x, y, r, stroke=1, fill=0)
            elif bubble.option == q.key:
                canv.setStrokeColor(GREEN)
                canv.setDash(2, 2)
                canv.circle(x, y, r, stroke=1, fill=0)
                canv.setDash()
        for q in version.questions:
            first = next((b for b in page.bubbles if b.question == q.number and b.digit < 0), None)
            if first is None:
                continue
            x, y = at(8, first.y)
            answer = sheet.answers.get(q.number)
            sign, colour = (("?", ORANGE) if answer is None else ("✓", GREEN) if answer == q.key
                            else ("✗", RED))
            canv.setFillColor(colour)
            canv.setFont(BOLD, 16)
            canv.drawCentredString(x + 9 * mm, y - 2 * mm, sign)
        if number == 1:
            _score_box(canv, sheet, width, height)
        canv.showPage()
    canv.save()
    return buffer.getvalue()


def _score_box(canv: Canvas, sheet: Sheet, width: float, height: float) -> None:
    lines = [f"Score {sheet.score} / {sheet.out_of}"]
    if sheet.handwritten:
        lines.append(f"+ {sheet.handwritten} points of written answers, marked by hand")
    if sheet.doubtful:
        lines.append(f"{len(sheet.doubtful)} answer(s) not yet decided (orange)")
    box_w, box_h = 88 * mm, (9 + 5 * len(lines)) * mm
    x, y = width - 18 * mm - box_w, height - 17 * mm - box_h
    canv.setFillColor(colors.white)
    canv.setStrokeColor(RED)
    canv.setLineWidth(1.5)
    canv.roundRect(x, y, box_w, box_h, 2 * mm, stroke=1, fill=1)
    canv.setFillColor(RED)
    canv.setFont(BOLD, 16)
    canv.drawString(x + 4 * mm, y + box_h - 8 * mm, lines[0])
    canv.setFont(REGULAR, 9)
    for n, line in enumerate(lines[1:], start=1):
        canv.drawString(x + 4 * mm, y + box_h - 8 * mm - 5 * mm * n, line)


def boxes_pdf(marking: Marking) -> bytes | None:
    """Every write-in answer as written, with the expected answer beside it."""
    entries = [(sheet, q, png) for sheet in marking.sheets for reading in sheet.pages.values()
               for q, png in sorted(reading.boxes.items())]
    if not entries:
        return None
    register_fonts()
    buffer = io.BytesIO()
    width, height = 210 * mm, 297 * mm
    canv = Canvas(buffer, pagesize=(width, height), invariant=1, initialFontName=REGULAR)
    canv.setTitle(f"{marking.layout.title}: written answers")
    y = height - 20 * mm
    for sheet, number, png in entries:
        image = ImageReader(io.BytesIO(png))
        iw, ih = image.getSize()
        w = 110 * mm
        h = w * ih / iw
        if y - h - 10 * mm < 15 * mm:
            canv.showPage()
            y = height - 20 * mm
        q = marking.layout.versions[sheet.version].question(number)
        canv.setFont(BOLD, 9)
        canv.setFillColor(colors.black)
        canv.drawString(15 * mm, y, f"{sheet.label} · question {number} ({q.points} pt)")
        canv.drawImage(image, 15 * mm, y - h - 2 * mm, w, h)
        canv.setFont(REGULAR, 9)
        canv.drawString(130 * mm, y - 6 * mm, "expected:")
        canv.setFont(BOLD, 11)
        canv.drawString(130 * mm, y - 11 * mm, q.answer[:40])
        y -= h + 10 * mm
    canv.save()
    return buffer.getvalue()


def review_csv(marking: Marking, decisions: dict[str, str]) -> bytes:
    rows: list[list[object]] = [["sheet", "student", "what", "read", "why", "crop", "decision"]]
    by_key = {s.key: s for s in marking.sheets}
    for sheet in marking.sheets:
        for reading in sheet.pages.values():
            for what in sorted(reading.crops):
                decided = decisions.get(f"{sheet.key}/{what}")
                choice = (reading.questions.get(int(what[1:])) if what[0] == "q"
                          else reading.digits.get(int(what[1:])))
                assert choice is not None
                rows.append([sheet.key, by_key[sheet.key].label, _what(what), choice.describe(),
                             choice.why, f"{_crop_stem(sheet)}-{what}.png",
                             "undecided" if decided is None else decided or "no answer"])
    return _csv(rows)


def _what(what: str) -> str:
    return f"question {what[1:]}" if what[0] == "q" else f"digit {int(what[1:]) + 1} of the student number"


def _crop_stem(sheet: Sheet) -> str:
    return sheet.key.replace("@", "-").replace(":", "-").replace("/", "-")


def write_report(marking: Marking, stats: Sequence[ItemStats], out: Path,
                 decisions: dict[str, str]) -> list[Path]:
    """Write every file into ``out`` (created if missing), renamed into place together."""
    for folder in (out, out / "sheets", out / "review", out / "review" / "boxes"):
        folder.mkdir(parents=True, exist_ok=True)
    files: list[tuple[Path, bytes]] = [(out / "marks.csv", marks_csv(marking)),
                                       (out / "items.csv", items_csv(stats))]
    for sheet in marking.sheets:
        files.append((out / "sheets" / sheet_file(sheet), annotated(sheet, marking.layout)))
        for reading in sheet.pages.values():
            for what, png in reading.crops.items():
                files.append((out / "review" / f"{_crop_stem(sheet)}-{what}.png", png))
            for number, png in reading.boxes.items():
                files.append((out / "review" / "boxes" / f"{_crop_stem(sheet)}-q{number}.png", png))
    files.append((out / "review" / "review.csv", review_csv(marking, decisions)))
    boxes = boxes_pdf(marking)
    if boxes is not None:
        files.append((out / "review" / "boxes.pdf", boxes))
    write_owned(files, None)  # the record alone tells this command's files (see owned)
    return [path for path, _ in files]
