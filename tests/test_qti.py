"""QTI 1.2 packages for Canvas and other LMSs: every XML part parses, the manifest's references
resolve, each item scores exactly its right answer, and the structure is the one text2qti (a
maintained writer of Canvas QTI) writes for the same kinds of question."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from test_formats import lines_of, shown

from histquiz import Item, Selection, generate, load_decks
from histquiz.dates import Precision, parse_answer, spellings
from histquiz.export.classroom.qti import render_qti
from histquiz.export.registry import Context, ExportOptions

GOOD = Path(__file__).parent / "data" / "good"
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
# The kinds these tests cover; match items have theirs in test_classroom_history.py.
CHOICE_AND_DATE = Selection(kinds=("choice", "date"))
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"


def unpack(data: bytes) -> dict[str, ElementTree.Element]:
    """Every part of the package, parsed (a part that is not well-formed XML fails here)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: ElementTree.fromstring(archive.read(name))
                for name in archive.namelist() if not name.endswith("/")}


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def field(item: ElementTree.Element, label: str) -> str:
    for f in item.iter(f"{QTI}qtimetadatafield"):
        if f.findtext(f"{QTI}fieldlabel") == label:
            return f.findtext(f"{QTI}fieldentry") or ""
    raise AssertionError(f"no {label}")


def check_manifest(parts: dict[str, ElementTree.Element]) -> list[str]:
    """Every resource's files exist, every dependency names a resource, every part is listed;
    returns the assessments' parts."""
    manifest = parts["imsmanifest.xml"]
    resources = {r.get("identifier"): r for r in manifest.iter(f"{CP}resource")}
    listed = set()
    assessments = []
    for resource in resources.values():
        for file in resource.iter(f"{CP}file"):
            href = file.get("href")
            assert href in parts, href
            listed.add(href)
            if resource.get("type") == "imsqti_xmlv1p2":
                assessments.append(href)
        if resource.get("href") is not None:
            assert resource.get("href") in parts
        for dependency in resource.iter(f"{CP}dependency"):
            assert dependency.get("identifierref") in resources
    assert listed == set(parts) - {"imsmanifest.xml"}
    return assessments


@pytest.fixture(scope="module")
def qti_items(tmp_path_factory: pytest.TempPathFactory) -> list[Item]:
    from synth import write_deck
    folder = tmp_path_factory.mktemp("qti")
    decks = load_decks([GOOD / "mini.yaml", write_deck(folder, 20, seed=3, deck_id="synth")])
    return generate(decks, 2, CHOICE_AND_DATE)


@pytest.mark.parametrize("tolerance", [0, 2])
def test_every_part_parses_and_each_item_scores_its_answer(qti_items: list[Item],
                                                           tolerance: int) -> None:
    decks = load_decks([GOOD / "mini.yaml"])
    ctx = Context(decks=tuple(decks), seed=2, build_time=0, options=ExportOptions(tolerance=tolerance))
    parts = unpack(render_qti(qti_items, ctx))
    assessments = check_manifest(parts)
    assert len(assessments) == 2  # one per deck
    by_title = {}
    for href in assessments:
        assessment = parts[href].find(f"{QTI}assessment")
        assert assessment is not None
        by_title[assessment.get("title")] = assessment
        meta = parts[href.rsplit("/", 1)[0] + "/assessment_meta.xml"]
        assert meta.findtext("{http://canvas.instructure.com/xsd/cccv1p0}shuffle_answers") == "false"
    assert set(by_title) == {"A small test deck", "synth"}  # a deck not in ctx: its id
    items = {i.id: i for i in qti_items}
    seen = []
    for assessment in by_title.values():
        for element in assessment.iter(f"{QTI}item"):
            item = items[element.get("title") or ""]
            seen.append(item.id)
            check_item(element, item, tolerance)
    assert seen == [i.id for i in qti_items if i.deck == "mini"] + [
        i.id for i in qti_items if i.deck == "synth"]


def check_item(element: ElementTree.Element, item: Item, tolerance: int) -> None:
    question = element.find(f"{QTI}presentation/{QTI}material/{QTI}mattext")
    assert question is not None and question.get("texttype") == "text/html"
    assert shown((question.text or "").removeprefix("<p>").removesuffix("</p>")) == item.question.strip()
    feedback = element.findtext(f"{QTI}itemfeedback/{QTI}flow_mat/{QTI}material/{QTI}mattext") or ""
    assert lines_of(item.explanation) in shown(feedback.removeprefix("<p>").removesuffix("</p>"))
    scoring = [c for c in element.iter(f"{QTI}respcondition")
               if c.findtext(f"{QTI}setvar") == "100"]
    assert len(scoring) == 1  # one condition gives the marks
    condition = scoring[0].find(f"{QTI}conditionvar")
    assert condition is not None
    kind = field(element, "question_type")
    if item.kind == "choice":
        assert kind == "multiple_choice_question"
        labels = element.findall(f".//{QTI}render_choice/{QTI}response_label")
        texts = [shown((lab.findtext(f".//{QTI}mattext") or "")[3:-4]) for lab in labels]
        assert texts == [o.strip() for o in item.options]
        right = [v.text for v in condition.iter(f"{QTI}varequal")]
        assert len(right) == 1  # exactly one right answer
        assert right == [labels[item.answer_index or 0].get("ident")]
        assert field(element, "original_answer_ids").split(",") == [lab.get("ident") for lab in labels]
    elif item.answer_date is not None and item.answer_date.precision is Precision.YEAR:
        assert kind == "numerical_question"
        year = item.answer_date.year
        assert condition.findtext(f".//{QTI}varequal") == str(year)
        assert condition.findtext(f".//{QTI}vargte") == str(year - tolerance)
        assert condition.findtext(f".//{QTI}varlte") == str(year + tolerance)
    else:
        assert kind == "short_answer_question"
        assert item.answer_date is not None
        accepted = [v.text or "" for v in condition.iter(f"{QTI}varequal")]
        assert accepted == spellings(item.answer_date)
        assert all(parse_answer(a) == item.answer_date for a in accepted)


def test_same_items_same_bytes(qti_items: list[Item]) -> None:
    ctx = Context(decks=(), seed=2, build_time=1_700_000_000)
    later = Context(decks=(), seed=2, build_time=1_800_000_000)
    assert render_qti(qti_items, ctx) == render_qti(list(qti_items), later)
    assert render_qti(qti_items, ctx) != render_qti(qti_items[1:], ctx)


# --- the reference: text2qti -----------------------------------------------------------------

TEXT2QTI_QUIZ = """\
Quiz title: Reference
Quiz description: The same kinds of question.

1.  Which foreign minister signed the treaty for Moscow?
... The treaty ran for twenty years.
a)  Leonid Brezhnev
*b) Andrei Gromyko
c)  Alexei Kosygin

2.  In what year was the regional pact founded?
... Founded in Baghdad.
=   1955 +- 1

3.  On what date was the friendship treaty signed?
... It was signed in New Delhi.
*   9 August 1971
*   1971-08-09
"""


def shape(element: ElementTree.Element) -> tuple[Any, ...]:
    """An element's structure: its tag, its attribute names, and its children's shapes, with
    runs of like children counted once (three options or one are the same structure). The
    metadata fields are told apart by their labels."""
    children: list[tuple[Any, ...]] = []
    for child in element:
        s = shape(child)
        if not children or children[-1] != s:
            children.append(s)
    label = element.findtext(f"{QTI}fieldlabel") if local(element.tag) == "qtimetadatafield" else None
    return (local(element.tag), tuple(sorted(element.attrib)), label, tuple(children))


def text2qti_package(tmp_path: Path) -> dict[str, ElementTree.Element]:
    config = pytest.importorskip("text2qti.config")
    quiz = pytest.importorskip("text2qti.quiz")
    qti = pytest.importorskip("text2qti.qti")
    made = quiz.Quiz(TEXT2QTI_QUIZ, config=config.Config(), source_name="reference.txt")
    return unpack(qti.QTI(made).zip_bytes())


def items_by_type(parts: dict[str, ElementTree.Element]) -> dict[str, ElementTree.Element]:
    found = {}
    for root in parts.values():
        for element in root.iter(f"{QTI}item"):
            found.setdefault(field(element, "question_type"), element)
    return found


def test_structure_matches_text2qti(tmp_path: Path) -> None:
    reference = text2qti_package(tmp_path)
    decks = load_decks([GOOD / "mini.yaml"])
    ours = unpack(render_qti(generate(decks, 1, CHOICE_AND_DATE), Context(
        decks=tuple(decks), seed=1, build_time=0, options=ExportOptions(tolerance=1))))
    theirs_items, our_items = items_by_type(reference), items_by_type(ours)
    assert set(theirs_items) == set(our_items) == {
        "multiple_choice_question", "numerical_question", "short_answer_question"}
    for kind, element in our_items.items():
        assert shape(element) == shape(theirs_items[kind]), kind
    # the package: a manifest, and per assessment its questions and Canvas's settings
    mine, reference_parts = by_pattern(ours), by_pattern(reference)
    assert sorted(mine) == sorted(reference_parts) == [
        "ID/ID.xml", "ID/assessment_meta.xml", "imsmanifest.xml"]
    for pattern, root in mine.items():
        other = reference_parts[pattern]
        assert (local(root.tag), set(root.attrib)) == (local(other.tag), set(other.attrib)), pattern
        # every element we write is one text2qti writes in the same part
        assert {local(e.tag) for e in root.iter()} <= {local(e.tag) for e in other.iter()}, pattern
    resources = [shape(r) for r in mine["imsmanifest.xml"].iter(f"{CP}resource")]
    assert resources == [shape(r) for r in reference_parts["imsmanifest.xml"].iter(f"{CP}resource")]


def by_pattern(parts: dict[str, ElementTree.Element]) -> dict[str, ElementTree.Element]:
    """The parts of a one-assessment package by name, the assessment's id written ID."""
    out = {}
    for name, root in parts.items():
        folder = name.split("/")[0] if "/" in name else None
        out[name.replace(folder, "ID") if folder else name] = root
    return out


def test_items_written_one_by_one_give_the_bytes_of_the_whole_tree(tmp_path: Path) -> None:
    """The writer never holds a big deck's tree whole; what it writes is what indenting and
    writing the whole tree with ElementTree gives (awkward text included: & < > " ' and more)."""
    from xml.etree import ElementTree as ET

    import qti_reference as reference
    from synth import write_deck

    from histquiz import generate, load_decks
    from histquiz.export.classroom import qti

    decks = load_decks([write_deck(tmp_path, 300, 9)])
    items = [i for i in generate(decks, 4) if i.kind in ("choice", "date", "match")]
    items += [i for i in generate(load_decks(), 4) if i.kind in ("choice", "date", "match")]
    assert {i.kind for i in items} == {"choice", "date", "match"}
    root = ET.Element("questestinterop", {"xmlns": qti.QTI_NS, "xmlns:xsi": qti.XSI_NS,
                                          "xsi:schemaLocation": f"{qti.QTI_NS} {qti.QTI_XSD}"})
    assessment = reference._sub(root, "assessment", ident="a", title="T & <t>")
    reference._metadata(assessment, [("cc_maxattempts", "1")])
    section = reference._sub(assessment, "section", ident="root_section")
    for item in items:
        reference._item(section, item, 2)
    assert qti.assessment_xml("a", "T & <t>", items, 2) == qti._xml(root)


def test_a_package_written_in_pieces_is_the_package_of_the_joined_bytes(
        qti_items: list[Item]) -> None:
    """The assessment goes into the zip piece by piece, never joined: the archive is byte for
    byte the one its joined bytes give, at each compression level, and reads back as them."""
    from histquiz.export.classroom.qti import assessment_pieces
    from histquiz.export.zipped import zip_bytes

    pieces = assessment_pieces("a", "T", qti_items, 1)
    assert len(pieces) > 2
    joined = b"".join(pieces)
    for level in (None, 1, 9):
        whole = zip_bytes([("m.xml", b"<m/>"), ("a/a.xml", joined)], timestamp=1_700_000_000,
                          level=level)
        assert zip_bytes([("m.xml", [b"<m/>"]), ("a/a.xml", pieces)], timestamp=1_700_000_000,
                         level=level) == whole
        with zipfile.ZipFile(io.BytesIO(whole)) as archive:
            assert archive.read("a/a.xml") == joined
    assert zip_bytes([("e", [])]) == zip_bytes([("e", b"")])
