"""The frozen data model shared by every stage: sources, facts, decks and the items made from them.

No I/O happens here. Every fact keeps the file, line and column it came from, so later stages
(a worksheet that meets an unprintable character, say) can still point the user at the YAML.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from .dates import DateSpan, HistDate, When, era_of

BASE_KINDS = (
    "person", "place", "country", "organisation", "document", "equipment",
    "number", "percentage", "year", "text",
)  # fmt: skip
NUMERIC_KINDS = ("number", "percentage", "year")
TOPICS_TAG_PREFIX = "histquiz::topic::"


@dataclass(frozen=True)
class Origin:
    """Where something was written: a file, a line and a column (1-based)."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class YearSpan:
    """The years something applies to (a person in office, a place in use), either end open."""

    start: int | None = None
    end: int | None = None

    def contains(self, year: int) -> bool:
        return (self.start is None or self.start <= year) and (self.end is None or year <= self.end)

    def near(self, year: int, margin: int) -> bool:
        """Is ``year`` within ``margin`` years of the span?"""
        return ((self.start is None or self.start - margin <= year)
                and (self.end is None or year <= self.end + margin))

    def __str__(self) -> str:
        return f"{self.start or ''}–{self.end or ''}" if self.start != self.end else str(self.start)


@dataclass(frozen=True)
class PoolValue:
    """A distractor candidate from a deck's ``pools``, with the years it fits if given."""

    value: str
    years: YearSpan | None = None


@dataclass(frozen=True)
class Period:
    """A named stretch of time a deck declares (the Soviet Union, Russia): "Which of these
    happened in …?" offers only events of the asked year's period."""

    id: str
    title: str
    start: HistDate | None = None
    end: HistDate | None = None

    def holds(self, key: tuple[int, int, int]) -> bool:
        """Does the period hold the day ``key`` (a date's first possible day)?"""
        after_start = self.start is None or self.start.sort_key() <= key
        before_end = self.end is None or key <= _last_day(self.end)
        return after_start and before_end


def _last_day(d: HistDate) -> tuple[int, int, int]:
    return (d.year, d.month or 12, d.day or 31)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    author: str | None
    publisher: str | None
    date: HistDate
    url: str | None = None
    locator: str | None = None

    def citation(self) -> str:
        """One line a reader can find the source by: who, title, date, where."""
        # every item of every fact citing the source asks for it, in every format: made once
        made: str | None = self.__dict__.get("_citation")
        if made is None:
            made = self._cite()
            object.__setattr__(self, "_citation", made)
        return made

    def _cite(self) -> str:
        who = ", ".join(x for x in (self.author, self.publisher) if x)
        parts = [who, f"“{self.title}”", self.date.display()]
        if self.locator:
            parts.append(self.locator)
        text = ", ".join(p for p in parts if p)
        if self.url:
            text += f" <{self.url}>"
        return text


@dataclass(frozen=True)
class Question:
    """A hand-written question of a fact, with a typed answer (an answer slot)."""

    id: str
    ask: str
    answer: str
    kind: str
    accept: tuple[str, ...] = ()
    distractors: tuple[str, ...] = ()
    unit: str | None = None
    number: float | None = None  # the answer as a number, for numeric kinds
    origin: Origin | None = None
    years: YearSpan | None = None  # when the answer fits as a distractor elsewhere
    bounds: tuple[float, float] | None = None  # every numeric option lies within
    step: float | None = None  # numeric options are multiples of it ("roughly how many")
    ask_short: str | None = None  # for outputs with a length limit (Kahoot)

    @property
    def base_kind(self) -> str:
        return self.kind.split(".", 1)[0]


@dataclass(frozen=True)
class FalseStatement:
    """A near-miss false statement about a fact, and why it is false: the wrong options of
    "Which of these statements is true?"."""

    text: str
    why: str
    origin: Origin | None = None


@dataclass(frozen=True)
class Fact:
    id: str
    deck: str
    statement: str
    topic: str
    sources: tuple[Source, ...]
    explanation: str
    date: When | None = None
    when: str | None = None
    event: str | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    templates: tuple[str, ...] = ()
    questions: tuple[Question, ...] = ()
    origin: Origin | None = None
    decade: str | None = None  # the era of an undated fact, as written in the deck
    series: str | None = None  # facts of one series (annual summits) never distract each other
    sequence: str | None = None  # facts of one sequence: days of one month may be put in order
    not_before: HistDate | None = None  # no date option lies before it ...
    not_after: HistDate | None = None  # ... or after it
    day_matters: bool = False  # date options may be days apart; otherwise months apart
    # short forms of ``event`` and ``when``, for outputs with a length limit (Kahoot)
    event_short: str | None = None
    when_short: str | None = None
    false_statements: tuple[FalseStatement, ...] = ()  # near-misses, each with why

    @property
    def era(self) -> str | None:
        return era_of(self.date) if self.date is not None else self.decade

    @functools.cached_property
    def all_tags(self) -> tuple[str, ...]:
        """The fact's own tags plus the derived topic and era tags."""
        tags = [f"topic::{self.topic}"]
        if self.era:
            tags.append(f"era::{self.era}")
        tags.extend(t for t in self.tags if t not in tags)
        return tuple(tags)


@dataclass(frozen=True)
class Deck:
    id: str
    title: str
    description: str
    facts: tuple[Fact, ...]
    sources: tuple[Source, ...] = ()
    pools: dict[str, tuple[PoolValue, ...]] = field(default_factory=dict)
    periods: tuple[Period, ...] = ()  # every period loaded (periods are shared, like sources)
    # Anki: the top-level deck (None: the title) and titles for topic subdecks by topic slug
    anki_deck: str | None = None
    topic_titles: dict[str, str] = field(default_factory=dict)

    @property
    def anki_root(self) -> str:
        """The top-level Anki deck of this deck's cards: ``anki_deck``, else the title."""
        return self.anki_deck or self.title


@dataclass(frozen=True)
class Item:
    """One question, ready for any exporter.

    ``kind`` is ``choice`` (options, exactly one of which is ``answer``), ``date`` (a typed
    date, ``answer_date`` at the precision asked), ``order`` (``options`` are events shown in a
    shuffled order; ``key`` lists their indices earliest first) or ``match`` (``options`` are
    events, ``targets`` the years to match them to in ascending order, and ``key[i]`` the
    index of option i's target). ``ordered`` choice options follow their natural order (dates,
    numbers) and must never be reshuffled. ``notes`` has one line per option, said in the
    feedback: why a false statement is false, or an event's date.
    """

    id: str
    kind: str
    template: str
    question: str
    answer: str
    deck: str
    fact: str
    topic: str
    explanation: str
    sources: tuple[Source, ...]
    tags: tuple[str, ...]
    date: When | None
    statement: str
    options: tuple[str, ...] = ()
    answer_index: int | None = None
    ordered: bool = False
    answer_date: HistDate | None = None
    answer_kind: str = "text"
    accept: tuple[str, ...] = ()
    note: str | None = None
    origin: Origin | None = None
    event: str | None = None  # the fact's headline, for timelines and "What happened on …?"
    notes: tuple[str, ...] = ()  # per option: why it is false, or its date ("" for none)
    key: tuple[int, ...] = ()  # order: option indices earliest first; match: target per option
    targets: tuple[str, ...] = ()  # match: what the options are matched to (years, ascending)
    # first, order, match: the fact of each option ("deck/fact"), whose date decides the answer
    option_facts: tuple[str, ...] = ()

    @property
    def date_display(self) -> str:
        return self.date.display() if self.date is not None else ""

    def rows_key(self, rows: Sequence[int]) -> tuple[int, ...]:
        """An order or match item's ``key`` once its events are shown in another order,
        ``rows`` giving the option index of each row shown: the rows earliest first (order), or
        each row's target (match)."""
        if self.kind == "order":
            return tuple(rows.index(k) for k in self.key)
        return tuple(self.key[i] for i in rows)

    def to_json(self) -> dict[str, object]:
        """The item as JSON: its fields, then its sources, then where it comes from."""
        before, after = self.json_parts()
        return {**before, "sources": [source_json(s) for s in self.sources], **after}

    def json_parts(self) -> tuple[dict[str, object], dict[str, object]]:
        """``to_json`` without the sources, in the two parts that come before and after them
        (a writer may write each source once, however many items cite it)."""
        data: dict[str, object] = {
            "id": self.id,
            "kind": self.kind,
            "template": self.template,
            "question": self.question,
        }
        if self.kind == "choice":
            data["options"] = list(self.options)
            data["answer_index"] = self.answer_index
            data["ordered"] = self.ordered
        elif self.kind in ("order", "match"):
            # the events as shown, each with its date as displayed; the same shape for both
            data["events"] = [{"event": o, "date": n} for o, n in zip(self.options, self.notes,
                                                                     strict=True)]
        if self.kind == "order":
            data["order"] = list(self.key)
        elif self.kind == "match":
            data["years"] = list(self.targets)
            data["pairs"] = [[i, k] for i, k in enumerate(self.key)]
        if self.notes and self.kind == "choice":
            data["notes"] = list(self.notes)
        if self.option_facts:
            data["option_facts"] = list(self.option_facts)
        data["answer"] = self.answer
        if self.answer_date is not None:
            data["answer_date"] = self.answer_date.iso()
            data["precision"] = self.answer_date.precision.value
        data["answer_kind"] = self.answer_kind
        if self.accept:
            data["accept"] = list(self.accept)
        data["explanation"] = self.explanation
        if self.note:
            data["note"] = self.note
        rest: dict[str, object] = {
            "deck": self.deck,
            "fact": self.fact,
            "topic": self.topic,
            "tags": list(self.tags),
            "date": self.date.iso() if self.date is not None else None,
            "date_display": self.date_display,
            "statement": self.statement,
        }
        return data, rest


def source_json(s: Source) -> dict[str, str | None]:
    """A source as JSON, as an item gives it."""
    return dict(_source_json(s))


@functools.lru_cache(maxsize=4096)
def _source_json(s: Source) -> tuple[tuple[str, str | None], ...]:
    """A source as JSON fields, its citation written once however many items cite it."""
    return (("id", s.id), ("title", s.title), ("author", s.author), ("publisher", s.publisher),
            ("date", s.date.iso()), ("url", s.url), ("locator", s.locator),
            ("citation", s.citation()))


def sort_key_for_date(when: When | None) -> tuple[int, int, int]:
    if when is None:
        return (99999, 0, 0)
    if isinstance(when, DateSpan):
        return when.start.sort_key()
    return when.sort_key()
