"""Quiz yourself in the terminal, with instant feedback and spaced repetition.

modes:
  learn     (default) the reviews that are due, then new items up to a daily limit;
            scheduled with FSRS
  practice  random items; the schedule is left alone
  exam      no feedback until the end, then the score and what was missed

Choice questions take the arrow keys, a letter or a number, then Enter. Date questions take a
typed date: 1971, Aug 1971 or 9 August 1971 (? if you don't know). Every answer is saved the
moment it is given; Ctrl-C stops at any time. Progress lives in the user's data folder, or in
HISTQUIZ_HOME/progress.sqlite3, or in the file given with --db. Without a terminal (piped
input) the questions come as plain numbered lines. HISTQUIZ_NOW=2025-03-10T09:00 makes the
quiz (and stats) act as if it were that time, to see how the schedule unfolds.

example:
  histquiz quiz
  histquiz quiz --mode practice --topic defence --count 5
  histquiz quiz --mode exam --kind date --count 20 --db class.sqlite3
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from ..errors import UsageError
from .common import add_filter_options, positive

if TYPE_CHECKING:  # the quiz modules import fsrs; load them only when the quiz runs
    from ..model import Item
    from ..quiz.session import Clock, Planned, Quiz
    from ..quiz.store import CardInfo
    from ..quiz.terminal import UI

MODES = ("learn", "practice", "exam")
DEFAULT_COUNT = 10
DEFAULT_NEW_PER_DAY = 20


def configure(parser: argparse.ArgumentParser) -> None:
    add_filter_options(parser)
    parser.add_argument("--mode", choices=MODES, default="learn",
                        help="learn (default), practice or exam")
    parser.add_argument("--count", type=positive, default=DEFAULT_COUNT, metavar="N",
                        help=f"questions in the session (default {DEFAULT_COUNT})")
    parser.add_argument("--new-per-day", type=int, default=DEFAULT_NEW_PER_DAY, metavar="N",
                        help="learn mode: new items a day, at most "
                             f"(default {DEFAULT_NEW_PER_DAY}; 0 for reviews only)")
    parser.add_argument("--seed", type=int, default=None, metavar="N",
                        help="random seed for the choice of items and options "
                             "(default: different every time)")
    add_db_option(parser)


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH",
                        help="the progress store to use (default: HISTQUIZ_HOME/progress.sqlite3 "
                             "if HISTQUIZ_HOME is set, else the user's data folder)")


def clock_from_env() -> Clock:
    """Now, or HISTQUIZ_NOW (an ISO date or time) to try out the schedule and for tests: the
    clock starts there and runs at the real pace, so answer times stay true."""
    raw = os.environ.get("HISTQUIZ_NOW", "").strip()
    tick = time.monotonic()
    if not raw:
        start = datetime.now(timezone.utc)
    else:
        try:
            start = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError("HISTQUIZ_NOW must be an ISO date or time such as "
                             f"2025-03-01T09:00, not '{raw}'") from None
        from ..quiz.store import check_now

        check_now(start)
        if start.tzinfo is None:
            start = start.astimezone()

    def clock() -> datetime:
        return start + timedelta(seconds=time.monotonic() - tick)

    return clock


def run(args: argparse.Namespace) -> int:
    from ..generate import generate
    from ..quiz.session import Mode, Quiz, new_today, plan_learn, plan_random
    from ..quiz.store import Store, resolve_path
    from ..quiz.terminal import PlainUI, choose_ui
    from ..seeds import QUIZ, derive
    from .common import load, seed_of, selection

    if args.new_per_day < 0:
        raise UsageError("--new-per-day must be 0 or more")
    clock = clock_from_env()
    mode = Mode(args.mode)
    seed = seed_of(args)
    items = generate(load(args), seed, selection(args))
    if not items:
        raise UsageError("no questions match these filters; try fewer filters or other decks")
    path, create = resolve_path(args.db)
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
        else:
            plan = plan_random(items, count=args.count, rng=order)
        ui = choose_ui()
        if isinstance(ui, PlainUI):
            print("histquiz: no terminal, so the questions come as plain lines; answer each "
                  "with a letter, a number or a date.", file=sys.stderr)
        reviews = sum(p.label == "review" for p in plan)
        questions = f"{len(plan)} question{'s' * (len(plan) != 1)}"
        intro = {
            Mode.LEARN: f"Learning: {reviews} due for review, {len(plan) - reviews} new.",
            Mode.PRACTICE: f"Practice: {questions}; the schedule is left alone.",
            Mode.EXAM: f"Exam: {questions}; the results come at the end.",
        }[mode]
        answered = store.review_count()
        if answered:
            streak = store.streak(now)
            days = f", {streak} day{'s' * (streak != 1)} in a row" if streak else ""
            ui.say(f"Welcome back: {answered} answer{'s' * (answered != 1)} so far{days}.")
        ui.say(intro + " Ctrl-C stops at any time; every answer is saved as you go.")
        session_id = store.start_session(mode.value, len(plan), now)
        quiz = Quiz(store, mode, clock, session_id)
        try:
            return play(quiz, ui, plan)
        finally:
            store.end_session(session_id, clock())


def play(quiz: Quiz, ui: UI, plan: Sequence[Planned]) -> int:
    """Ask the plan, sum up, offer the missed questions again until none are left or the
    student declines. Returns the exit status."""
    from ..quiz.session import Mode, retry_plan, summarise
    from ..quiz.terminal import summary_lines

    result = quiz.run(plan, ui.ask, ui.tell)
    total = len(result.outcomes)
    topics = {p.item.topic for p in plan}
    first = True
    while True:
        if result.stopped:
            return stopped(ui, total, result.stopped)
        if first:
            summary = summarise(result, quiz.store, quiz.clock(), topics)
            ui.say(*summary_lines(summary, ui.paint, exam=quiz.mode is Mode.EXAM))
            first = False
        else:
            ui.say("", f"Retry: {result.right} of {len(result.outcomes)} right.")
        again = retry_plan(result.outcomes)
        if not again:
            break
        try:
            wanted = ui.offer_retry(len(again))
        except KeyboardInterrupt:
            return stopped(ui, total, "interrupt")
        except EOFError:
            wanted = False
        if not wanted:
            break
        result = quiz.run(again, ui.ask, ui.tell, retry=True)
        total += len(result.outcomes)
    ui.say("", f"Saved: {total} answer{'s' * (total != 1)} in this session. "
           "See your progress with 'histquiz stats'.")
    return 0


def stopped(ui: UI, total: int, how: str) -> int:
    ui.say("", f"Stopped. Your progress is saved: {total} answer{'s' * (total != 1)} "
           "in this session.")
    return 130 if how == "interrupt" else 0


def nothing_due(items: Sequence[Item], cards: dict[str, CardInfo], now: datetime,
                new_per_day: int) -> str:
    from ..quiz.session import next_due

    text = "Nothing to learn right now: no reviews are due"
    if any(i.id not in cards for i in items):
        if new_per_day:
            text += f" and today's {new_per_day} new items are done"
    else:
        text += " and you have met every item of this selection"
    when = next_due(cards, items)
    if when is not None:
        text += f". The next review is due {describe_when(when, now)}"
    return text + ". Practise freely with --mode practice, or raise --new-per-day."

def describe_when(when: datetime, now: datetime) -> str:
    delta = (when - now).total_seconds()
    if delta < 3600:
        return f"in {max(1, round(delta / 60))} min"
    if delta < 86400:
        return f"in {round(delta / 3600)} h, at {when.astimezone():%H:%M}"
    return f"on {when.astimezone():%a %d %b at %H:%M}"
