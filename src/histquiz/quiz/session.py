"""The quiz itself, without a terminal: which items to ask and in what order, grading, feedback,
undo, flags and recording each answer. The UI is injected as an ``ask`` callable (and a ``tell``
callable for feedback), the time as a ``clock``, so all of this is tested without a terminal.

Modes:
  learn     due reviews first (most overdue first), then items never seen, up to a daily limit
            of new items; every answer moves the item's FSRS card on.
  practice  random items; answers are kept in the history, the schedule is left alone.
  exam      like practice, but no feedback until the end: a score and what was missed.
  mistakes  the items missed in the last N days and not answered right since; like practice,
            the schedule is left alone.

How an answer becomes an FSRS rating:
  wrong (or "?" for "I don't know")   → Again
  a date off by a little (a near miss) → Hard   (the student recalled roughly when)
  an order or a match partly right     → Hard   (see ``partly_right``)
  right                                → Good
  Easy is never given, and a slow answer is not downgraded: time at a terminal measures
  reading and typing as much as recall, and FSRS loses little when Hard and Easy fold into
  Good. A date typed in a form that cannot be read, less precisely than asked (1971 when the
  full date is asked), or in a year outside the decks' decades (971), is asked again with a hint
  and costs nothing; so are letters that do not give each shown letter once (order, match).

Counting, everywhere: "right" means exactly right; a near miss (or an order or match partly
right) is "close", counted apart and never as right; "missed" means not right (wrong, "?" or
close), and missed questions are offered again at the end. In learn mode those retries move
the card on as well (a same-day relearning review, which FSRS models); in the other modes they
join the history only. Statistics count first answers, never retries.

Besides answers, the UI may return a Command (stop, undo) or a Flag. Undo takes the last answer
of the round back, in the store too, and asks that question again. Stopping ends the round;
the caller still shows the summary of what was answered.

Only one item of a fact is asked per session when the pool allows it, because the date-choice
question of a fact gives away the answer to its date-recall question.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum

from ..dates import Precision, Verdict, When, grade_date, parse_answer, years_of
from ..generate.reveal import Apart
from ..model import Item
from ..textnorm import normalize, topic_title
from .store import CardInfo, Recorded, Review, Store, local_midnight

Clock = Callable[[], datetime]

AGAIN, HARD, GOOD = 1, 2, 3
DONT_KNOW = "?"


class Mode(str, Enum):
    LEARN = "learn"
    PRACTICE = "practice"
    EXAM = "exam"
    MISTAKES = "mistakes"

    @property
    def schedules(self) -> bool:
        return self is Mode.LEARN

    @property
    def feedback(self) -> bool:
        return self is not Mode.EXAM


class Command(Enum):
    """What a student may do besides answering."""

    STOP = "stop"  # q, Esc, Ctrl-D: end the session, with the summary of what was answered
    UNDO = "undo"  # take the last answer back and ask that question again
    FLAG = "flag"  # the UI then asks for a comment and returns a Flag
    HELP = "help"  # the UI shows the keys
    NEXT = "next"  # after the feedback: on to the next question


@dataclass(frozen=True)
class Flag:
    """A note that the question on screen is wrong or unclear."""

    comment: str


# Words a student may type instead of an answer (the piped mode, and date questions).
COMMAND_WORDS = {
    "q": Command.STOP, "quit": Command.STOP, "u": Command.UNDO, "undo": Command.UNDO,
    "f": Command.FLAG, "flag": Command.FLAG, "h": Command.HELP, "help": Command.HELP,
}  # fmt: skip


def typed_command(text: str) -> Command | None:
    return COMMAND_WORDS.get(text.strip().casefold())


# --- choosing the items --------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    item: Item
    label: str = ""  # "review", "new", "retry" or empty


class _Apart:
    """Picks items for one session by their places in ``items``: one per fact, and none that
    gives away another already picked (generate.reveal), in the order offered. Only the items
    looked at are read (a session of five from a big bank read lazily reads a few)."""

    def __init__(self, items: Sequence[Item]) -> None:
        from ..cache import reveals  # read from the cache when the items came from it

        self.items = items
        self.apart = Apart(reveals(items))
        self.facts: set[tuple[str, str]] = set()

    def pick(self, order: Iterable[int], limit: int, *, per_fact: bool = True) -> list[int]:
        out: list[int] = []
        for n in order:
            if len(out) >= limit:
                break
            item = self.items[n]
            if per_fact and (item.deck, item.fact) in self.facts:
                continue
            if self.apart.fits(n):
                self.apart.take(n)
                self.facts.add((item.deck, item.fact))
                out.append(n)
        return out


def due_places(items: Sequence[Item], cards: dict[str, CardInfo], now: datetime) -> list[int]:
    """Where the items of the selection whose review is due stand, most overdue first (found by
    their ids alone: see ``cache.ids_of``)."""
    from ..cache import ids_of

    ids = ids_of(items)
    return sorted((n for n, i in enumerate(ids) if i in cards and cards[i].due <= now),
                  key=lambda n: (cards[ids[n]].due, ids[n]))


def plan_learn(items: Sequence[Item], cards: dict[str, CardInfo], now: datetime, *,
               count: int, new_today: int, new_per_day: int,
               rng: random.Random) -> list[Planned]:
    """Due reviews first, most overdue first; then new items while today's allowance lasts.

    Items with a card that is not due yet are not asked. Cards of items that are no longer in
    the decks are simply never matched, so removed facts are skipped.
    """
    from ..cache import ids_of

    due = due_places(items, cards, now)
    fresh = [n for n, i in enumerate(ids_of(items)) if i not in cards]
    rng.shuffle(fresh)  # in the order a shuffle of the new items themselves would give
    apart = _Apart(items)
    reviews = apart.pick(due, count)
    allowance = max(0, min(count - len(reviews), new_per_day - new_today))
    new = apart.pick(fresh, allowance)
    return ([Planned(items[n], "review") for n in reviews]
            + [Planned(items[n], "new") for n in new])


def plan_random(items: Sequence[Item], *, count: int, rng: random.Random) -> list[Planned]:
    """``count`` random items, one per fact while there are enough facts, and none that gives
    away another while there are enough of those."""
    order = list(range(len(items)))
    rng.shuffle(order)  # the places, in the order a shuffle of the items themselves would give
    apart = _Apart(items)
    chosen = apart.pick(order, count)
    chosen += apart.pick(order, count - len(chosen), per_fact=False)
    taken = set(chosen)
    chosen += [n for n in order if n not in taken][:count - len(chosen)]
    return [Planned(items[n]) for n in chosen]


def plan_mistakes(items: Sequence[Item], missed: Sequence[str], *, count: int,
                  rng: random.Random) -> list[Planned]:
    """Up to ``count`` of the ``missed`` items (ids, most recent first) that are still in the
    decks, in random order."""
    by_id = {i.id: i for i in items}
    found = [by_id[m] for m in dict.fromkeys(missed) if m in by_id]
    chosen = [found[n] for n in _Apart(found).pick(range(len(found)), count, per_fact=False)]
    rng.shuffle(chosen)
    return [Planned(i) for i in chosen]


def next_due(cards: dict[str, CardInfo], items: Sequence[Item]) -> datetime | None:
    """When the earliest card among ``items`` falls due."""
    from ..cache import ids_of

    dues = [cards[i].due for i in ids_of(items) if i in cards]
    return min(dues) if dues else None


def new_today(store: Store, now: datetime) -> int:
    today = now.astimezone().date()
    return store.introduced_between(local_midnight(today), local_midnight(today + timedelta(days=1)))


def years_covered(dates: Iterable[When | None]) -> tuple[int, int] | None:
    """The decades the decks' dates fall in (1947–2025 → 1940–2029): a typed year outside
    them is a slip (971 for 1971), asked again rather than graded."""
    years = [y for when in dates if when is not None
             for y in (years_of(when).start, years_of(when).stop - 1)]
    if not years:
        return None
    return min(years) // 10 * 10, max(years) // 10 * 10 + 9


# --- asking and grading --------------------------------------------------------------------


@dataclass(frozen=True)
class Prompt:
    """What the UI shows for one question."""

    item: Item
    number: int
    total: int
    label: str = ""
    hint: str | None = None  # why the last input was asked again
    notice: str | None = None  # news for the student: a flag saved, an answer taken back

    @property
    def header(self) -> str:
        kind = "Retry" if self.label == "retry" else "Question"
        parts = [f"{kind} {self.number} of {self.total}", topic_title(self.item.topic)]
        if self.label == "new":
            parts.append("new")
        return " · ".join(parts)


# The answer to a prompt: an option index for a choice item, typed text (a letter, an option's
# text, a date, "?"), a Command, or a Flag. None is the same as Command.STOP. Raising
# KeyboardInterrupt or EOFError also stops.
Answer = int | str | Command | Flag | None
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
    read_as: str | None = None  # "You typed 8/9/1971, read as 8 September 1971 (…)."
    interval: timedelta | None = None  # when the item comes back (learn mode)
    flagged: bool = False

    @property
    def correct(self) -> bool:
        return self.verdict is Verdict.EXACT


# After the feedback, what the student wants: None or Command.NEXT, STOP, UNDO, or a Flag.
Reply = Command | Flag | None
Tell = Callable[[Outcome], Reply]


@dataclass(frozen=True)
class Grade:
    verdict: Verdict
    message: str
    given: str  # the option's text, the date as read ("9 August 1971"), the letters typed
    read_as: str | None = None  # how typed text was read, when it was not written out in full
    kept: str | None = None  # what the store keeps, when not ``given`` (see ``_kept``)

    @property
    def final(self) -> bool:
        """False when the input should be asked again (unreadable, or less precise than asked)."""
        return self.verdict in (Verdict.EXACT, Verdict.NEAR, Verdict.WRONG)

    @property
    def rating(self) -> int:
        return {Verdict.EXACT: GOOD, Verdict.NEAR: HARD}.get(self.verdict, AGAIN)


def grade(item: Item, answer: int | str, years: tuple[int, int] | None = None) -> Grade:
    """Grade one answer. ``years``: the range a typed year must fall in to be graded."""
    if item.kind in ("order", "match"):
        return _grade_letters(item, str(answer))
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
    text = " ".join(str(answer).split())
    if text == DONT_KNOW:
        return Grade(Verdict.WRONG, "Not answered.", DONT_KNOW)
    if item.answer_date is None:  # a date item always has one; guard for mypy and bad data
        return Grade(Verdict.WRONG, "This item has no date to compare with.", text)
    parsed = parse_answer(text)
    if parsed is not None and years is not None and not years[0] <= parsed.year <= years[1]:
        return Grade(Verdict.UNREADABLE,
                     f"'{text}' is read as the year {parsed.year}, outside the years these "
                     f"questions cover ({years[0]}–{years[1]}). Type the year in full, "
                     "e.g. 1971.", text)
    result = grade_date(item.answer_date, text)
    if result.verdict is Verdict.IMPRECISE and item.answer_date.precision is Precision.DAY:
        return Grade(Verdict.IMPRECISE, "Please give the full date, or at least the month and "
                     "the year (a right month without the day counts as close).", text)
    if not result.correct and result.verdict not in (Verdict.NEAR, Verdict.WRONG):
        return Grade(result.verdict, result.message, text)
    assert result.given is not None and parsed is not None
    shown = result.given.display()
    read_as = None
    if text.casefold() != parsed.display().casefold():
        # 8/9/1971 is 8 September: say so, or "off by 30 days" makes no sense
        read_as = f"You typed {text}, read as {parsed.display()}"
        day_first = re.fullmatch(r"\d{1,2}[/.]\d{1,2}[/.]\d{3,4}", text)
        read_as += " (numbers with slashes or dots are read day first)." if day_first else "."
    if result.verdict is Verdict.EXACT:
        return Grade(Verdict.EXACT, "Right.", shown, read_as)
    if result.verdict is Verdict.WRONG:
        return Grade(Verdict.WRONG, f"Wrong: {result.message[0].lower()}{result.message[1:]}",
                     shown, read_as)
    return Grade(result.verdict, result.message, shown, read_as)


def option_letter(index: int) -> str:
    return chr(ord("A") + index)


# --- ordering and matching -------------------------------------------------------------------

# What may stand between typed letters: "c, a d b", "C-A-D-B", "c > a > d > b", "1b; 2d".
_BETWEEN = re.compile(r"[\s,;:./>=→-]+")


def read_letters(item: Item, text: str) -> tuple[int, ...] | None:
    """The letters typed for an order or match item, as option indices (order: the events,
    earliest first; match: the year of each row, row 1 first), or None unless each shown letter
    comes exactly once. Case, spaces and commas do not matter; a match may also be typed as
    numbered pairs in any order ("1B 2D 3A 4C")."""
    n = len(item.options)
    compact = _BETWEEN.sub("", text).upper()
    if item.kind == "match" and re.fullmatch(r"(?:[0-9][A-Z])+", compact):
        rows: dict[int, str] = {}
        for digit, letter in re.findall(r"([0-9])([A-Z])", compact):
            row = int(digit) - 1
            if not 0 <= row < n or row in rows:
                return None
            rows[row] = letter
        compact = "".join(rows.get(r, "") for r in range(n))
    picked = tuple(ord(ch) - ord("A") for ch in compact)
    if sorted(picked) != list(range(n)):
        return None
    return picked


def pairs_in_order(key: Sequence[int], given: Sequence[int]) -> int:
    """How many pairs of events ``given`` (option indices, in the student's order) puts in the
    same order as ``key`` (the right order): 6 of 6 for the right order of four events, 5 with
    two neighbours swapped, 0 for the order reversed."""
    rank = {option: place for place, option in enumerate(key)}
    return sum(rank[a] < rank[b] for n, a in enumerate(given) for b in given[n + 1:])


def rows_right(key: Sequence[int], given: Sequence[int]) -> int:
    """How many rows of a match got their own year."""
    return sum(g == k for g, k in zip(given, key, strict=True))


def letters_score(item: Item, given: Sequence[int]) -> tuple[int, int]:
    """(right, out of): pairs in the right relative order for an order item, rows matched to
    their year for a match item."""
    n = len(item.options)
    if item.kind == "order":
        return pairs_in_order(item.key, given), n * (n - 1) // 2
    return rows_right(item.key, given), n


def partly_right(kind: str, right: int, total: int) -> bool:
    """Whether an answer not wholly right still earns Hard (a pass) rather than Again.

    The bar sits well above what a blind guess reaches. A random order of four events already
    has half of its six pairs in order on average (three or more in 15 of the 24 orders), so
    "half the pairs" would pass guesses; partly right is instead at most a quarter of the pairs
    out of order (one pair when a quarter is less): for four events 5 of 6, that is two
    neighbours swapped, which a guess hits 3 times in 24. A random match gets one row right on
    average whatever the number of rows, so at least half the rows will do: for four rows 2 of
    4 (two years swapped, the only way to miss by little, since each year is used once), which a
    guess hits 6 times in 24, no more often than it hits the answer of a four-option choice
    question.
    """
    if right >= total:
        return False
    if kind == "order":
        return total - right <= max(1, total // 4)
    return 2 * right >= total


def _grade_letters(item: Item, text: str) -> Grade:
    typed = " ".join(text.split())
    if typed == DONT_KNOW:
        return Grade(Verdict.WRONG, "Not answered.", DONT_KNOW)
    given = read_letters(item, typed)
    if given is None:
        return Grade(Verdict.UNREADABLE, letters_help(item, typed), typed)
    right, total = letters_score(item, given)
    shown = "".join(option_letter(i) for i in given)
    kept = _kept(item, given)
    if item.kind == "order":
        said = f"{right} of {total} pairs in the right order."
    else:
        said = f"{right} of {total} events matched to their year."
    if right == total:
        return Grade(Verdict.EXACT, f"Right: {said}", shown, kept=kept)
    if partly_right(item.kind, right, total):
        return Grade(Verdict.NEAR, f"Partly right: {said}", shown, kept=kept)
    return Grade(Verdict.WRONG, f"Wrong: {said}", shown, kept=kept)


def _kept(item: Item, given: Sequence[int]) -> str:
    """An order or match answer as the progress file keeps it: the events themselves, not
    letters, because which letter an event gets depends on the run's seed (and a retry
    reshuffles them). An order is its events in the student's order, "; " between them; a match
    each event with the year given to it, as an item's own answer is written."""
    if item.kind == "order":
        return "; ".join(item.options[i] for i in given)
    return "; ".join(f"{event}: {item.targets[k]}"
                     for event, k in zip(item.options, given, strict=True))


def letters_help(item: Item, typed: str) -> str:
    """The one-line hint when letters are asked again (not graded): what was wrong with them."""
    span = f"A–{option_letter(len(item.options) - 1)}"
    if item.kind == "order":
        return f"'{typed}' is not an order of {span}: type each letter once, earliest first."
    return f"'{typed}' is not one of {span} per event: type each letter once, row 1's first."


def solution(item: Item) -> str:
    """The answer spelled out on one line, as the summary and a flag show it: the option with
    its letter, the events in order with their dates, the events with their years, or the
    date."""
    if item.kind == "choice" and item.answer_index is not None:
        return f"{option_letter(item.answer_index)}) {item.answer}"
    if item.kind == "order":
        return "; ".join(f"{option_letter(i)}) {item.options[i]}{_dated(item, i)}"
                         for i in item.key)
    if item.kind == "match":
        return "; ".join(f"{n + 1}. {event} → {item.targets[k]}"
                         for n, (event, k) in enumerate(zip(item.options, item.key, strict=True)))
    return item.answer


def _dated(item: Item, index: int) -> str:
    note = item.notes[index] if index < len(item.notes) else ""
    return f" ({note})" if note else ""


def _option_index(item: Item, text: str) -> int | None:
    """An option chosen by its full text or its letter (b). A number is never a position:
    "4" must not pick the fourth option when the options are themselves numbers."""
    text = " ".join(text.split())
    # compared as every answer is (textnorm.normalize): case, accents, punctuation and spacing
    folded = [normalize(o) for o in item.options]
    if normalize(text) in folded:
        return folded.index(normalize(text))
    letter = text.rstrip(").").lower()
    if len(letter) == 1 and "a" <= letter <= "z":
        return ord(letter) - ord("a")
    return None


def choice_help(item: Item) -> str:
    n = len(item.options)
    return f"Choose an option by its letter, A–{option_letter(n - 1)}, or type its text."


def reshuffled(item: Item, rng: random.Random) -> Item:
    """The same item with its options in a new order and the answer under another letter, so
    a retry tests the answer, not the letters. Options in date or number order keep their
    order; the events of an order or match item are shown in a new order."""
    if item.kind in ("order", "match"):
        return _rearranged(item, rng)
    if item.kind != "choice" or item.ordered or item.answer_index is None or len(item.options) < 2:
        return item
    n = len(item.options)
    spot = rng.choice([i for i in range(n) if i != item.answer_index])
    others = [o for i, o in enumerate(item.options) if i != item.answer_index]
    rng.shuffle(others)
    options = [*others[:spot], item.options[item.answer_index], *others[spot:]]
    return replace(item, options=tuple(options), answer_index=spot)


def _rearranged(item: Item, rng: random.Random) -> Item:
    """An order or match item with its events in a new order (never already in the right
    order, for an order item), the key following them."""
    n = len(item.options)
    if n < 3:
        return item
    while True:
        moved = list(range(n))  # new position p shows the event that stood at moved[p]
        rng.shuffle(moved)
        if moved == list(range(n)):
            continue
        key = item.rows_key(moved)
        if item.kind == "order" and key == tuple(range(n)):
            continue
        break
    notes = tuple(item.notes[m] for m in moved) if len(item.notes) == n else item.notes
    return replace(item, options=tuple(item.options[m] for m in moved), notes=notes, key=key)


# --- running a round -----------------------------------------------------------------------


@dataclass
class Round:
    outcomes: list[Outcome] = field(default_factory=list)
    stopped: str | None = None  # "interrupt" (Ctrl-C) or "quit" (q, Esc, end of input)
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


UNDONE = "Your last answer was taken back: answer again."
NOTHING_TO_UNDO = "Nothing to undo yet in this round."
NOT_UNDONE = ("That answer cannot be taken back: the question was answered again elsewhere "
              "since.")
FLAG_SAVED = "Flag saved, thank you: 'histquiz flags' lists it for the decks' maintainers."


class Quiz:
    """One session on a store: asks planned items and commits each answer as it comes."""

    def __init__(self, store: Store, mode: Mode, clock: Clock, session_id: int, *,
                 years: tuple[int, int] | None = None) -> None:
        self.store = store
        self.mode = mode
        self.clock = clock
        self.session_id = session_id
        self.years = years

    def run(self, plan: Sequence[Planned], ask: Ask, tell: Tell | None = None, *,
            retry: bool = False) -> Round:
        """Ask every planned item; stop early on a stop command, Ctrl-C or the end of input.

        Every answer is committed before the next question is asked (or the feedback shown),
        so stopping at any point loses at most the question on screen.
        """
        result = Round()
        started = self.clock()
        done: list[tuple[int, Recorded]] = []  # for undo: plan position and what was stored
        notice: str | None = None
        index = 0
        try:
            while index < len(plan):
                step = self.ask_one(plan[index], index + 1, len(plan), ask, retry=retry,
                                    notice=notice)
                notice = None
                if step is Command.STOP:
                    result.stopped = "quit"
                    break
                if step is Command.UNDO:
                    index, notice = self._undo(done, result, index)
                    continue
                assert not isinstance(step, Command)
                outcome, recorded = step
                result.outcomes.append(outcome)
                done.append((index, recorded))
                if tell is not None and (self.mode.feedback or retry):
                    reply = self._after(outcome, tell)
                    if reply is Command.STOP:
                        result.stopped = "quit"
                        break
                    if reply is Command.UNDO:
                        index, notice = self._undo(done, result, index)
                        continue
                index += 1
        except KeyboardInterrupt:
            result.stopped = "interrupt"
        except EOFError:
            result.stopped = "quit"
        result.seconds = (self.clock() - started).total_seconds()
        return result

    def _undo(self, done: list[tuple[int, Recorded]], result: Round,
              index: int) -> tuple[int, str]:
        """Take back the round's last answer: where to go on, and what to tell the student."""
        if not done:
            return index, NOTHING_TO_UNDO
        position, recorded = done.pop()
        if not self.store.undo(recorded):
            return index, NOT_UNDONE
        result.outcomes.pop()
        return position, UNDONE

    def _after(self, outcome: Outcome, tell: Tell) -> Command:
        """Show the feedback until the student moves on; save any flag given meanwhile."""
        while True:
            reply = tell(outcome)
            if isinstance(reply, Flag):
                self.flag(outcome.item, reply.comment)
                outcome = replace(outcome, flagged=True)
                continue
            if reply in (Command.STOP, Command.UNDO):
                assert isinstance(reply, Command)
                return reply
            return Command.NEXT

    def flag(self, item: Item, comment: str) -> None:
        shown = item.question
        if item.kind in ("choice", "order"):
            shown += "".join(f"\n{option_letter(i)}) {o}" for i, o in enumerate(item.options))
        elif item.kind == "match":
            shown += "".join(f"\n{n}. {o}" for n, o in enumerate(item.options, start=1))
            shown += "\n" + " · ".join(f"{option_letter(i)}) {t}"
                                        for i, t in enumerate(item.targets))
        self.store.add_flag(self.session_id, item.id, shown, solution(item), comment.strip(),
                            self.clock())

    def ask_one(self, planned: Planned, number: int, total: int, ask: Ask, *,
                retry: bool = False,
                notice: str | None = None) -> tuple[Outcome, Recorded] | Command:
        """Ask one item until it gets a final answer (then stored) or a stop or undo."""
        label = "retry" if retry else planned.label
        item = planned.item
        prompt = Prompt(item, number, total, label, notice=notice)
        started = self.clock()
        while True:
            answer = ask(prompt)
            if answer is None or answer is Command.STOP:
                return Command.STOP
            if answer is Command.UNDO:
                return Command.UNDO
            if isinstance(answer, Flag):
                self.flag(item, answer.comment)
                prompt = replace(prompt, hint=None, notice=FLAG_SAVED)
                continue
            if isinstance(answer, Command):  # help, or a flag without its comment: ask again
                continue
            result = grade(item, answer, self.years)
            if result.final:
                break
            prompt = replace(prompt, hint=result.message, notice=None)
        now = self.clock()
        seconds = max(0.0, (now - started).total_seconds())
        recorded = self.store.record(
            Review(self.session_id, item.id, item.topic, now, result.kept or result.given,
                   result.verdict.value, result.rating, result.verdict is Verdict.EXACT,
                   round(seconds * 1000), self.mode.value, retry),
            schedule=self.mode.schedules,
        )
        interval = recorded.due - now if recorded.due is not None else None
        outcome = Outcome(item, result.given, result.verdict, result.rating, result.message,
                          seconds, label, result.read_as, interval)
        return outcome, recorded


def retry_plan(outcomes: Sequence[Outcome], rng: random.Random | None = None) -> list[Planned]:
    """The missed items of a round, in the order they were asked, each once; with ``rng``,
    choice options are reshuffled (see ``reshuffled``)."""
    seen: set[str] = set()
    plan = []
    for o in outcomes:
        if not o.correct and o.item.id not in seen:
            seen.add(o.item.id)
            item = reshuffled(o.item, rng) if rng is not None else o.item
            plan.append(Planned(item, "retry"))
    return plan


# --- the end of a session ------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    asked: int  # first answers in the round
    right: int  # exactly right
    close: int  # near misses (not in ``right``)
    seconds: float
    streak: int
    weakest: list[tuple[str, float, int]]  # (topic, share right, first answers), weakest first
    missed: list[Outcome]  # not right: wrong, "?" or close


def summarise(result: Round, store: Store, now: datetime, topics: set[str] | None = None) -> Summary:
    """Score and time of the round, the streak of days, and the weakest topics so far.

    A topic counts as weak once it has at least three first answers and not all were right.
    """
    stats = [t for t in store.topic_stats(now)
             if t.answers >= 3 and t.right_rate < 1 and (topics is None or t.topic in topics)]
    stats.sort(key=lambda t: (t.right_rate, -t.answers, t.topic))
    return Summary(
        asked=len(result.outcomes), right=result.right, close=result.close,
        seconds=result.seconds, streak=store.streak(now),
        weakest=[(t.topic, t.right_rate, t.answers) for t in stats[:3]],
        missed=result.missed,
    )
