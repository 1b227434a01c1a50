"""Marking scanned worksheets, tested on a simulated classroom (tests/scansim.py): worksheets
printed with --scan, filled in as students fill them, printed and scanned in simulation, then
read back. The acceptance figures: over 2,000 bubbles, at least 99.5% read right and every
other one doubtful, none wrong; every page identified or refused, never mistaken; an item
whose key is wrong is flagged by the item analysis."""

from __future__ import annotations

import csv
import io
import random
import sys
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("cv2")
pytest.importorskip("zxingcpp")
pytest.importorskip("pypdfium2")

import cv2
import numpy as np
import scansim

from histquiz import Deck, generate
from histquiz.cli import main
from histquiz.errors import UsageError
from histquiz.export.worksheet.layout import (
    Layout,
    PageCode,
    read_layout,
    read_roster,
)
from histquiz.export.worksheet.pdf import write_worksheet
from histquiz.export.worksheet.plan import WorksheetOptions, layout_path, pick_questions
from histquiz.scan.analysis import analyse
from histquiz.scan.images import ScanPage
from histquiz.scan.mark import Doubt, gather, settle
from histquiz.scan.read import Mark, PageReading, Refused, page_reader
from histquiz.scan.report import write_report
from histquiz.scan.review import walk

STUDENTS = 20


def choice_items(decks: list[Deck], count: int, seed: int) -> list:  # type: ignore[type-arg]
    items = [i for i in generate(decks, seed) if i.kind == "choice" and not i.ordered]
    return pick_questions(items, count, random.Random(seed))


def wrong_key(item):  # type: ignore[no-untyped-def]
    """The item as a deck with a mistake would make it: a distractor given as the answer."""
    wrong = (item.answer_index + 1) % len(item.options)
    return replace(item, answer=item.options[wrong], answer_index=wrong)


@pytest.fixture(scope="module")
def classroom(builtin_decks: list[Deck], tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("class")
    items = choice_items(builtin_decks, 12, seed=21)
    bad = items[3]
    printed = [wrong_key(i) if i is bad else i for i in items]
    pdf = folder / "test.pdf"
    write_worksheet(printed, pdf, WorksheetOptions(versions=2, seed=21, scan=True,
                                                   copies=STUDENTS, answer_key="none"))
    layout = read_layout(layout_path(pdf))
    scans = scansim.simulate_class(pdf, layout, seed=21, truth_key={bad.id: bad.answer},
                                   difficulty={bad.id: -1.5})
    reader = page_reader(layout)
    readings = []
    for scan in scans.scans:
        image = cv2.imdecode(np.frombuffer(scan.data, np.uint8), cv2.IMREAD_GRAYSCALE)
        readings.append((scan, reader(ScanPage(scan.name, 1, image))))
    return layout, scans, readings, bad, pdf


def test_bubbles_read_right_or_doubtful_never_wrong(classroom) -> None:  # type: ignore[no-untyped-def]
    _, _, readings, _, _ = classroom
    right = doubtful = 0
    wrong: list[str] = []
    for scan, reading in readings:
        assert isinstance(reading, PageReading), (scan.name, reading, scan.settings)
        assert reading.code == scan.code, "a page was mistaken for another"
        for mark, meant, kind in zip(reading.marks, scan.truth, scan.kinds, strict=True):
            if mark is Mark.DOUBTFUL:
                doubtful += 1
            elif (mark is Mark.FILLED) == meant:
                right += 1
            else:
                wrong.append(f"{scan.name}: a {kind or 'blank'} bubble read as {mark.value}")
    total = right + doubtful + len(wrong)
    assert total > 2000
    assert not wrong, wrong
    assert right / total >= 0.995, (right, doubtful, total)
    kinds = {k for scan, _ in readings for k in scan.kinds}
    assert {"dark", "light", "tick", "cross", "erased"} <= kinds, "the class should mark in every way"


def test_class_marks_and_the_wrong_key_is_flagged(classroom, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    layout, scans, readings, bad, _ = classroom
    sheets, refused = gather([r for _, r in readings], layout)
    assert not refused and len(sheets) == STUDENTS
    settle(sheets, layout, {})
    for sheet in sheets:  # the student number read from the grid, and every answer
        pupil = scans.pupils[sheet.copy]
        assert sheet.number.replace("?", "") in pupil.number.replace("?", "") or "?" in sheet.number
        for number, answer in sheet.answers.items():
            assert answer is None or answer == (scans.answers[sheet.copy].get(number) or "")
    stats = analyse(sheets, layout)
    flagged = {s.item for s in stats if s.flags}
    assert bad.id in flagged
    by_item = {s.item: s for s in stats}
    # it stands out: the fewest chose its printed key, and those who did were not the strongest
    # (with nobody choosing it, there is no discrimination to compute)
    assert min(stats, key=lambda s: s.difficulty or 0.0).item == bad.id
    worst = by_item[bad.id].discrimination
    assert worst is None or worst < 0
    write_report(sheets and _marking(layout, sheets), stats, tmp_path, {})
    rows = list(csv.DictReader(io.StringIO((tmp_path / "marks.csv").read_text(encoding="utf-8"))))
    assert len(rows) == STUDENTS and {r["version"] for r in rows} == {"A", "B"}
    items = {r["item"]: r for r in csv.DictReader(io.StringIO((tmp_path / "items.csv").read_text()))}
    assert "distractor" in items[bad.id]["flags"] or "negative" in items[bad.id]["flags"]
    assert len(list((tmp_path / "sheets").glob("*.pdf"))) == STUDENTS


def _marking(layout: Layout, sheets):  # type: ignore[no-untyped-def]
    from histquiz.scan.mark import Marking

    return Marking(layout, sheets, [], [], [])


def test_foreign_blank_and_unreadable_pages_are_refused(classroom, builtin_decks: list[Deck],
                                                        tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    layout, scans, _, _, _ = classroom
    other_pdf = tmp_path / "other.pdf"
    write_worksheet(choice_items(builtin_decks, 6, seed=5), other_pdf,
                    WorksheetOptions(scan=True, copies=1, answer_key="none", seed=5))
    other = read_layout(layout_path(other_pdf))
    foreign = scansim.simulate_class(other_pdf, other, seed=5).scans
    reader = page_reader(layout)
    for scan in foreign:
        image = cv2.imdecode(np.frombuffer(scan.data, np.uint8), cv2.IMREAD_GRAYSCALE)
        result = reader(ScanPage(scan.name, 1, image))
        assert isinstance(result, Refused) and "from another worksheet" in result.reason
    blank = np.full((1754, 1240), 240, np.uint8)
    assert reader(ScanPage("blank.png", 1, blank)) is None
    # both page codes torn off: the page is straightened, but nobody can say which it is
    image = cv2.imdecode(np.frombuffer(scans.scans[0].data, np.uint8), cv2.IMREAD_GRAYSCALE)
    h = image.shape[0]
    image[int(h * 0.9):, :] = 235
    result = reader(ScanPage("torn.png", 1, image))
    assert isinstance(result, Refused) and "code" in result.reason


def test_cli_marks_a_folder_and_says_what_it_left_out(classroom, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    _, scans, _, _, pdf = classroom
    chosen = [s for s in scans.scans if s.code is not None and s.code.copy in (1, 2)]
    folder = tmp_path / "scans"
    scansim.write_scans(chosen, folder)
    (folder / "notes.png").write_bytes(b"not an image")
    assert main(["mark", str(folder), "--layout", str(layout_path(pdf)), "-o",
                 str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "notes.png" in err[0] and "cannot read" in err[0]
    (folder / "notes.png").unlink()
    assert main(["mark", str(folder), "--layout", str(layout_path(pdf)), "-o",
                 str(tmp_path / "out")]) == 0
    said = capsys.readouterr().out
    assert "marked 2 students" in said
    rows = list(csv.reader((tmp_path / "out" / "marks.csv").open(encoding="utf-8")))
    assert len(rows) == 3
    assert sorted(p.name.split("-")[1] for p in (tmp_path / "out" / "sheets").glob("*.pdf")) == ["001", "002"]
    # a second run replaces the files it wrote, but not a file of the user's in their place
    again = ["mark", str(folder), "--layout", str(layout_path(pdf)), "-o", str(tmp_path / "out")]
    assert main(again) == 0
    mine = tmp_path / "out" / "items.csv"
    mine.unlink()
    mine.write_bytes(b"my own item analysis\n")
    capsys.readouterr()
    assert main(again) == 1
    assert mine.read_bytes() == b"my own item analysis\n"
    assert "items.csv: this file was changed since histquiz wrote it" in capsys.readouterr().err


def test_mark_without_the_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "cv2", None)
    assert main(["mark", "scan.pdf", "--layout", "x-layout.json"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install 'histquiz[scan]'" in err[0] and "opencv" in err[0]


def _reading(where: str, code: PageCode) -> PageReading:
    return PageReading(where, code, [], {}, {})


def test_photocopied_pages_are_gathered_in_scanning_order_either_way(classroom) -> None:  # type: ignore[no-untyped-def]
    layout = classroom[0]
    master = replace(layout, copies=(*layout.copies,))
    pages = len(layout.versions["A"].pages)
    assert pages >= 2
    forwards = list(range(1, pages + 1))
    order = [*forwards, *forwards, *reversed(forwards)]  # two students forwards, one backwards
    readings = [_reading(f"s.pdf page {n}", PageCode(layout.sheet, "A", p, 0))
                for n, p in enumerate(order, start=1)]
    sheets, refused = gather(readings, master)
    assert not refused
    assert [sorted(s.pages) for s in sheets] == [forwards] * 3


def test_review_decisions_settle_the_doubts(classroom) -> None:  # type: ignore[no-untyped-def]
    layout, _, readings, _, _ = classroom
    sheets, _ = gather([r for _, r in readings], layout)
    doubts = settle(sheets, layout, {})
    if not doubts:  # make one: a question read as two filled bubbles
        sheet = sheets[0]
        reading = next(iter(sheet.pages.values()))
        choice = next(iter(reading.questions.values()))
        choice.marks = [Mark.DOUBTFUL] * len(choice.marks)
        doubts = settle(sheets, layout, {})
    asked: list[Doubt] = []

    def ask(doubt: Doubt, crop: Path, place: str) -> str | None:
        asked.append(doubt)
        return doubt.choices[0]

    decisions: dict[str, str] = {}
    assert walk(doubts, Path("review"), decisions, ask) == len(doubts)
    assert asked == doubts
    assert settle(sheets, layout, decisions) == []


def test_roster_prints_one_named_sheet_per_student(builtin_decks: list[Deck], tmp_path: Path) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text("Name,Number,Class\nAsha Rao,101,9B\nIvan Petrov,102,9B\nМария Иванова,103,9B\n",
                      encoding="utf-8")
    students = read_roster(roster)
    pdf = tmp_path / "r.pdf"
    result = write_worksheet(choice_items(builtin_decks, 4, seed=2), pdf,
                             WorksheetOptions(versions=2, scan=True, roster=students, answer_key="none"))
    layout = read_layout(layout_path(pdf))
    assert result.copies == 3 and layout.id_digits == 0
    assert [(c.number, c.version, c.student.name if c.student else "") for c in layout.copies] == [
        (1, "A", "Asha Rao"), (2, "B", "Ivan Petrov"), (3, "A", "Мария Иванова")]
    assert not any(b.digit >= 0 for v in layout.versions.values() for p in v.pages for b in p.bubbles)


@pytest.mark.parametrize("text,message", [
    pytest.param("Number\n1\n", "must name the columns", id="no-name"),
    pytest.param("name,number\nA,1\nB,1\n", "also on line 2", id="duplicate"),
    pytest.param("name\n\n", "no students", id="empty"),
])
def test_bad_roster_is_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "class.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=message) as info:
        read_roster(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)


def test_items_stats_shows_the_flagged_items_first(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "items.csv"
    path.write_text(
        "item,question,answer,students,right,difficulty,discrimination,upper-lower,blank,flags,"
        "option 1,chosen 1,option 2,chosen 2\n"
        "d/a/t,Fine?,Yes,20,15,0.75,0.40,0.50,0,,Yes,15,No,5\n"
        "d/b/t,Odd?,Yes,20,4,0.20,-0.30,-0.40,0,negative discrimination (-0.30),Yes,4,No,16\n",
        encoding="utf-8")
    assert main(["items", "--decks", str(Path(__file__).parent / "data" / "good"), "--stats",
                 str(path)]) == 0
    out = capsys.readouterr().out
    assert out.index("d/b/t") < out.index("d/a/t")
    assert "CHECK: negative discrimination (-0.30)" in out and "*  15  Yes" in out
