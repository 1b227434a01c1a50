"""Every classroom format read back and checked against the items: how many, which answer is
right, and that awkward text (GIFT's control characters, HTML, Cyrillic) survives unchanged.

Moodle XML is read with an XML parser and GIFT with a reader written here after Moodle's own
importer (qformat_gift::readquestion); the Kahoot sheet is read with openpyxl where it is
installed and always with a plain zip + XML reading.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moodle_helpers import answer_text, moodle_read
from outputs import outputs_in
from synth import write_deck

from histquiz import Deck, Item, Selection, generate, load_decks
from histquiz.cli import main
from histquiz.dates import HistDate, Precision, Verdict, grade_date, parse_answer
from histquiz.errors import UsageError
from histquiz.export.classroom.common import category, typed_forms
from histquiz.export.classroom.gift import escape as gift_escape
from histquiz.export.classroom.gift import render_gift
from histquiz.export.classroom.jsonout import render_json
from histquiz.export.classroom.kahoot import ANSWER_LIMIT, QUESTION_LIMIT, kahoot_rows, render_kahoot
from histquiz.export.classroom.moodle import render_moodle_xml
from histquiz.export.classroom.quizlet import quizlet_cards, render_quizlet
from histquiz.export.registry import (
    FORMATS,
    Context,
    ExportOptions,
    get_format,
    names,
    render_format,
    write_format,
)
from histquiz.generate.reveal import reveals

GOOD = Path(__file__).parent / "data" / "good"
CLASSROOM_FORMATS = names("classroom")
# The kinds these tests cover; order and match items have their own: test_classroom_history.py.
CHOICE_AND_DATE = Selection(kinds=("choice", "date"))
NASTY = "a {brace} #hash ~tilde =eq :colon \\back\\slash ]]> AT&T <b>bold</b> &amp; Хрущёв “q” 'x'"


# --- items ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synth_items(tmp_path_factory: pytest.TempPathFactory) -> list[Item]:
    folder = tmp_path_factory.mktemp("decks")
    decks = load_decks([write_deck(folder, 40, seed=5, deck_id="synth")])
    return generate(decks, 3, CHOICE_AND_DATE, n_options=4)


@pytest.fixture(scope="module")
def mini_items() -> list[Item]:
    return generate(load_decks([GOOD / "mini.yaml"]), 1, CHOICE_AND_DATE, n_options=4)


def nasty(items: Sequence[Item]) -> list[Item]:
    """Items with the most awkward text put into every field a format writes."""
    out = []
    for n, item in enumerate(items):
        changes: dict[str, Any] = {
            "id": f"awk/{item.fact}/{item.id.rsplit('/', 1)[1]}",
            "deck": "awk",
            "question": f"{NASTY} #{n}?\nsecond line\tafter a tab",
            "explanation": f"[html] {NASTY}\nline two",
            "note": "%50% note",
        }
        if item.kind == "choice":
            options = list(item.options)
            options[0] = f"[plain]{options[0]} {{x}}"
            options[-1] = f"%25% {options[-1]} ~=#:"
            changes["options"] = tuple(options)
            assert item.answer_index is not None
            changes["answer"] = options[item.answer_index]
        out.append(dataclasses.replace(item, **changes))
    return out


@pytest.fixture(scope="module")
def all_items(synth_items: list[Item], mini_items: list[Item]) -> list[Item]:
    return [*mini_items, *synth_items, *nasty(mini_items)]


def test_the_items_exercise_every_mapping(all_items: list[Item]) -> None:
    precisions = {i.answer_date.precision for i in all_items
                  if i.kind == "date" and i.answer_date is not None}
    assert precisions == set(Precision)
    assert any(i.ordered for i in all_items) and any(not i.ordered for i in all_items if i.kind == "choice")
    text = json.dumps([i.to_json() for i in all_items], ensure_ascii=False)
    for awkward in ("{brace}", "AT&T <b>bold</b>", "Хрущёв", "#hash ~tilde =eq :colon"):
        assert awkward in text


# --- shared readers -------------------------------------------------------------------------


class _Text(HTMLParser):
    """The text an HTML fragment shows. Any element but <br> fails: deck text must never
    turn into markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag == "br", f"markup <{tag}> leaked into the text"
        self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        raise AssertionError(f"markup </{tag}> leaked into the text")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def shown(fragment: str) -> str:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


def lines_of(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().splitlines())


def flat(text: str) -> str:
    """Text on one line, as the one-line formats write it."""
    return " ".join(text.replace("\t", " ").splitlines()).strip()


def check_typed_answers(item: Item, answers: list[str]) -> None:
    """The accepted typed answers of a month or full-date item all mean the item's date."""
    assert item.answer_date is not None
    assert item.answer_date.display() in answers
    assert item.answer_date.iso() in answers
    for answer in answers:
        assert parse_answer(answer) == item.answer_date, answer


# --- Moodle XML -----------------------------------------------------------------------------


def read_moodle(text: str) -> list[dict[str, Any]]:
    root = ElementTree.fromstring(text.encode("utf-8"))
    assert root.tag == "quiz"
    current = None
    out = []
    for question in root:
        assert question.tag == "question"
        qtype = question.get("type")
        if qtype == "category":
            current = question.findtext("category/text")
            continue
        qtext = question.find("questiontext")
        assert qtext is not None and qtext.get("format") == "html"
        record: dict[str, Any] = {
            "type": qtype,
            "category": current,
            "name": question.findtext("name/text"),
            "idnumber": question.findtext("idnumber"),
            "question": shown(qtext.findtext("text") or ""),
            "feedback": shown(question.findtext("generalfeedback/text") or ""),
            "shuffle": question.findtext("shuffleanswers"),
            "single": question.findtext("single"),
            "answers": [],
        }
        for answer in question.findall("answer"):
            raw = answer.findtext("text") or ""
            record["answers"].append({
                "fraction": answer.get("fraction"),
                "text": shown(raw) if answer.get("format") == "html" else raw,
                "tolerance": answer.findtext("tolerance"),
            })
        out.append(record)
    return out


@pytest.mark.parametrize("tolerance", [0, 2])
def test_moodle_xml_structure_and_answers(all_items: list[Item], tolerance: int) -> None:
    text = render_moodle_xml(all_items, ExportOptions(tolerance=tolerance))
    questions = read_moodle(text)
    assert len(questions) == len(all_items)
    by_name = {q["name"]: q for q in questions}
    assert len(by_name) == len(all_items)
    for item in all_items:
        q = by_name[item.id]
        assert q["category"] == f"$course$/histquiz/{item.deck}/{item.topic}"
        assert q["idnumber"] == item.id
        assert q["question"] == item.question.strip()
        assert lines_of(item.explanation) in q["feedback"]
        if item.kind == "choice":
            assert q["type"] == "multichoice" and q["single"] == "true"
            assert q["shuffle"] == ("false" if item.ordered else "true")
            assert [a["text"] for a in q["answers"]] == [o.strip() for o in item.options]
            right = [a["text"] for a in q["answers"] if a["fraction"] == "100"]
            assert right == [item.answer.strip()]
            assert sum(a["fraction"] == "0" for a in q["answers"]) == len(item.options) - 1
        elif item.answer_date is not None and item.answer_date.precision is Precision.YEAR:
            assert q["type"] == "numerical"
            assert q["answers"] == [{"fraction": "100", "text": str(item.answer_date.year),
                                     "tolerance": str(tolerance)}]
        else:
            assert q["type"] == "shortanswer"
            assert all(a["fraction"] == "100" for a in q["answers"])
            check_typed_answers(item, [a["text"] for a in q["answers"]])


def test_moodle_categories_come_once_per_deck_and_topic(synth_items: list[Item]) -> None:
    root = ElementTree.fromstring(render_moodle_xml(synth_items).encode("utf-8"))
    paths = [q.findtext("category/text") for q in root if q.get("type") == "category"]
    assert len(paths) == len(set(paths)) == len({category(i) for i in synth_items})


# --- GIFT -----------------------------------------------------------------------------------
# A reader that follows Moodle's importer step by step: questions are blocks separated by
# blank lines, '//' lines are comments, escaped characters are set aside before parsing.

_ESCAPES = {":": "\x01", "#": "\x02", "=": "\x03", "{": "\x04", "}": "\x05", "~": "\x06", "n": "\x07"}
_BACK = "\x08"


def _protect(text: str) -> str:
    text = text.replace("\\\\", _BACK)
    for ch, mark in _ESCAPES.items():
        text = text.replace("\\" + ch, mark)
    return text.replace(_BACK, "\\")


def _restore(text: str) -> str:
    for ch, mark in _ESCAPES.items():
        text = text.replace(mark, "\n" if ch == "n" else ch)
    return text


def _with_format(text: str, default: str) -> tuple[str, str]:
    text = text.strip()
    if text.startswith("[") and "]" in text:
        name = text[1:text.index("]")]
        if name in ("moodle", "html", "plain", "markdown"):
            return _restore(text[text.index("]") + 1:]).strip(), name
    return _restore(text).strip(), default


def read_gift(text: str) -> list[dict[str, Any]]:
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        line = line.strip()
        if not line:
            blocks.append([])
        elif not line.startswith("//"):
            blocks[-1].append(line)
    out = []
    current = None
    for block in blocks:
        if not block:
            continue
        body = _protect("\n".join(block))
        if body.startswith("$CATEGORY:"):
            current = body[len("$CATEGORY:"):].strip()
            continue
        assert body.startswith("::"), body
        end = body.index("::", 2)
        name = _restore(body[2:end])
        body = body[end + 2:].strip()
        start, stop = body.index("{"), body.index("}")
        assert body.endswith("}") and stop == len(body) - 1, "answers must close the question"
        answers = body[start + 1:stop].strip()
        qtext, fmt = _with_format(body[:start], "moodle")
        feedback = ""
        if "####" in answers:
            cut = answers.rindex("####")
            feedback, answers = _with_format(answers[cut + 4:], fmt)[0], answers[:cut].strip()
        record: dict[str, Any] = {"category": current, "name": name, "format": fmt,
                                  "question": qtext, "feedback": feedback}
        if answers.startswith("#"):
            value, _, tolerance = answers[1:].partition(":")
            record.update(type="numerical", value=value.strip(), tolerance=tolerance.strip())
        elif "~" in answers:
            parts = [p.strip() for p in answers.replace("=", "~=").split("~") if p.strip()]
            record.update(type="multichoice", answers=[
                (p.startswith("="), _with_format(p.lstrip("="), fmt)[0]) for p in parts])
            for p in parts:
                assert not re.match(r"^=?%-?\d", p), f"read as a weighted answer: {p}"
        else:
            parts = [p.strip() for p in answers.split("=") if p.strip()]
            record.update(type="shortanswer", answers=[_restore(p) for p in parts])
        out.append(record)
    return out


def test_gift_answers_and_escaping(all_items: list[Item]) -> None:
    questions = read_gift(render_gift(all_items, ExportOptions(tolerance=1)))
    assert len(questions) == len(all_items)
    by_name = {q["name"]: q for q in questions}
    for item in all_items:
        q = by_name[item.id]
        assert q["category"] == f"$course$/histquiz/{item.deck}/{item.topic}"
        assert q["format"] == "html"
        assert shown(q["question"]) == item.question.strip()
        assert lines_of(item.explanation) in shown(q["feedback"])
        if item.kind == "choice":
            assert q["type"] == "multichoice"
            assert [shown(text) for _, text in q["answers"]] == [o.strip() for o in item.options]
            right = [shown(text) for ok, text in q["answers"] if ok]
            assert right == [item.answer.strip()]
        elif item.answer_date is not None and item.answer_date.precision is Precision.YEAR:
            assert q["type"] == "numerical"
            assert (q["value"], q["tolerance"]) == (str(item.answer_date.year), "1")
        else:
            assert q["type"] == "shortanswer"
            check_typed_answers(item, q["answers"])


def test_gift_years_are_written_as_moodle_documents_them(mini_items: list[Item]) -> None:
    text = render_gift(mini_items)
    pact = next(i for i in mini_items if i.id == "mini/pact/date-recall")
    assert "{#1955:0" in text
    assert f"::{gift_escape(pact.id)}::" in text
    assert "$CATEGORY: $course$/histquiz/mini/cold-war" in text


def test_gift_escapes_every_control_character() -> None:
    assert gift_escape("a{b}c~d=e#f:g\\h") == "a\\{b\\}c\\~d\\=e\\#f\\:g\\\\h"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))
def test_gift_escape_round_trips(text: str) -> None:
    assert _restore(_protect(gift_escape(text))) == text


@settings(max_examples=100, deadline=None)
@given(question=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
                        min_size=1, max_size=30).filter(lambda s: s.strip()))
def test_any_question_text_survives_gift_and_moodle(mini_items: list[Item], question: str) -> None:
    item = dataclasses.replace(mini_items[1], question=question, options=(question, "b", "c", "d"),
                               answer=question, answer_index=0)
    gift = read_gift(render_gift([item]))[0]
    assert shown(gift["question"]) == question.strip()
    assert shown(gift["answers"][0][1]) == question.strip() and gift["answers"][0][0]
    moodle = read_moodle(render_moodle_xml([item]))[0]
    assert moodle["question"] == question.strip()


@settings(max_examples=300)
@given(st.text(alphabet=st.one_of(st.sampled_from("&<>\"'\t\n\r\x00\x0b\x85\u2028 ab"),
                                  st.characters(blacklist_categories=("Cs",))), max_size=40))
def test_the_escapers_each_format_shares_mean_what_they_say(text: str) -> None:
    """HTML, then XML: the quick paths of ``html_text`` and ``html_in_xml`` give what escaping
    step by step gives (``html.escape`` without quotes, line breaks as ``<br>``; ``&``, ``<``
    and ``>`` for XML, without the characters XML cannot hold), whatever the text."""
    import html

    from histquiz.export.classroom.common import clean, html_in_xml, html_text, xml_text

    as_html = "<br>".join(html.escape(clean(text).strip(), quote=False).splitlines())
    assert html_text(text) == as_html
    as_xml = clean(as_html).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert xml_text(as_html) == as_xml
    assert html_in_xml(text) == as_xml


_FEEDBACK_TEXT = st.text(alphabet=st.one_of(
    st.sampled_from("&<>[%\"'\t\n\r\x00\x01\x0b\x85\u2028\xa0 ab#:{}~=\\"),
    st.characters(blacklist_categories=("Cs",))), max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_feedback_escaped_in_two_parts_is_the_feedback_escaped_whole(data: st.DataObject) -> None:
    """Moodle XML, QTI and GIFT escape the part of the feedback that a fact's items share once
    for them all: joined to the item's own key lines, it is exactly the whole feedback escaped
    at once, whatever the explanation, note, options and their notes hold."""
    from histquiz.export.classroom.common import escaped_feedback, feedback_text, html_in_xml
    from histquiz.export.classroom.gift import _html_escaped, html_field

    item = data.draw(st.sampled_from(_one_item_per_template()))
    n = len(item.options)
    item = dataclasses.replace(
        item, explanation=data.draw(_FEEDBACK_TEXT | _FEEDBACK_TEXT.map(lambda t: f"[{t}")),
        note=data.draw(st.none() | _FEEDBACK_TEXT),
        options=tuple(data.draw(st.lists(_FEEDBACK_TEXT, min_size=n, max_size=n))),
        notes=tuple(data.draw(st.lists(_FEEDBACK_TEXT, min_size=len(item.notes),
                                       max_size=len(item.notes)))))
    whole = feedback_text(item)
    assert escaped_feedback(item, html_in_xml, "&lt;br&gt;") == html_in_xml(whole)
    assert escaped_feedback(item, html_field, "<br>", _html_escaped) == html_field(whole)


@pytest.mark.parametrize("explanation", ["[html] x", "%50% y", " [a", "a\nb", ""])
@pytest.mark.parametrize("note", [None, "[n]", "%5%"])
def test_feedback_that_begins_with_what_gift_escapes_at_the_start(explanation: str,
                                                                  note: str | None) -> None:
    """GIFT escapes a leading ``[`` or ``%`` of a field; the shared part of the feedback begins
    the field when the item has no key lines of its own, and not when it has."""
    from histquiz.export.classroom.common import escaped_feedback, feedback_text
    from histquiz.export.classroom.gift import _html_escaped, html_field

    for item in _one_item_per_template():
        item = dataclasses.replace(item, explanation=explanation, note=note)
        expected = html_field(feedback_text(item))
        assert escaped_feedback(item, html_field, "<br>", _html_escaped) == expected, item.id


@functools.cache
def _one_item_per_template() -> list[Item]:
    return list({item.template: item for item in generate(load_decks(), 0)}.values())


# --- Kahoot ---------------------------------------------------------------------------------


def read_xlsx(data: bytes) -> dict[tuple[int, int], str | int]:
    """Cells by (row, column), both 1-based, read straight from the SpreadsheetML parts."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names[0] == "[Content_Types].xml"
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
        shared = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
        strings = ["".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")) for si in shared]
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    cells: dict[tuple[int, int], str | int] = {}
    for c in sheet.iterfind(".//m:sheetData/m:row/m:c", ns):
        ref = c.get("r") or ""
        letters = re.match(r"[A-Z]+", ref)
        assert letters is not None
        col = 0
        for ch in letters.group(0):
            col = col * 26 + ord(ch) - 64
        value = c.findtext("m:v", namespaces=ns) or ""
        cells[(int(ref[letters.end():]), col)] = strings[int(value)] if c.get("t") == "s" else int(value)
    return cells


def kahoot_table(cells: dict[tuple[int, int], str | int]) -> list[list[str | int | None]]:
    rows = sorted({r for r, _ in cells if r >= 9})
    return [[cells.get((r, c)) for c in range(1, 9)] for r in rows]


def check_kahoot(rows: list[list[Any]], items: list[Item], time_limit: int) -> None:
    """Rows of one sheet or of several parts, each part numbered from 1."""
    assert len(rows) == len(items)
    for number, (row, item) in enumerate(zip(rows, items, strict=True)):
        assert row[0] == number % 100 + 1
        assert row[1] == flat(item.question)
        answers = [a for a in row[2:6] if a is not None]
        assert answers == [flat(o) for o in item.options]
        assert row[6] == time_limit
        assert isinstance(row[7], int) and answers[row[7] - 1] == flat(item.answer)
        assert len(row[1]) <= QUESTION_LIMIT and all(len(a) <= ANSWER_LIMIT for a in answers)


def test_kahoot_sheet_matches_the_template_and_the_items(all_items: list[Item]) -> None:
    """More than 100 questions (Kahoot's template has 100 rows) make one sheet per 100, each
    a whole template titled with its part; together they hold every item that fits, in order."""
    result = render_kahoot(all_items, ExportOptions(time_limit=30, title="Тест & <title>"))
    kept, skipped = kahoot_rows(all_items)
    assert len(kept) > 200
    parts = len(result.files)
    assert parts == -(-len(kept) // 100)
    rows: list[list[Any]] = []
    for n, data in enumerate(result.files, start=1):
        cells = read_xlsx(data)
        assert cells[(2, 2)] == f"Тест & <title> ({n} of {parts})"
        assert cells[(8, 2)].startswith("Question - max 120") and cells[(8, 8)].startswith("Correct answer")
        assert cells[(8, 7)].startswith("Time limit (sec)")
        table = kahoot_table(cells)
        assert len(table) == result.counts[n - 1] == (100 if n < parts else len(kept) - 100 * (parts - 1))
        check_kahoot(table, kept[len(rows):len(rows) + len(table)], 30)
        rows += table
    assert len(rows) == result.count == len(kept) and len(result.skipped) == len(skipped)
    assert {s.item_id for s in skipped} | {i.id for i in kept} == {i.id for i in all_items}
    assert all(i.kind == "date" for i in all_items if i.id in {s.item_id for s in skipped})
    one = render_kahoot(kept[:100], ExportOptions(title="T"))
    assert len(one.files) == 1 and read_xlsx(one.files[0])[(2, 2)] == "T"


def test_kahoot_sheet_opens_in_openpyxl(all_items: list[Item], tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "k.xlsx"
    _, paths = write_format("kahoot", all_items, Context(decks=(), seed=0, build_time=0), path)
    assert [p.name for p in paths] == [f"k-{n}.xlsx" for n in range(1, len(paths) + 1)]
    assert sorted(outputs_in(tmp_path)) == sorted(paths) and len(paths) > 1
    rows = []
    for part in paths:
        sheet = openpyxl.load_workbook(part).active
        assert sheet.cell(row=8, column=3).value == "Answer 1 - max 75 characters"
        found = [list(r) for r in sheet.iter_rows(min_row=9, max_col=8, values_only=True)]
        assert 0 < len(found) <= 100 and [r[0] for r in found] == list(range(1, len(found) + 1))
        rows += found
    check_kahoot(rows, kahoot_rows(all_items)[0], 20)


def test_kahoot_leaves_out_what_does_not_fit_and_says_so(mini_items: list[Item]) -> None:
    choice = [i for i in mini_items if i.kind == "choice"]
    long_q = dataclasses.replace(choice[0], id="x/long/question", question="Ж" * 121)
    fits_q = dataclasses.replace(choice[0], id="x/fits/question", question="Ж" * 120)
    astral = dataclasses.replace(choice[0], id="x/astral/question", question="🙂" * 61)
    long_a = dataclasses.replace(choice[1], id="x/long/answer",
                                 options=("a" * 76, *choice[1].options[1:]))
    five = dataclasses.replace(choice[2], id="x/five/options", options=(*choice[2].options, "extra"))
    result = render_kahoot([long_q, fits_q, astral, long_a, five])
    assert result.count == 1
    reasons = {s.item_id: (s.reason, s.detail) for s in result.skipped}
    assert reasons == {
        "x/long/question": ("a question over 120 characters", "the question is 121 characters"),
        "x/astral/question": ("a question over 120 characters", "the question is 122 characters"),
        "x/long/answer": ("an answer over 75 characters",
                          "the right answer is 76 characters" if choice[1].answer_index == 0
                          else "answer 1 is 76 characters"),
        "x/five/options": ("more than 4 options", "5 options")}
    rows = kahoot_table(read_xlsx(result.files[0]))
    assert [r[1] for r in rows] == ["Ж" * 120]


def test_kahoot_refuses_a_time_limit_kahoot_does_not_have(mini_items: list[Item]) -> None:
    with pytest.raises(UsageError, match="5, 10, 20, 30, 60, 90, 120, 240"):
        render_kahoot(mini_items, ExportOptions(time_limit=45))


KAHOOT_IN_A_PROCESS = """
import random, sys
from histquiz import generate, load_decks
from histquiz.export.classroom.kahoot import render_kahoot
from histquiz.export.registry import ExportOptions
items = generate(load_decks([sys.argv[1]]), 1)
sys.stdout.buffer.write(render_kahoot(items, ExportOptions(time_limit=int(sys.argv[2]))).files[0])
"""


def test_kahoot_file_is_the_same_in_every_process(tmp_path: Path) -> None:
    """Another process, with another hash seed (so another order of every set and dict of
    strings), writes the same bytes; and the bytes do follow the input."""

    def sheet(hash_seed: str, time_limit: int) -> bytes:
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        return subprocess.run([sys.executable, "-c", KAHOOT_IN_A_PROCESS, str(GOOD / "mini.yaml"),
                               str(time_limit)], capture_output=True, check=True, env=env).stdout

    first = sheet("1", 20)
    assert read_xlsx(first)  # a whole workbook
    assert sheet("2", 20) == first
    assert sheet("2", 30) != first


# --- Quizlet and JSON -----------------------------------------------------------------------


def test_quizlet_lines_are_term_tab_definition(all_items: list[Item]) -> None:
    result = render_quizlet(all_items)
    text = result.files[0].decode("utf-8")
    lines = text.split("\n")
    assert lines[-1] == "" and "\r" not in text
    cards = [line.split("\t") for line in lines[:-1]]
    assert all(len(card) == 2 for card in cards)
    assert len(cards) == result.count
    expected, _ = quizlet_cards(all_items)
    assert [tuple(c) for c in cards] == expected
    need_options = ("which-happened", "first", "true-statement")  # a question only with its options
    made = {(flat(i.question), flat(i.answer)) for i in all_items if i.template not in need_options}
    assert {tuple(c) for c in cards} == made
    assert result.count + len(result.skipped) == len(all_items)
    assert any(NASTY.split(" ]]>")[0] in term for term, _ in cards)


def test_json_lines_are_what_the_encoder_writes(all_items: list[Item]) -> None:
    """The file is written in pieces (each source once): each line is still exactly the text
    json's encoder gives the whole object, fields in order, for items citing no source, one
    or several (awkward text included)."""
    from histquiz.generate.reveal import reveals

    items = [*all_items, dataclasses.replace(all_items[0], sources=()),
             dataclasses.replace(all_items[1], sources=all_items[1].sources * 2)]
    assert {len(i.sources) for i in items} >= {0, 1, 2}
    relation = reveals(items)
    lines = render_json(items).split("\n")
    assert lines[0] == "[" and lines[-2:] == ["]", ""]
    for n, (line, item) in enumerate(zip(lines[1:-2], items, strict=True)):
        whole = {**item.to_json(), "reveals": relation.ids_given_by(n)}
        assert list(whole)[:4] == ["id", "kind", "template", "question"]
        expected = json.dumps(whole, ensure_ascii=False)
        assert line.removesuffix(",") == expected and line.endswith(",") == (n < len(items) - 1)


def test_json_is_every_item(all_items: list[Item]) -> None:
    """Each object holds the item's own values, checked against the Item, not against
    ``to_json``, the function that writes them."""
    objects = json.loads(render_json(all_items))
    assert len(objects) == len(all_items)
    for obj, item in zip(objects, all_items, strict=True):
        assert {k: obj[k] for k in ("id", "kind", "template", "question", "answer", "explanation",
                                    "deck", "fact", "topic", "statement")} == {
            "id": item.id, "kind": item.kind, "template": item.template,
            "question": item.question, "answer": item.answer, "explanation": item.explanation,
            "deck": item.deck, "fact": item.fact, "topic": item.topic, "statement": item.statement}
        assert obj["tags"] == list(item.tags)
        assert obj.get("note") == item.note
        assert obj["date"] == (item.date.iso() if item.date is not None else None)
        assert [s["id"] for s in obj["sources"]] == [s.id for s in item.sources]
        assert [s["citation"] for s in obj["sources"]] == [s.citation() for s in item.sources]
        if item.kind == "choice":
            assert obj["options"] == list(item.options)
            assert obj["options"][obj["answer_index"]] == item.answer
            assert obj["ordered"] == item.ordered
        else:
            assert "options" not in obj
            assert item.answer_date is not None
            assert (obj["answer_date"], obj["precision"]) == (
                item.answer_date.iso(), item.answer_date.precision.value)


# --- typed dates ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=datetime.date(1000, 1, 1)), st.sampled_from(list(Precision)))
def test_every_typed_form_means_the_date(day: Any, precision: Precision) -> None:
    date = HistDate(day.year, day.month, day.day).truncate(precision)
    forms = typed_forms(date)
    assert date.display() in forms and len(forms) == len(set(forms))
    for form in forms:
        assert parse_answer(form) == date, form


# --- Moodle's own importer -----------------------------------------------------------------


def expected_tags(item: Item) -> list[str]:
    """The tags a question should carry into Moodle: topic, era, the fact's own, and the deck."""
    return list(dict.fromkeys([*item.tags, f"deck::{item.deck}"]))


@pytest.mark.parametrize("fmt", ["gift", "xml"])
def test_moodle_imports_every_item_as_meant(fmt: str, all_items: list[Item], tmp_path: Path) -> None:
    """Moodle's own importer reads each question with its type, its one right answer (or
    every accepted form of a typed date, or the year and tolerance), its feedback, the item
    id as idnumber and the topic, era, own and deck tags."""
    check_moodle_import(fmt, all_items, tmp_path)


@pytest.mark.parametrize("fmt", ["gift", "xml"])
def test_moodle_imports_the_built_in_decks(fmt: str, builtin_decks: list[Deck], tmp_path: Path) -> None:
    check_moodle_import(fmt, generate(builtin_decks, 0, CHOICE_AND_DATE), tmp_path)


def check_moodle_import(fmt: str, all_items: list[Item], tmp_path: Path) -> None:
    path = tmp_path / f"q.{fmt}"
    options = ExportOptions(tolerance=1)
    text = render_gift(all_items, options) if fmt == "gift" else render_moodle_xml(all_items, options)
    path.write_text(text, encoding="utf-8")
    questions = moodle_read(fmt, path)
    assert len(questions) == len(all_items)
    by_name = {q["name"]: q for q in questions}
    for item in all_items:
        q = by_name[item.id]
        assert q["idnumber"] == item.id
        assert q["tags"] == expected_tags(item)
        assert lines_of(item.explanation) in shown(q["generalfeedback"])
        answers = [answer_text(a) for a in q["answer"]]
        if item.kind == "choice":
            assert q["qtype"] == "multichoice" and q["single"] in (1, True, "1")
            assert [shown(a) for a in answers] == [o.strip() for o in item.options]
            assert [f > 0 for f in q["fraction"]] == [
                n == item.answer_index for n in range(len(item.options))]
        elif item.answer_date is not None and item.answer_date.precision is Precision.YEAR:
            assert q["qtype"] == "numerical"
            assert [float(a) for a in answers] == [item.answer_date.year]
            assert [float(t) for t in q["tolerance"]] == [1]
        else:
            assert q["qtype"] == "shortanswer" and int(q["usecase"]) == 0
            assert all(f == 1 for f in q["fraction"])
            check_typed_answers(item, answers)


# Sample dates with the spellings of their parts a student might use, written out by hand here
# (not taken from the code under test): day, ordinal, month names.
SAMPLE_DATES = [
    (HistDate(1971, 8, 9), ["9", "09", "9th"], ["August", "Aug", "Aug."]),
    (HistDate(1971, 9, 19), ["19", "19th"], ["September", "Sep", "Sep.", "Sept", "Sept."]),
    (HistDate(1998, 5, 2), ["2", "02", "2nd"], ["May"]),
    (HistDate(1991, 12, 25), ["25", "25th"], ["December", "Dec", "Dec."]),
    (HistDate(1972, 3), [], ["March", "Mar", "Mar."]),
    (HistDate(1971, 9), [], ["September", "Sep", "Sep.", "Sept", "Sept."]),
]
# The spellings the issue reported as marked wrong by Moodle though the quiz reads them.
REPORTED = {HistDate(1971, 8, 9): ["09 August 1971", "9 Aug. 1971", "Aug. 9, 1971",
                                   "9th of August 1971", "August 9th 1971", "9 August, 1971"],
            HistDate(1971, 9, 19): ["19 Sept 1971"], HistDate(1972, 3): ["Mar. 1972"]}


def quiz_accepted(date: HistDate, days: list[str], months: list[str]) -> set[str]:
    """Every spelling, from the sample's parts, that the terminal quiz grades as exactly right
    at the date's own precision."""
    y, m = date.year, date.month
    assert m is not None
    nums = {str(m), f"{m:02d}"}
    if date.day is None:
        candidates = {f"{name}{sep}{y}" for name in months for sep in (" ", ", ")}
        candidates |= {f"{y}-{mm}" for mm in nums} | {f"{mm}{sep}{y}" for mm in nums for sep in "/."}
    else:
        d = date.day
        dnums = {str(d), f"{d:02d}"}
        candidates = {f"{day}{of} {name}{sep}{y}" for day in days for name in months
                      for of in ("", " of") for sep in (" ", ", ")}
        candidates |= {f"{name} {day}{sep}{y}" for day in days for name in months
                       for sep in (" ", ", ")}
        candidates |= {f"{y}-{mm}-{dd}" for mm in nums for dd in dnums}
        candidates |= {f"{dd}{sep}{mm}{sep}{y}" for dd in dnums for mm in nums for sep in "/."}
    accepted = set()
    for text in candidates:
        given = parse_answer(text)
        if (given is not None and given.precision is date.precision
                and grade_date(date, text).verdict is Verdict.EXACT):
            accepted.add(text)
    return accepted


@pytest.mark.parametrize("fmt", ["gift", "xml"])
def test_moodle_accepts_every_date_spelling_the_quiz_accepts(fmt: str, mini_items: list[Item],
                                                            tmp_path: Path) -> None:
    recall = next(i for i in mini_items if i.template == "date-recall")
    items = [dataclasses.replace(recall, id=f"mini/sample-{n}/date-recall", answer=date.display(),
                                 answer_date=date)
             for n, (date, _, _) in enumerate(SAMPLE_DATES)]
    path = tmp_path / f"dates.{fmt}"
    text = render_gift(items) if fmt == "gift" else render_moodle_xml(items)
    path.write_text(text, encoding="utf-8")
    by_name = {q["name"]: q for q in moodle_read(fmt, path)}
    for item, (date, days, months) in zip(items, SAMPLE_DATES, strict=True):
        q = by_name[item.id]
        assert q["qtype"] == "shortanswer" and int(q["usecase"]) == 0  # case is ignored
        listed = [answer_text(a) for a in q["answer"]]
        moodle_takes = {a.casefold() for a in listed}
        wanted = quiz_accepted(date, days, months)
        assert set(REPORTED.get(date, [])) <= wanted
        missing = sorted(t for t in wanted if t.casefold() not in moodle_takes)
        assert not missing, f"{date.iso()}: Moodle would mark these wrong: {missing}"
        for answer in listed:  # and nothing listed means another date
            assert grade_date(date, answer).verdict is Verdict.EXACT, answer
            assert parse_answer(answer) == date, answer


# --- the command ----------------------------------------------------------------------------


def test_registry_names_every_format_once(mini_items: list[Item]) -> None:
    assert names() == ["anki", "gift", "json", "kahoot", "moodle-xml", "qti", "quizlet", "worksheet"]
    assert CLASSROOM_FORMATS == ["gift", "json", "kahoot", "moodle-xml", "qti", "quizlet"]
    assert len({f.suffix for f in FORMATS.values()}) == len(FORMATS)
    ctx = Context(decks=(), seed=0, build_time=1_700_000_000)
    for name in CLASSROOM_FORMATS:
        rendered = render_format(name, mini_items, ctx)
        assert len(rendered.files) == 1 and rendered.files[0]
        assert rendered.count + len(rendered.skipped) == len(mini_items), name
    with pytest.raises(UsageError, match="unknown format 'pdfx'; known: anki, gift, json"):
        get_format("pdfx")


@pytest.mark.parametrize("fmt", CLASSROOM_FORMATS)
def test_export_command_writes_each_format(fmt: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    deck = write_deck(tmp_path, 12, seed=2, deck_id="cls")
    out = tmp_path / f"out.{fmt}"
    assert main(["export", "--format", fmt, "--decks", str(deck), "--seed", "4", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"wrote {out}" in err
    assert sorted(p.name for p in outputs_in(tmp_path)) == ["cls.yaml", out.name]
    everything = generate(load_decks([deck]), 4, n_options=4)
    items = [i for i in everything if i.kind in get_format(fmt).kinds]  # the kinds it holds
    if fmt == "moodle-xml":
        assert len(read_moodle(out.read_text("utf-8"))) == len(items)
    elif fmt == "gift":
        assert len(read_gift(out.read_text("utf-8"))) == len(items)
    elif fmt == "kahoot":
        check_kahoot(kahoot_table(read_xlsx(out.read_bytes())), kahoot_rows(items)[0], 20)
        assert "typed answers; Kahoot has only multiple choice" in err
    elif fmt == "quizlet":
        assert out.read_bytes() == render_quizlet(items).files[0]
    elif fmt == "qti":
        with zipfile.ZipFile(out) as archive:
            names = archive.namelist()
            assert "imsmanifest.xml" in names
            questions = sum(len(ElementTree.fromstring(archive.read(n)).findall(".//{*}item"))
                            for n in names if n.count("/") and not n.endswith("assessment_meta.xml"))
        assert questions == len(items)
    else:
        assert items == everything
        relation = reveals(items)
        rows = json.loads(out.read_text("utf-8"))
        assert [{k: v for k, v in row.items() if k != "reveals"} for row in rows] == [
            i.to_json() for i in items]
        assert [row["reveals"] for row in rows] == [relation.ids_given_by(n)
                                                    for n in range(len(items))]
        assert any(row["reveals"] for row in rows)


def test_export_names_each_item_kahoot_cannot_take(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    deck = tmp_path / "long.yaml"
    long = "From which launch site, of all the launch sites there were, " * 3 + "did it go?"
    text = (GOOD / "mini.yaml").read_text("utf-8").replace(
        "ask: From which launch site did the first satellite go up?", f"ask: {long}")
    deck.write_text(text, encoding="utf-8")
    assert main(["export", "--format", "kahoot", "--decks", str(deck), "-o",
                 str(tmp_path / "k.xlsx")]) == 0
    err = capsys.readouterr().err
    # One summary line per reason, counted; the items themselves with --verbose.
    assert "histquiz: warning: kahoot: 1 item left out: a question over 120 characters\n" in err
    assert "kahoot: 8 items left out by design: typed answers; Kahoot has only multiple choice\n" in err
    assert "mini/satellite/choice-site" not in err and "(--verbose lists each item and why)" in err
    assert main(["export", "--format", "kahoot", "--decks", str(deck), "-o",
                 str(tmp_path / "k.xlsx"), "--verbose"]) == 0
    err = capsys.readouterr().err
    assert (f"  {tmp_path / 'k.xlsx'}: mini/satellite/choice-site: left out: a question over 120 "
            f"characters (the question is {len(long)} characters; question 'site' needs an "
            "'ask_short')\n") in err
    assert f"  {tmp_path / 'k.xlsx'}: mini/pact/date-recall: left out by design" not in err
    assert (f"  {tmp_path / 'k.xlsx'}: mini/pact/date-recall: left out: typed answers; Kahoot "
            "has only multiple choice\n") in err


def test_export_to_stdout_and_its_limits(capsys: pytest.CaptureFixture[str]) -> None:
    mini = str(GOOD / "mini.yaml")
    assert main(["export", "--format", "gift", "--decks", mini, "-o", "-"]) == 0
    assert read_gift(capsys.readouterr().out)
    assert main(["export", "--format", "kahoot", "--decks", mini, "-o", "-"]) == 1
    assert "binary file" in capsys.readouterr().err


def test_export_options_reach_the_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mini = str(GOOD / "mini.yaml")
    gift, kahoot = tmp_path / "q.txt", tmp_path / "k.xlsx"
    assert main(["export", "--format", "gift", "--decks", mini, "--tolerance", "2", "-o", str(gift)]) == 0
    assert "{#1955:2" in gift.read_text("utf-8")
    assert main(["export", "--format", "kahoot", "--decks", mini, "--time-limit", "60",
                 "--options", "3", "-o", str(kahoot)]) == 0
    rows = kahoot_table(read_xlsx(kahoot.read_bytes()))
    # (a true-statement item always shows its four statements, whatever --options says)
    assert rows and all(r[6] == 60 and (r[5] is None or r[1] == "Which of these statements is true?")
                        for r in rows)
    capsys.readouterr()
    assert main(["export", "--format", "kahoot", "--decks", mini, "--options", "5",
                 "-o", str(tmp_path / "k5.xlsx")]) == 1
    assert "at most 4 answers" in capsys.readouterr().err
    assert not (tmp_path / "k5.xlsx").exists()
    with pytest.raises(SystemExit):
        main(["export", "--format", "kahoot", "--decks", mini, "--time-limit", "45", "-o", "x"])


def test_export_same_seed_same_bytes(tmp_path: Path) -> None:
    deck = str(write_deck(tmp_path, 10, seed=9, deck_id="rep"))
    for fmt in CLASSROOM_FORMATS:
        a, b = tmp_path / f"a-{fmt}", tmp_path / f"b-{fmt}"
        for out in (a, b):
            assert main(["export", "--format", fmt, "--decks", deck, "--seed", "7", "-o", str(out)]) == 0
        assert a.read_bytes() == b.read_bytes(), fmt


def test_export_into_a_missing_folder_fails_cleanly(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nowhere" / "q.xml"
    assert main(["export", "--format", "moodle-xml", "--decks", str(GOOD / "mini.yaml"),
                 "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("histquiz: error:") and "does not exist" in err and "Traceback" not in err
