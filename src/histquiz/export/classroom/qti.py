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

import hashlib
from collections.abc import Sequence
from xml.etree import ElementTree as ET

from ...model import Item
from ..registry import Context, Rendered
from ..zipped import zip_bytes
from .common import clean, date_answer, feedback_text, html_text, one_line, text_answers

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
    """A stable identifier: the kind of thing and a hash of what it is (an item or deck id)."""
    return f"histquiz_{kind}_{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}"


def _html(text: str) -> str:
    """Deck text as the HTML a ``mattext`` holds."""
    return f"<p>{html_text(text)}</p>"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attrs)
    if text is not None:
        child.text = clean(text)
    return child


def _material(parent: ET.Element, text: str) -> None:
    _sub(_sub(parent, "material"), "mattext", _html(text), texttype="text/html")


def _metadata(parent: ET.Element, fields: Sequence[tuple[str, str]]) -> None:
    meta = _sub(parent, "qtimetadata")
    for label, entry in fields:
        field = _sub(meta, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)


def _processing(item_el: ET.Element) -> ET.Element:
    """``resprocessing`` with the score variable and the condition that always shows the
    general feedback."""
    processing = _sub(item_el, "resprocessing")
    _sub(_sub(processing, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE",
         vartype="Decimal")
    always = _sub(processing, "respcondition", **{"continue": "Yes"})
    _sub(_sub(always, "conditionvar"), "other")
    _sub(always, "displayfeedback", feedbacktype="Response", linkrefid=FEEDBACK)
    return processing


def _scoring(item_el: ET.Element) -> tuple[ET.Element, ET.Element]:
    """``resprocessing`` (see ``_processing``) and the conditionvar of the condition that
    scores the right answer."""
    processing = _processing(item_el)
    right = _sub(processing, "respcondition", **{"continue": "No"})
    condition = _sub(right, "conditionvar")
    _sub(right, "setvar", "100", action="Set", varname="SCORE")
    return processing, condition


def _feedback(item_el: ET.Element, item: Item) -> None:
    feedback = _sub(item_el, "itemfeedback", ident=FEEDBACK)
    _material(_sub(feedback, "flow_mat"), feedback_text(item))


def _matching(section: ET.Element, item: Item) -> None:
    """A match item as Canvas's ``matching_question``: each event a response offering every
    year, each right pair adding an equal share of 100 (so a partly right answer scores
    partly), and the general feedback."""
    qid = ident("question", item.id)
    item_el = _sub(section, "item", ident=qid, title=one_line(item.id))
    events = [f"{qid}_{n}" for n in range(len(item.options))]
    years = [str(n) for n in range(1, len(item.targets) + 1)]
    _metadata(_sub(item_el, "itemmetadata"), [
        ("question_type", "matching_question"), ("points_possible", "1"),
        ("original_answer_ids", ",".join(events)),
        ("assessment_question_identifierref", ident("question_ref", item.id))])
    presentation = _sub(item_el, "presentation")
    _material(presentation, item.question)
    for event_id, event in zip(events, item.options, strict=True):
        response = _sub(presentation, "response_lid", ident=f"response_{event_id}")
        _material(response, event)
        choices = _sub(response, "render_choice")
        for year_id, year in zip(years, item.targets, strict=True):
            _sub(_sub(_sub(choices, "response_label", ident=year_id), "material"), "mattext",
                 one_line(year))
    processing = _processing(item_el)
    share = f"{100 / len(events):.2f}"
    for event_id, target in zip(events, item.key, strict=True):
        pair = _sub(processing, "respcondition", **{"continue": "Yes"})
        _sub(_sub(pair, "conditionvar"), "varequal", years[target], respident=f"response_{event_id}")
        _sub(pair, "setvar", share, action="Add", varname="SCORE")
    _feedback(item_el, item)


def _item(section: ET.Element, item: Item, tolerance: int) -> None:
    if item.kind == "match":
        _matching(section, item)
        return
    if item.kind not in ("choice", "date"):  # the registry keeps order items away
        raise ValueError(f"QTI cannot hold {item.kind} items ({item.id})")
    qid = ident("question", item.id)
    item_el = _sub(section, "item", ident=qid, title=one_line(item.id))
    kind, date = date_answer(item)
    choices = [f"{qid}_{n}" for n in range(len(item.options))]
    if item.kind == "choice":
        qtype, answer_ids = "multiple_choice_question", ",".join(choices)
    elif kind == "year":
        qtype, answer_ids = "numerical_question", f"{qid}_number"
    else:
        qtype, answer_ids = "short_answer_question", ""
    forms = text_answers(item) if qtype == "short_answer_question" else []
    if forms:
        answer_ids = ",".join(f"{qid}_{n}" for n in range(len(forms)))
    _metadata(_sub(item_el, "itemmetadata"), [
        ("question_type", qtype), ("points_possible", "1"), ("original_answer_ids", answer_ids),
        ("assessment_question_identifierref", ident("question_ref", item.id))])
    presentation = _sub(item_el, "presentation")
    _material(presentation, item.question)
    if qtype == "multiple_choice_question":
        response = _sub(presentation, "response_lid", ident=RESPONSE, rcardinality="Single")
        render = _sub(response, "render_choice")
        for choice, option in zip(choices, item.options, strict=True):
            _material(_sub(render, "response_label", ident=choice), option)
    else:
        response = _sub(presentation, "response_str", ident=RESPONSE, rcardinality="Single")
        if qtype == "numerical_question":
            _sub(_sub(response, "render_fib", fibtype="Decimal"), "response_label", ident="answer1")
        else:
            _sub(_sub(response, "render_fib"), "response_label", ident="answer1", rshuffle="No")
    _, condition = _scoring(item_el)
    if qtype == "multiple_choice_question":
        assert item.answer_index is not None
        _sub(condition, "varequal", choices[item.answer_index], respident=RESPONSE)
    elif qtype == "numerical_question" and date is not None:
        either = _sub(condition, "or")
        _sub(either, "varequal", f"{date.year}", respident=RESPONSE)
        within = _sub(either, "and")
        _sub(within, "vargte", f"{date.year - tolerance}", respident=RESPONSE)
        _sub(within, "varlte", f"{date.year + tolerance}", respident=RESPONSE)
    else:
        for form in forms:
            _sub(condition, "varequal", form, respident=RESPONSE)
    _feedback(item_el, item)


def _xml(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    # as text, then encoded once: with encoding="utf-8" ElementTree sends each of its millions
    # of small writes through a codec, a third of a big deck's QTI time (the bytes are the same)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def _write(element: ET.Element, level: int, out: list[str]) -> None:
    """``element`` as ``ET.indent`` (two spaces, at ``level``) and ``ET.tostring`` would write
    it, for the elements built here (text only in elements without children, no tails): one
    pass, without ElementTree's namespace scan of every element it writes."""
    out.append("<" + element.tag)
    for name, value in element.items():
        out.append(f' {name}="{_attribute(value)}"')
    if len(element):
        pad = "\n" + "  " * (level + 1)
        out.append(">")
        for child in element:
            out.append(pad)
            _write(child, level + 1, out)
        out.append("\n" + "  " * level + "</" + element.tag + ">")
    elif element.text:
        out.append(">" + _text(element.text) + "</" + element.tag + ">")
    else:
        out.append(" />")


def _text(text: str) -> str:
    """Character data escaped as ElementTree escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _attribute(value: str) -> str:
    """An attribute's value escaped as ElementTree escapes it."""
    value = _text(value)
    for raw, escaped in (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;")):
        if raw in value:
            value = value.replace(raw, escaped)
    return value


# Where the items stand in an assessment: questestinterop > assessment > section > item.
_ITEM_LEVEL = 3
_PLACE = "histquiz-items-go-here"


def assessment_xml(assessment_id: str, title: str, items: Sequence[Item], tolerance: int) -> bytes:
    """One deck's questions as a QTI 1.2 assessment. Each item is built and written out on its
    own, then set into the document where a placeholder stands: a big deck's tree is never
    held whole (the bytes are those of indenting and writing the whole tree)."""
    root = ET.Element("questestinterop", {
        "xmlns": QTI_NS, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": f"{QTI_NS} {QTI_XSD}"})
    assessment = _sub(root, "assessment", ident=assessment_id, title=one_line(title))
    _metadata(assessment, [("cc_maxattempts", "1")])
    section = _sub(assessment, "section", ident="root_section")
    if not items:
        return _xml(root)
    ET.SubElement(section, _PLACE)
    ET.indent(root, space="  ")
    skeleton = ET.tostring(root, encoding="unicode")
    between = "\n" + "  " * _ITEM_LEVEL
    before, after = skeleton.split(f"<{_PLACE} />", 1)
    # the document as encoded pieces, one per item, joined once: a big deck's XML is hundreds
    # of megabytes, and each copy of it as text would cost as much again
    chunks = [('<?xml version="1.0" encoding="UTF-8"?>\n' + before).encode("utf-8")]
    for n, item in enumerate(items):
        holder = ET.Element("section")
        _item(holder, item, tolerance)
        parts: list[str] = [between] if n else []
        _write(holder[0], _ITEM_LEVEL, parts)
        chunks.append("".join(parts).encode("utf-8"))
    chunks.append((after + "\n").encode("utf-8"))
    return b"".join(chunks)


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
    entries: list[tuple[str, bytes]] = []
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
                        assessment_xml(assessment_id, title, deck_items, ctx.options.tolerance)))
    package_title = ctx.options.title or "histquiz"
    head = ("imsmanifest.xml", manifest(ident("manifest", ",".join(by_deck)), package_title, ids))
    return zip_bytes([head, *entries])


def render(items: Sequence[Item], ctx: Context) -> Rendered:
    return Rendered((render_qti(items, ctx),), len(items))
