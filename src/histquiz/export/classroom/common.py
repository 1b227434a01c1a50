"""What the classroom formats (Moodle XML, GIFT, Kahoot, Quizlet, JSON) share: Kahoot's time
limits, categories, feedback text, and the typed forms a full date is accepted in."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from ...dates import MONTHS, HistDate, Precision
from ...model import Item

KAHOOT_TIME_LIMITS = (5, 10, 20, 30, 60, 90, 120, 240)


# Characters XML 1.0 cannot hold at all; YAML cannot carry them either, but a deck built in
# code could, and one stray byte must not make a whole quiz file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Text without characters that no XML or spreadsheet can hold."""
    return _NOT_XML.sub("", text)


def one_line(text: str) -> str:
    """Text on one line: tabs and line breaks become single spaces."""
    return " ".join(clean(text).replace("\t", " ").splitlines()).strip()


def html_text(text: str) -> str:
    """Plain text as an HTML fragment that shows exactly that text (line breaks kept)."""
    escaped = html.escape(clean(text).strip(), quote=False)
    return "<br>".join(escaped.splitlines())


def category(item: Item) -> str:
    """The Moodle question-bank category of an item: course level, then deck, then topic."""
    return f"$course$/histquiz/{item.deck}/{item.topic}"


def by_category(items: Iterable[Item]) -> list[tuple[str, list[Item]]]:
    """Items grouped by category, the groups in order of first appearance, items in their order."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(category(item), []).append(item)
    return list(groups.items())


def feedback_text(item: Item) -> str:
    """The general feedback shown after answering: explanation, note, and sources."""
    parts = [item.explanation.strip()]
    if item.note:
        parts.append(f"Note: {item.note.strip()}")
    if item.sources:
        parts.append("Sources: " + "; ".join(s.citation() for s in item.sources))
    return "\n".join(p for p in parts if p)


def typed_forms(date: HistDate) -> list[str]:
    """Ways a person types this date that mean exactly it, for short-answer grading.

    Every form reads back to the date with histquiz.dates.parse_answer. Slashed numeric dates
    are listed only when they cannot be misread (a day over 12), since 9/8/1971 is 9 August
    to some and 8 September to others.
    """
    y, m, d = date.year, date.month, date.day
    if m is None:
        return [str(y)]
    full, short = MONTHS[m - 1], MONTHS[m - 1][:3]
    names = [full] if full == short else [full, short]
    if d is None:
        forms = [f"{name} {y}" for name in names]
        forms += [f"{y}-{m:02d}", f"{y}-{m}", f"{m}/{y}", f"{m:02d}/{y}"]
        return list(dict.fromkeys(forms))
    ordinal = f"{d}{_suffix(d)}"
    forms = []
    for name in names:
        forms += [f"{d} {name} {y}", f"{ordinal} {name} {y}", f"{name} {d}, {y}",
                  f"{name} {d} {y}", f"{name} {ordinal}, {y}"]
    forms += [f"{y}-{m:02d}-{d:02d}", f"{y}-{m}-{d}"]
    if d > 12:
        forms += [f"{d}/{m}/{y}", f"{d:02d}/{m:02d}/{y}", f"{d}.{m}.{y}", f"{d:02d}.{m:02d}.{y}"]
    return list(dict.fromkeys(forms))


def _suffix(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def date_answer(item: Item) -> tuple[str, HistDate | None]:
    """How a typed-answer item is graded: ``("year", date)`` for a number, ``("date", date)``
    for a month or a full date, ``("text", None)`` for anything else."""
    date = item.answer_date
    if date is None:
        return "text", None
    if date.precision is Precision.YEAR:
        return "year", date
    return "date", date


def text_answers(item: Item) -> list[str]:
    """Every typed answer accepted for a typed item that is not a year."""
    kind, date = date_answer(item)
    if kind == "date" and date is not None:
        return typed_forms(date)
    return list(dict.fromkeys(one_line(a) for a in (item.answer, *item.accept) if one_line(a)))
