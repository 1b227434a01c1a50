"""Time a 500-question worksheet against a bare reportlab platypus script laying out the same text.

Run by hand:  python bench/bench_worksheet.py [--questions 500] [--runs 3]

Both sides lay out the same words in the same embedded font (DejaVu Sans): the stems, every
option and the answer key, one version. The worksheet adds what a teacher needs: the first
page, bubbles, kept-together questions, headers, "Page x of y" and the font check. Each side is
warmed up once, then timed --runs times in turn; the best times are compared. The acceptance
limit is 2x.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from synth import write_deck

from histquiz import Item, generate, load_decks
from histquiz.export.worksheet.pdf import write_worksheet
from histquiz.export.worksheet.plan import WorksheetOptions, pick_questions


def questions(folder: Path, count: int) -> list[Item]:
    facts = count // 2 + 50
    while True:
        decks = load_decks([write_deck(folder, facts, seed=1, deck_id="bench")])
        items = pick_questions(generate(decks, 1), count, random.Random(1))
        if len(items) >= count:
            return items
        facts *= 2


def bare_platypus(items: Sequence[Item], path: Path) -> int:
    """The floor: one paragraph per stem, per option and per key line, nothing else."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from histquiz.export.worksheet.fonts import BOLD, REGULAR, register_fonts

    register_fonts()
    stem = ParagraphStyle("stem", fontName=REGULAR, fontSize=10.5, leading=13.5)
    option = ParagraphStyle("option", fontName=REGULAR, fontSize=10, leading=12.5, leftIndent=20)
    story = [Paragraph("Worksheet", ParagraphStyle("t", fontName=BOLD, fontSize=19, leading=23))]
    for n, item in enumerate(items, start=1):
        story.append(Paragraph(f"{n}. {escape(item.question)}", stem))
        story.extend(Paragraph(f"{chr(65 + i)}  {escape(o)}", option) for i, o in enumerate(item.options))
    for n, item in enumerate(items, start=1):
        letter = chr(65 + item.answer_index) if item.answer_index is not None else "write-in"
        story.append(Paragraph(f"{n}. {letter} {escape(item.answer)} 1", stem))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4)
    doc.build(story)
    path.write_bytes(buffer.getvalue())
    return int(doc.page)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        items = questions(folder, args.questions)
        options = WorksheetOptions(title="Benchmark", answer_key="append", seed=1)

        def worksheet() -> int:
            return write_worksheet(items, folder / "w.pdf", options).pages

        def bare() -> int:
            return bare_platypus(items, folder / "bare.pdf")

        pages = {"worksheet": worksheet(), "bare platypus": bare()}  # warm-up: imports, fonts
        best = {"worksheet": float("inf"), "bare platypus": float("inf")}
        for _ in range(args.runs):
            for name, run in (("worksheet", worksheet), ("bare platypus", bare)):
                start = time.perf_counter()
                run()
                best[name] = min(best[name], time.perf_counter() - start)
    print(f"{len(items)} questions, best of {args.runs} runs each")
    for name in best:
        print(f"  {name:<14} {best[name]:6.2f} s  {pages[name]:>4} pages")
    ratio = best["worksheet"] / best["bare platypus"]
    print(f"worksheet / bare platypus: {ratio:.2f}x (limit 2x)")


if __name__ == "__main__":
    main()
