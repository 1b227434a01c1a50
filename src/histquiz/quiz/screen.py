"""What each quiz screen says, laid out for a given terminal width, as lines of (style, text).

Pure text, no terminal: the prompt_toolkit screens (terminal.py), the plain piped mode and the
tests all draw from here. Three things are settled once, here:

- Deck text is untrusted. ``clean`` turns anything non-printable (control characters, escape
  sequences, bidirectional overrides, unassigned code points) into a visible escape such as
  ``\\x1b`` before it can reach the terminal; line breaks and tabs become spaces.
- Width is counted in terminal cells (wide East Asian characters take two, combining marks
  none), and every paragraph is word-wrapped to the width with a hanging indent: an option's
  second line starts under its text, not under its letter. A word longer than a line (a URL)
  is cut after a slash, a hyphen or a dot where it can be.
- A screen taller than the terminal is shown a window at a time (``window``), keeping the line
  that matters (the option pointed at, the verdict) in view.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import timedelta

from ..dates import Precision, Verdict
from ..model import Item
from ..textnorm import topic_title
from .session import (
    DONT_KNOW,
    FLAG_SAVED,
    Outcome,
    Prompt,
    Summary,
    letters_score,
    option_letter,
    read_letters,
    solution,
)

Line = tuple[str, str]  # (style, text); styles are listed in STYLES

# style → (prompt_toolkit style, ANSI SGR codes)
STYLES: dict[str, tuple[str, str]] = {
    "": ("", ""),
    "header": ("fg:ansicyan", "36"),
    "question": ("bold", "1"),
    "pointed": ("fg:ansicyan bold", "36;1"),
    "right": ("fg:ansigreen bold", "32;1"),
    "close": ("fg:ansiyellow bold", "33;1"),
    "wrong": ("fg:ansired bold", "31;1"),
    "fact": ("bold", "1"),
    "dim": ("fg:ansibrightblack", "2"),
    "hint": ("fg:ansiyellow", "33"),
    "notice": ("fg:ansicyan", "36"),
    "keys": ("fg:ansibrightblack", "2"),
}

_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_JOINERS = {0x200C, 0x200D}  # needed by Indic scripts and emoji: printable in effect
_TYPOGRAPHY = str.maketrans({"·": "-", "–": "-", "—": "-", "█": "#", "✓": "+", "✗": "x",
                             "↑": "^", "↓": "v", "›": ">", "…": "...", "“": '"', "”": '"',
                             "‘": "'", "’": "'"})


def clean(text: str) -> str:
    """Text safe to print: whitespace runs of any kind become one space, and every other
    character a terminal would act on, or could not show, becomes a visible escape."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "\t\n\r\x0b\x0c\u2028\u2029\x85":
            out.append(" ")
            continue
        category = unicodedata.category(ch)
        if (category in ("Cc", "Cs", "Cn") or code in _BIDI
                or (category == "Cf" and code not in _JOINERS)):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000
                       else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def plain_glyphs(text: str) -> str:
    """Typographic characters as ASCII, for an output that cannot encode them."""
    return text.translate(_TYPOGRAPHY)


def char_cells(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cells(text: str) -> int:
    """Terminal cells ``text`` takes."""
    return sum(char_cells(ch) for ch in text)


def _cut(word: str, room: int) -> tuple[str, str]:
    """Split a word too long for a line: after a / - . ? & = or _ near the end of the room
    when there is one, else at the room's edge."""
    taken, used = 0, 0
    for i, ch in enumerate(word):
        w = char_cells(ch)
        if used + w > room:
            break
        used += w
        taken = i + 1
    taken = max(taken, 1)
    head = word[:taken]
    for i in range(len(head) - 1, max(0, len(head) * 2 // 3) - 1, -1):
        if head[i] in "/-.?&=_":
            return word[:i + 1], word[i + 1:]
    return head, word[taken:]


def wrap(text: str, width: int, first: str = "", rest: str | None = None) -> list[str]:
    """Word-wrap cleaned ``text`` to ``width`` cells; ``first`` starts the first line and
    ``rest`` (default: as many spaces as ``first`` takes) the others. Never empty."""
    rest = " " * cells(first) if rest is None else rest
    words = clean(text).split(" ")
    lines: list[str] = []
    line, used, indent = first, cells(first), rest
    fresh = True  # nothing but the indent on this line yet
    for word in (w for w in words if w):
        size = cells(word)
        if not fresh and used + 1 + size > width:
            lines.append(line)
            line, used, fresh = indent, cells(indent), True
        while used + size > width and size > 0:
            room = max(1, width - used)
            head, word = _cut(word, room)
            lines.append(line + head)
            line, used, fresh = indent, cells(indent), True
            size = cells(word)
        if not word:
            continue
        if fresh:
            line, used = line + word, used + size
        else:
            line, used = f"{line} {word}", used + 1 + size
        fresh = False
    if line.strip() or not lines:
        lines.append(line)
    return [ln.rstrip() for ln in lines]


def para(style: str, text: str, width: int, first: str = "", rest: str | None = None) -> list[Line]:
    return [(style, line) for line in wrap(text, width, first, rest)]


Span = tuple[int, int]  # first and last line index, inclusive


def window(lines: Sequence[Line], height: int, focus: Sequence[Span] = (),
           offset: int | None = None) -> tuple[list[Line], int]:
    """The ``height`` lines to show and the offset chosen: from ``offset`` if given (clamped),
    else from the top, moved down just enough to show the first span of ``focus`` that fits
    (the last one in any case)."""
    height = max(1, height)
    if len(lines) <= height:
        return list(lines), 0
    last = len(lines) - height
    if offset is None:
        offset = 0
        for n, (start, end) in enumerate(focus):
            if end - start + 1 <= height or n == len(focus) - 1:
                offset = 0 if end < height else min(start, end - height + 1)
                break
    offset = max(0, min(offset, last))
    return list(lines[offset:offset + height]), offset


def more_marker(offset: int, shown: int, total: int) -> str:
    """What a key line says when a page is cut: lines below, or lines above only."""
    if offset + shown < total:
        return "↓ more · "
    return "↑ more · " if offset > 0 else ""


def describe_interval(interval: timedelta) -> str:
    """"in 10 minutes", "in 3 days", "in about 2 months": when an item comes back."""
    seconds = interval.total_seconds()
    if seconds < 3600:
        n = max(1, round(seconds / 60))
        return f"in {n} minute{'s' * (n != 1)}"
    if seconds < 86400:
        n = round(seconds / 3600)
        return f"in {n} hour{'s' * (n != 1)}"
    days = round(seconds / 86400)
    if days < 45:
        return f"in {days} day{'s' * (days != 1)}"
    if days < 365:
        n = round(days / 30.44)
        return f"in about {n} month{'s' * (n != 1)}"
    years = days / 365.25
    return f"in about {years:.1f} years".replace(".0 years", " years").replace(
        "about 1 years", "about 1 year")


# --- the words on the screens ---------------------------------------------------------------

_DATE_FORMS = {
    Precision.YEAR: "Type a year, e.g. 1971.",
    Precision.MONTH: "Type a month and year, e.g. Aug 1971.",
    Precision.DAY: "Type a full date, e.g. 9 August 1971 (a month and year alone counts as close).",
}


def letters(item: Item) -> str:
    return f"A–{option_letter(len(item.options) - 1)}"


def key_line(item: Item | None) -> str:
    """The one line of keys a question screen shows (and the intro, with ``None``)."""
    if item is None:
        return ("Keys: a letter or ↑↓ then Enter to answer · ? I don't know · u undo · "
                "f flag a question · h help · q stop")
    if item.kind == "choice":
        return f"{letters(item)} or ↑↓, then Enter · ? I don't know · h keys · q stop"
    if item.kind in ("order", "match"):
        return "Type the letters, then Enter · ? I don't know · h keys · q stop"
    return "Type the date, then Enter · ? I don't know · h keys · q stop"


PAUSE_KEYS = "Enter: next · u undo · f flag · h keys · q stop"


def help_lines(width: int, item: Item | None = None) -> list[Line]:
    """Every key, for ``h``."""
    choose = letters(item) if item is not None and item.kind == "choice" else "A–D"
    first = (f"{choose}, ↑↓", "point at an option; Enter answers")
    if item is not None and item.kind == "order":
        first = (letters(item), "type the letters, the earliest event's first; Enter answers")
    elif item is not None and item.kind == "match":
        first = (letters(item), "type the letter of each event's year, event 1's first; Enter "
                 "answers")
    rows = [
        first,
        ("?", "I don't know: see the answer (it counts as missed)"),
        ("u", "undo: take your last answer back and answer again"),
        ("f", "flag the question as wrong or unclear, with a comment"),
        ("h", "show or hide these keys"),
        ("q, Esc", "stop, with the summary of what you answered"),
        ("Ctrl-D, Ctrl-C", "stop as well"),
    ]
    out: list[Line] = [("question", "Keys")]
    for key, what in rows:
        out += para("", what, width, f"  {key:<16}" if width >= 50 else f"  {key}: ")
    out += para("", "On a date, order or match question type the answer, or ?, u, f, h or q "
                "alone, then Enter; Esc there clears what you typed, and ↑↓ scroll a question "
                "taller than the screen. After the feedback, Enter goes on, and ↑↓ or Space "
                "scroll a long page.", width)
    return out


def question_lines(prompt: Prompt, width: int, pointer: int | None = None,
                   banner: Sequence[str] = ()) -> tuple[list[Line], list[Span]]:
    """The question screen above the answer line: any intro lines, the header, the question,
    the options (one pointed at), hints. Also the spans to keep in view, in order of
    preference: all but the intro; the options and hints; the option pointed at."""
    item = prompt.item
    lines: list[Line] = []
    for text in banner:
        lines += para("", text, width)
    if banner:
        lines.append(("", ""))
    top = len(lines)
    lines += para("header", prompt.header, width)
    lines += para("question", item.question, width)
    lines.append(("", ""))
    options_at, pointed = len(lines), (len(lines) - 1, len(lines) - 1)
    if item.kind == "choice":
        for i, option in enumerate(item.options):
            here = i == pointer
            start = len(lines)
            lines += para("pointed" if here else "", option, width,
                          f"{'›' if here else ' '} {option_letter(i)}) ")
            if here:
                pointed = (start, len(lines) - 1)
        lines.append(("", ""))
    elif item.kind == "order":
        for i, option in enumerate(item.options):
            lines += para("", option, width, f"  {option_letter(i)}) ")
        lines.append(("", ""))
        lines += para("dim", f"Type the letters {letters(item)}, the earliest event's first; "
                      "spaces and commas are fine.", width)
    elif item.kind == "match":
        for n, option in enumerate(item.options, start=1):
            lines += para("", option, width, f"  {n}. ")
        lines.append(("", ""))
        years = " · ".join(f"{option_letter(i)}) {year}" for i, year in enumerate(item.targets))
        lines += para("", years, width, "  ")
        lines.append(("", ""))
        lines += para("dim", f"Type the letter of each event's year, event 1's first, "
                      f"{letters(item)} once each; spaces and commas are fine.", width)
    elif item.answer_date is not None:
        lines += para("dim", _DATE_FORMS[item.answer_date.precision], width)
    for style, said in (("hint", prompt.hint), ("notice", prompt.notice)):
        if said:
            lines += para(style, said, width)
    end = len(lines) - 1
    if item.kind != "choice":
        # the answer line comes right below: keep the form and hints above it in view
        return lines, [(top, end), (options_at, end), (end, end)]
    return lines, [(top, end), (options_at, end), pointed]


def right_letters(item: Item) -> str:
    """The letters of an order or match answer: the events earliest first, or each row's
    year."""
    return "".join(option_letter(i) for i in item.key)


def verdict_line(outcome: Outcome) -> tuple[str, str]:
    """The verdict as (style, sentence)."""
    item = outcome.item
    if item.kind in ("order", "match"):
        return _letters_verdict(outcome)
    if outcome.verdict is Verdict.EXACT:
        return "right", f"✓ Right: {stop(solution(item))}"
    the_answer = f"The answer is {stop(solution(item))}"
    if outcome.verdict is Verdict.NEAR:
        return "close", f"~ {outcome.message} {the_answer}"
    if outcome.given == DONT_KNOW:
        return "wrong", f"✗ Not answered. {the_answer}"
    if item.kind == "choice":
        chosen = (f"{option_letter(item.options.index(outcome.given))}) {outcome.given}"
                  if outcome.given in item.options else outcome.given)
        return "wrong", f"✗ Wrong: you chose {stop(chosen)} {the_answer}"
    return "wrong", f"✗ {outcome.message} {the_answer}"


def stop(text: str) -> str:
    """``text`` ended with a full stop, unless it ends a sentence already, as a statement
    option does: "… in 1954." never gets a second stop."""
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _letters_verdict(outcome: Outcome) -> tuple[str, str]:
    """The verdict of an order or match: how much was right, and the right letters."""
    item = outcome.item
    what = "order" if item.kind == "order" else "letters"
    the_answer = f"The right {what}: {right_letters(item)}."
    if outcome.given == DONT_KNOW:
        return "wrong", f"✗ Not answered. {the_answer}"
    if outcome.verdict is Verdict.EXACT:
        return "right", f"✓ Right: {right_letters(item)}."
    mark, style = ("~", "close") if outcome.verdict is Verdict.NEAR else ("✗", "wrong")
    return style, f"{mark} {outcome.message} You typed {outcome.given}. {the_answer}"


def _given(outcome: Outcome) -> tuple[int, ...] | None:
    """The option indices the student typed, None for "?"."""
    if outcome.given == DONT_KNOW:
        return None
    return read_letters(outcome.item, outcome.given)


def _order_lines(outcome: Outcome, width: int) -> list[Line]:
    """The events in the right order, each with its date."""
    item = outcome.item
    lines = para("", "The right order, earliest first:", width)
    for place, i in enumerate(item.key, start=1):
        note = item.notes[i] if i < len(item.notes) else ""
        lines += para("", f"{item.options[i]}" + (f" ({note})" if note else ""), width,
                      f"  {place}. {option_letter(i)}) ")
    return lines


def _match_lines(outcome: Outcome, width: int) -> list[Line]:
    """Each event with its year, marked right or wrong, and the year the student gave."""
    item = outcome.item
    given = _given(outcome)
    lines: list[Line] = []
    for n, (event, k) in enumerate(zip(item.options, item.key, strict=True)):
        year = item.targets[k]
        note = item.notes[n] if n < len(item.notes) else ""
        text = f"{event} → {year}" + (f" ({note})" if note and note != year else "")
        mark = "  "
        if given is not None:
            mark = "✓ " if given[n] == k else "✗ "
            if given[n] != k:
                text += f"; you: {item.targets[given[n]]}"
        lines += para("", text, width, f"{mark}{n + 1}. ")
    return lines


def _notes_lines(item: Item, width: int) -> list[Line]:
    """Each option's note: why a false statement is false ("true-statement"), when each
    event happened ("first")."""
    pairs = [(i, option, note) for i, (option, note)
             in enumerate(zip(item.options, item.notes, strict=False)) if note]
    if not pairs:
        return []
    if item.template == "true-statement":
        lines = para("", "Why the others are false:", width)
        for i, option, note in pairs:
            lines += para("", option, width, f"  {option_letter(i)}) ")
            lines += para("", note, width, "     ")
        return lines
    if item.template == "first":
        lines = para("", "When each happened:", width)
        for i, option, note in pairs:
            lines += para("", f"{option} ({note})", width, f"  {option_letter(i)}) ")
        return lines
    lines = []
    for i, option, note in pairs:
        lines += para("", f"{option_letter(i)}) {option}: {note}", width, "  ", "     ")
    return lines


def feedback_lines(outcome: Outcome, width: int, *, header: str = "",
                   notice: str | None = None) -> tuple[list[Line], int]:
    """The page after an answer: the question again, how a typed date was read, the verdict
    and the answer, when the item comes back, then the fact, explanation, note and sources.
    Also the index of the verdict's first line, which must stay in view."""
    item = outcome.item
    lines: list[Line] = []
    if header:
        lines += para("header", header, width)
        lines += para("question", item.question, width)
    if outcome.read_as:
        lines += para("", outcome.read_as, width)
    verdict_at = len(lines)
    style, text = verdict_line(outcome)
    lines += para(style, text, width)
    if outcome.interval is not None:
        lines += para("dim", f"Next review {describe_interval(outcome.interval)}.", width)
    if outcome.flagged or notice:
        lines += para("notice", notice or FLAG_SAVED, width)
    lines.append(("", ""))
    if item.kind == "order":
        lines += [*_order_lines(outcome, width), ("", "")]
    elif item.kind == "match":
        lines += [*_match_lines(outcome, width), ("", "")]
    elif item.notes:
        lines += [*_notes_lines(item, width), ("", "")]
    # the fact itself first: explanations are written to follow it
    lines += para("fact", item.statement, width, "  ")
    lines += para("", item.explanation, width, "  ")
    if item.note:
        lines += para("", f"Note: {item.note}", width, "  ")
    for source in item.sources:
        lines += para("dim", f"Source: {source.citation()}", width, "  ", "    ")
    return lines, verdict_at


def summary_lines(summary: Summary, width: int, *, exam: bool, stopped: bool = False) -> list[Line]:
    minutes, seconds = divmod(round(summary.seconds), 60)
    took = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    score = f"{summary.right} of {summary.asked} right"
    if summary.asked:
        score += f" ({round(100 * summary.right / summary.asked)}%)"
    if summary.close:
        score += f", {summary.close} close"
    days = f"{summary.streak} day{'s' * (summary.streak != 1)}"
    title = "Exam result" if exam else "Session summary"
    if stopped:
        title += " (stopped early)"
    lines: list[Line] = [("", ""), ("question", title)]
    lines += para("", f"Score: {score}", width, "  ", "         ")
    lines += para("", f"Time: {took}", width, "  ")
    lines += para("", f"Streak: {days} in a row", width, "  ")
    if summary.weakest:
        weak = " · ".join(f"{topic_title(t)} {round(100 * rate)}%" for t, rate, _ in summary.weakest)
        lines += para("", f"Weakest topics (first answers right, all sessions): {weak}", width,
                      "  ", "    ")
    if summary.missed:
        lines += [("", ""), ("question", f"Missed ({len(summary.missed)})")]
        for n, o in enumerate(summary.missed, start=1):
            number = f"  {n}. "
            lines += para("", o.item.question, width, number)
            mark = "close" if o.verdict is Verdict.NEAR else "wrong"
            given = _given(o) if o.item.kind in ("order", "match") else None
            if given is not None:
                right, total = letters_score(o.item, given)
                unit = "pairs in order" if o.item.kind == "order" else "years right"
                mark += f", {right} of {total} {unit}"
            said = "not answered" if o.given == DONT_KNOW else f"you: {o.given} ({mark})"
            lines += para("dim", f"{said} · answer: {solution(o.item)}", width,
                          " " * len(number))
    return lines
