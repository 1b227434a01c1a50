"""The scan layout: what a machine needs to read a printed worksheet back, with no PDF at hand.

``histquiz worksheet --scan`` writes FILE-layout.json beside the PDF. For every version and
page it holds each bubble's centre, radius and meaning (question and option, or a digit of the
student number), each write-in box with its expected answer, and the key; plus where the corner
marks and the page code sit, and the numbered copies (with the roster's names, if any). Every
length is in millimetres from the top-left corner of the page. ``histquiz mark`` reads only
this file and the scans.

This module is light (no reportlab, no numpy): the worksheet writes it, the marker reads it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import UsageError

FORMAT = "histquiz-scan-layout"
FORMAT_VERSION = 1
CODE_PREFIX = "HQ1"  # the page code: HQ1/SHEET/VERSION/PAGE/COPY
_CODE = re.compile(r"^HQ1/([0-9A-F]{6})/([A-Z])/([1-9]\d{0,2})/(\d{1,4})$")


@dataclass(frozen=True)
class Student:
    """A roster entry: one named sheet is printed for each."""

    name: str
    number: str = ""
    group: str = ""  # the class, as the roster names it


@dataclass(frozen=True)
class PageCode:
    """What the code on a page says: the worksheet, the version, the page (from 1) within the
    version, and the copy (0 for a master meant to be photocopied)."""

    sheet: str
    version: str
    page: int
    copy: int

    def text(self) -> str:
        return f"{CODE_PREFIX}/{self.sheet}/{self.version}/{self.page}/{self.copy}"

    @staticmethod
    def parse(text: str) -> PageCode | None:
        match = _CODE.match(text.strip())
        if match is None:
            return None
        return PageCode(match.group(1), match.group(2), int(match.group(3)), int(match.group(4)))


@dataclass(frozen=True)
class Bubble:
    """A bubble's centre and radius (mm from the top-left) and meaning: option ``option`` of
    question ``question``, or value ``value`` of digit ``digit`` of the student number."""

    x: float
    y: float
    r: float
    question: int = 0
    option: str = ""
    digit: int = -1
    value: int = -1

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"x": self.x, "y": self.y, "r": self.r}
        if self.digit >= 0:
            data.update(digit=self.digit, value=self.value)
        else:
            data.update(question=self.question, option=self.option)
        return data


@dataclass(frozen=True)
class Box:
    """A write-in area (date boxes, or any answer written by hand): mm from the top-left."""

    question: int
    x: float
    y: float
    w: float
    h: float

    def to_json(self) -> dict[str, Any]:
        return {"question": self.question, "x": self.x, "y": self.y, "w": self.w, "h": self.h}


@dataclass(frozen=True)
class Page:
    number: int  # from 1, within the version
    bubbles: tuple[Bubble, ...]
    boxes: tuple[Box, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"page": self.number, "bubbles": [b.to_json() for b in self.bubbles],
                "boxes": [b.to_json() for b in self.boxes]}


@dataclass(frozen=True)
class Question:
    """A question as one version prints it. ``options`` in printed order, ``key`` the right
    letter (None for a write-in, whose ``answer`` is marked by hand)."""

    number: int
    item: str
    kind: str
    text: str
    options: tuple[str, ...]
    key: str | None
    answer: str
    points: int

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "item": self.item, "kind": self.kind, "text": self.text,
                "options": list(self.options), "key": self.key, "answer": self.answer,
                "points": self.points}


@dataclass(frozen=True)
class VersionLayout:
    letter: str
    pages: tuple[Page, ...]
    questions: tuple[Question, ...]

    def question(self, number: int) -> Question:
        return self.questions[number - 1]


@dataclass(frozen=True)
class Copy:
    """A printed copy: its number (0 for a master to photocopy), version and roster entry."""

    number: int
    version: str
    student: Student | None = None


@dataclass(frozen=True)
class Layout:
    sheet: str
    title: str
    paper: str
    page_size: tuple[float, float]  # mm
    marks: tuple[tuple[float, float], ...]  # the marks' centres: TL, TR, BR, BL, mid-left, mid-right
    mark_size: float
    code_size: float
    code_places: tuple[tuple[float, float], ...]  # the top-left corner of each page code
    id_digits: int  # 0 when the sheets carry no student-number grid (a roster)
    versions: dict[str, VersionLayout]
    copies: tuple[Copy, ...]
    source: str = ""  # where it was read from, for messages
    extra: dict[str, Any] = field(default_factory=dict)

    def page(self, code: PageCode) -> Page | None:
        version = self.versions.get(code.version)
        if version is None or not 1 <= code.page <= len(version.pages):
            return None
        return version.pages[code.page - 1]

    def copy(self, number: int) -> Copy | None:
        for c in self.copies:
            if c.number == number:
                return c
        return None

    def to_json(self) -> str:
        data = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "sheet": self.sheet, "title": self.title, "paper": self.paper,
            "units": "mm from the top-left corner of the page",
            "page_size": list(self.page_size),
            "corner_marks": {"size": self.mark_size, "centres": [list(m) for m in self.marks]},
            "page_code": {"size": self.code_size, "places": [list(p) for p in self.code_places]},
            "id_digits": self.id_digits,
            "copies": [{"copy": c.number, "version": c.version,
                        **({"name": c.student.name, "number": c.student.number,
                            "class": c.student.group} if c.student else {})}
                       for c in self.copies],
            "versions": {
                letter: {"pages": [p.to_json() for p in v.pages],
                         "questions": [q.to_json() for q in v.questions]}
                for letter, v in self.versions.items()
            },
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def mm(points: float) -> float:
    """Points to millimetres, rounded to a hundredth (a hundredth of a millimetre is far below
    what a scan resolves, and keeps the file readable)."""
    return round(points * 25.4 / 72, 2)


def sheet_code(parts: Sequence[object]) -> str:
    """A short code naming one worksheet: six hex digits hashed from everything that shapes
    its pages (so a reprint of the same worksheet keeps its code, and another one differs)."""
    text = json.dumps([str(p) for p in parts], ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=3).hexdigest().upper()


# --- reading ---------------------------------------------------------------------------------


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, what: str) -> UsageError:
        return UsageError(f"{self.path}: {what}; give the -layout.json file that "
                          "'histquiz worksheet --scan' wrote beside the PDF")

    def get(self, data: Any, key: str, kind: type | tuple[type, ...], where: str = "") -> Any:
        if not isinstance(data, dict) or key not in data:
            raise self.fail(f"'{key}' is missing{where}")
        value = data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.fail(f"'{key}'{where} has the wrong type")
        return value


def _num(reader: _Reader, data: Any, key: str, where: str) -> float:
    return float(reader.get(data, key, (int, float), where))


def read_layout(path: str | os.PathLike[str]) -> Layout:
    """Read a layout file; any problem is one line naming the file."""
    path = Path(path)
    reader = _Reader(str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such layout file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: this is a folder; give the -layout.json file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the layout file ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise reader.fail("this is not a histquiz scan layout")
    if data.get("format_version") != FORMAT_VERSION:
        raise UsageError(f"{path}: layout format version {data.get('format_version')} is not "
                         f"{FORMAT_VERSION}; mark it with the histquiz that printed the worksheet")
    get = reader.get
    size = get(data, "page_size", list)
    marks = get(data, "corner_marks", dict)
    centres = get(marks, "centres", list, " in corner_marks")
    code = get(data, "page_code", dict)
    if len(size) != 2 or len(centres) < 2:
        raise reader.fail("the page size or the corner marks are malformed")
    versions: dict[str, VersionLayout] = {}
    for letter, v in get(data, "versions", dict).items():
        where = f" in version {letter}"
        pages = []
        for p in get(v, "pages", list, where):
            bubbles = []
            for b in get(p, "bubbles", list, where):
                if "digit" in b:
                    bubbles.append(Bubble(_num(reader, b, "x", where), _num(reader, b, "y", where),
                                          _num(reader, b, "r", where),
                                          digit=int(get(b, "digit", int, where)),
                                          value=int(get(b, "value", int, where))))
                else:
                    bubbles.append(Bubble(_num(reader, b, "x", where), _num(reader, b, "y", where),
                                          _num(reader, b, "r", where),
                                          question=int(get(b, "question", int, where)),
                                          option=str(get(b, "option", str, where))))
            boxes = tuple(Box(int(get(b, "question", int, where)), _num(reader, b, "x", where),
                              _num(reader, b, "y", where), _num(reader, b, "w", where),
                              _num(reader, b, "h", where)) for b in get(p, "boxes", list, where))
            pages.append(Page(int(get(p, "page", int, where)), tuple(bubbles), boxes))
        questions = []
        for q in get(v, "questions", list, where):
            key = q.get("key") if isinstance(q, dict) else None
            if key is not None and not isinstance(key, str):
                raise reader.fail(f"a key{where} is not a letter")
            questions.append(Question(
                int(get(q, "number", int, where)), str(get(q, "item", str, where)),
                str(get(q, "kind", str, where)), str(get(q, "text", str, where)),
                tuple(str(o) for o in get(q, "options", list, where)), key,
                str(get(q, "answer", str, where)), int(get(q, "points", int, where))))
        if [q.number for q in questions] != list(range(1, len(questions) + 1)):
            raise reader.fail(f"the questions{where} are not numbered 1, 2, 3, …")
        versions[str(letter)] = VersionLayout(str(letter), tuple(pages), tuple(questions))
    copies = []
    for c in get(data, "copies", list):
        student = None
        if "name" in c:
            student = Student(str(c["name"]), str(c.get("number", "")), str(c.get("class", "")))
        copies.append(Copy(int(get(c, "copy", int)), str(get(c, "version", str)), student))
    return Layout(
        sheet=str(get(data, "sheet", str)), title=str(get(data, "title", str)),
        paper=str(get(data, "paper", str)), page_size=(float(size[0]), float(size[1])),
        marks=tuple((float(m[0]), float(m[1])) for m in centres),
        mark_size=_num(reader, marks, "size", " in corner_marks"),
        code_size=_num(reader, code, "size", " in page_code"),
        code_places=tuple((float(p[0]), float(p[1])) for p in get(code, "places", list, " in page_code")),
        id_digits=int(get(data, "id_digits", int)), versions=versions, copies=tuple(copies),
        source=str(path),
    )


# --- the roster ------------------------------------------------------------------------------

_NAME_COLUMNS = ("name", "student", "student name")
_NUMBER_COLUMNS = ("number", "id", "student number", "roll", "roll number", "roll no")
_CLASS_COLUMNS = ("class", "group", "section")


def read_roster(path: str | os.PathLike[str]) -> tuple[Student, ...]:
    """A class list: a CSV file whose first row names the columns, one of them ``name`` (and
    optionally ``number`` and ``class``). Problems name the file and the line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the roster ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: the roster is not UTF-8 text; save it as CSV UTF-8") from None
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    numbered = [(n, r) for n, r in enumerate(csv.reader(io.StringIO(text), dialect), start=1)
                if any(cell.strip() for cell in r)]
    rows = [r for _, r in numbered]
    if not rows:
        raise UsageError(f"{path}: the roster is empty; list one student per line under a "
                         "'name' heading")
    heading = [cell.strip().lower() for cell in rows[0]]

    def column(names: Sequence[str]) -> int | None:
        return next((heading.index(n) for n in names if n in heading), None)

    name_col = column(_NAME_COLUMNS)
    if name_col is None:
        raise UsageError(f"{path}:{numbered[0][0]}: the first line must name the columns, one of them 'name' "
                         f"(found: {', '.join(rows[0])})")
    number_col, class_col = column(_NUMBER_COLUMNS), column(_CLASS_COLUMNS)
    students = []
    seen: dict[str, int] = {}
    for line, row in numbered[1:]:
        def cell(col: int | None, r: list[str] = row) -> str:
            return r[col].strip() if col is not None and col < len(r) else ""

        name = " ".join(cell(name_col).split())
        if not name:
            raise UsageError(f"{path}:{line}: this student has no name")
        number = cell(number_col)
        if number:
            if number in seen:
                raise UsageError(f"{path}:{line}: student number {number} is also on line "
                                 f"{seen[number]}")
            seen[number] = line
        students.append(Student(name, number, cell(class_col)))
    if not students:
        raise UsageError(f"{path}: the roster lists no students under its heading")
    return tuple(students)
