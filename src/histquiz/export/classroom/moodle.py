"""Moodle XML: the question-bank format Moodle imports with every setting kept.

Choice items become ``multichoice`` (one right answer at fraction 100, the others at 0; options in
natural order are marked not to be shuffled), typed years become ``numerical`` with a tolerance,
typed months and full dates become ``shortanswer`` listing every way the quiz's date reader
takes them (Moodle grades a short answer by exact match, ignoring case).

Order items become ``ordering``, the Ordering question type (qtype_ordering, a plugin that is
standard in Moodle 4.4 and later): the events written earliest first, as the plugin reads its
right order, all of them shown (select type ALL, count = every event), one below the other,
graded "relative to ALL the previous and next items" (``RELATIVE_ALL_PREVIOUS_AND_NEXT``: each
pair of events in the right order earns its share, the nearest the plugin has to "pairs in
the right relative order"). The plugin keeps no feedback per item, so each event's date is in
the general feedback. For a Moodle without the plugin (``ExportOptions.moodle_ordering``
False) they become ``matching`` instead: each event matched to its place, 1st (the earliest),
2nd, … Match items become ``matching``, each event a subquestion answered by its year, the
events shuffled. Questions sit in
categories ``$course$/histquiz/<deck>/<topic>``; each carries the item id as its ``idnumber``
and its topic, era, own and deck tags. (Moodle's importer never updates a question: importing
the file again adds copies, and it drops the idnumber of a copy whose idnumber the category
already holds, so the first import's questions stay the ones with ids.) Text is HTML inside
XML, so YAML text is escaped twice: once for HTML, once for XML.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from ...dates import ordinal
from ...model import Item
from ..registry import Context, ExportOptions, Rendered
from .common import (
    BREAK_IN_XML,
    CATEGORY_ROOT,
    by_category,
    date_answer,
    escaped_feedback,
    html_in_xml,
    idnumber,
    question_tags,
    text_answers,
    xml_text,
)

_INDENT = "  "
# The Ordering plugin's grading that counts every pair of items in the right relative order.
ORDERING_GRADING = "RELATIVE_ALL_PREVIOUS_AND_NEXT"
PLACES_HINT = "Give each event its place in time: 1st is the earliest."


def _html_field(tag: str, text: str, depth: int) -> list[str]:
    pad = _INDENT * depth
    return [f'{pad}<{tag} format="html">', f"{pad}{_INDENT}<text>{html_in_xml(text)}</text>",
            f"{pad}</{tag}>"]


def _shortanswer_text(text: str) -> str:
    # In a Moodle short answer '*' is a wildcard; '\*' is a literal star.
    return text.replace("*", "\\*")


# Where a value goes in the header's text (written once, by the same helpers, then filled in
# with ``%``): the question type, the name, the question and the general feedback.
_VALUE = "%s"
_HEADER = "\n".join([
    f'{_INDENT}<question type="{_VALUE}">', f"{_INDENT * 2}<name>",
    f"{_INDENT * 3}<text>{_VALUE}</text>", f"{_INDENT * 2}</name>",
    *_html_field("questiontext", _VALUE, 2), *_html_field("generalfeedback", _VALUE, 2),
    f"{_INDENT * 2}<defaultgrade>1</defaultgrade>", f"{_INDENT * 2}<penalty>0.3333333</penalty>",
    f"{_INDENT * 2}<hidden>0</hidden>"])
assert _HEADER.count("%") == _HEADER.count(_VALUE) == 4


def _header(item: Item, qtype: str, question: str | None = None) -> list[str]:
    """The question's opening, as lines (a line may hold several, joined by line breaks)."""
    lines = [_HEADER % (qtype, xml_text(item.id),
                        html_in_xml(item.question if question is None else question),
                        escaped_feedback(item, html_in_xml, BREAK_IN_XML))]
    number = idnumber(item)
    if number is not None:
        lines.append(f"{_INDENT * 2}<idnumber>{xml_text(number)}</idnumber>")
    lines += _tag_lines(question_tags(item))
    return lines


@functools.lru_cache(maxsize=4096)  # items share their tags
def _tag_lines(tags: tuple[str, ...]) -> tuple[str, ...]:
    if not tags:
        return ()
    return (f"{_INDENT * 2}<tags>", *(f"{_INDENT * 3}<tag><text>{xml_text(tag)}</text></tag>"
                                       for tag in tags), f"{_INDENT * 2}</tags>")


def _answer(fraction: int, text: str, *, html: bool, extra: Sequence[str] = ()) -> str:
    """An answer's lines, joined (``extra`` lines go inside it, after its text)."""
    pad = _INDENT * 2
    fmt = ' format="html"' if html else ""
    body = html_in_xml(text) if html else xml_text(text)
    inside = "".join(f"\n{pad}{_INDENT}{line}" for line in extra)
    return (f'{pad}<answer fraction="{fraction}"{fmt}>\n{pad}{_INDENT}<text>{body}</text>'
            f"{inside}\n{pad}</answer>")


# An option as an answer, at each fraction: options recur from item to item.
@functools.lru_cache(maxsize=1 << 16)
def _option(fraction: int, option: str) -> str:
    return _answer(fraction, option, html=True)


_CHOICE_SETTINGS = {shuffle: "\n".join([
    f"{_INDENT * 2}<single>true</single>", f"{_INDENT * 2}<shuffleanswers>{shuffle}</shuffleanswers>",
    f"{_INDENT * 2}<answernumbering>abc</answernumbering>"]) for shuffle in ("false", "true")}


def _multichoice(item: Item) -> list[str]:
    lines = _header(item, "multichoice")
    lines.append(_CHOICE_SETTINGS["false" if item.ordered else "true"])
    lines += [_option(100 if index == item.answer_index else 0, option)
              for index, option in enumerate(item.options)]
    lines.append(f"{_INDENT}</question>")
    return lines


def _typed(item: Item, tolerance: int) -> list[str]:
    kind, date = date_answer(item)
    if kind == "year" and date is not None:
        lines = _header(item, "numerical")
        lines.append(_answer(100, str(date.year), html=False,
                             extra=[f"<tolerance>{tolerance}</tolerance>"]))
    else:
        lines = _header(item, "shortanswer")
        lines.append(f"{_INDENT * 2}<usecase>0</usecase>")
        lines += [_answer(100, _shortanswer_text(form), html=False) for form in text_answers(item)]
    lines.append(f"{_INDENT}</question>")
    return lines


def _ordering(item: Item) -> list[str]:
    """Moodle's Ordering question: the events in the right order, each shown, one per row."""
    pad = _INDENT * 2
    lines = _header(item, "ordering")
    lines += [f"{pad}<layouttype>VERTICAL</layouttype>", f"{pad}<selecttype>ALL</selecttype>",
              f"{pad}<selectcount>{len(item.key)}</selectcount>",
              f"{pad}<gradingtype>{ORDERING_GRADING}</gradingtype>",
              f"{pad}<showgrading>SHOW</showgrading>", f"{pad}<numberingstyle>none</numberingstyle>",
              f"{pad}<shownumcorrect>1</shownumcorrect>"]
    # The plugin takes the answers' order as the right order (its own files number them 1, 2, …).
    for place, index in enumerate(item.key, start=1):
        lines.append(_answer(place, item.options[index], html=True))
    lines.append(f"{_INDENT}</question>")
    return lines


def _matching(item: Item, pairs: Sequence[tuple[str, str]], question: str | None = None) -> list[str]:
    """Moodle's matching question: each (subquestion, answer) pair, the subquestions shuffled.
    Moodle shows the answers as plain text in a menu, so they are not HTML."""
    pad = _INDENT * 2
    lines = _header(item, "matching", question)
    lines.append(f"{pad}<shuffleanswers>true</shuffleanswers>")
    for stem, answer in pairs:
        lines += [f'{pad}<subquestion format="html">', f"{pad}{_INDENT}<text>{html_in_xml(stem)}</text>",
                  f"{pad}{_INDENT}<answer>", f"{pad}{_INDENT * 2}<text>{xml_text(answer)}</text>",
                  f"{pad}{_INDENT}</answer>", f"{pad}</subquestion>"]
    lines.append(f"{_INDENT}</question>")
    return lines


def _order_as_matching(item: Item) -> list[str]:
    """An order item for a Moodle without the Ordering plugin: each event matched to its place."""
    place = {index: n for n, index in enumerate(item.key, start=1)}
    pairs = [(event, ordinal(place[i])) for i, event in enumerate(item.options)]
    return _matching(item, pairs, f"{item.question}\n{PLACES_HINT}")


def _question(item: Item, options: ExportOptions) -> list[str]:
    if item.kind == "choice":
        return _multichoice(item)
    if item.kind == "order":
        return _ordering(item) if options.moodle_ordering else _order_as_matching(item)
    if item.kind == "match":
        return _matching(item, [(event, item.targets[k]) for event, k in zip(item.options, item.key,
                                                                            strict=True)])
    if item.kind != "date":
        raise ValueError(f"Moodle XML has no question for {item.kind} items ({item.id})")
    return _typed(item, options.tolerance)


def render_moodle_xml(items: Sequence[Item], options: ExportOptions | None = None) -> str:
    """The Moodle XML text of ``items``, grouped into categories by deck and topic."""
    options = options or ExportOptions()
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    for path, group in by_category(items):
        lines += [f'{_INDENT}<question type="category">', f"{_INDENT * 2}<category>",
                  f"{_INDENT * 3}<text>{xml_text(path)}</text>", f"{_INDENT * 2}</category>",
                  f"{_INDENT}</question>"]
        for item in group:
            lines += _question(item, options)
    lines.append("</quiz>")
    return "\n".join(lines) + "\n"


def render(items: Sequence[Item], ctx: Context) -> Rendered:
    return Rendered((render_moodle_xml(items, ctx.options).encode("utf-8"),), len(items))


def made_here(path: Path) -> bool:
    """Is the file at ``path`` a Moodle XML file that histquiz wrote (a quiz whose first
    category is one of histquiz's)?"""
    from ...owned import head

    start = head(path, 4096)
    return start.startswith(b"<?xml") and b"<quiz>" in start and CATEGORY_ROOT.encode() in start
