"""QTI: an IMS QTI 1.2 package, the quiz format Canvas ("QTI .zip file"), Blackboard, Brightspace
and Schoology import.

The package is a zip holding ``imsmanifest.xml`` and, for each deck, one assessment in its own
folder: ``ID/ID.xml`` (the questions, QTI 1.2's ``questestinterop``) and ``ID/assessment_meta.xml``
(Canvas's quiz settings, which other systems ignore), both listed as resources of the manifest.
The shape follows what Canvas exports and imports: each item names its Canvas question type
in ``itemmetadata``; the question and the feedback are HTML in ``mattext``; a response is
scored by ``resprocessing``.

- Choice items are ``multiple_choice_question``: one ``response_label`` per option, and one
  condition that sets the score to 100 for the right one. Options stay in histquiz's order
  (pre-shuffled, or in time and number order), so the quiz is marked not to shuffle answers.
- Typed years are ``numerical_question``: the year, or any value within ``--tolerance`` years.
- Typed months and full dates are ``short_answer_question`` (fill in the blank) accepting
  every spelling the quiz's own date reader takes (``dates.spellings``).
- Match items are ``matching_question``, as Canvas writes them: one ``response_lid`` per
  event, each offering every year (``response_label`` idents are the years' numbers 1, 2, …,
  since Canvas reads a match's id from the digits of its ident), and one condition per event
  that adds its share of the score when its year is chosen, so each right pair earns credit.
  QTI 1.2 has no ordering question that Canvas or the others read, so order items are left
  out (the registry says why).
- The general feedback holds the explanation, the note and the sources (and, for a match
  item, each event's date).

Identifiers are made from the item and deck ids, so the same items always give the same bytes
(the zip entries carry a fixed time) and a rebuilt package names its questions the same.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from ...dates import HistDate
from ...model import Item
from ..registry import Context, Rendered
from ..zipped import zip_bytes
from .common import (
    BREAK_IN_XML,
    clean,
    date_answer,
    escape_markup,
    escaped_feedback,
    html_in_xml,
    html_text,
    one_line,
    text_answers,
    xml_text,
)

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI_XSD = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
MD_NS = "http://www.imsglobal.org/xsd/imsmd_v1p2"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
CANVAS_XSD = "https://canvas.instructure.com/xsd/cccv1p0.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
QTI_RESOURCE = "imsqti_xmlv1p2"
META_RESOURCE = "associatedcontent/imscc_xmlv1p1/learning-application-resource"
RESPONSE = "response1"
FEEDBACK = "general_fb"


def ident(kind: str, key: str) -> str:
    """A stable identifier: the kind of thing and a hash of what it is (an item or deck id).
    Letters, digits and underscores only: written into the XML as they are."""
    return f"histquiz_{kind}_{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}"


def _html(text: str) -> str:
    """Deck text as the HTML a ``mattext`` holds."""
    return f"<p>{html_text(text)}</p>"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attrs)
    if text is not None:
        child.text = clean(text)
    return child


def _metadata(parent: ET.Element, fields: Sequence[tuple[str, str]]) -> None:
    meta = _sub(parent, "qtimetadata")
    for label, entry in fields:
        field = _sub(meta, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)


def _attribute(value: str) -> str:
    """An attribute's value escaped as ElementTree escapes it."""
    value = escape_markup(value)
    for raw, escaped in (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;")):
        if raw in value:
            value = value.replace(raw, escaped)
    return value


# What starts a line at each depth: the item elements are written as text straight away,
# indented as ``ET.indent`` (two spaces a level) would indent the tree.
_PAD = tuple("\n" + "  " * n for n in range(24))


def _leaf(n: int, tag: str, text: str | None = None, attrs: str = "") -> str:
    """An element without children at depth ``n``: its text (cleaned and escaped), or none;
    ``attrs`` already written out (``_attributes``)."""
    body = xml_text(text) if text else ""
    if body:
        return f"{_PAD[n]}<{tag}{attrs}>{body}</{tag}>"
    return f"{_PAD[n]}<{tag}{attrs} />"


def _attributes(**attrs: str) -> str:
    return "".join(f' {name}="{_attribute(value)}"' for name, value in attrs.items())


def _material(n: int, text: str) -> str:
    return (f"{_PAD[n]}<material>{_leaf(n + 1, 'mattext', _html(text), _HTML)}"
            f"{_PAD[n]}</material>")


# An option's material: options recur from item to item (questions and feedback do not, and
# would only push them out of the cache).
_option_material = functools.lru_cache(maxsize=1 << 16)(_material)


def _metadata_text(n: int, fields: Sequence[tuple[str, str]]) -> str:
    rows = "".join(f"{_PAD[n + 2]}<qtimetadatafield>{_leaf(n + 3, 'fieldlabel', label)}"
                   f"{_leaf(n + 3, 'fieldentry', entry)}{_PAD[n + 2]}</qtimetadatafield>"
                   for label, entry in fields)
    return (f"{_PAD[n]}<itemmetadata>{_PAD[n + 1]}<qtimetadata>{rows}"
            f"{_PAD[n + 1]}</qtimetadata>{_PAD[n]}</itemmetadata>")


_HTML = _attributes(texttype="text/html")
_GO_ON = _attributes(**{"continue": "Yes"})
_STOP = _attributes(**{"continue": "No"})
_RESPONSE = _attributes(respident=RESPONSE)
_SINGLE = _attributes(ident=RESPONSE, rcardinality="Single")
_DECIMAL = _attributes(fibtype="Decimal")
_ANSWER = _attributes(ident="answer1")
_ANSWER_AS_TYPED = _attributes(ident="answer1", rshuffle="No")
_SET_SCORE = _attributes(action="Set", varname="SCORE")
_ADD_SCORE = _attributes(action="Add", varname="SCORE")
_FEEDBACK = _attributes(ident=FEEDBACK)


def _processing(n: int) -> str:
    """The opening of ``resprocessing`` at depth ``n``: the score variable and the condition
    that always shows the general feedback (the caller adds its conditions and closes it)."""
    m = n + 1
    return (f"{_PAD[n]}<resprocessing>{_PAD[m]}<outcomes>"
            + _leaf(m + 1, "decvar", None, _attributes(maxvalue="100", minvalue="0",
                                                       varname="SCORE", vartype="Decimal"))
            + f"{_PAD[m]}</outcomes>{_PAD[m]}<respcondition{_GO_ON}>{_PAD[m + 1]}<conditionvar>"
            + _leaf(m + 2, "other") + f"{_PAD[m + 1]}</conditionvar>"
            + _leaf(m + 1, "displayfeedback", None,
                    _attributes(feedbacktype="Response", linkrefid=FEEDBACK))
            + f"{_PAD[m]}</respcondition>")


_PROCESSING = {n: _processing(n) for n in range(12)}


def _matching(n: int, item: Item) -> list[str]:
    """A match item at depth ``n`` as Canvas's ``matching_question``: each event a response
    offering every year, each right pair adding an equal share of 100 (so a partly right
    answer scores partly), and the general feedback."""
    frame = _frame(n)
    qid = ident("question", item.id)
    events = [f"{qid}_{k}" for k in range(len(item.options))]
    years = [str(k) for k in range(1, len(item.targets) + 1)]
    out = [_opening(frame, item, qid, "matching_question", ",".join(events))]
    p = n + 2
    choices = "".join(f'{_PAD[p + 2]}<response_label ident="{year_id}">'
                      f"{_PAD[p + 3]}<material>{_leaf(p + 4, 'mattext', one_line(year))}"
                      f"{_PAD[p + 3]}</material>{_PAD[p + 2]}</response_label>"
                      for year_id, year in zip(years, item.targets, strict=True))
    for event_id, event in zip(events, item.options, strict=True):
        out.append(f'{_PAD[p]}<response_lid ident="response_{event_id}">'
                   f"{_option_material(p + 1, event)}{_PAD[p + 1]}<render_choice>{choices}"
                   f"{_PAD[p + 1]}</render_choice>{_PAD[p]}</response_lid>")
    out += [f"{_PAD[n + 1]}</presentation>", _PROCESSING[n + 1]]
    share = f"{100 / len(events):.2f}"
    q = n + 2
    for event_id, target in zip(events, item.key, strict=True):
        out.append(f"{_PAD[q]}<respcondition{_GO_ON}>{_PAD[q + 1]}<conditionvar>"
                   f'{_PAD[q + 2]}<varequal respident="response_{event_id}">{years[target]}'
                   f"</varequal>{_PAD[q + 1]}</conditionvar>"
                   f"{_PAD[q + 1]}<setvar{_ADD_SCORE}>{share}</setvar>{_PAD[q]}</respcondition>")
    out.append(_ending(frame.ending, item))
    return out


@dataclass(frozen=True)
class _Question:
    """How a choice or date item is asked in QTI: its Canvas question type, the answers' ids
    the metadata lists, the choices' ids, the typed forms accepted, the date answered."""

    qtype: str
    answer_ids: str
    choices: list[str]
    forms: list[str]
    date: HistDate | None

    @classmethod
    def of(cls, item: Item, qid: str) -> _Question:
        kind, date = date_answer(item)
        choices = [f"{qid}_{k}" for k in range(len(item.options))]
        if item.kind == "choice":
            return cls("multiple_choice_question", ",".join(choices), choices, [], date)
        if kind == "year":
            return cls("numerical_question", f"{qid}_number", choices, [], date)
        forms = text_answers(item)
        ids = ",".join(f"{qid}_{k}" for k in range(len(forms)))
        return cls("short_answer_question", ids, choices, forms, date)


# Where a value goes in the templates below: each is the text around an item's values,
# written once per depth by the same helpers (the values then go in with ``%``).
_VALUE = "%s"


@dataclass(frozen=True)
class _Frame:
    """The text of an item at one depth around its values (each ``%s`` a value, put in with
    ``%``):

    - ``opening``: up to the question; its ident, title, question type, answer ids, question
      ref and question (as ``mattext``'s escaped text);
    - ``response``: a choice item's response, up to its options;
    - ``scoring``: a choice item's options' end, the processing and the right answer's
      condition, up to the choice that scores;
    - ``closing``: the end of the scoring condition, then ``ending``;
    - ``ending``: the end of the processing, the general feedback (its escaped text) and the
      end of the item."""

    opening: str
    response: str
    scoring: str
    closing: str
    ending: str


@functools.cache
def _frame(n: int) -> _Frame:
    """The frame of an item at depth ``n``, written by the same helpers as the rest."""
    p = q = n + 2
    opening = (f"{_PAD[n]}<item{_attributes(ident=_VALUE, title=_VALUE)}>"
               + _metadata_text(n + 1, [
                   ("question_type", _VALUE), ("points_possible", "1"),
                   ("original_answer_ids", _VALUE),
                   ("assessment_question_identifierref", _VALUE)])
               + f"{_PAD[n + 1]}<presentation>{_PAD[p]}<material>"
               + f"{_PAD[p + 1]}<mattext{_HTML}>{_VALUE}</mattext>{_PAD[p]}</material>")
    response = f"{_PAD[p]}<response_lid{_SINGLE}>{_PAD[p + 1]}<render_choice>"
    scoring = (f"{_PAD[p + 1]}</render_choice>{_PAD[p]}</response_lid>"
               f"{_PAD[n + 1]}</presentation>{_PROCESSING[n + 1]}"
               f"{_PAD[q]}<respcondition{_STOP}>{_PAD[q + 1]}<conditionvar>"
               f"{_PAD[q + 2]}<varequal{_RESPONSE}>{_VALUE}</varequal>")
    ending = (f"{_PAD[n + 1]}</resprocessing>"
              f"{_PAD[n + 1]}<itemfeedback{_FEEDBACK}>{_PAD[n + 2]}<flow_mat>"
              f"{_PAD[n + 3]}<material>{_PAD[n + 4]}<mattext{_HTML}>{_VALUE}</mattext>"
              f"{_PAD[n + 3]}</material>{_PAD[n + 2]}</flow_mat>{_PAD[n + 1]}</itemfeedback>"
              f"{_PAD[n]}</item>")
    closing = (f"{_PAD[q + 1]}</conditionvar>" + _leaf(q + 1, "setvar", "100", _SET_SCORE)
               + f"{_PAD[q]}</respcondition>" + ending)
    frame = _Frame(opening, response, scoring, closing, ending)
    for template in (opening, response, scoring, closing, ending):
        assert template.count("%") == template.count(_VALUE), "a % in a template's own text"
    return frame


# ``_html``'s paragraph tags as ``mattext`` holds them: escaping changes each character on its
# own, so they are escaped once for all, around the escaped text.
_PARAGRAPH = (escape_markup("<p>"), escape_markup("</p>"))


def _mattext(text: str) -> str:
    """``xml_text(_html(text))``: deck text as the character data of a ``mattext``."""
    return _paragraph(html_in_xml(text))


def _paragraph(escaped: str) -> str:
    """Text already escaped for a ``mattext``, in ``_html``'s paragraph."""
    start, end = _PARAGRAPH
    return f"{start}{escaped}{end}"


def _opening(frame: _Frame, item: Item, qid: str, qtype: str, answer_ids: str) -> str:
    return frame.opening % (qid, _attribute(one_line(item.id)), qtype, answer_ids,
                            ident("question_ref", item.id), _mattext(item.question))


def _ending(template: str, item: Item) -> str:
    return template % _paragraph(escaped_feedback(item, html_in_xml, BREAK_IN_XML))


def _item(n: int, item: Item, tolerance: int) -> list[str]:
    """An item as the text of its element at depth ``n`` (each line, the first included,
    begins with its line break and indent)."""
    if item.kind == "match":
        return _matching(n, item)
    if item.kind not in ("choice", "date"):  # the registry keeps order items away
        raise ValueError(f"QTI cannot hold {item.kind} items ({item.id})")
    frame = _frame(n)
    qid = ident("question", item.id)
    question = _Question.of(item, qid)
    qtype, answer_ids, choices, forms, date = (question.qtype, question.answer_ids,
                                               question.choices, question.forms, question.date)
    out = [_opening(frame, item, qid, qtype, answer_ids)]
    p = n + 2
    if qtype == "multiple_choice_question":
        assert item.answer_index is not None
        out.append(frame.response)
        out += [f"{_PAD[p + 2]}<response_label ident=\"{choice}\">"
                f"{_option_material(p + 3, option)}{_PAD[p + 2]}</response_label>"
                for choice, option in zip(choices, item.options, strict=True)]
        out.append(frame.scoring % choices[item.answer_index])
    else:
        if qtype == "numerical_question":
            fib = f"{_PAD[p + 1]}<render_fib{_DECIMAL}>" + _leaf(p + 2, "response_label", None,
                                                                   _ANSWER)
        else:
            fib = f"{_PAD[p + 1]}<render_fib>" + _leaf(p + 2, "response_label", None,
                                                         _ANSWER_AS_TYPED)
        out.append(f"{_PAD[p]}<response_str{_SINGLE}>{fib}{_PAD[p + 1]}</render_fib>"
                   f"{_PAD[p]}</response_str>")
        out += [f"{_PAD[n + 1]}</presentation>", _PROCESSING[n + 1]]
        # the condition that scores the right answer
        q = n + 2
        out.append(f"{_PAD[q]}<respcondition{_STOP}>{_PAD[q + 1]}<conditionvar>")
        c = q + 2
        if qtype == "numerical_question" and date is not None:
            out.append(f"{_PAD[c]}<or>" + _leaf(c + 1, "varequal", f"{date.year}", _RESPONSE)
                       + f"{_PAD[c + 1]}<and>"
                       + _leaf(c + 2, "vargte", f"{date.year - tolerance}", _RESPONSE)
                       + _leaf(c + 2, "varlte", f"{date.year + tolerance}", _RESPONSE)
                       + f"{_PAD[c + 1]}</and>{_PAD[c]}</or>")
        else:
            out += [_leaf(c, "varequal", form, _RESPONSE) for form in forms]
    out.append(_ending(frame.closing, item))
    return out


def _xml(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    # as text, then encoded once: with encoding="utf-8" ElementTree sends each of its millions
    # of small writes through a codec, a third of a big deck's QTI time (the bytes are the same)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


# Where the items stand in an assessment: questestinterop > assessment > section > item.
_ITEM_LEVEL = 3
_PLACE = "histquiz-items-go-here"


def assessment_xml(assessment_id: str, title: str, items: Sequence[Item], tolerance: int) -> bytes:
    """One deck's questions as a QTI 1.2 assessment (``assessment_pieces``, joined)."""
    return b"".join(assessment_pieces(assessment_id, title, items, tolerance))


def assessment_pieces(assessment_id: str, title: str, items: Sequence[Item],
                      tolerance: int) -> list[bytes]:
    """One deck's questions as a QTI 1.2 assessment, in encoded pieces that make the document
    once joined. Each item is written out as text on its own (``_item``), then set into the
    document where a placeholder stands: a big deck's tree is never built (the bytes are those
    of indenting and writing the whole tree)."""
    root = ET.Element("questestinterop", {
        "xmlns": QTI_NS, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": f"{QTI_NS} {QTI_XSD}"})
    assessment = _sub(root, "assessment", ident=assessment_id, title=one_line(title))
    _metadata(assessment, [("cc_maxattempts", "1")])
    section = _sub(assessment, "section", ident="root_section")
    if not items:
        return [_xml(root)]
    ET.SubElement(section, _PLACE)
    ET.indent(root, space="  ")
    skeleton = ET.tostring(root, encoding="unicode")
    between = "\n" + "  " * _ITEM_LEVEL
    before, after = skeleton.split(f"<{_PLACE} />", 1)
    # the document as encoded pieces, one per item, never joined by the package: a big deck's
    # XML is hundreds of megabytes, and each copy of it would cost as much again
    chunks = [('<?xml version="1.0" encoding="UTF-8"?>\n' + before).encode("utf-8")]
    for n, item in enumerate(items):
        text = "".join(_item(_ITEM_LEVEL, item, tolerance))
        # every item's text begins with the line break before it; the first's is the skeleton's
        chunks.append((text if n else text[len(between):]).encode("utf-8"))
    chunks.append((after + "\n").encode("utf-8"))
    return chunks


def assessment_meta(assessment_id: str, title: str, description: str, points: int) -> bytes:
    """Canvas's settings for the quiz: a practice quiz, answers in the order given."""
    root = ET.Element("quiz", {"identifier": assessment_id, "xmlns": CANVAS_NS, "xmlns:xsi": XSI_NS,
                               "xsi:schemaLocation": f"{CANVAS_NS} {CANVAS_XSD}"})
    for tag, text in (("title", one_line(title)), ("description", _html(description)),
                      ("shuffle_answers", "false"), ("scoring_policy", "keep_highest"),
                      ("hide_results", ""), ("quiz_type", "practice_quiz"),
                      ("points_possible", f"{points:.1f}"), ("show_correct_answers", "true"),
                      ("anonymous_submissions", "false"), ("allowed_attempts", "-1"),
                      ("one_question_at_a_time", "false"), ("cant_go_back", "false"),
                      ("available", "false")):
        _sub(root, tag, text)
    return _xml(root)


def manifest(package_id: str, title: str, assessments: Sequence[str]) -> bytes:
    """``imsmanifest.xml``: each assessment and its Canvas settings, as resources."""
    root = ET.Element("manifest", {"identifier": package_id, "xmlns": CP_NS, "xmlns:imsmd": MD_NS,
                                   "xmlns:xsi": XSI_NS,
                                   "xsi:schemaLocation": f"{CP_NS} http://www.imsglobal.org/xsd/"
                                                         "imscp_v1p1.xsd"})
    metadata = _sub(root, "metadata")
    _sub(metadata, "schema", "IMS Content")
    _sub(metadata, "schemaversion", "1.1.3")
    lom = _sub(_sub(metadata, "imsmd:lom"), "imsmd:general")
    _sub(_sub(lom, "imsmd:title"), "imsmd:string", one_line(title))
    _sub(root, "organizations")
    resources = _sub(root, "resources")
    for assessment_id in assessments:
        meta_id = f"{assessment_id}_meta"
        resource = _sub(resources, "resource", identifier=assessment_id, type=QTI_RESOURCE)
        _sub(resource, "file", href=f"{assessment_id}/{assessment_id}.xml")
        _sub(resource, "dependency", identifierref=meta_id)
        meta = _sub(resources, "resource", identifier=meta_id, type=META_RESOURCE,
                    href=f"{assessment_id}/assessment_meta.xml")
        _sub(meta, "file", href=f"{assessment_id}/assessment_meta.xml")
    return _xml(root)


def render_qti(items: Sequence[Item], ctx: Context) -> bytes:
    """The package: one assessment per deck, in the order the decks' items come."""
    by_deck: dict[str, list[Item]] = {}
    for item in items:
        by_deck.setdefault(item.deck, []).append(item)
    decks = {d.id: d for d in ctx.decks}
    one = len(by_deck) == 1
    entries: list[tuple[str, bytes | list[bytes]]] = []
    ids = []
    for deck_id, deck_items in by_deck.items():
        deck = decks.get(deck_id)
        title = (ctx.options.title if one and ctx.options.title else None) or (
            deck.title if deck is not None else deck_id)
        description = deck.description if deck is not None else ""
        assessment_id = ident("assessment", deck_id)
        ids.append(assessment_id)
        entries.append((f"{assessment_id}/assessment_meta.xml",
                        assessment_meta(assessment_id, title, description, len(deck_items))))
        entries.append((f"{assessment_id}/{assessment_id}.xml",
                        assessment_pieces(assessment_id, title, deck_items,
                                          ctx.options.tolerance)))
    package_title = ctx.options.title or "histquiz"
    head = ("imsmanifest.xml", manifest(ident("manifest", ",".join(by_deck)), package_title, ids))
    # Light compression: a big deck's assessment is hundreds of megabytes of repetitive XML,
    # which zlib's first level packs to a twentieth in a third of its default level's time.
    return zip_bytes([head, *entries], level=1)


def render(items: Sequence[Item], ctx: Context) -> Rendered:
    return Rendered((render_qti(items, ctx),), len(items))


def made_here(path: Path) -> bool:
    """Is the file at ``path`` a QTI package that histquiz wrote (its identifiers)?"""
    from ...owned import zip_member_holds

    return zip_member_holds(path, lambda name: name == "imsmanifest.xml", b'identifier="histquiz_')
