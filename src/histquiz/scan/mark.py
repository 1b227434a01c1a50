"""From a pile of scans to students and their answers: read every page, refuse what is not this
worksheet's, gather each student's pages, apply the teacher's review decisions, and score.

Pages of numbered copies (``--copies``, ``--roster``) are gathered by the copy number in their
code, whatever order they were scanned in. Pages of a photocopied master (copy 0) carry no
copy number, so each student's pages must be scanned together: a page joins the sheet being
gathered unless that sheet already has a page of its number, in either direction of scanning.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..export.worksheet.layout import Layout, Student
from .images import ScanPage
from .read import Choice, PageReading, Refused


@dataclass
class Sheet:
    """One student's worksheet: the pages found, the answers read, and the score."""

    key: str  # stable across runs: "A-7" for copy 7, "A@scan.pdf:3" for a photocopy
    version: str
    copy: int
    student: Student | None
    pages: dict[int, PageReading] = field(default_factory=dict)
    number: str = ""  # the student number, '?' for each digit in doubt
    answers: dict[int, str | None] = field(default_factory=dict)  # None: doubtful; "": blank
    missing: list[int] = field(default_factory=list)  # pages not scanned
    score: int = 0
    out_of: int = 0
    handwritten: int = 0  # points of write-in questions, marked by hand

    @property
    def name(self) -> str:
        return self.student.name if self.student is not None else ""

    @property
    def label(self) -> str:
        who = self.name or (f"student {self.number}" if self.number.strip("?") else "no student number")
        copy = f"copy {self.copy}" if self.copy else f"scan {self.key.split('@', 1)[-1]}"
        return f"{who} (version {self.version}, {copy})"

    @property
    def doubtful(self) -> list[int]:
        return [q for q, a in self.answers.items() if a is None]


@dataclass(frozen=True)
class Doubt:
    """A question (or a student-number digit) waiting for the teacher's decision."""

    sheet: str
    what: str  # "q5" or "d2"
    label: str  # for people: "question 5" or "digit 3 of the student number"
    choices: tuple[str, ...]
    read: str  # what was seen
    why: str
    crop: str  # the crop's file name in the review folder

    @property
    def key(self) -> str:
        return f"{self.sheet}/{self.what}"


@dataclass
class Marking:
    layout: Layout
    sheets: list[Sheet]
    refused: list[Refused]
    blank: list[str]
    doubts: list[Doubt]


Reader = Callable[[ScanPage], PageReading | Refused | None]


def gather(readings: Iterable[PageReading | Refused | None], layout: Layout,
           scan_pages: Iterable[ScanPage] = ()) -> tuple[list[Sheet], list[Refused]]:
    """Each student's pages, from the readings in scanning order (None: a blank page)."""
    sheets: dict[str, Sheet] = {}
    refused: list[Refused] = []
    open_photocopy: dict[str, Sheet] = {}
    for reading in readings:
        if reading is None or isinstance(reading, Refused):
            if isinstance(reading, Refused):
                refused.append(reading)
            continue
        code = reading.code
        if code.copy:
            key = f"{code.version}-{code.copy}"
            copy = layout.copy(code.copy)
            if copy is None or copy.version != code.version:
                refused.append(Refused(reading.where, f"copy {code.copy} of version {code.version} "
                                                      "was never printed from this layout"))
                continue
            sheet = sheets.setdefault(key, Sheet(key, code.version, code.copy, copy.student))
        else:
            sheet_or_none = open_photocopy.get(code.version)
            if sheet_or_none is None or code.page in sheet_or_none.pages:
                key = f"{code.version}@{reading.where.replace(' page ', ':')}"
                sheet_or_none = Sheet(key, code.version, 0, None)
                sheets[key] = sheet_or_none
                open_photocopy[code.version] = sheet_or_none
            sheet = sheet_or_none
        if code.page in sheet.pages:
            refused.append(Refused(reading.where, f"page {code.page} of {sheet.label} was "
                                                  f"scanned twice (also {sheet.pages[code.page].where}); "
                                                  "the first one is marked"))
            continue
        sheet.pages[code.page] = reading
    return list(sheets.values()), refused


def load_decisions(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the review decisions ({exc}); move it away to "
                         "review again") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise UsageError(f"{path}: not a file of review decisions; move it away to review again")
    return {str(k): v for k, v in data.items()}


def _crop_name(sheet: Sheet, what: str) -> str:
    safe = sheet.key.replace("@", "-").replace(":", "-").replace("/", "-")
    return f"{safe}-{what}.png"


def settle(sheets: Sequence[Sheet], layout: Layout, decisions: dict[str, str]) -> list[Doubt]:
    """Answers, student numbers and scores of every sheet, the teacher's decisions applied;
    returns what is still in doubt."""
    doubts: list[Doubt] = []
    for sheet in sheets:
        version = layout.versions[sheet.version]
        sheet.missing = [n for n in range(1, len(version.pages) + 1) if n not in sheet.pages]
        choices: dict[str, tuple[Choice, PageReading]] = {}
        for reading in sheet.pages.values():
            for number, choice in reading.questions.items():
                choices[f"q{number}"] = (choice, reading)
            for d, choice in reading.digits.items():
                choices[f"d{d}"] = (choice, reading)

        def value(what: str, label: str, doubts: list[Doubt] = doubts, sheet: Sheet = sheet,
                  choices: dict[str, tuple[Choice, PageReading]] = choices) -> str | None:
            if what not in choices:
                return None
            choice = choices[what][0]
            decided = decisions.get(f"{sheet.key}/{what}")
            if decided is not None:
                return decided
            answer = choice.answer
            if answer is None:
                doubts.append(Doubt(sheet.key, what, label, tuple(choice.labels), choice.describe(),
                                    choice.why, _crop_name(sheet, what)))
            return answer

        if sheet.student is not None:
            sheet.number = sheet.student.number
        elif layout.id_digits:
            read = [value(f"d{d}", f"digit {d + 1} of the student number")
                    for d in range(layout.id_digits)]
            sheet.number = "".join("?" if d is None else d or " " for d in read).strip()
        sheet.score = sheet.out_of = sheet.handwritten = 0
        for q in version.questions:
            if q.key is None:
                sheet.handwritten += q.points
                continue
            sheet.out_of += q.points
            answer = value(f"q{q.number}", f"question {q.number}")
            sheet.answers[q.number] = answer
            if answer == q.key:
                sheet.score += q.points
    return doubts


def mark(pages: Iterable[ScanPage], layout: Layout, reader: Reader, decisions: dict[str, str]
         ) -> Marking:
    """Read every page of the scans and settle every sheet."""
    blank: list[str] = []
    readings: list[PageReading | Refused | None] = []
    for page in pages:
        result = reader(page)
        if result is None:
            blank.append(page.where)
        readings.append(result)
    sheets, refused = gather(readings, layout)
    doubts = settle(sheets, layout, decisions)
    sheets.sort(key=lambda s: (s.copy == 0, s.copy, s.version, s.key))
    return Marking(layout, sheets, refused, blank, doubts)
