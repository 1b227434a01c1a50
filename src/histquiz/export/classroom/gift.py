"""GIFT: Moodle's plain-text question format, the same mapping as Moodle XML.

The rules followed are those of Moodle's GIFT documentation and importer:

- Questions are separated by a blank line; ``$CATEGORY: path`` on its own sets the category for
  the questions after it.
- ``::name::`` names a question; ``[html]`` before the question text sets its format, and the
  answers and feedback inherit it.
- ``=right ~wrong`` inside ``{...}`` make a multiple-choice question; ``{#1971:0}`` a number with
  its tolerance; ``{=a =b}`` a short answer with every accepted form; ``####text`` just before the
  closing brace is the general feedback.
- ``~ = # { } :`` are escaped with a backslash, and so is the backslash itself.

Text from the decks is first escaped as HTML (so ``<b>`` shows as typed), then for GIFT. A line
of its own never starts with ``//`` (a comment) because each starts with ``::``, ``=``, ``~``,
``#`` or ``}``. GIFT cannot say "do not shuffle these options": Moodle's own default applies, so
for ordered options (years, numbers) prefer the Moodle XML file, which says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...model import Item
from ..registry import Context, ExportOptions, Rendered
from .common import (
    by_category,
    date_answer,
    feedback_text,
    html_text,
    one_line,
    text_answers,
)

SPECIAL = "~=#{}:"


def escape(text: str) -> str:
    """Escape GIFT's control characters with a backslash (the backslash first)."""
    out = text.replace("\\", "\\\\")
    for ch in SPECIAL:
        out = out.replace(ch, "\\" + ch)
    return out


def html_field(text: str) -> str:
    """Deck text as GIFT-escaped HTML on one line.

    A leading ``[`` would be read as a format name like ``[html]`` and a leading ``%`` as an
    answer weight like ``%50%``; as HTML character references they show the same.
    """
    fragment = html_text(text).replace("\n", " ")
    if fragment.startswith("["):
        fragment = "&#91;" + fragment[1:]
    elif fragment.startswith("%"):
        fragment = "&#37;" + fragment[1:]
    return escape(fragment)


def _question(item: Item, tolerance: int) -> list[str]:
    head = f"::{escape(one_line(item.id))}::[html]{html_field(item.question)}{{"
    lines = [head]
    if item.kind == "choice":
        for index, option in enumerate(item.options):
            mark = "=" if index == item.answer_index else "~"
            lines.append(f"\t{mark}{html_field(option)}")
    else:
        kind, date = date_answer(item)
        if kind == "year" and date is not None:
            lines[0] += f"#{date.year}:{tolerance}"
        else:
            # Short answers are compared as plain text, so they are not HTML-escaped;
            # '*' is a wildcard in them unless written '\*'.
            for form in text_answers(item):
                lines.append(f"\t={escape(form.replace('*', chr(92) + '*'))}")
    feedback = feedback_text(item)
    if feedback:
        lines.append(f"\t####{html_field(feedback)}")
    lines.append("}")
    return lines


def render_gift(items: Sequence[Item], options: ExportOptions | None = None) -> str:
    """The GIFT text of ``items``, grouped into categories by deck and topic."""
    options = options or ExportOptions()
    blocks = ["// histquiz questions in GIFT format; import into Moodle's question bank."]
    for path, group in by_category(items):
        blocks.append(f"$CATEGORY: {path}")
        blocks.extend("\n".join(_question(item, options.tolerance)) for item in group)
    return "\n\n".join(blocks) + "\n"


def render(items: Sequence[Item], ctx: Context) -> Rendered:
    return Rendered((render_gift(items, ctx.options).encode("utf-8"),), len(items))
