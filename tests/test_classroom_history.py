"""Order and match items, and the choice templates "true-statement" and "first", in the classroom
formats, each read back by a real reader and checked against the facts themselves (their dates),
not against the item's own key:

- Moodle XML with an XML parser and with Moodle's own importer, the Ordering question type
  installed (``moodle_helpers``): the ordering question's items in the right order with the
  plugin's options, the matching questions' event → year pairs, and the fallback's event → place;
- GIFT with Moodle's importer: matching pairs, awkward text intact, no order items;
- QTI parsed: Canvas's matching question, each event's right year and the credit per pair;
- Kahoot and Quizlet: what they leave out, and why, in the words of the build's summary;
- JSON: each order and match item's events, dates, order and pairs.

The deck, ``data/classroom/history.yaml``, asks for every template by name, and its events hold
the characters GIFT, HTML and XML treat specially.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from moodle_helpers import answer_text, moodle_read
from test_formats import lines_of, shown
from test_generate import with_every_template

from histquiz import Deck, Item, generate, load_decks
from histquiz.cli import main
from histquiz.dates import When, years_of
from histquiz.export.classroom.common import feedback_text
from histquiz.export.classroom.gift import render_gift
from histquiz.export.classroom.jsonout import render_json
from histquiz.export.classroom.kahoot import ANSWER_LIMIT, LONG_STATEMENTS, kahoot_rows
from histquiz.export.classroom.moodle import render_moodle_xml
from histquiz.export.registry import (
    FORMATS,
    Context,
    ExportOptions,
    left_out_report,
    render_format,
    report_entries,
)
from histquiz.model import sort_key_for_date

DECK = Path(__file__).parent / "data" / "classroom" / "history.yaml"
PLACES = ["1st", "2nd", "3rd", "4th", "5th"]  # written out here, not taken from the code
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
HISTORY = ("true-statement", "first", "order", "match")


@pytest.fixture(scope="module")
def decks() -> list[Deck]:
    return load_decks([DECK])


@pytest.fixture(scope="module")
def items(decks: list[Deck]) -> list[Item]:
    made = generate(decks, 3)
    assert {i.template for i in made} >= set(HISTORY)
    return made


@pytest.fixture(scope="module")
def builtin_history(builtin_decks: list[Deck]) -> tuple[list[Deck], list[Item]]:
    """The built-in decks with the history templates asked for, and those templates' items."""
    decks = with_every_template(builtin_decks)
    return decks, [i for i in generate(decks, 5) if i.template in HISTORY]


def ctx_of(decks: Sequence[Deck], **options: Any) -> Context:
    return Context(decks=tuple(decks), seed=3, build_time=0, options=ExportOptions(**options))


# --- the truth, from the facts ----------------------------------------------------------------


def event_dates(decks: Sequence[Deck]) -> dict[str, When]:
    return {f.event: f.date for d in decks for f in d.facts if f.event and f.date is not None}


def earliest_first(events: Sequence[str], dates: dict[str, When]) -> list[str]:
    return sorted(events, key=lambda e: sort_key_for_date(dates[e]))


def year_of(event: str, dates: dict[str, When]) -> str:
    (year,) = years_of(dates[event])
    return str(year)


def of(items: Sequence[Item], *kinds: str) -> list[Item]:
    return [i for i in items if i.kind in kinds]


# --- the registry -----------------------------------------------------------------------------


def test_each_format_holds_what_it_can_and_says_why_it_leaves_out_the_rest(
        decks: list[Deck], items: list[Item]) -> None:
    kinds = {name: set(FORMATS[name].kinds) for name in ("moodle-xml", "gift", "kahoot", "qti",
                                                         "quizlet", "json")}
    assert kinds["moodle-xml"] == kinds["json"] == {"choice", "date", "order", "match"}
    assert kinds["gift"] == kinds["qti"] == {"choice", "date", "match"}
    assert kinds["kahoot"] == kinds["quizlet"] == {"choice", "date"}
    orders, matches = len(of(items, "order")), len(of(items, "match"))
    summary = []
    for name in kinds:
        rendered = render_format(name, items, ctx_of(decks))
        summary += left_out_report(report_entries(name, name, rendered)).summary
        held = {s.item_id for s in rendered.skipped}
        for item in of(items, "order", "match"):
            assert (item.id in held) == (item.kind not in kinds[name]), (name, item.id)
    # the build's summary, one line per format and reason, as a teacher reads it
    for line in [
        f"gift: {orders} items left out by design: events to put in order; GIFT has no ordering "
        "question (Moodle XML has)",
        f"kahoot: {orders} items left out by design: events to put in order; Kahoot's spreadsheet "
        "holds only multiple choice",
        f"kahoot: {matches} items left out by design: events to match to their years; Kahoot's "
        "spreadsheet holds only multiple choice",
        f"qti: {orders} items left out by design: events to put in order; QTI 1.2, as Canvas reads "
        "it, has no ordering question (Moodle XML has)",
        f"quizlet: {orders} items left out by design: events to put in order; a Quizlet card is one "
        "term and its definition",
        f"quizlet: {matches} items left out by design: events to match to their years; a Quizlet "
        "card is one term and its definition",
    ]:
        assert line in summary
    assert not any(line.startswith(("moodle-xml:", "json:")) for line in summary)


# --- Moodle XML, read with an XML parser --------------------------------------------------------


def read_xml(text: str) -> dict[str, ElementTree.Element]:
    root = ElementTree.fromstring(text.encode("utf-8"))
    return {q.findtext("idnumber") or "": q for q in root if q.get("type") != "category"}


def html_of(element: ElementTree.Element, path: str) -> str:
    found = element.find(path)
    assert found is not None and found.get("format") == "html", path
    return shown(found.findtext("text") or "")


def test_moodle_xml_order_items_are_ordering_questions_in_the_right_order(
        decks: list[Deck], items: list[Item]) -> None:
    dates = event_dates(decks)
    questions = read_xml(render_moodle_xml(items))
    assert len(questions) == len(items)
    for item in of(items, "order"):
        q = questions[item.id]
        assert q.get("type") == "ordering"
        assert html_of(q, "questiontext") == item.question
        options = {tag: q.findtext(tag) for tag in ("layouttype", "selecttype", "selectcount",
                                                   "gradingtype", "showgrading")}
        assert options == {"layouttype": "VERTICAL", "selecttype": "ALL",
                           "selectcount": str(len(item.options)),
                           "gradingtype": "RELATIVE_ALL_PREVIOUS_AND_NEXT", "showgrading": "SHOW"}
        answers = q.findall("answer")
        assert [shown(a.findtext("text") or "") for a in answers] == earliest_first(item.options, dates)
        assert [a.get("fraction") for a in answers] == [str(n) for n in range(1, len(answers) + 1)]
        feedback = html_of(q, "generalfeedback")
        for place, event in enumerate(earliest_first(item.options, dates)):
            assert f"{PLACES[place]}: {event.strip()} ({dates[event].display()})" in feedback
        assert lines_of(item.explanation) in feedback


def test_moodle_xml_match_items_are_matching_questions_of_event_to_year(
        decks: list[Deck], items: list[Item]) -> None:
    dates = event_dates(decks)
    questions = read_xml(render_moodle_xml(items))
    for item in of(items, "match"):
        q = questions[item.id]
        assert q.get("type") == "matching" and q.findtext("shuffleanswers") == "true"
        pairs = {}
        for sub in q.findall("subquestion"):
            assert sub.get("format") == "html"
            pairs[shown(sub.findtext("text") or "")] = sub.findtext("answer/text")
        assert pairs == {e.strip(): year_of(e, dates) for e in item.options}
        feedback = html_of(q, "generalfeedback")
        assert all(f"{e.strip()}: {dates[e].display()}" in feedback for e in item.options)


def test_moodle_xml_without_the_ordering_plugin_matches_events_to_places(
        decks: list[Deck], items: list[Item]) -> None:
    dates = event_dates(decks)
    questions = read_xml(render_moodle_xml(items, ExportOptions(moodle_ordering=False)))
    assert len(questions) == len(items)
    assert not any(q.get("type") == "ordering" for q in questions.values())
    for item in of(items, "order"):
        q = questions[item.id]
        assert q.get("type") == "matching" and q.findtext("shuffleanswers") == "true"
        assert html_of(q, "questiontext").startswith(item.question + "\n")
        right = earliest_first(item.options, dates)
        pairs = {shown(s.findtext("text") or ""): s.findtext("answer/text")
                 for s in q.findall("subquestion")}
        assert pairs == {e.strip(): PLACES[right.index(e)] for e in item.options}
    # everything else is written as with the plugin
    with_plugin = read_xml(render_moodle_xml(items))
    for item in items:
        if item.kind != "order":
            assert ElementTree.tostring(questions[item.id]) == ElementTree.tostring(with_plugin[item.id])


def test_moodle_xml_feedback_of_the_new_choice_templates(decks: list[Deck], items: list[Item]) -> None:
    """"Which of these statements is true?" says why each false one is false; "Which came
    first?" gives each event's date."""
    dates = event_dates(decks)
    facts = {(f.deck, f.id): f for d in decks for f in d.facts}
    questions = read_xml(render_moodle_xml(items))
    for item in items:
        if item.template not in ("true-statement", "first"):
            continue
        q = questions[item.id]
        feedback = html_of(q, "generalfeedback")
        right = [shown(a.findtext("text") or "") for a in q.findall("answer") if a.get("fraction") == "100"]
        if item.template == "true-statement":
            fact = facts[(item.deck, item.fact)]
            assert right == [fact.statement]
            shown_false = [o for o in item.options if o != fact.statement]
            why = {s.text: s.why for s in fact.false_statements}
            assert all(f"False: {text} {why[text]}" in feedback for text in shown_false)
        else:
            assert right == earliest_first(item.options, dates)[:1]
            assert all(f"{e.strip()}: {dates[e].display()}" in feedback for e in item.options)


# --- Moodle's own importer ------------------------------------------------------------------------


def check_moodle_history(questions: list[dict[str, Any]], items: Sequence[Item],
                         dates: dict[str, When], *, ordering: bool) -> None:
    """What Moodle read, question by question (found by idnumber: the Ordering plugin shortens
    long names), against the facts' dates."""
    by_id = {q["idnumber"]: q for q in questions}
    assert len(by_id) == len(questions) == len(items)
    for item in items:
        q = by_id[item.id]
        assert lines_of(item.explanation) in shown(q["generalfeedback"])
        if item.kind == "order" and ordering:
            assert q["qtype"] == "ordering"
            assert [shown(answer_text(a)) for a in q["answer"]] == [
                e.strip() for e in earliest_first(item.options, dates)]
            assert (q["layouttype"], q["selecttype"], q["selectcount"], q["gradingtype"]) == (
                "LAYOUT_VERTICAL", "SELECT_ALL", len(item.options),
                "GRADING_RELATIVE_ALL_PREVIOUS_AND_NEXT")
            assert all(dates[e].display() in shown(q["generalfeedback"]) for e in item.options)
        elif item.kind in ("order", "match"):
            assert q["qtype"] == "match"
            pairs = dict(zip([shown(s["text"]) for s in q["subquestions"]], q["subanswers"],
                             strict=True))
            if item.kind == "match":
                assert pairs == {e.strip(): year_of(e, dates) for e in item.options}
            else:
                right = earliest_first(item.options, dates)
                assert pairs == {e.strip(): PLACES[right.index(e)] for e in item.options}
        else:
            assert q["qtype"] == "multichoice"
            answers = [shown(answer_text(a)) for a in q["answer"]]
            assert answers == [o.strip() for o in item.options]
            assert [answers[n] for n, f in enumerate(q["fraction"]) if f > 0] == [item.answer.strip()]


@pytest.mark.parametrize("ordering", [True, False], ids=["ordering", "fallback"])
def test_moodle_reads_the_xml_as_meant(decks: list[Deck], items: list[Item], tmp_path: Path,
                                       ordering: bool) -> None:
    history = [i for i in items if i.template in HISTORY]
    path = tmp_path / "q.xml"
    path.write_text(render_moodle_xml(history, ExportOptions(moodle_ordering=ordering)), "utf-8")
    questions = moodle_read("xml", path)
    assert {q["qtype"] for q in questions} == ({"ordering", "match", "multichoice"} if ordering
                                               else {"match", "multichoice"})
    check_moodle_history(questions, history, event_dates(decks), ordering=ordering)


def test_moodle_reads_the_gift_matching_questions_as_meant(decks: list[Deck], items: list[Item],
                                                          tmp_path: Path) -> None:
    """The GIFT file through the registry, as a build writes it: its match items are matching
    questions with the right pairs (the events' awkward text intact, their ``->`` never taken
    for the pair's), no order item is in it, and the Ordering plugin, to which Moodle 4.4
    offers every GIFT question first, takes none of them."""
    history = [i for i in items if i.template in HISTORY]
    path = tmp_path / "q.gift.txt"
    path.write_bytes(render_format("gift", history, ctx_of(decks)).files[0])
    text = path.read_text("utf-8")
    assert "\\{and\\} Turkey sign the \\#1 pact -&gt; the start -> 1955" in text
    questions = moodle_read("gift", path)
    assert "ordering" not in {q["qtype"] for q in questions}
    check_moodle_history(questions, [i for i in history if i.kind != "order"], event_dates(decks),
                         ordering=False)


@pytest.mark.parametrize("fmt", ["xml", "xml-fallback", "gift"])
def test_moodle_reads_the_built_in_decks_history_items(
        builtin_history: tuple[list[Deck], list[Item]], tmp_path: Path, fmt: str) -> None:
    decks, history = builtin_history
    path = tmp_path / "q"
    ctx = ctx_of(decks, moodle_ordering=fmt != "xml-fallback")
    rendered = render_format("gift" if fmt == "gift" else "moodle-xml", history, ctx)
    path.write_bytes(rendered.files[0])
    held = [i for i in history if fmt != "gift" or i.kind != "order"]
    assert rendered.count == len(held)
    check_moodle_history(moodle_read(fmt.split("-")[0], path), held, event_dates(decks),
                         ordering=fmt == "xml")


# --- QTI ----------------------------------------------------------------------------------------


def test_qti_match_items_are_canvas_matching_questions(decks: list[Deck], items: list[Item]) -> None:
    dates = event_dates(decks)
    rendered = render_format("qti", items, ctx_of(decks))
    assert rendered.count == len(items) - len(of(items, "order"))
    with zipfile.ZipFile(io.BytesIO(rendered.files[0])) as archive:
        roots = [ElementTree.fromstring(archive.read(n)) for n in archive.namelist()
                 if n.endswith(".xml") and "/" in n and not n.endswith("assessment_meta.xml")]
    elements = {e.get("title"): e for root in roots for e in root.iter(f"{QTI}item")}
    assert set(elements) == {i.id for i in items if i.kind != "order"}
    for item in of(items, "match"):
        element = elements[item.id]
        kind = [f.findtext(f"{QTI}fieldentry") for f in element.iter(f"{QTI}qtimetadatafield")
                if f.findtext(f"{QTI}fieldlabel") == "question_type"]
        assert kind == ["matching_question"]
        chosen = {}
        for condition in element.iter(f"{QTI}respcondition"):
            value = condition.find(f"{QTI}conditionvar/{QTI}varequal")
            setvar = condition.find(f"{QTI}setvar")
            if value is not None and setvar is not None:
                assert setvar.get("action") == "Add" and condition.get("continue") == "Yes"
                chosen[value.get("respident")] = (value.text, float(setvar.text or 0))
        assert abs(sum(share for _, share in chosen.values()) - 100) < 0.05
        pairs = {}
        responses = element.findall(f"{QTI}presentation/{QTI}response_lid")
        assert len(responses) == len(item.options) == len(chosen)
        for response in responses:
            event = shown((response.findtext(f"{QTI}material/{QTI}mattext") or "")[3:-4])
            labels = {lab.get("ident"): lab.findtext(f".//{QTI}mattext")
                      for lab in response.iter(f"{QTI}response_label")}
            # Canvas takes a match's id from the digits of its ident: each its own number
            assert all((ident or "").isdigit() for ident in labels) and len(labels) == len(item.targets)
            assert sorted(labels.values()) == sorted(year_of(e, dates) for e in item.options)
            pairs[event] = labels[chosen[response.get("ident")][0]]
        assert pairs == {e.strip(): year_of(e, dates) for e in item.options}
        feedback = element.findtext(f"{QTI}itemfeedback/{QTI}flow_mat/{QTI}material/{QTI}mattext") or ""
        assert all(f"{e.strip()}: {dates[e].display()}" in shown(feedback[3:-4]) for e in item.options)


# --- Kahoot, validate and Quizlet ---------------------------------------------------------------


def test_kahoot_keeps_the_statements_that_fit(decks: list[Deck], items: list[Item]) -> None:
    """A "Which of these statements is true?" item goes into Kahoot only whole: its false
    statements are a 2×2 set, so one statement too long leaves the item out, by design, with
    the longest statement's length; an item whose statements all fit is kept as it is."""
    facts = {f.id: f for d in decks for f in d.facts}
    kept, skipped = kahoot_rows(items, ctx_of(decks))
    forms = {i.id: i for i in kept}
    why = {s.item_id: s for s in skipped}
    for fact_id in ("war", "pact", "tashkent", "test"):
        fact = facts[fact_id]
        longest = max(len(t) for t in (fact.statement, *(w.text for w in fact.false_statements)))
        assert longest > ANSWER_LIMIT
        skip = why[f"hist/{fact_id}/true-statement"]
        assert skip.reason == LONG_STATEMENTS and skip.by_design
        assert skip.detail == f"the longest statement is {longest} characters"
    form = forms["hist/treaty/true-statement"]
    fact = facts["treaty"]
    assert form.answer == fact.statement
    assert set(form.options) == {fact.statement, *(w.text for w in fact.false_statements)}
    assert why["hist/satellite/first"].detail.endswith("the fact needs an 'event_short'")
    for item in kept:
        assert all(len(o) <= ANSWER_LIMIT for o in item.options)


def test_validate_warns_of_what_the_author_can_fix_and_not_of_long_statements(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(DECK)]) == 0
    out = capsys.readouterr()
    warnings = [line for line in (out.out + out.err).splitlines() if ": warning: " in line]
    # the satellite's long headline: its own "which came first" item, where it has one (two
    # facts that drew the same pair of events share one item), cannot fit without a short form;
    # another fact's item that drew it is dealt again with a partner that fits
    own = [i for i in generate(load_decks([DECK]), 0) if i.id == "hist/satellite/first"]
    assert len(warnings) == len(own), warnings
    assert all("fact 'satellite': kahoot leaves out 'first'" in w and "'event_short'" in w
               for w in warnings)
    assert not any("fact 'war'" in w or "fact 'test'" in w  # a long statement is by design
                   for w in warnings)


def test_quizlet_makes_no_card_of_a_question_that_needs_its_options(decks: list[Deck],
                                                                    items: list[Item]) -> None:
    rendered = render_format("quizlet", items, ctx_of(decks))
    text = rendered.files[0].decode("utf-8")
    skipped = {s.item_id: s.reason for s in rendered.skipped}
    for item in items:
        if item.template in HISTORY:
            assert item.id in skipped
            assert f"{item.question}\t" not in text
    assert {skipped[i.id] for i in items if i.template in ("first", "true-statement")} == {
        "questions that need their options"}


# --- JSON ---------------------------------------------------------------------------------------


def test_json_gives_events_with_dates_the_order_and_the_pairs(decks: list[Deck],
                                                             items: list[Item]) -> None:
    dates = event_dates(decks)
    rows = {row["id"]: row for row in json.loads(render_json(items))}
    for item in of(items, "order", "match"):
        row = rows[item.id]
        assert "options" not in row and "answer_index" not in row
        events = [e["event"] for e in row["events"]]
        assert events == list(item.options)  # as shown
        assert [e["date"] for e in row["events"]] == [dates[e].display() for e in events]
        if item.kind == "order":
            assert [events[i] for i in row["order"]] == earliest_first(events, dates)
        else:
            assert row["years"] == sorted(row["years"]) == sorted(year_of(e, dates) for e in events)
            assert sorted(e for e, _ in row["pairs"]) == list(range(len(events)))
            assert all(row["years"][y] == year_of(events[e], dates) for e, y in row["pairs"])


# --- the commands -------------------------------------------------------------------------------


def test_moodle_no_ordering_reaches_export_and_build(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    def types(path: Path) -> dict[str, str]:
        root = ElementTree.parse(path).getroot()
        return {q.findtext("idnumber") or "": q.get("type") or "" for q in root
                if q.get("type") != "category"}

    plain, fallback = tmp_path / "a.xml", tmp_path / "b.xml"
    assert main(["export", "--format", "moodle-xml", "--decks", str(DECK), "-o", str(plain)]) == 0
    assert main(["export", "--format", "moodle-xml", "--decks", str(DECK), "--moodle-no-ordering",
                 "-o", str(fallback)]) == 0
    orders = {k for k, v in types(plain).items() if k.endswith("/order")}
    assert orders and {types(plain)[k] for k in orders} == {"ordering"}
    assert {types(fallback)[k] for k in orders} == {"matching"}
    for out, flag in ((tmp_path / "built", []), (tmp_path / "built-fallback", ["--moodle-no-ordering"])):
        assert main(["build", "--decks", str(DECK), "--formats", "moodle-xml,gift", "--out", str(out),
                     *flag]) == 0
        built = types(out / "hist-moodle.xml")
        assert {built[k] for k in orders} == ({"matching"} if flag else {"ordering"})
    summary = capsys.readouterr().out
    assert (f"gift: {len(orders)} items left out by design: events to put in order; GIFT has no "
            "ordering question (Moodle XML has)") in summary


SAME_BYTES = """
import sys
from histquiz.cli import main
sys.exit(main(["export", "--format", sys.argv[1], "--decks", sys.argv[2], "--seed", "5",
               "-o", sys.argv[3], *sys.argv[4:]]))
"""


@pytest.mark.parametrize("fmt", ["moodle-xml", "gift", "qti", "json"])
def test_same_seed_same_bytes_in_any_process(fmt: str, tmp_path: Path) -> None:
    """Two processes with different hash seeds (so every set and dict of strings in another
    order) write the same bytes."""
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"{hash_seed}.out"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "SOURCE_DATE_EPOCH": "1700000000",
               "HISTQUIZ_CACHE": "off",
               "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent.parent / "src"),
                                              os.environ.get("PYTHONPATH", "")])}
        subprocess.run([sys.executable, "-c", SAME_BYTES, fmt, str(DECK), str(out)], check=True,
                       env=env, capture_output=True)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] and outputs[0]


def test_feedback_escapes_the_events(decks: list[Deck], items: list[Item]) -> None:
    """The events' markup is shown as text in every HTML feedback, never as markup."""
    order = of(items, "order")[0]
    nasty = dataclasses.replace(order, options=tuple(f"<i>{o}</i> & {{x}}" for o in order.options))
    questions = read_xml(render_moodle_xml([nasty]))
    feedback = html_of(questions[nasty.id], "generalfeedback")
    assert all(f"<i>{o}</i> & {{x}}" in feedback for o in order.options)
    assert feedback == feedback_text(nasty).strip()
    match = of(items, "match")[0]
    gift = render_gift([dataclasses.replace(match, options=tuple(f"<i>{o}</i>" for o in match.options))])
    assert gift.count("&lt;i&gt;") == 2 * len(match.options) and "<i>" not in gift
