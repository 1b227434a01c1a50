"""Text from the YAML made safe for Anki fields, and the small HTML pieces the cards show.

Anki fields are HTML, and Anki reads a few markers inside them even after escaping: ``[sound:…]``
plays a file, ``[latex]…[/latex]`` and ``[$]…[$]`` render LaTeX into media files. So besides
``& < > " '`` the square brackets are escaped too, and control characters (one of them, 0x1f,
separates fields inside Anki's database) become character references.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from ...dates import DateSpan, HistDate, Precision, When
from ...model import Source

LETTERS = "ABCDEFGHIJ"
NUMBERS = tuple(str(n) for n in range(1, len(LETTERS) + 1))  # a match card's events
_NEEDS_WORK = re.compile(r"[&<>\"'\[\]\x00-\x1f\x7f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPECIAL = str.maketrans({"[": "&#91;", "]": "&#93;", "\n": "<br>", "\t": " "})


def text(value: str) -> str:
    """Plain text → HTML that shows exactly that text, on one or more lines."""
    if not _NEEDS_WORK.search(value):
        return value
    escaped = html.escape(value, quote=True).translate(_SPECIAL)
    return _CONTROL.sub(lambda m: f"&#x{ord(m.group()):x};", escaped)


def options_html(options: Sequence[str], correct: int | None = None,
                 notes: Sequence[str] = (), labels: Sequence[str] = LETTERS) -> str:
    """The lettered options (already escaped with ``text``); with ``correct`` given, that option
    is marked as the answer. ``notes`` (escaped, one per option, "" for none) go under their
    options: why a false statement is false, or when an event happened. They are for the back
    only, since a date under each event would answer "Which came first?". ``labels`` replace
    the letters: a match card numbers its events, so that its years can take the letters."""
    rows = []
    for i, option in enumerate(options):
        if correct is None:
            attrs, mark = "", ""
        elif i == correct:
            attrs, mark = ' class="hq-correct"', '<span class="hq-mark">✓</span>'
        else:
            attrs, mark = ' class="hq-other"', ""
        note = notes[i] if i < len(notes) else ""
        below = f'<span class="hq-option-note">{note}</span>' if note else ""
        rows.append(f'<li{attrs}><span class="hq-letter">{labels[i]}</span>'
                    f'<span class="hq-text">{option}</span>{below}{mark}</li>')
    return f'<ol class="hq-options">{"".join(rows)}</ol>'


def answer_html(options: Sequence[str], correct: int) -> str:
    """The key's letter and text (options already escaped with ``text``)."""
    return f'<span class="hq-letter-answer">{LETTERS[correct]}</span> {options[correct]}'


def sequence_html(labels: Sequence[str], between: str) -> str:
    """An answer said as labels in turn, "B → A → C → D" (order) or "1 C · 2 A" (match): what a
    learner checks first, before the rows that explain it."""
    return f'<span class="hq-sequence">{between.join(labels)}</span>'


def chronology_html(events: Sequence[str], dates: Sequence[str], order: Sequence[int]) -> str:
    """The events (escaped) earliest first, ``order`` giving their indices: each row has the
    event's date (escaped), the letter it had on the front, and its text."""
    rows = "".join(f'<li><span class="hq-date">{dates[i]}</span>'
                   f'<span class="hq-letter">{LETTERS[i]}</span>'
                   f'<span class="hq-text">{events[i]}</span></li>' for i in order)
    return f'<ol class="hq-options hq-timeline">{rows}</ol>'


def targets_html(targets: Sequence[str]) -> str:
    """What a match card's events are matched to (escaped), lettered, in one wrapping row."""
    rows = "".join(f'<li><span class="hq-letter">{LETTERS[k]}</span> '
                   f'<span class="hq-target">{target}</span></li>'
                   for k, target in enumerate(targets))
    return f'<ol class="hq-targets">{rows}</ol>'


def pairs_html(events: Sequence[str], targets: Sequence[str], key: Sequence[int]) -> str:
    """The right pairs of a match card in the order its events were numbered: number, event,
    then an arrow to the letter and text of its target (all escaped)."""
    rows = "".join(f'<li><span class="hq-letter">{i + 1}</span>'
                   f'<span class="hq-text">{event}</span> '
                   f'<span class="hq-pair">→ <span class="hq-pair-letter">{LETTERS[key[i]]}</span> '
                   f'<span class="hq-target">{targets[key[i]]}</span></span></li>'
                   for i, event in enumerate(events))
    return f'<ol class="hq-options hq-pairs">{rows}</ol>'


def _link(url: str) -> str:
    """A link for web addresses only; anything else (javascript:, file:) stays plain text."""
    if urlsplit(url).scheme.lower() in ("http", "https"):
        return f'<a href="{text(url)}">{text(url)}</a>'
    return text(url)


def citation_html(source: Source) -> str:
    plain = dataclasses.replace(source, url=None).citation()
    return text(plain) + (f" {_link(source.url)}" if source.url else "")


def sources_html(citations: Sequence[str]) -> str:
    """The sources block, from citations already made with ``citation_html``."""
    if not citations:
        return ""
    label = "Source" if len(citations) == 1 else "Sources"
    rows = "".join(f"<li>{c}</li>" for c in citations)
    return f'<span class="hq-label">{label}</span><ul>{rows}</ul>'


def also_html(events: Sequence[str]) -> str:
    """Other events of the same date, for the back of a 'What happened on …?' card."""
    if not events:
        return ""
    rows = "".join(f"<li>{text(e)}</li>" for e in events)
    return f'<div class="hq-also"><span class="hq-label">Also on this date</span><ul>{rows}</ul></div>'


# Examples of the form a typed date must take; a second one in case the first is the answer.
_EXAMPLES = {
    Precision.YEAR: ("1950", "1961"),
    Precision.MONTH: ("January 1950", "March 1961"),
    Precision.DAY: ("26 January 1950", "12 March 1961"),
}
_FORMAT_WORDS = {
    Precision.YEAR: "the year",
    Precision.MONTH: "the month and year",
    Precision.DAY: "the full date",
}


def format_hint(answer: HistDate) -> str:
    """How to type the answer so that Anki's letter-by-letter comparison can match it."""
    first, second = _EXAMPLES[answer.precision]
    example = second if answer.display() == first else first
    return text(f"Type {_FORMAT_WORDS[answer.precision]}, like {example}")


def reverse_prompt(when: When) -> str | None:
    """'What happened on 9 August 1971?', for dates known to the day; None otherwise."""
    if isinstance(when, HistDate):
        if when.precision is not Precision.DAY:
            return None
        return f"What happened on {when.display()}?"
    assert isinstance(when, DateSpan)
    if when.start.precision is not Precision.DAY or when.end.precision is not Precision.DAY:
        return None
    return f"What happened between {when.start.display()} and {when.end.display()}?"
