"""What ``histquiz stats`` shows, built from the progress store alone: per-topic results and
memory, the reviews due over the next week as a bar chart, and the recent sessions.

Every number means one thing, the same here as in the quiz's own summary (README, "The
terminal quiz"): answers are first answers (retries are counted apart), right is exactly right,
close is a date a little off or an order or match partly right (never counted as right), and
"in a week" is FSRS's predicted recall seven days from now, which a student can raise by
reviewing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .. import textui
from ..textnorm import topic_title
from .screen import clean, wrap
from .store import SessionRow, Store, TopicStats

BAR_WIDTH = 24
TOPIC_BAR = 10
EXPLAINED = (
    "Answers: first answers (retries apart). Right: exactly right. Close: a date a little off, "
    "or an order or match partly right, not counted as right. In a week: the chance, by FSRS, "
    "that you would still recall the topic's learn-mode items 7 days from now without "
    "reviewing them (— when none are scheduled yet)."
)


def bar(value: float, full: float, width: int = BAR_WIDTH, block: str = "█") -> str:
    return textui.bar(value, full, width, block)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)}%"


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _name(topic: str) -> str:
    return clean(topic_title(topic))  # topics come from deck files: never raw to a terminal


def topic_table(stats: list[TopicStats], block: str = "█") -> list[str]:
    name_width = max([len(_name(t.topic)) for t in stats] + [len("Topic")])
    head = (f"  {'Topic':<{name_width}}  {'Items':>5}  {'Answers':>7}  {'Right':>5}  "
            f"{'Close':>5}  {'In a week':>9}")
    lines = [head]
    for t in stats:
        lines.append(
            f"  {_name(t.topic):<{name_width}}  {t.items_seen:>5}  {t.answers:>7}  "
            f"{_percent(_share(t.right, t.answers)):>5}  {_percent(_share(t.close, t.answers)):>5}  "
            f"{_percent(t.recall_in_week):>9}  "
            f"{bar(t.recall_in_week or 0, 1, TOPIC_BAR, block)}".rstrip()
        )
    return lines


def forecast_lines(counts: list[int], now: datetime, block: str = "█") -> list[str]:
    today = now.astimezone().date()
    peak = max(counts) if counts else 0
    lines = []
    for offset, count in enumerate(counts):
        day = today + timedelta(days=offset)
        name = "Today" if offset == 0 else ("Tomorrow" if offset == 1 else f"{day:%a %d %b}")
        lines.append(f"  {name:<10}  {count:>5}  {bar(count, peak, BAR_WIDTH, block)}".rstrip())
    return lines


def session_lines(rows: list[SessionRow]) -> list[str]:
    lines = []
    for row in rows:
        started = row.started.astimezone()
        took = ""
        if row.last_answer is not None:
            minutes = (row.last_answer - row.started).total_seconds() / 60
            took = f"{round(minutes)} min" if minutes >= 1 else "<1 min"
        score = f"{row.correct}/{row.answers}"
        percent = f"{round(100 * row.correct / row.answers)}%" if row.answers else ""
        lines.append(f"  {started:%d %b %Y %H:%M}  {row.mode:<8}  {score:>7} right  "
                     f"{percent:>4}  {took:>7}".rstrip())
    return lines


def report(store: Store, now: datetime, *, fancy: bool = True, width: int = 79) -> list[str]:
    """The whole stats page, as lines of text no wider than ``width`` where words allow."""
    block = "█" if fancy else "#"
    first, retries = store.answer_counts()
    lines = [f"Progress store: {store.path}"]  # whole, to copy: a path is never wrapped
    if not first + retries:
        lines += ["", "No answers yet. Start with: histquiz quiz"]
        return lines
    stats = store.topic_stats(now)
    seen = sum(t.items_seen for t in stats)
    streak = store.streak(now)
    lines += wrap(f"{first} answer{'s' * (first != 1)} · {retries} "
                  f"retr{'ies' if retries != 1 else 'y'} · {seen} item{'s' * (seen != 1)} "
                  f"seen · streak {streak} day{'s' * (streak != 1)}", width)
    lines += ["", "By topic", *topic_table(stats, block), *wrap(EXPLAINED, width, "  ")]
    lines += ["", "Reviews due in the next 7 days", *forecast_lines(store.due_forecast(now), now,
                                                                   block)]
    lines += ["", "Recent sessions (first answers exactly right)",
              *session_lines(store.recent_sessions())]
    if not fancy:
        lines = [line.replace("·", "-").replace("—", "-") for line in lines]
    return lines
