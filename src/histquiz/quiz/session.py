"""The quiz itself, without a terminal: which items to ask and in what order, grading, feedback
and recording each answer. The UI is injected as an ``ask`` callable (and a ``tell`` callable
for feedback), the time as a ``clock``, so all of this is tested without a terminal.

Modes:
  learn     due reviews first (most overdue first), then items never seen, up to a daily limit
            of new items; every answer moves the item's FSRS card on.
  practice  random items; answers are kept in the history, the schedule is left alone.
  exam      like practice, but no feedback until the end: a score and what was missed.

How an answer becomes an FSRS rating:
  wrong (or "?" for "I don't know")   → Again
  a date off by a little (a near miss) → Hard   (the student recalled roughly when)
  right                                → Good
  Easy is never given, and a slow answer is not downgraded: time at a terminal measures
  reading and typing as much as recall, and FSRS loses little when Hard and Easy fold into
  Good. A date typed in a form that cannot be read, or less precisely than asked (1971 when
  the full date is asked), is asked again with a hint and costs nothing.

At the end, the missed questions are offered again. In learn mode those answers move the card
on as well (a same-day relearning review, which FSRS models); in the other modes they join the
history only. Statistics count first answers, never retries.

Only one item of a fact is asked per session when the pool allows it, because the date-choice
question of a fact gives away the answer to its date-recall question.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from ..dates import Verdict, grade_date
from ..model import Item
from .store import CardInfo, Review, Store, local_midnight

Clock = Callable[[], datetime]

AGAIN, HARD, GOOD = 1, 2, 3
DONT_KNOW = "?"
ACRONYMS = {"un", "us", "usa", "ussr", "eu", "brics", "sco", "nam", "isro", "drdo", "g20"}


class Mode(str, Enum):
    LEARN = "learn"
    PRACTICE = "practice"
    EXAM = "exam"

    @property
    def schedules(self) -> bool:
        return self is Mode.LEARN

    @property
    def feedback(self) -> bool:
        return self is not Mode.EXAM


def topic_title(slug: str) -> str:
    """``cold-war`` → ``Cold war``; known acronyms stay capitals (``un`` → ``UN``)."""
    words = slug.replace("_", "-").split("-")
    shown = [w.upper() if w.lower() in ACRONYMS else w for w in words if w]
    text = " ".join(shown)
    return text[:1].upper() + text[1:]


# --- choosing the items --------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    item: Item
    label: str = ""  # "review", "new", "retry" or empty


def _one_per_fact(items: Sequence[Item], taken: set[tuple[str, str]]) -> list[Item]:
    out = []
    for item in items:
        key = (item.deck, item.fact)
        if key not in taken:
            taken.add(key)
            out.append(item)
    return out


def plan_learn(items: Sequence[Item], cards: dict[str, CardInfo], now: datetime, *,
               count: int, new_today: int, new_per_day: int,
               rng: random.Random) -> list[Planned]:
    """Due reviews first, most overdue first; then new items while today's allowance lasts.

    Items with a card that is not due yet are not asked. Cards of items that are no longer in
    the decks are simply never matched, so removed facts are skipped.
    """
    due = sorted((i for i in items if i.id in cards and cards[i.id].due <= now),
                 key=lambda i: (cards[i.id].due, i.id))
    fresh = [i for i in items if i.id not in cards]
    rng.shuffle(fresh)
    taken: set[tuple[str, str]] = set()
    reviews = _one_per_fact(due, taken)[:count]
    allowance = max(0, min(count - len(reviews), new_per_day - new_today))
    new = _one_per_fact(fresh, taken)[:allowance]
    return [Planned(i, "review") for i in reviews] + [Planned(i, "new") for i in new]


def plan_random(items: Sequence[Item], *, count: int, rng: random.Random) -> list[Planned]:
    """``count`` random items, one per fact while there are enough facts."""
    pool = list(items)
    rng.shuffle(pool)
    first = _one_per_fact(pool, set())
    chosen = {i.id for i in first}
    rest = [i for i in pool if i.id not in chosen]
    return [Planned(i) for i in (first + rest)[:count]]


def next_due(cards: dict[str, CardInfo], items: Sequence[Item]) -> datetime | None:
    """When the earliest card among ``items`` falls due."""
    dues = [cards[i.id].due for i in items if i.id in cards]
    return min(dues) if dues else None


def new_today(store: Store, now: datetime) -> int:
    today = now.astimezone().date()
    return store.introduced_between(local_midnight(today), local_midnight(today + timedelta(days=1)))


# --- asking and grading --------------------------------------------------------------------


@dataclass(frozen=True)
class Prompt:
    """What the UI shows for one question."""

    item: Item
    number: int
    total: int
    label: str = ""
    hint: str | None = None  # why the last input was asked again

    @property
    def header(self) -> str:
        kind = "Retry" if self.label == "retry" else "Question"
        parts = [f"{kind} {self.number} of {self.total}", topic_title(self.item.topic)]
        if self.label == "new":
            parts.append("new")
        return " · ".join(parts)


# The answer to a prompt: an option index for a choice item, typed text for a date item,
# None to stop the quiz. Raising KeyboardInterrupt or EOFError also stops it.
Answer = int | str | None
Ask = Callable[[Prompt], Answer]


@dataclass(frozen=True)
class Outcome:
    item: Item
    given: str  # what the student answered, as text
    verdict: Verdict  # EXACT, NEAR or WRONG
    rating: int
    message: str  # e.g. "Close: off by 2 years (2 years early)."
    seconds: float
    label: str = ""

    @property
    def correct(self) -> bool:
        return self.verdict is Verdict.EXACT


Tell = Callable[[Outcome], None]


@dataclass(frozen=True)
class Grade:
    verdict: Verdict
    message: str
    given: str

    @property
    def final(self) -> bool:
        """False when the input should be asked again (unreadable, or less precise than asked)."""
        return self.verdict in (Verdict.EXACT, Verdict.NEAR, Verdict.WRONG)

    @property
    def rating(self) -> int:
        return {Verdict.EXACT: GOOD, Verdict.NEAR: HARD}.get(self.verdict, AGAIN)


def grade(item: Item, answer: int | str) -> Grade:
    if item.kind == "choice":
        if answer == DONT_KNOW:
            return Grade(Verdict.WRONG, "Not answered.", DONT_KNOW)
        index = answer if isinstance(answer, int) else _option_index(item, answer)
        if index is None or not 0 <= index < len(item.options):
            return Grade(Verdict.UNREADABLE, choice_help(item), str(answer))
        given = item.options[index]
        if index == item.answer_index:
            return Grade(Verdict.EXACT, "Right.", given)
        return Grade(Verdict.WRONG, "Wrong.", given)
    text = str(answer).strip()
    if text == DONT_KNOW:
        return Grade(Verdict.WRONG, "Not answered.", DONT_KNOW)
    if item.answer_date is None:  # a date item always has one; guard for mypy and bad data
        return Grade(Verdict.WRONG, "This item has no date to compare with.", text)
    result = grade_date(item.answer_date, text)
    shown = result.given.display() if result.given is not None else text
    if result.verdict is Verdict.EXACT:
        return Grade(Verdict.EXACT, "Right.", shown)
    if result.verdict is Verdict.WRONG:
        return Grade(Verdict.WRONG, f"Wrong: {result.message[0].lower()}{result.message[1:]}",
                     shown)
    return Grade(result.verdict, result.message, shown)


def _option_index(item: Item, text: str) -> int | None:
    """An option chosen by its full text, its letter (b) or its number (2)."""
    text = " ".join(text.split())
    folded = [" ".join(o.split()).casefold() for o in item.options]
    if text.casefold() in folded:
        return folded.index(text.casefold())
    letter = text.rstrip(").").lower()
    if len(letter) == 1 and "a" <= letter <= "z":
        return ord(letter) - ord("a")
    if letter.isdigit():
        return int(letter) - 1
    return None


def choice_help(item: Item) -> str:
    n = len(item.options)
    return (f"Choose an option: a letter A–{chr(64 + n)}, a number 1–{n}, "
            "or the option's text.")


# --- running a round -----------------------------------------------------------------------


@dataclass
class Round:
    outcomes: list[Outcome] = field(default_factory=list)
    stopped: str | None = None  # "interrupt" (Ctrl-C) or "quit" (end of input, or None asked)
    seconds: float = 0.0

    @property
    def interrupted(self) -> bool:
        return self.stopped is not None

    @property
    def right(self) -> int:
        return sum(o.correct for o in self.outcomes)

    @property
    def close(self) -> int:
        return sum(o.verdict is Verdict.NEAR for o in self.outcomes)

    @property
    def missed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.correct]


class Quiz:
    """One session on a store: asks planned items and commits each answer as it comes."""

    def __init__(self, store: Store, mode: Mode, clock: Clock, session_id: int) -> None:
        self.store = store
        self.mode = mode
        self.clock = clock
        self.session_id = session_id

    def run(self, plan: Sequence[Planned], ask: Ask, tell: Tell | None = None, *,
            retry: bool = False) -> Round:
        """Ask every planned item; stop early on None, Ctrl-C or the end of input.

        Every answer is committed before the next question is asked, so stopping at any point
        loses at most the question on screen.
        """
        result = Round()
        started = self.clock()
        try:
            for number, planned in enumerate(plan, start=1):
                outcome = self.ask_one(planned, number, len(plan), ask, retry=retry)
                if outcome is None:
                    result.stopped = "quit"
                    break
                result.outcomes.append(outcome)
                if tell is not None and (self.mode.feedback or retry):
                    tell(outcome)
        except KeyboardInterrupt:
            result.stopped = "interrupt"
        except EOFError:
            result.stopped = "quit"
        result.seconds = (self.clock() - started).total_seconds()
        return result

    def ask_one(self, planned: Planned, number: int, total: int, ask: Ask, *,
                retry: bool = False) -> Outcome | None:
        label = "retry" if retry else planned.label
        prompt = Prompt(planned.item, number, total, label)
        started = self.clock()
        while True:
            answer = ask(prompt)
            if answer is None:
                return None
            result = grade(planned.item, answer)
            if result.final:
                break
            prompt = Prompt(planned.item, number, total, label, hint=result.message)
        now = self.clock()
        outcome = Outcome(planned.item, result.given, result.verdict, result.rating,
                          result.message, max(0.0, (now - started).total_seconds()), label)
        self.store.record(
            Review(self.session_id, planned.item.id, planned.item.topic, now, result.given,
                   result.verdict.value, result.rating, outcome.correct,
                   round(outcome.seconds * 1000), self.mode.value, retry),
            schedule=self.mode.schedules,
        )
        return outcome


def retry_plan(outcomes: Sequence[Outcome]) -> list[Planned]:
    """The missed items of a round, in the order they were asked, each once."""
    seen: set[str] = set()
    plan = []
    for o in outcomes:
        if not o.correct and o.item.id not in seen:
            seen.add(o.item.id)
            plan.append(Planned(o.item, "retry"))
    return plan


# --- the end of a session ------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    asked: int
    right: int
    close: int
    seconds: float
    streak: int
    weakest: list[tuple[str, float, int]]  # (topic, recall rate, answers), weakest first
    missed: list[Outcome]


def summarise(result: Round, store: Store, now: datetime, topics: set[str] | None = None) -> Summary:
    """Score and time of the round, the streak of days, and the weakest topics so far.

    A topic counts as weak once it has at least three answers and recall under 100%.
    """
    stats = [t for t in store.topic_stats(now)
             if t.answers >= 3 and t.recall_rate < 1 and (topics is None or t.topic in topics)]
    stats.sort(key=lambda t: (t.recall_rate, -t.answers, t.topic))
    return Summary(
        asked=len(result.outcomes), right=result.right, close=result.close,
        seconds=result.seconds, streak=store.streak(now),
        weakest=[(t.topic, t.recall_rate, t.answers) for t in stats[:3]],
        missed=result.missed,
    )
