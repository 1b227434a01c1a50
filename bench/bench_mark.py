"""Time `histquiz mark` on a simulated class: 30 students, two versions, 3 pages each.

Run by hand:  python bench/bench_mark.py [--students 30] [--questions 18]

The worksheet is printed with --scan --copies N, filled in and scanned in simulation
(tests/scansim.py: rotation, scale, shift, blur, noise, JPEG, 150-300 dpi) into a folder, then
marked in this process exactly as the command does (reading every page, the item analysis,
annotated sheets, crops). Only the marking is timed; the goal is under 30 s for the class.
It also reports how the bubbles were read against what the students meant.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import cv2
import numpy as np
import scansim

from histquiz import generate, load_decks
from histquiz.cli import main as cli
from histquiz.export.worksheet.layout import read_layout
from histquiz.export.worksheet.pdf import write_worksheet
from histquiz.export.worksheet.plan import WorksheetOptions, layout_path, pick_questions
from histquiz.scan.images import ScanPage
from histquiz.scan.read import Mark, PageReading, page_reader


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--questions", type=int, default=18)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        items = [i for i in generate(load_decks(), args.seed) if i.kind == "choice"]
        items = pick_questions(items, args.questions, random.Random(args.seed))
        pdf = folder / "class.pdf"
        result = write_worksheet(items, pdf, WorksheetOptions(versions=2, seed=args.seed, scan=True,
                                                              copies=args.students, answer_key="none"))
        layout = read_layout(layout_path(pdf))
        start = time.perf_counter()
        scans = scansim.simulate_class(pdf, layout, seed=args.seed)
        scansim.write_scans(scans.scans, folder / "scans")
        simulated = time.perf_counter() - start
        start = time.perf_counter()
        code = cli(["mark", str(folder / "scans"), "--layout", str(layout_path(pdf)), "-o",
                    str(folder / "out")])
        marked = time.perf_counter() - start
        assert code == 0
        reader = page_reader(layout)
        right = doubtful = wrong = 0
        for scan in scans.scans:
            image = cv2.imdecode(np.frombuffer(scan.data, np.uint8), cv2.IMREAD_GRAYSCALE)
            reading = reader(ScanPage(scan.name, 1, image))
            assert isinstance(reading, PageReading) and reading.code == scan.code
            for mark, meant in zip(reading.marks, scan.truth, strict=True):
                if mark is Mark.DOUBTFUL:
                    doubtful += 1
                elif (mark is Mark.FILLED) == meant:
                    right += 1
                else:
                    wrong += 1
    pages = len(scans.scans)
    print(f"{args.students} students, 2 versions of {result.version_pages} pages: {pages} scans "
          f"(simulated in {simulated:.1f} s)")
    print(f"  histquiz mark: {marked:.1f} s ({marked / pages * 1000:.0f} ms a page); goal under 30 s")
    total = right + doubtful + wrong
    print(f"  bubbles: {total}, read right {right} ({right / total:.2%}), doubtful {doubtful}, "
          f"wrong {wrong}")


if __name__ == "__main__":
    main()
