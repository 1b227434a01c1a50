"""Running a quiz session once it is planned: the clock (HISTQUIZ_NOW), asking the plan,
the summary, the offer to retry what was missed, and the closing lines. The command module
parses the options and plans; this is the part the quiz and stats commands share."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from ..errors import UsageError
from ..textui import plural
from .session import Clock, Planned, Quiz
from .terminal import UI


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
        from .store import check_now

        check_now(start)
        if start.tzinfo is None:
            start = start.astimezone()

    def clock() -> datetime:
        return start + timedelta(seconds=time.monotonic() - tick)

    return clock


def play(quiz: Quiz, ui: UI, plan: Sequence[Planned], rng: random.Random | None = None) -> int:
    """Ask the plan, sum up (also when stopped early), offer the missed questions again (with
    their options reshuffled) until none are left or the student declines. Returns the exit
    status."""
    from ..quiz.session import Mode, retry_plan, summarise

    result = quiz.run(plan, ui.ask, ui.tell)
    answers, retries = len(result.outcomes), 0
    if result.outcomes:
        topics = {p.item.topic for p in plan}
        summary = summarise(result, quiz.store, quiz.clock(), topics)
        ui.show_summary(summary, exam=quiz.mode is Mode.EXAM, stopped=result.stopped is not None)
    if result.stopped:
        return stopped(ui, answers, retries, result.stopped)
    while True:
        again = retry_plan(result.outcomes, rng)
        if not again:
            break
        try:
            wanted = ui.offer_retry(len(again))
        except KeyboardInterrupt:
            return stopped(ui, answers, retries, "interrupt")
        except EOFError:
            wanted = False
        if not wanted:
            break
        result = quiz.run(again, ui.ask, ui.tell, retry=True)
        retries += len(result.outcomes)
        ui.clear()
        ui.say(f"Retry: {result.right} of {len(result.outcomes)} right.")
        if result.stopped:
            return stopped(ui, answers, retries, result.stopped)
    ui.say("", f"Saved: {saved(answers, retries)} in this session. "
           "See your progress with 'histquiz stats'.")
    return 0


def saved(answers: int, retries: int) -> str:
    text = plural(answers, "answer")
    return text + f" and {plural(retries, 'retry', 'retries')}" if retries else text


def stopped(ui: UI, answers: int, retries: int, how: str) -> int:
    ui.say("", f"Stopped. Your progress is saved: {saved(answers, retries)} in this session.")
    return 130 if how == "interrupt" else 0


def describe_when(when: datetime, now: datetime) -> str:
    delta = (when - now).total_seconds()
    if delta < 3600:
        return f"in {max(1, round(delta / 60))} min"
    if delta < 86400:
        return f"in {round(delta / 3600)} h, at {when.astimezone():%H:%M}"
    return f"on {when.astimezone():%a %d %b at %H:%M}"
