"""Kahoot: the quiz spreadsheet that Kahoot's "import spreadsheet" takes.

The layout follows Kahoot's quiz template: a title and notes at the top, column headings on
row 8, one question per row from row 9, with the question number in column A, then Question,
Answer 1-4, Time limit (sec) and Correct answer(s) (the number of the right answer).

Kahoot's limits are kept, never worked around: a question of at most 120 characters, answers of
at most 75, at most 4 answers, and a time limit of 5, 10, 20, 30, 60, 90, 120 or 240 seconds.
A choice item that does not fit gets its Kahoot form: the same item (same id) dealt again from
its own seeded stream with the candidates that fit and the deck's short forms (``event_short``,
``when_short``, ``ask_short``). An item that still does not fit is left out and reported,
never cut, with the field that would make it fit. The template has 100 question
rows, so a longer quiz is written as several sheets (``…-kahoot-1.xlsx``, ``-2``, …), 100
questions each. Typed-date items (date-recall)
are left out too: Kahoot has no typed answers, and the same date is asked as a choice by the
item's date-choice sibling; and so are order and match items (the registry says why).

"Which of these statements is true?" offers whole sentences, with no short forms, and its
three false statements are a 2×2 set that must be shown whole (load.rules.MIN_FALSE): one with
any statement over 75 characters is left out by design, counted in the build's summary and not
warned of.

Lengths are counted as Kahoot's web editor counts them, in UTF-16 code units.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ...errors import UsageError
from ...generate.variants import Limits, Variants
from ...model import Fact, Item, Question
from ..registry import Context, ExportOptions, Rendered, Skipped, single_deck_title
from .common import KAHOOT_TIME_LIMITS, one_line
from .xlsx import BOLD_WRAP, TITLE, WRAP, Cell, build_xlsx

# The sheet's line that tells histquiz's own files from a teacher's (see made_here).
MADE_BY = "Made by histquiz."

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
ROWS = 100  # question rows in Kahoot's template
TYPED = "typed answers; Kahoot has only multiple choice"
LONG_QUESTION = f"a question over {QUESTION_LIMIT} characters"
LONG_ANSWER = f"an answer over {ANSWER_LIMIT} characters"
LONG_STATEMENTS = (f"'Which of these statements is true?' with a statement over "
                   f"{ANSWER_LIMIT} characters, Kahoot's limit for an answer")


def length(text: str) -> int:
    """Characters as a browser counts them (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def problem(item: Item) -> Skipped | None:
    """Why an item cannot go into a Kahoot quiz as it is, or None if it fits."""
    if item.kind != "choice" or item.answer_index is None:
        return Skipped(item.id, TYPED, by_design=True)
    if len(item.options) > MAX_ANSWERS:
        return Skipped(item.id, f"more than {MAX_ANSWERS} options",
                       detail=f"{len(item.options)} options")
    question = one_line(item.question)
    if length(question) > QUESTION_LIMIT:
        return Skipped(item.id, LONG_QUESTION,
                       detail=f"the question is {length(question)} characters")
    if item.template == "true-statement":
        # statements have no short forms, and the false ones are a 2×2 set that must be shown
        # whole (load.rules.MIN_FALSE): one too long leaves the item out
        size = max(length(one_line(o)) for o in item.options)
        if size > ANSWER_LIMIT:
            return Skipped(item.id, LONG_STATEMENTS, by_design=True,
                           detail=f"the longest statement is {size} characters")
    for number, option in enumerate(item.options, start=1):
        size = length(one_line(option))
        if size > ANSWER_LIMIT:
            which = "the right answer" if number - 1 == item.answer_index else f"answer {number}"
            return Skipped(item.id, LONG_ANSWER, detail=f"{which} is {size} characters")
    return None


def fits_question(text: str) -> bool:
    return length(one_line(text)) <= QUESTION_LIMIT


def fits_answer(text: str) -> bool:
    return length(one_line(text)) <= ANSWER_LIMIT


LIMITS = Limits(question=fits_question, option=fits_answer)


def kahoot_rows(items: Sequence[Item], ctx: Context | None = None) -> tuple[list[Item], list[Skipped]]:
    """Each item in its Kahoot form, and the items left out with the reason.

    An item that does not fit as it is gets its Kahoot variant when the loaded decks
    (``ctx.decks``) hold its fact: dealt again from its own stream with the candidates that fit
    and the deck's short forms (see ``generate.variants``). It keeps its id; only its Kahoot
    form differs. An item whose variant still does not fit is left out, never cut, and the
    detail says which field of the deck would make it fit.
    """
    variants = None
    kept: list[Item] = []
    skipped: list[Skipped] = []
    for item in items:
        found = problem(item)
        if found is None:
            kept.append(item)
            continue
        if found.by_design or ctx is None or not ctx.decks:
            skipped.append(found)
            continue
        if variants is None:
            variants = Variants(ctx.decks, ctx.seed, LIMITS)
        other = variants.variant(item)
        still = problem(other) if other is not None else found
        if other is not None and still is None:
            kept.append(other)
        else:
            assert still is not None
            skipped.append(_with_fix(still, other or item, variants.fact(item)))
    return kept, skipped


def _long_option(item: Item) -> str | None:
    return next((o for o in item.options if not fits_answer(o)), None)


def _with_fix(skip: Skipped, item: Item, fact: Fact | None) -> Skipped:
    """The reason an item is left out, with what in the deck would make it fit; ``item`` is
    the form that was found not to fit (its Kahoot variant, where it has one)."""
    fix = ""
    if skip.reason == LONG_QUESTION:
        if item.template == "choice":
            question = _question_of(item, fact)
            has_short = question is not None and question.ask_short is not None
            fix = (f"question '{item.id.rsplit('/', 1)[1].removeprefix('choice-')}' needs "
                   f"{'a shorter' if has_short else 'an'} 'ask_short'")
        elif fact is not None:
            fix = f"the fact needs {'a shorter' if fact.when_short else 'a'} 'when_short'"
    elif skip.reason == LONG_ANSWER:
        long = _long_option(item)
        if fact is not None and long is not None and long in (fact.event, fact.event_short):
            # the fact's own headline (which-happened, first): its short form would fit
            fix = f"the fact needs {'a shorter' if fact.event_short else 'an'} 'event_short'"
        elif skip.detail.startswith("the right answer"):
            fix = "the answer itself is too long for Kahoot"
        else:
            fix = "too few other candidates of its kind fit"
    detail = f"{skip.detail}; {fix}" if fix else skip.detail
    return dataclasses.replace(skip, detail=detail)


def _question_of(item: Item, fact: Fact | None) -> Question | None:
    if fact is None:
        return None
    part = item.id.rsplit("/", 1)[1].removeprefix("choice-")
    return next((q for q in fact.questions if q.id == part), None)


def left_out(items: Sequence[Item], ctx: Context) -> list[Skipped]:
    """The items a Kahoot file of ``items`` leaves out, with the reasons (nothing is written)."""
    return kahoot_rows(items, ctx)[1]


def _sheet(rows_of_items: Sequence[Item], title: str, time_limit: int) -> bytes:
    rows: dict[int, list[Cell]] = {
        2: [Cell(None), Cell(title, TITLE)],
        3: [Cell(None), Cell(f"{MADE_BY} Import it in Kahoot's creator with "
                             "\"Import spreadsheet\"; the questions start on row 9.")],
        4: [Cell(None), Cell(f"Kahoot's limits: questions {QUESTION_LIMIT} characters, answers "
                             f"{ANSWER_LIMIT}; the correct answer is given by its number (1-4).")],
        HEADER_ROW: [Cell(h, BOLD_WRAP) for h in HEADERS],
    }
    for number, item in enumerate(rows_of_items, start=1):
        answers = [Cell(one_line(o), WRAP) for o in item.options]
        answers += [Cell(None)] * (MAX_ANSWERS - len(answers))
        assert item.answer_index is not None
        rows[FIRST_ROW + number - 1] = [
            Cell(number), Cell(one_line(item.question), WRAP), *answers,
            Cell(time_limit), Cell(item.answer_index + 1),
        ]
    return build_xlsx(rows, widths=WIDTHS)


def render_kahoot(items: Sequence[Item], options: ExportOptions | None = None,
                  ctx: Context | None = None) -> Rendered:
    """The sheet, with the items that fit; ``options.title`` (or "histquiz") in its title cell.
    Kahoot's template has 100 question rows: more questions make one sheet per 100, each
    titled with its part ("… (2 of 3)")."""
    options = options or ExportOptions()
    if options.time_limit not in KAHOOT_TIME_LIMITS:
        allowed = ", ".join(map(str, KAHOOT_TIME_LIMITS))
        raise UsageError(f"Kahoot time limit must be one of {allowed} seconds, not {options.time_limit}")
    kept, skipped = kahoot_rows(items, ctx)
    title = one_line(options.title or "histquiz")
    parts = [kept[i:i + ROWS] for i in range(0, len(kept), ROWS)] or [[]]
    files = tuple(_sheet(part, title if len(parts) == 1 else f"{title} ({n} of {len(parts)})",
                         options.time_limit) for n, part in enumerate(parts, start=1))
    notes = tuple(f"part {n} of {len(parts)}" for n in range(1, len(parts) + 1)) if len(parts) > 1 else ()
    return Rendered(files, len(kept), tuple(skipped), notes=notes, counts=tuple(len(p) for p in parts))


def render(items: Sequence[Item], ctx: Context) -> Rendered:
    title = ctx.options.title or single_deck_title(ctx.decks, items)
    return render_kahoot(items, replace(ctx.options, title=title), ctx)


def made_here(path: Path) -> bool:
    """Is the file at ``path`` a Kahoot sheet that histquiz wrote (its "Made by histquiz" line)?
    Anything unreadable, or not such a sheet, is not."""
    from ...owned import zip_member_holds

    return zip_member_holds(path, lambda name: name == "xl/sharedStrings.xml",
                            MADE_BY.encode("utf-8"), most=50_000_000)
