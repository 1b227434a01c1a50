"""What the classroom formats (Moodle XML, GIFT, Kahoot, Quizlet, JSON) share: Kahoot's time
limits, categories, feedback text (with the dates of an order or match item's events), and the
typed forms a month or a full date is accepted in."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterable

from ...dates import HistDate, Precision, ordinal, spellings
from ...model import Item, Source

KAHOOT_TIME_LIMITS = (5, 10, 20, 30, 60, 90, 120, 240)


# Characters XML 1.0 cannot hold at all; YAML cannot carry them either, but a deck built in
# code could, and one stray byte must not make a whole quiz file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# (Each helper first takes the common case at once: printable text holds none of the
# characters that XML cannot, nor a tab, nor any character that breaks a line.)


def clean(text: str) -> str:
    """Text without characters that no XML or spreadsheet can hold."""
    if text.isprintable():  # most text, and none of those characters
        return text
    return _NOT_XML.sub("", text)


def one_line(text: str) -> str:
    """Text on one line: tabs and line breaks become single spaces."""
    if text.isprintable():
        return text.strip()
    return " ".join(clean(text).replace("\t", " ").splitlines()).strip()


# What HTML and XML character data escape.
_MARKUP = re.compile("[&<>]")


def escape_markup(text: str) -> str:
    """``&``, ``<`` and ``>`` escaped, as HTML (``html.escape`` without quotes) and XML
    character data (ElementTree) escape them."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def html_text(text: str) -> str:
    """Plain text as an HTML fragment that shows exactly that text (line breaks kept)."""
    if text.isprintable():
        text = text.strip()
        return text if _MARKUP.search(text) is None else escape_markup(text)
    escaped = html.escape(clean(text).strip(), quote=False)
    return "<br>".join(escaped.splitlines())


def xml_text(text: str) -> str:
    """Text as XML character data: without the characters XML cannot hold, ``&``, ``<`` and
    ``>`` escaped."""
    return escape_markup(clean(text))


# ``html_text``'s line break, as XML character data.
BREAK_IN_XML = escape_markup("<br>")


def html_in_xml(text: str) -> str:
    """``xml_text(html_text(text))``: plain text as an HTML fragment, as XML character data
    (escaped twice), at once where there is nothing to escape."""
    if text.isprintable():
        text = text.strip()
        if _MARKUP.search(text) is None:
            return text
    return xml_text(html_text(text))


# Where every category of histquiz's items lies in Moodle's question bank.
CATEGORY_ROOT = "$course$/histquiz/"


def category(item: Item) -> str:
    """The Moodle question-bank category of an item: course level, then deck, then topic."""
    return f"{CATEGORY_ROOT}{item.deck}/{item.topic}"


# Moodle's limits: an idnumber of at most 100 characters, a tag of at most 50 (longer ones are
# cut by Moodle, which would merge different tags, so they are not written).
IDNUMBER_LIMIT = 100
TAG_LIMIT = 50


def idnumber(item: Item) -> str | None:
    """The item id as an LMS question's id number (Moodle's idnumber: what a quiz report and the
    question bank find the question by), or None when it is longer than Moodle takes."""
    return item.id if len(item.id) <= IDNUMBER_LIMIT else None


def question_tags(item: Item) -> tuple[str, ...]:
    """The tags a question carries into an LMS: ``topic::…``, ``era::…``, the fact's own tags
    and ``deck::…``, so that a teacher can filter the question bank by any of them."""
    return _question_tags(item.tags, item.deck)


@functools.lru_cache(maxsize=4096)  # a fact's items share their tags, and many facts theirs
def _question_tags(tags: tuple[str, ...], deck: str) -> tuple[str, ...]:
    written = (one_line(t) for t in (*tags, f"deck::{deck}"))
    return tuple(t for t in dict.fromkeys(written) if t and len(t) <= TAG_LIMIT)


def by_category(items: Iterable[Item]) -> list[tuple[str, list[Item]]]:
    """Items grouped by category, the groups in order of first appearance, items in their order."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(category(item), []).append(item)
    return list(groups.items())


def key_lines(item: Item) -> list[str]:
    """What the answer is, line by line, for the feedback of items whose one right answer does
    not say it all: an order item's events earliest first and a match item's events by year,
    each with its date as the deck gives it; and each option's note of a choice item that has
    them ("Which came first?": each event's date; "Which of these statements is true?": why
    each false one is false)."""
    if item.kind == "order":
        return ["The right order, earliest first:",
                *(f"{ordinal(place)}: {one_line(item.options[i])} ({one_line(item.notes[i])})"
                  for place, i in enumerate(item.key, start=1))]
    if item.kind == "match":
        by_year = sorted(range(len(item.options)), key=lambda i: item.key[i])
        return ["Each event's date:",
                *(f"{one_line(item.options[i])}: {one_line(item.notes[i])}" for i in by_year)]
    noted = [(one_line(o), one_line(n)) for o, n in zip(item.options, item.notes, strict=False)
             if n.strip()]
    if item.template == "true-statement":  # sentences: the statement, then why it is false
        return [f"False: {option} {note}" for option, note in noted]
    return [f"{option}: {note}" for option, note in noted]


def feedback_text(item: Item) -> str:
    """The general feedback shown after answering: what the right answer is where the format's
    own marking does not show it all (``key_lines``), then the explanation, note and sources."""
    own, shared = _feedback_parts(item)
    return f"{own}\n{shared}" if own and shared else own or shared


def _feedback_parts(item: Item) -> tuple[str, str]:
    """``feedback_text`` in two: the item's own key lines, and what every item of its fact
    shows (made once for them all)."""
    return "\n".join(key_lines(item)), _shared_feedback(item.explanation, item.note, item.sources)


@functools.lru_cache(maxsize=4096)
def _shared_feedback(explanation: str, note: str | None, sources: tuple[Source, ...]) -> str:
    parts = [explanation.strip()]
    if note:
        parts.append(f"Note: {note.strip()}")
    if sources:
        parts.append("Sources: " + "; ".join(s.citation() for s in sources))
    return "\n".join(p for p in parts if p)


def escaped_feedback(item: Item, escape: Callable[[str], str], line_break: str,
                     escape_rest: Callable[[str], str] | None = None) -> str:
    """``escape(feedback_text(item))``, for an ``escape`` that makes each line break of the
    text ``line_break`` and strips the text's ends, and treats the rest of the text line by
    line (as ``html_text`` does, and what is made of it): the part that the items of a fact
    share is escaped once for them all, by ``escape_rest`` where it differs from ``escape``
    on what does not begin a text (GIFT's escape of a leading ``[``)."""
    own, shared = _feedback_parts(item)
    if not own:  # the shared part is the whole text
        return _escaped(escape, shared)
    # Apart, each part's ends are stripped: only where they meet without a blank (an empty
    # note, say, or an explanation that cleaning leaves blank) is that the same as joined.
    if not (_ends(own)[1] and _ends(shared)[0]):
        return escape(feedback_text(item))
    return f"{escape(own)}{line_break}{_escaped(escape_rest or escape, shared)}"


@functools.lru_cache(maxsize=8192)
def _escaped(escape: Callable[[str], str], text: str) -> str:
    return escape(text)


@functools.lru_cache(maxsize=8192)
def _ends(text: str) -> tuple[bool, bool]:
    """Does ``text``, cleaned, begin and end with something other than a blank?"""
    cleaned = clean(text)
    return cleaned[:1].strip() != "", cleaned[-1:].strip() != ""


def typed_forms(date: HistDate) -> list[str]:
    """Ways a person types this date that mean exactly it, for short-answer grading: every
    spelling the quiz's own date reader takes for it (``histquiz.dates.spellings``). Graders
    such as Moodle's compare the typed text with each accepted answer, ignoring case, so each
    spelling must be listed."""
    return spellings(date)


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
