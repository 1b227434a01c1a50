"""GIFT: Moodle's plain-text question format, the same mapping as Moodle XML.

The rules followed are those of Moodle's GIFT documentation and importer:

- Questions are separated by a blank line; ``$CATEGORY: path`` on its own sets the category for
  the questions after it.
- ``::name::`` names a question; ``[html]`` before the question text sets its format, and the
  answers and feedback inherit it.
- ``=right ~wrong`` inside ``{...}`` make a multiple-choice question; ``{#1971:0}`` a number with
  its tolerance; ``{=a =b}`` a short answer with every accepted form; ``{=event -> 1971 ...}`` a
  matching question (match items: each event and its year); ``####text`` just before the
  closing brace is the general feedback. GIFT has no ordering question: order items are left
  out (see the registry), and Moodle XML holds them.
- ``~ = # { } :`` are escaped with a backslash, and so is the backslash itself.

Text from the decks is first escaped as HTML (so ``<b>`` shows as typed), then for GIFT; so
an event never holds the ``->`` that ends a matching subquestion (its ``>`` is ``&gt;``). A
year, the answer of a subquestion, is plain text, escaped for GIFT only. A line
of its own never starts with ``//`` (a comment) because each starts with ``::``, ``=``, ``~``,
``#`` or ``}``; the one comment line written just before each question,
``// [id:deck/fact/template] [tag:topic::…] [tag:era::…] [tag:deck::…]``, is read by Moodle 4.1
and later as the question's idnumber and tags. GIFT cannot say "do not shuffle these options":
Moodle's own default applies, so for ordered options (years, numbers) prefer the Moodle XML
file, which says so; the build's summary counts those questions once.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from ...model import Item
from ..registry import Caveat, Context, ExportOptions, Rendered
from .common import (
    by_category,
    date_answer,
    escaped_feedback,
    html_text,
    idnumber,
    one_line,
    question_tags,
    text_answers,
)

# What a GIFT file of histquiz's starts with (see made_here).
FIRST_LINE = "// histquiz questions in GIFT format; import into Moodle's question bank."

SPECIAL = "~=#{}:"
UNORDERED = ("options in date or number order, which GIFT cannot keep from being shuffled "
             "(Moodle XML can)")


def escape(text: str) -> str:
    """Escape GIFT's control characters with a backslash (the backslash too)."""
    # The backslash first, so that those put in before the others are not doubled; one
    # str.replace per character found, which is several times as fast as str.translate on
    # HTML text, where "#" of "&#x27;" is common.
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    for ch in SPECIAL:
        if ch in text:
            text = text.replace(ch, "\\" + ch)
    return text


def _html_escaped(text: str) -> str:
    """``html_field`` for text that does not begin a field."""
    return escape(html_text(text).replace("\n", " "))


def html_field(text: str) -> str:
    """Deck text as GIFT-escaped HTML on one line.

    A leading ``[`` would be read as a format name like ``[html]`` and a leading ``%`` as an
    answer weight like ``%50%``; as HTML character references they show the same.
    """
    field = _html_escaped(text)
    lead = _LEADING.get(field[:1])  # neither character is one that ``escape`` changes
    return field if lead is None else lead + field[1:]


_LEADING = {"[": escape("&#91;"), "%": escape("&#37;")}


# An option's field: options recur from item to item.
_option_field = functools.lru_cache(maxsize=1 << 16)(html_field)


def comment_tag(kind: str, value: str) -> str:
    """``[id:…]`` or ``[tag:…]`` as Moodle's GIFT importer reads it from a comment (``]``
    inside written ``\\]``)."""
    return f"[{kind}:{one_line(value).replace(']', chr(92) + ']')}]"


def _identity(item: Item) -> str | None:
    """The comment line before a question that gives Moodle (4.1 and later) its idnumber and
    tags; None when there is nothing to give."""
    tags = _tag_comments(question_tags(item))
    number = idnumber(item)
    bits = [comment_tag("id", number)] if number is not None else []
    if tags:
        bits.append(tags)
    return "// " + " ".join(bits) if bits else None


@functools.lru_cache(maxsize=4096)  # items share their tags
def _tag_comments(tags: tuple[str, ...]) -> str:
    return " ".join(comment_tag("tag", tag) for tag in tags)


def _question(item: Item, tolerance: int) -> list[str]:
    head = f"::{escape(one_line(item.id))}::[html]{html_field(item.question)}{{"
    identity = _identity(item)
    lines = [head] if identity is None else [identity, head]
    if item.kind == "choice":
        for index, option in enumerate(item.options):
            mark = "=" if index == item.answer_index else "~"
            lines.append(f"\t{mark}{_option_field(option)}")
    elif item.kind == "match":
        for event, target in zip(item.options, item.key, strict=True):
            lines.append(f"\t={_option_field(event)} -> {escape(one_line(item.targets[target]))}")
    elif item.kind != "date":  # the registry keeps order items away (GIFT has no ordering)
        raise ValueError(f"GIFT cannot hold {item.kind} items ({item.id})")
    else:
        kind, date = date_answer(item)
        if kind == "year" and date is not None:
            lines[-1] += f"#{date.year}:{tolerance}"
        else:
            # Short answers are compared as plain text, so they are not HTML-escaped;
            # '*' is a wildcard in them unless written '\*'.
            for form in text_answers(item):
                lines.append(f"\t={escape(form.replace('*', chr(92) + '*'))}")
    feedback = escaped_feedback(item, html_field, "<br>", _html_escaped)
    if feedback:
        lines.append(f"\t####{feedback}")
    lines.append("}")
    return lines


def render_gift(items: Sequence[Item], options: ExportOptions | None = None) -> str:
    """The GIFT text of ``items``, grouped into categories by deck and topic."""
    options = options or ExportOptions()
    blocks = [FIRST_LINE]
    for path, group in by_category(items):
        blocks.append(f"$CATEGORY: {path}")
        blocks.extend("\n".join(_question(item, options.tolerance)) for item in group)
    return "\n\n".join(blocks) + "\n"


def render(items: Sequence[Item], ctx: Context) -> Rendered:
    caveats = tuple(Caveat(i.id, UNORDERED) for i in items if i.kind == "choice" and i.ordered)
    return Rendered((render_gift(items, ctx.options).encode("utf-8"),), len(items),
                    caveats=caveats)


def made_here(path: Path) -> bool:
    """Is the file at ``path`` a GIFT file that histquiz wrote (its first line)?"""
    from ...owned import head

    return head(path, len(FIRST_LINE.encode("utf-8"))) == FIRST_LINE.encode("utf-8")
