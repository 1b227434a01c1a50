"""Kahoot: the quiz spreadsheet that Kahoot's "import spreadsheet" takes.

The layout follows Kahoot's quiz template: a title and notes at the top, column headings on
row 8, one question per row from row 9, with the question number in column A, then Question,
Answer 1-4, Time limit (sec) and Correct answer(s) (the number of the right answer).

Kahoot's limits are kept, never worked around: a question of at most 120 characters, answers of
at most 75, at most 4 answers, and a time limit of 5, 10, 20, 30, 60, 90, 120 or 240 seconds.
An item that does not fit is left out and reported, never cut. Typed-date items (date-recall)
are left out too: Kahoot has no typed answers, and the same date is asked as a choice by the
item's date-choice sibling. Lengths are counted as Kahoot's web editor counts them, in UTF-16
code units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ...errors import UsageError
from ...model import Item
from ..registry import Context, ExportOptions, Rendered, Skipped, single_deck_title
from .common import KAHOOT_TIME_LIMITS, one_line
from .xlsx import BOLD_WRAP, TITLE, WRAP, Cell, build_xlsx

QUESTION_LIMIT = 120
ANSWER_LIMIT = 75
MAX_ANSWERS = 4
HEADER_ROW = 8
FIRST_ROW = 9
HEADERS = (
    "",
    "Question - max 120 characters",
    "Answer 1 - max 75 characters",
    "Answer 2 - max 75 characters",
    "Answer 3 - max 75 characters",
    "Answer 4 - max 75 characters",
    "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs",
    "Correct answer(s) - choose at least one",
)
WIDTHS = (6, 60, 32, 32, 32, 32, 16, 16)
TYPED = "typed answers; Kahoot has only multiple choice"


def length(text: str) -> int:
    """Characters as a browser counts them (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def problem(item: Item) -> str | None:
    """Why an item cannot go into a Kahoot quiz, or None if it fits."""
    if item.kind != "choice" or item.answer_index is None:
        return TYPED
    if len(item.options) > MAX_ANSWERS:
        return f"{len(item.options)} options; Kahoot takes at most {MAX_ANSWERS}"
    question = one_line(item.question)
    if length(question) > QUESTION_LIMIT:
        return f"question is {length(question)} characters; Kahoot takes at most {QUESTION_LIMIT}"
    for number, option in enumerate(item.options, start=1):
        size = length(one_line(option))
        if size > ANSWER_LIMIT:
            return f"answer {number} is {size} characters; Kahoot takes at most {ANSWER_LIMIT}"
    return None


def kahoot_rows(items: Sequence[Item]) -> tuple[list[Item], list[Skipped]]:
    """The items that fit Kahoot, and the others with the reason each was left out."""
    kept: list[Item] = []
    skipped: list[Skipped] = []
    for item in items:
        reason = problem(item)
        if reason is None:
            kept.append(item)
        else:
            skipped.append(Skipped(item.id, reason, by_design=reason == TYPED))
    return kept, skipped


def render_kahoot(items: Sequence[Item], options: ExportOptions | None = None) -> Rendered:
    """The sheet, with the items that fit; ``options.title`` (or "histquiz") in its title cell."""
    options = options or ExportOptions()
    if options.time_limit not in KAHOOT_TIME_LIMITS:
        allowed = ", ".join(map(str, KAHOOT_TIME_LIMITS))
        raise UsageError(f"Kahoot time limit must be one of {allowed} seconds, not {options.time_limit}")
    kept, skipped = kahoot_rows(items)
    title = one_line(options.title or "histquiz")
    rows: dict[int, list[Cell]] = {
        2: [Cell(None), Cell(title, TITLE)],
        3: [Cell(None), Cell("Made by histquiz. Import it in Kahoot's creator with "
                             "\"Import spreadsheet\"; the questions start on row 9.")],
        4: [Cell(None), Cell(f"Kahoot's limits: questions {QUESTION_LIMIT} characters, answers "
                             f"{ANSWER_LIMIT}; the correct answer is given by its number (1-4).")],
        HEADER_ROW: [Cell(h, BOLD_WRAP) for h in HEADERS],
    }
    for number, item in enumerate(kept, start=1):
        answers = [Cell(one_line(o), WRAP) for o in item.options]
        answers += [Cell(None)] * (MAX_ANSWERS - len(answers))
        assert item.answer_index is not None
        rows[FIRST_ROW + number - 1] = [
            Cell(number), Cell(one_line(item.question), WRAP), *answers,
            Cell(options.time_limit), Cell(item.answer_index + 1),
        ]
    data = build_xlsx(rows, widths=WIDTHS)
    return Rendered((data,), len(kept), tuple(skipped))


def render(items: Sequence[Item], ctx: Context) -> Rendered:
    title = ctx.options.title or single_deck_title(ctx.decks, items)
    return render_kahoot(items, replace(ctx.options, title=title))
