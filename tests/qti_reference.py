"""The QTI writer's items as an ElementTree tree, built as the writer built them before it wrote
its items straight out as text: the oracle that the text must equal once the whole tree is
indented and written (tests/test_qti.py)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from histquiz.export.classroom.common import (
    clean,
    feedback_text,
    one_line,
)
from histquiz.export.classroom.qti import FEEDBACK, RESPONSE, _html, _Question, ident
from histquiz.model import Item


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
    # how it is asked is the writer's own (``_Question``): what is checked is the XML
    question = _Question.of(item, qid)
    qtype, answer_ids, choices, forms, date = (question.qtype, question.answer_ids,
                                               question.choices, question.forms, question.date)
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
