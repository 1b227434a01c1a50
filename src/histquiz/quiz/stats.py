"""What ``histquiz stats`` shows, built from the progress store alone: per-topic mastery, the
reviews due over the next week as a bar chart, and the recent sessions."""

from __future__ import annotations

from datetime import datetime, timedelta

from .session import topic_title
from .store import SessionRow, Store, TopicStats

BAR_WIDTH = 24


def bar(value: float, full: float, width: int = BAR_WIDTH, block: str = "█") -> str:
    """A bar of ``value`` out of ``full``; any value above zero shows at least one block."""
    if full <= 0 or value <= 0:
        return ""
    return block * max(1, round(width * value / full))


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)}%"


def topic_table(stats: list[TopicStats], block: str = "█") -> list[str]:
    name_width = max([len(topic_title(t.topic)) for t in stats] + [len("Topic")])
    head = (f"  {'Topic':<{name_width}}  {'Seen':>5}  {'Answers':>7}  {'Recall':>6}  "
            f"{'Memory':>6}")
    lines = [head]
    for t in stats:
        lines.append(
            f"  {topic_title(t.topic):<{name_width}}  {t.items_seen:>5}  {t.answers:>7}  "
            f"{_percent(t.recall_rate if t.answers else None):>6}  "
            f"{_percent(t.retrievability):>6}  "
            f"{bar(t.retrievability or 0, 1, 20, block)}".rstrip()
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


def report(store: Store, now: datetime, *, fancy: bool = True) -> list[str]:
    """The whole stats page, as lines of text."""
    block = "█" if fancy else "#"
    total = store.review_count()
    lines = [f"Progress store: {store.path}"]
    if not total:
        lines += ["", "No answers yet. Start with: histquiz quiz"]
        return lines
    stats = store.topic_stats(now)
    seen = sum(t.items_seen for t in stats)
    streak = store.streak(now)
    lines.append(f"{total} answer{'s' * (total != 1)} · {seen} item{'s' * (seen != 1)} seen · "
                 f"streak {streak} day{'s' * (streak != 1)}")
    lines += ["", "Mastery by topic", *topic_table(stats, block),
              "  Recall: first answers right or close. Memory: the chance, by FSRS, of "
              "recalling", "  the topic's scheduled items today."]
    lines += ["", "Reviews due in the next 7 days", *forecast_lines(store.due_forecast(now), now,
                                                                   block)]
    lines += ["", "Recent sessions", *session_lines(store.recent_sessions())]
    if not fancy:
        lines = [line.replace("·", "-").replace("—", "-") for line in lines]
    return lines
