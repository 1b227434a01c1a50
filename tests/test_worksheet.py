"""Worksheet PDFs read back as a teacher's printout would be: the text of every page (pdftotext
-layout), its fonts (pdffonts) and its metadata (pypdf). For each version the printed numbers,
options, event rows and page footers are parsed from the PDF, and the key is checked against
them. (test_worksheet_rows.py checks order and match questions in depth.)"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pypdf import PdfReader
from synth import write_deck

from histquiz import Deck, ExportError, HistquizError, Item, generate, load_decks
from histquiz.cli import main
from histquiz.dates import DateSpan
from histquiz.export.worksheet.pdf import write_worksheet
from histquiz.export.worksheet.plan import (
    WorksheetOptions,
    answers_path,
    pick_questions,
    plan_versions,
    subtitle_for,
)

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
                                reason="needs poppler-utils (pdftotext, pdffonts)")

GOOD = Path(__file__).parent / "data" / "good"

# A teacher's own deck: Cyrillic names as answers and options, accents, typographic quotes and
# dashes, and markup characters that must print literally.
TEACHER_DECK = """\
deck:
  id: teacher
  title: "Visits — Хрущёв & <others>"
  description: A teacher's own deck with names in Russian.
sources:
  t-src:
    title: "Notes on “visits” & <tours>"
    publisher: Class 9B
    date: 2020
pools:
  person.ru: ["Никита Хрущёв", "Леонид Брежнев", "Алексей Косыгин", "Михаил Горбачёв",
              "Николай Булганин"]
facts:
  - id: tour
    statement: "Хрущёв and Bulganin toured India — “a triumph” for Moscow."
    event: "Хрущёв tours India with Bulganin"
    when: did Хрущёв tour India with Bulganin
    date: 1955-11
    topic: visits
    sources: [t-src]
    explanation: "They came by air & left by sea <sic>."
    questions:
      - id: who
        ask: "Who toured India with Bulganin in 1955 — “the B & K show”?"
        answer: "Никита Хрущёв"
        kind: person.ru
  - id: sign
    statement: "Brezhnev signed the Delhi accords in São Paulo’s café <not really>."
    event: "Brezhnev signs accords at the Café Ñandú"
    when: did Brezhnev sign the accords at the café
    date: 1973-11-29
    topic: visits
    sources: [t-src]
    explanation: "A <b>made-up</b> fact: 5 < 6 & 7 > 3."
    questions:
      - id: who
        ask: "Who signed at the Café Ñandú — AT&T’s <b>sponsor</b>?"
        answer: "Леонид Брежнев"
        kind: person.ru
  - id: fly
    statement: Gorbachev flew to Delhi.
    event: "Горбачёв flies to Delhi"
    when: did Горбачёв fly to Delhi for the declaration
    date: 1986-11
    topic: visits
    sources: [t-src]
    explanation: Zürich was not on the way.
"""


# --- reading the PDF back ------------------------------------------------------------------


def pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass
class Printed:
    number: int
    page: int
    stem: str
    points: int
    options: list[tuple[str, str]] = field(default_factory=list)  # (letter, text)
    fields: list[str] = field(default_factory=list)  # date boxes: day, month, year
    # a match question: its years, (letter, year), and its event rows, (number, text); an
    # order question's rows are lettered, so they read as ``options``
    targets: list[tuple[str, str]] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)

    @property
    def texts(self) -> frozenset[str]:
        """What the question offers: its options, or the events of a match question's rows."""
        return frozenset(norm(t) for _, t in (self.options or self.rows))


@dataclass
class PrintedVersion:
    letter: str
    pages: list[int] = field(default_factory=list)  # page indexes in the file (0-based)
    footers: list[tuple[int, int]] = field(default_factory=list)
    questions: list[Printed] = field(default_factory=list)
    splits: list[str] = field(default_factory=list)  # question parts found on the wrong page


@dataclass
class KeyRow:
    number: int
    letter: str  # a choice's letter, "write-in", or the boxes of an order or match question
    text: str
    points: int


QUESTION = re.compile(r"^\s*(\d+)\.\s+(\S.*?)(?:\s{2,}(\d+) pts?)?\s*$")
OPTION = re.compile(r"(?:^|\s{2,})([A-E])\s{2,}(\S.*?)(?=\s{2,}[A-E]\s{2,}|\s*$)")
FIELDS = re.compile(r"^\s*((?:day|month|year|answer)(?:\s+(?:day|month|year))*)\s*$")
FOOTER = re.compile(r"^\s*Page (\d+) of (\d+)\s*$")
HEADER = re.compile(r"^(.*?)\s{2,}(Version [A-Z]|Answer key · version [A-Z]|Study page)\s*$")
KEY_ROW = re.compile(r"^\s*(\d+)\.\s+([A-E]|write-in|(?:[1-9A-E] ?){2,5})\s+(\S.*?)\s{2,}(\d+)\s*$")
TARGETS = re.compile(r"^\s*(?:[A-E] \S+\s*)+$")  # a match question's years: A 1954   B 1961
MATCH_ROW = re.compile(r"^\s*(\d)\s{2,}(\S.*?)\s*$")


def page_header(page: str) -> tuple[str, str] | None:
    for line in page.splitlines():
        if line.strip():
            match = HEADER.match(line.strip())
            return (match.group(1), match.group(2)) if match else None
    return None


def page_footer(page: str) -> tuple[int, int] | None:
    for line in reversed(page.splitlines()):
        if line.strip():
            match = FOOTER.match(line)
            return (int(match.group(1)), int(match.group(2))) if match else None
    return None


def parse_versions(pages: Sequence[str]) -> dict[str, PrintedVersion]:
    versions: dict[str, PrintedVersion] = {}
    for index, page in enumerate(pages):
        header = page_header(page)
        if header is None or not header[1].startswith("Version "):
            continue
        letter = header[1].split()[-1]
        version = versions.setdefault(letter, PrintedVersion(letter))
        version.pages.append(index)
        footer = page_footer(page)
        assert footer is not None, f"page {index + 1} has no 'Page x of y'"
        version.footers.append(footer)
        current: Printed | None = None
        lines = page.splitlines()
        body = [line for line in lines if line.strip()][1:-1]  # without header and footer
        for line in body:
            if re.match(r"^\s*Part \d+: ", line):
                current = None
                continue
            question = QUESTION.match(line)
            if question and question.group(3):
                current = Printed(int(question.group(1)), index, question.group(2),
                                  int(question.group(3)))
                version.questions.append(current)
                continue
            options = OPTION.findall(line)
            fields = FIELDS.match(line)
            if current is None:
                if options or fields:
                    version.splits.append(f"page {index + 1}: {line.strip()}")
                continue
            row = MATCH_ROW.match(line)
            if not current.options and not current.targets and TARGETS.match(line):
                current.targets = re.findall(r"([A-E]) (\S+)", line)
            elif current.targets and row and int(row.group(1)) == len(current.rows) + 1:
                current.rows.append((row.group(1), row.group(2)))
            elif current.rows:
                number, text = current.rows[-1]
                current.rows[-1] = (number, f"{text} {line.strip()}")
            elif options and all(letter == chr(ord("A") + len(current.options) + i)
                               for i, (letter, _) in enumerate(options)):
                current.options.extend(options)
            elif fields:
                current.fields.extend(fields.group(1).split())
            elif current.options:
                letter, text = current.options[-1]
                current.options[-1] = (letter, f"{text} {line.strip()}")
            else:
                current.stem += " " + line.strip()
    return versions


def parse_keys(pages: Sequence[str]) -> dict[str, list[KeyRow]]:
    keys: dict[str, list[KeyRow]] = {}
    for page in pages:
        header = page_header(page)
        if header is None or not header[1].startswith("Answer key"):
            continue
        rows = keys.setdefault(header[1].split()[-1], [])
        in_table = False
        for line in [x for x in page.splitlines() if x.strip()][1:-1]:
            if re.match(r"^\s*No\.\s+Answer\s+Answer text\s+Points\s*$", line):
                in_table = True
                continue
            if not in_table:
                continue
            row = KEY_ROW.match(line)
            if row:
                rows.append(KeyRow(int(row.group(1)), row.group(2), row.group(3), int(row.group(4))))
            elif re.match(r"^\s*Total\s+\d+\s*$", line):
                rows.append(KeyRow(0, "", "Total", int(line.split()[-1])))
            elif rows:
                rows[-1].text += " " + line.strip()
    return keys


def lone_headings(pages: Sequence[str]) -> list[str]:
    """Part headings with no question after them on their page: left alone at its foot."""
    found = []
    for number, page in enumerate(pages, start=1):
        lines = [line for line in page.splitlines() if line.strip()]
        for n, line in enumerate(lines):
            if re.match(r"^\s*Part \d+: ", line) and not any(map(is_question, lines[n + 1:])):
                found.append(f"page {number}: {line.strip()}")
    return found


def is_question(line: str) -> bool:
    """A question's first line: its number, its stem and its points."""
    found = QUESTION.match(line)
    return found is not None and found.group(3) is not None


# --- building worksheets for the tests -----------------------------------------------------


def teacher_decks(tmp_path: Path) -> list[Deck]:
    path = tmp_path / "teacher.yaml"
    path.write_text(TEACHER_DECK, encoding="utf-8")
    return load_decks([path])


def items_of(decks: list[Deck], seed: int = 1, count: int | None = None) -> list[Item]:
    return pick_questions(generate(decks, seed), count, random.Random(seed))


def identify(items: Sequence[Item]) -> dict[tuple[str, frozenset[str]], list[Item]]:
    """Printed questions are matched to items by their stem and their set of options (the
    events of order and match questions)."""
    index: dict[tuple[str, frozenset[str]], list[Item]] = {}
    for item in items:
        index.setdefault(index_key(item), []).append(item)
    return index


def index_key(item: Item) -> tuple[str, frozenset[str]]:
    return (norm(item.question), frozenset(norm(o) for o in item.options))


@dataclass(frozen=True)
class EventDate:
    """When an event happened, from its fact's own date: the key to sort by, the year."""

    key: tuple[int, int, int]
    year: int
    shown: str  # the date as written out, as the key prints it


def event_dates(decks: Sequence[Deck]) -> dict[str, EventDate]:
    """Each event headline of the decks (normalised) and its fact's date: the truth that order
    and match questions are checked against, whatever their items say."""
    found: dict[str, EventDate] = {}
    for fact in (f for d in decks for f in d.facts):
        if fact.event is None or fact.date is None:
            continue
        start = fact.date.start if isinstance(fact.date, DateSpan) else fact.date
        when = EventDate((start.year, start.month or 0, start.day or 0), start.year,
                         fact.date.display())
        assert found.setdefault(norm(fact.event), when) == when, f"two dates for {fact.event}"
    return found


def check_rows_key(q: Printed, row: KeyRow, kind: str, truth: dict[str, EventDate]) -> list[str]:
    """An order or match question's key line against the rows this version printed and the
    facts' dates: the box of each row, the order earliest first, the Answer column. Returns
    the labels earliest first (order) or each row's letter (match)."""
    where = (q.number, row.text)
    if kind == "order":
        dates = [truth[norm(t)].key for _, t in q.options]
        earliest = sorted(range(len(dates)), key=dates.__getitem__)
        assert earliest != list(range(len(dates))), f"rows printed in time order: {where}"
        boxes = {q.options[r][0]: str(earliest.index(r) + 1) for r in range(len(dates))}
        found = re.match(r"Boxes ((?:[A-E] \d, )*[A-E] \d); earliest first: ((?:[A-E], )*[A-E])\b",
                         row.text)
        assert found, where
        assert dict(pair.split() for pair in found.group(1).split(", ")) == boxes, where
        labels = [q.options[r][0] for r in earliest]
        assert found.group(2).split(", ") == labels, where
        assert row.letter.replace(" ", "") == "".join(boxes[label] for label, _ in q.options)
        return labels
    years = dict(q.targets)
    found = re.match(r"Boxes ((?:\d [A-E], )*\d [A-E])\b", row.text)
    assert found, where
    pairs = [pair.split() for pair in found.group(1).split(", ")]
    assert [n for n, _ in pairs] == [n for n, _ in q.rows], where
    for (_, letter), (_, text) in zip(pairs, q.rows, strict=True):
        assert years[letter] == str(truth[norm(text)].year), (where, text)
    letters = [letter for _, letter in pairs]
    assert letters != sorted(letters), f"rows printed in time order: {where}"
    assert row.letter.replace(" ", "") == "".join(letters), where
    return letters


def check_worksheet(items: Sequence[Item], sheet: Path, key_file: Path | None,
                    versions: int, points: int = 1,
                    decks: Sequence[Deck] = ()) -> dict[str, PrintedVersion]:
    """Every property the acceptance asks for, read from the PDFs alone (order and match
    questions checked against the dates of ``decks``' facts)."""
    truth = event_dates(decks)
    pages = pdf_pages(sheet)
    printed = parse_versions(pages)
    assert sorted(printed) == [chr(ord("A") + v) for v in range(versions)]
    index = identify(items)
    key_pages = pdf_pages(key_file) if key_file else pages
    keys = parse_keys(key_pages)
    assert sorted(keys) == sorted(printed)
    orders = set()
    for letter, version in printed.items():
        # numbering, and each version on a fresh sheet with its own "Page x of y"
        assert [q.number for q in version.questions] == list(range(1, len(items) + 1))
        n = len(version.pages)
        assert version.footers == [(i, n) for i in range(1, n + 1)], letter
        assert version.pages == list(range(version.pages[0], version.pages[0] + n))
        assert version.pages[0] % 2 == 0, f"version {letter} starts on the back of a sheet"
        assert not version.splits, version.splits
        matched = []
        shown = [(norm(q.stem), q.texts) for q in version.questions]
        assert len(set(shown)) == len(shown), f"version {letter} prints a question twice"
        for q in version.questions:
            key = (norm(q.stem), q.texts)
            assert key in index, f"version {letter} question {q.number} is not an item: {key}"
            candidates = index[key]
            item = candidates[0]
            matched.append(key)
            assert q.points == points
            if item.kind == "choice":
                assert [t for t, _ in q.options] == [chr(65 + i) for i in range(len(q.options))]
                if item.ordered:  # dates and numbers keep their natural order
                    assert [norm(t) for _, t in q.options] == [norm(o) for o in item.options]
            elif item.kind == "order":  # rows lettered A, B, …; a box each, no bubbles
                assert [t for t, _ in q.options] == [chr(65 + i) for i in range(len(q.options))]
                assert not q.fields
            elif item.kind == "match":  # years lettered A, B, …; rows numbered 1, 2, …
                assert [t for t, _ in q.targets] == [chr(65 + i) for i in range(len(item.targets))]
                assert [y for _, y in q.targets] == list(item.targets)
                assert [n for n, _ in q.rows] == [str(i + 1) for i in range(len(item.options))]
            else:
                assert not q.options
                assert item.answer_date is not None
                assert q.fields == {"year": ["year"], "month": ["month", "year"],
                                    "day": ["day", "month", "year"]}[item.answer_date.precision.value]
        assert Counter(matched) == Counter(index_key(i) for i in items), "versions must share the questions"
        orders.add(tuple(matched))
        # the key agrees with what this version printed, and is right
        rows = keys[letter]
        assert rows[-1].text == "Total" and rows[-1].points == points * len(items)
        rows = rows[:-1]
        assert [r.number for r in rows] == list(range(1, len(items) + 1))
        for q, row in zip(version.questions, rows, strict=True):
            key = (norm(q.stem), q.texts)
            answers = {norm(i.answer) for i in index[key]}
            assert row.points == points
            kind = index[key][0].kind
            if kind in ("order", "match"):
                assert truth, "pass the decks to check order and match questions"
                check_rows_key(q, row, kind, truth)
                continue
            if q.options:
                shown = dict(q.options)
                assert row.letter in shown, f"version {letter} key {q.number}: {row.letter}"
                assert norm(shown[row.letter]) == norm(row.text), (letter, q.number)
            else:
                assert row.letter == "write-in"
            assert norm(row.text) in answers, (letter, q.number, row.text, answers)
    if versions > 1 and len(items) > 3:
        assert len(orders) > 1, "versions should differ in question order"
    return printed


def build(items: Sequence[Item], path: Path, **kw: object) -> tuple[Path, Path | None]:
    options = WorksheetOptions(**kw)  # type: ignore[arg-type]
    result = write_worksheet(items, path, options)
    key = answers_path(path) if options.answer_key == "separate" else None
    assert path.is_file() and (key is None or key.is_file())
    assert key is not None or not answers_path(path).exists()
    assert result.questions == len(items)
    return path, key


# --- the tests -----------------------------------------------------------------------------


@pytest.mark.parametrize("versions", [1, 3])
def test_mini_deck_versions_and_keys(mini_decks: list[Deck], tmp_path: Path, versions: int) -> None:
    items = items_of(mini_decks)
    sheet, key = build(items, tmp_path / "w.pdf", versions=versions, seed=4, points=2)
    check_worksheet(items, sheet, key, versions, points=2, decks=mini_decks)


def test_builtin_decks(builtin_decks: list[Deck], tmp_path: Path) -> None:
    items = items_of(builtin_decks, seed=11, count=90)
    if not items:
        pytest.skip("the built-in decks have no items yet")
    sheet, key = build(items, tmp_path / "b.pdf", versions=2, seed=11, answer_key="append",
                       paper="letter")
    assert key is None
    check_worksheet(items, sheet, None, 2, decks=builtin_decks)


def test_part_headings_stay_with_their_first_question(tmp_path: Path) -> None:
    """reportlab keeps a heading with the next flowable only if that is no KeepTogether, which
    every question is: these sheets once left "Part 2: Dates" alone at the foot of a page."""
    decks = load_decks([write_deck(tmp_path, 40, seed=4)])
    items = generate(decks, 4)
    for count, paper in [(9, "a4"), (20, "letter"), (25, "letter")]:
        chosen = pick_questions(items, count, random.Random(count))
        sheet, _ = build(chosen, tmp_path / f"h{count}.pdf", paper=paper, answer_key="none")
        assert not lone_headings(pdf_pages(sheet)), (count, paper)


@pytest.mark.parametrize("seed", [3, 8])
def test_unseen_synthetic_decks(tmp_path: Path, seed: int) -> None:
    decks = load_decks([write_deck(tmp_path, 45, seed=seed, deck_id=f"unseen{seed}")])
    items = items_of(decks, seed=seed)
    sheet, key = build(items, tmp_path / "s.pdf", versions=3, seed=seed)
    check_worksheet(items, sheet, key, 3, decks=decks)


def test_teacher_deck_unicode_round_trip(tmp_path: Path) -> None:
    decks = teacher_decks(tmp_path)
    items = items_of(decks)
    title = "Визиты: “Delhi” — 1955 & <after>"
    sheet, key = build(items, tmp_path / "t.pdf", versions=2, title=title,
                       subtitle=subtitle_for(decks, items), timeline=True)
    check_worksheet(items, sheet, key, 2, decks=decks)
    assert key is not None
    text = norm("\n".join(pdf_pages(sheet)))
    for expected in ["Никита Хрущёв", "Леонид Брежнев", "Café Ñandú", "AT&T’s <b>sponsor</b>",
                     "“the B & K show”", "Визиты: “Delhi” — 1955 & <after>",
                     "Visits — Хрущёв & <others>"]:
        assert norm(expected) in text, expected
    study = norm("\n".join(pdf_pages(key)))
    assert norm("Brezhnev signed the Delhi accords in São Paulo’s café <not really>.") in study
    assert "29 November 1973" in study


def test_markup_characters_print_literally(tmp_path: Path) -> None:
    decks = load_decks([write_deck(tmp_path, 30, seed=2)])
    items = items_of(decks)
    awkward = [i for i in items if "&" in i.question or "<" in i.question]
    assert awkward, "the synthetic deck should have & and < in its stems"
    sheet, _ = build(items, tmp_path / "m.pdf", answer_key="none")
    text = norm("\n".join(pdf_pages(sheet)))
    for item in awkward:
        assert norm(item.question) in text
    assert "AT&amp;T" not in text and "&lt;" not in text


def test_fonts_embedded_and_metadata(tmp_path: Path, mini_decks: list[Deck]) -> None:
    items = items_of(mini_decks)
    sheet, key = build(items, tmp_path / "f.pdf", versions=2, timeline=True, title="Treaties & <pacts>",
                       subtitle="Deck: mini")
    assert key is not None
    for path in (sheet, key):
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        assert fonts, "no fonts listed"
        for line in fonts:
            name, emb = line.split()[0], line.split()[-5]
            assert "DejaVuSans" in name and emb == "yes", line
    reader = PdfReader(sheet)
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Treaties & <pacts>"
    assert meta.author and meta.subject and "Deck: mini" in meta.subject
    assert reader.trailer["/Root"]["/Lang"] == "en"
    outline = [entry.title for entry in reader.outline if not isinstance(entry, list)]
    assert outline == ["Version A", "Version B"]


@pytest.mark.parametrize("text,char,name", [
    pytest.param("भारत", "U+092D", "DEVANAGARI LETTER BHA", id="devanagari"),
    pytest.param("中国", "U+4E2D", "CJK UNIFIED IDEOGRAPH-4E2D", id="cjk"),
])
def test_unprintable_character_names_fact_and_character(tmp_path: Path, text: str, char: str,
                                                         name: str) -> None:
    deck = TEACHER_DECK.replace("did Брежнев", "did Брежнев").replace(
        "when: did Brezhnev sign the accords at the café",
        f"when: did Brezhnev sign the accords at the café in {text}")
    path = tmp_path / "teacher.yaml"
    path.write_text(deck, encoding="utf-8")
    decks = load_decks([path])
    items = [i for i in generate(decks, 1) if i.fact == "sign"]
    target = tmp_path / "out.pdf"
    write_worksheet([i for i in generate(decks, 1) if i.fact == "tour"], target,
                    WorksheetOptions(answer_key="append"))
    old = target.read_bytes()
    with pytest.raises(ExportError) as info:
        write_worksheet(items, target, WorksheetOptions())
    message = str(info.value)
    assert char in message and name in message
    assert "fact 'sign'" in message and f"{path}:" in message
    assert "\n" not in message
    assert target.read_bytes() == old
    assert not answers_path(target).exists()
    assert not list(tmp_path.glob("*.part"))


def test_unprintable_title_is_an_error(tmp_path: Path, mini_decks: list[Deck]) -> None:
    with pytest.raises(HistquizError, match=r"the worksheet title: .*U\+0915"):
        write_worksheet(items_of(mini_decks), tmp_path / "x.pdf", WorksheetOptions(title="क quiz"))


def test_no_question_splits_by_anchor_pages(tmp_path: Path) -> None:
    from histquiz.export.worksheet.pdf import build_documents

    decks = load_decks([write_deck(tmp_path, 60, seed=5)])
    items = items_of(decks, seed=5)
    options = WorksheetOptions(versions=2, seed=5, paper="letter")
    plan = plan_versions(items, options)
    seen: dict[tuple[str, int], dict[str, int]] = {}

    def trace(part: str, number: int, which: str, page: int) -> None:
        seen.setdefault((part, number), {})[which] = page

    docs = build_documents(plan, options, trace=trace)
    assert len(seen) == 2 * len(items)
    assert all(set(pages) == {"start", "end"} for pages in seen.values())
    split = [(k, v) for k, v in seen.items() if v["start"] != v["end"]]
    assert not split, split
    # and the pages the anchors saw are the pages the text of each question is on
    sheet = tmp_path / "anchors.pdf"
    sheet.write_bytes(docs.worksheet.pdf)
    printed = parse_versions(pdf_pages(sheet))
    for letter, version in printed.items():
        assert len({q.page for q in version.questions}) > 3  # many pages: breaks were tested
        for q in version.questions:
            assert seen[(letter, q.number)]["start"] == q.page + 1


def test_versions_shuffle_options_but_not_ordered_ones(tmp_path: Path) -> None:
    decks = load_decks([write_deck(tmp_path, 40, seed=6)])
    items = items_of(decks, seed=6)
    plan = plan_versions(items, WorksheetOptions(versions=4, seed=6))
    by_id = {i.id: i for i in items}
    moved = 0
    for version in plan:
        assert [q.number for q in version.questions] == list(range(1, len(items) + 1))
        kinds = [q.item.kind for q in version.questions]
        assert kinds == sorted(kinds, key=["choice", "date", "order", "match"].index), "grouped by kind"
        positions: dict[int, list[int]] = {}
        for q in version.questions:
            item = by_id[q.item.id]
            if item.kind != "choice":
                assert q.answer_index is None
                continue
            assert q.answer_index is not None
            assert q.options[q.answer_index] == item.answer
            assert sorted(q.options) == sorted(item.options)
            if item.ordered:
                assert q.options == item.options
            else:
                moved += q.options != item.options
                positions.setdefault(len(q.options), []).append(q.answer_index)
        for n, found in positions.items():  # the key's position is spread evenly
            counts = [found.count(p) for p in range(n)]
            assert max(counts) - min(counts) <= 1, counts
    assert moved > 0


def test_each_fact_date_asked_once() -> None:
    decks = load_decks([GOOD / "mini.yaml"])
    items = generate(decks, 2)
    chosen = pick_questions(items, None, random.Random(2))
    date_facts = [i.fact for i in chosen if i.template in ("date-recall", "date-choice", "which-happened")]
    assert len(date_facts) == len(set(date_facts))
    # every fact is asked: by an item of its own, or as an event of an order or match item
    covered = {i.fact for i in chosen} | {f.split("/")[1] for i in chosen for f in i.option_facts}
    assert {i.fact for i in items} == covered
    assert pick_questions(items, 5, random.Random(2)) == pick_questions(items, 5, random.Random(2))
    assert len(pick_questions(items, 5, random.Random(2))) == 5


def test_reproducible_bytes(tmp_path: Path, mini_decks: list[Deck],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    # the build time is an argument: the library never reads SOURCE_DATE_EPOCH itself
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    items = items_of(mini_decks)
    first = build(items, tmp_path / "a.pdf", versions=2, seed=9, timeline=True,
                  build_time=1700000000)
    second = build(items, tmp_path / "b.pdf", versions=2, seed=9, timeline=True,
                   build_time=1700000000)
    for one, two in zip(first, second, strict=True):
        assert one is not None and two is not None
        assert one.read_bytes() == two.read_bytes()
    other = build(items, tmp_path / "c.pdf", versions=2, seed=10, timeline=True,
                  build_time=1700000000)
    assert other[0].read_bytes() != first[0].read_bytes()
    later = build(items, tmp_path / "d.pdf", versions=2, seed=9, timeline=True,
                  build_time=1800000000)
    assert later[0].read_bytes() != first[0].read_bytes()
    assert "2023" in str(PdfReader(first[0]).metadata.get("/CreationDate"))  # type: ignore[union-attr]
    assert "2027" in str(PdfReader(later[0]).metadata.get("/CreationDate"))  # type: ignore[union-attr]
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_bad_source_date_epoch_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "histquiz", "worksheet", "--decks", str(GOOD / "mini.yaml"),
         "-o", str(tmp_path / "x.pdf")],
        capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "yesterday"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "histquiz: error: SOURCE_DATE_EPOCH must be a whole number of seconds, not 'yesterday'"]
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("kw,message", [
    pytest.param({"versions": 27}, "versions must be from 1 to 26", id="versions"),
    pytest.param({"points": 0}, "points", id="points"),
    pytest.param({"paper": "a5"}, "unknown paper", id="paper"),
    pytest.param({"answer_key": "inline"}, "answer key mode", id="key"),
    pytest.param({"title": " "}, "title is empty", id="title"),
])
def test_bad_options(kw: dict[str, object], message: str) -> None:
    with pytest.raises(HistquizError, match=message):
        WorksheetOptions(**kw)  # type: ignore[arg-type]


def test_fonts_ship_inside_the_package() -> None:
    from importlib import resources

    folder = resources.files("histquiz").joinpath("fonts")
    names = {p.name for p in folder.iterdir()}
    assert {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
            "DejaVuSans-BoldOblique.ttf", "LICENSE-DejaVu.txt"} <= names
    assert "Bitstream Vera" in folder.joinpath("LICENSE-DejaVu.txt").read_text(encoding="utf-8")


# --- the command ---------------------------------------------------------------------------


def test_cli_separate_key_and_timeline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "quiz.pdf"
    code = main(["worksheet", "--decks", str(GOOD / "mini.yaml"), "--versions", "2", "--seed", "3",
                 "--count", "6", "--points", "2", "--title", "Mini & <quiz>", "--timeline", "-o", str(out)])
    assert code == 0
    said = capsys.readouterr().out
    assert "quiz.pdf: 6 questions, 12 points, 2 versions" in said and "quiz-answers.pdf" in said
    pages = pdf_pages(out)
    assert all("Study page" not in p for p in pages)
    key_pages = pdf_pages(tmp_path / "quiz-answers.pdf")
    assert any("Study page: timeline" in p for p in key_pages)
    first = pages[0]
    for words in ["Mini & <quiz>", "Deck: A small test deck", "Name", "Class", "Date",
                  "Instructions.", "6 questions", "12 points in all", "VERSION"]:
        assert words in first, words


@pytest.mark.parametrize("mode", ["append", "none"])
def test_cli_append_and_none(tmp_path: Path, mode: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "w.pdf"
    assert main(["worksheet", "--decks", str(GOOD / "mini.yaml"), "--answer-key", mode,
                 "--kind", "date", "-o", str(out)]) == 0
    capsys.readouterr()
    assert not answers_path(out).exists()
    pages = pdf_pages(out)
    has_key = any("Answer key · version A" in p for p in pages)
    assert has_key == (mode == "append")
    versions = parse_versions(pages)
    assert all(not q.options and q.fields for q in versions["A"].questions)
    if mode == "append":  # the key starts on a fresh sheet, after the students' pages
        first_key = next(i for i, p in enumerate(pages) if "Answer key" in p)
        assert first_key % 2 == 0


@pytest.mark.parametrize("args,message", [
    pytest.param(["-o", "quiz.txt"], "must be a .pdf file", id="not-pdf"),
    pytest.param(["--topic", "nope", "-o", "q.pdf"], "unknown topic 'nope'", id="topic"),
    pytest.param(["-o", "missing-folder/q.pdf"], "does not exist", id="folder"),
])
def test_cli_errors_are_one_line(tmp_path: Path, args: list[str], message: str,
                                 capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["worksheet", "--decks", str(GOOD / "mini.yaml"), *args]) == 1
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not list(tmp_path.glob("*.pdf"))


def test_cli_count_larger_than_available(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "w.pdf"
    assert main(["worksheet", "--decks", str(GOOD / "mini.yaml"), "--count", "500", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "only" in captured.err and "questions match" in captured.err
    assert out.exists()


def test_long_texts_wrap_and_print_literally(tmp_path: Path, mini_decks: list[Deck]) -> None:
    """Texts too long for one line go through reportlab's Paragraph: still escaped, still whole."""
    from dataclasses import replace

    base = next(i for i in items_of(mini_decks) if i.kind == "choice" and not i.ordered)
    long = "AT&T <b>not bold</b> & 5 < 6 > 4 “Хрущёв” — " * 4
    options = tuple(f"{long}option {n} &amp; <i>{n}</i>" for n in range(len(base.options)))
    assert base.answer_index is not None
    item = replace(base, question=f"Which is right? {long}", options=options,
                   answer=options[base.answer_index])
    sheet, key = build([item], tmp_path / "long.pdf", versions=2, seed=1)
    printed = check_worksheet([item], sheet, key, 2)  # the stem is read without its points column
    assert norm(printed["A"].questions[0].stem) == norm(item.question)
    text = norm("\n".join(pdf_pages(sheet)))
    for option in options:
        assert norm(option) in text
    assert key is not None
    rows = parse_keys(pdf_pages(key))
    assert [norm(r.text) for r in rows["A"][:-1]] == [norm(item.answer)]


def test_question_taller_than_a_page_is_a_clear_error(tmp_path: Path, mini_decks: list[Deck]) -> None:
    from dataclasses import replace

    base = next(i for i in items_of(mini_decks) if i.kind == "choice")
    huge = replace(base, question="Why? " + "a very long question " * 900)
    with pytest.raises(ExportError, match=rf"fact '{base.fact}'.*too long to fit on one page"):
        write_worksheet([huge], tmp_path / "x.pdf", WorksheetOptions())
    assert not (tmp_path / "x.pdf").exists()
