"""Moodle XML: the question-bank format Moodle imports with every setting kept.

Choice items become ``multichoice`` (one right answer at fraction 100, the others at 0; options in
natural order are marked not to be shuffled), typed years become ``numerical`` with a tolerance,
typed months and full dates become ``shortanswer`` listing every way the quiz's date reader
takes them (Moodle grades a short answer by exact match, ignoring case). Questions sit in
categories ``$course$/histquiz/<deck>/<topic>``; each carries the item id as its ``idnumber``
and its topic, era, own and deck tags. (Moodle's importer never updates a question: importing
the file again adds copies, and it drops the idnumber of a copy whose idnumber the category
already holds, so the first import's questions stay the ones with ids.) Text is HTML inside
XML, so YAML text is escaped twice: once for HTML, once for XML.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from ...model import Item
from ..registry import Context, ExportOptions, Rendered
from .common import (
    by_category,
    clean,
    date_answer,
    feedback_text,
    html_text,
    idnumber,
    question_tags,
    text_answers,
)

_INDENT = "  "


def _x(text: str) -> str:
    """XML character data."""
    return escape(clean(text))


def _html_field(tag: str, text: str, depth: int) -> list[str]:
    pad = _INDENT * depth
    return [f'{pad}<{tag} format="html">', f"{pad}{_INDENT}<text>{_x(html_text(text))}</text>",
            f"{pad}</{tag}>"]


def _shortanswer_text(text: str) -> str:
    # In a Moodle short answer '*' is a wildcard; '\*' is a literal star.
    return text.replace("*", "\\*")


def _header(item: Item, qtype: str) -> list[str]:
    lines = [f'{_INDENT}<question type="{qtype}">',
             f"{_INDENT * 2}<name>", f"{_INDENT * 3}<text>{_x(item.id)}</text>", f"{_INDENT * 2}</name>"]
    lines += _html_field("questiontext", item.question, 2)
    lines += _html_field("generalfeedback", feedback_text(item), 2)
    lines += [f"{_INDENT * 2}<defaultgrade>1</defaultgrade>",
              f"{_INDENT * 2}<penalty>0.3333333</penalty>",
              f"{_INDENT * 2}<hidden>0</hidden>"]
    number = idnumber(item)
    if number is not None:
        lines.append(f"{_INDENT * 2}<idnumber>{_x(number)}</idnumber>")
    tags = question_tags(item)
    if tags:
        lines.append(f"{_INDENT * 2}<tags>")
        lines += [f"{_INDENT * 3}<tag><text>{_x(tag)}</text></tag>" for tag in tags]
        lines.append(f"{_INDENT * 2}</tags>")
    return lines


def _answer(fraction: int, text: str, *, html: bool, extra: Sequence[str] = ()) -> list[str]:
    pad = _INDENT * 2
    fmt = ' format="html"' if html else ""
    body = _x(html_text(text)) if html else _x(text)
    lines = [f'{pad}<answer fraction="{fraction}"{fmt}>', f"{pad}{_INDENT}<text>{body}</text>"]
    lines += [f"{pad}{_INDENT}{line}" for line in extra]
    lines.append(f"{pad}</answer>")
    return lines


def _multichoice(item: Item) -> list[str]:
    lines = _header(item, "multichoice")
    shuffle = "false" if item.ordered else "true"
    lines += [f"{_INDENT * 2}<single>true</single>",
              f"{_INDENT * 2}<shuffleanswers>{shuffle}</shuffleanswers>",
              f"{_INDENT * 2}<answernumbering>abc</answernumbering>"]
    for index, option in enumerate(item.options):
        lines += _answer(100 if index == item.answer_index else 0, option, html=True)
    lines.append(f"{_INDENT}</question>")
    return lines


def _typed(item: Item, tolerance: int) -> list[str]:
    kind, date = date_answer(item)
    if kind == "year" and date is not None:
        lines = _header(item, "numerical")
        lines += _answer(100, str(date.year), html=False, extra=[f"<tolerance>{tolerance}</tolerance>"])
    else:
        lines = _header(item, "shortanswer")
        lines.append(f"{_INDENT * 2}<usecase>0</usecase>")
        for form in text_answers(item):
            lines += _answer(100, _shortanswer_text(form), html=False)
    lines.append(f"{_INDENT}</question>")
    return lines


def render_moodle_xml(items: Sequence[Item], options: ExportOptions | None = None) -> str:
    """The Moodle XML text of ``items``, grouped into categories by deck and topic."""
    options = options or ExportOptions()
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    for path, group in by_category(items):
        lines += [f'{_INDENT}<question type="category">', f"{_INDENT * 2}<category>",
                  f"{_INDENT * 3}<text>{_x(path)}</text>", f"{_INDENT * 2}</category>",
                  f"{_INDENT}</question>"]
        for item in group:
            if item.kind == "choice":
                lines += _multichoice(item)
            else:
                lines += _typed(item, options.tolerance)
    lines.append("</quiz>")
    return "\n".join(lines) + "\n"


def render(items: Sequence[Item], ctx: Context) -> Rendered:
    return Rendered((render_moodle_xml(items, ctx.options).encode("utf-8"),), len(items))
