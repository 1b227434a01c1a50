"""Quiz yourself in the terminal, with instant feedback and spaced repetition.

modes:
  learn     (default) the reviews that are due, then new items up to a daily limit;
            scheduled with FSRS
  practice  random items; the schedule is left alone
  exam      no feedback until the end, then the score and what was missed
  mistakes  the items you missed in the last --days days (default 7) and have not
            answered right since; the schedule is left alone

keys: a letter (or the arrow keys) then Enter answers a choice question; a date question
takes a typed date: 1971, Aug 1971 or 9 August 1971; an order question takes the letters of
the events, earliest first (CADB, or c, a d b); a match question a year's letter for each
event, in row order (BDAC). ? means "I don't know"; u takes the last answer back; f flags a
question as wrong or unclear (see 'histquiz flags'); h shows every key; q, Esc or Ctrl-D
stops, with the summary of what you answered. Where an answer is typed, type ?, u, f, h or q
alone and press Enter. After the feedback, Enter goes on.

Every answer is saved the moment it is given. Progress lives in the user's data folder, or in
HISTQUIZ_HOME/progress.sqlite3, or in the file given with --db. Without a terminal (piped
input) the questions come as plain numbered lines. HISTQUIZ_NOW=2025-03-10T09:00 makes the
quiz (and stats) act as if it were that time, to see how the schedule unfolds.

example:
  histquiz quiz
  histquiz quiz --mode practice --topic defence --count 5
  histquiz quiz --mode mistakes --days 14
  histquiz quiz --mode exam --kind date --count 20 --db class.sqlite3
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..textui import plural
from .common import add_db_option, add_filter_options, positive

if TYPE_CHECKING:  # the quiz modules import fsrs; load them only when the quiz runs
    from ..model import Item
    from ..quiz.store import CardInfo

MODES = ("learn", "practice", "exam", "mistakes")
DEFAULT_COUNT = 10
DEFAULT_NEW_PER_DAY = 20
DEFAULT_DAYS = 7


def configure(parser: argparse.ArgumentParser) -> None:
    add_filter_options(parser)
    parser.add_argument("--mode", choices=MODES, default="learn",
                        help="learn (default), practice, exam or mistakes")
    parser.add_argument("--count", type=positive, default=DEFAULT_COUNT, metavar="N",
                        help=f"questions in the session (default {DEFAULT_COUNT})")
    parser.add_argument("--new-per-day", type=int, default=DEFAULT_NEW_PER_DAY, metavar="N",
                        help="learn mode: new items a day, at most "
                             f"(default {DEFAULT_NEW_PER_DAY}; 0 for reviews only)")
    parser.add_argument("--days", type=positive, default=DEFAULT_DAYS, metavar="N",
                        help="mistakes mode: the items missed in the last N days "
                             f"(default {DEFAULT_DAYS})")
    parser.add_argument("--seed", type=int, default=None, metavar="N",
                        help="random seed for the choice of items and options "
                             "(default: different every time)")
    add_db_option(parser)


def run(args: argparse.Namespace) -> int:
    from ..cache import items_for, of_decks
    from ..quiz.play import clock_from_env, play
    from ..quiz.session import (
        Mode,
        Quiz,
        due_places,
        new_today,
        plan_learn,
        plan_mistakes,
        plan_random,
        years_covered,
    )
    from ..quiz.store import Store, resolve_path
    from ..quiz.terminal import PlainUI, choose_ui, no_terminal_note
    from ..seeds import QUIZ, derive
    from .common import seed_of, selection

    if args.new_per_day < 0:
        raise UsageError("--new-per-day must be 0 or more")
    clock = clock_from_env()
    mode = Mode(args.mode)
    path, create = resolve_path(args.db)
    seed = seed_of(args)
    items = items_for(args.decks or None, seed, selection(args))
    if not items:
        raise UsageError("no questions match these filters; try fewer filters or other decks")
    # Opening checks that the store can be written: nothing is shown before that is known.
    with Store.open(path, create_folder=create) as store:
        now = clock()
        order = derive(seed, QUIZ)
        if mode is Mode.LEARN:
            cards = store.card_infos()
            plan = plan_learn(items, cards, now, count=args.count,
                              new_today=new_today(store, now), new_per_day=args.new_per_day,
                              rng=order)
            if not plan:
                print(nothing_due(items, cards, now, args.new_per_day))
                return 0
            due = len(due_places(items, cards, now))
            reviews = sum(p.label == "review" for p in plan)
            asked = ("no reviews due" if not due else plural(reviews, "review") + " due"
                     if reviews == due else f"{reviews} of the {due} reviews due")
            intro = f"Learning: {asked}, and {plural(len(plan) - reviews, 'new item')}."
        elif mode is Mode.MISTAKES:
            missed = store.missed_items(now - timedelta(days=args.days))
            plan = plan_mistakes(items, missed, count=args.count, rng=order)
            if not plan:
                print(f"No mistakes to practise: nothing missed in the last "
                      f"{plural(args.days, 'day')} that you have not answered right since. "
                      "Try --days with more days, or --mode practice.")
                return 0
            intro = (f"Your mistakes: {plural(len(plan), 'question')} missed in the last "
                     f"{plural(args.days, 'day')}; the schedule is left alone.")
        else:
            plan = plan_random(items, count=args.count, rng=order)
            questions = plural(len(plan), "question")
            intro = {
                Mode.PRACTICE: f"Practice: {questions}; the schedule is left alone.",
                Mode.EXAM: f"Exam: {questions}; the results come at the end.",
            }[mode]
        ui = choose_ui()
        if isinstance(ui, PlainUI):
            print(no_terminal_note(sys.stderr), file=sys.stderr)
        lines = []
        answered, _retries = store.answer_counts()
        if answered:
            streak = store.streak(now)
            days = f", {streak} day{'s' * (streak != 1)} in a row" if streak else ""
            lines.append(f"Welcome back: {plural(answered, 'answer')} so far{days}.")
        lines.append(f"{intro} Every answer is saved as you go.")
        ui.intro(lines)
        session_id = store.start_session(mode.value, len(plan), now)
        years = of_decks(args.decks or None, "years covered",
                         lambda decks: years_covered(f.date for d in decks for f in d.facts))
        quiz = Quiz(store, mode, clock, session_id, years=years)
        try:
            return play(quiz, ui, plan, order)
        finally:
            store.end_session(session_id, clock())


def nothing_due(items: Sequence[Item], cards: dict[str, CardInfo], now: datetime,
                new_per_day: int) -> str:
    from ..quiz.play import describe_when
    from ..quiz.session import next_due

    text = "Nothing to learn right now: no reviews are due"
    from ..cache import ids_of

    if any(i not in cards for i in ids_of(items)):
        if new_per_day:
            text += f" and today's {new_per_day} new items are done"
    else:
        text += " and you have met every item of this selection"
    when = next_due(cards, items)
    if when is not None:
        text += f". The next review is due {describe_when(when, now)}"
    return text + ". Practise freely with --mode practice, or raise --new-per-day."


