"""The rules that loading and generating must agree on, kept in one place below both.

Which templates apply to a fact, which values count as distractor candidates for an answer
kind, and which facts are events that "Which of these happened in …?" can offer. The loader
uses them to refuse a deck that could not make its questions; the generators use them to make
those questions. Light on purpose: nothing here reads files or imports YAML.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from ..dates import DateSpan, When, years_of
from ..model import NUMERIC_KINDS, Deck, Fact, Period, Question, YearSpan
from ..textnorm import normalize

# --- templates -----------------------------------------------------------------------------

TEMPLATE_ORDER = ("date-recall", "date-choice", "which-happened", "choice", "true-statement",
                  "first", "order", "match")

# What a fact gets when its deck names no templates: every template whose fields it has.
DEFAULT_TEMPLATES = TEMPLATE_ORDER

# The fact field a template cannot work without (the date templates also need the date).
TEMPLATE_NEEDS = {
    "date-recall": "when",
    "date-choice": "when",
    "which-happened": "event",
    "choice": "questions",
    "true-statement": "false_statements",
    "first": "event",
    "order": "event",
    "match": "event",
}

# The item kind each template makes: "date" items take a typed date, "choice" items options.
TEMPLATE_KINDS = {
    "date-recall": "date",
    "date-choice": "choice",
    "which-happened": "choice",
    "choice": "choice",
    "true-statement": "choice",
    "first": "choice",
    "order": "order",
    "match": "match",
}

ITEM_KINDS = ("choice", "date", "order", "match")

# The templates over several events, whose answer is their place in time.
EVENT_SETS = ("first", "order", "match")

# "Which of these statements is true?" shows this many false statements, written as a 2×2 set
# over two details of the true statement "A B": A′ B, A B′ and A′ B′. Then each detail splits
# two against two among the options, and the true one cannot be told from the others by
# comparing them (as it could if each false one changed a different detail: the true one would
# be the one agreeing with all the others).
MIN_FALSE = 3


def enough_false(statements: Sequence[object] | None) -> bool:
    """Has a fact the false statements that "Which of these statements is true?" needs?"""
    return len(statements or ()) >= MIN_FALSE


def missing_need(template: str, *, date: When | None, when: str | None, event: str | None,
                 has_questions: bool, has_false: bool = False) -> str | None:
    """The field a fact lacks for ``template`` ('questions', 'false_statements', 'when',
    'event' or 'date'), or None."""
    need = TEMPLATE_NEEDS[template]
    if need == "questions":
        return None if has_questions else need
    if need == "false_statements":
        return None if has_false else need
    if not (when if need == "when" else event):
        return need
    return "date" if date is None else None


def default_templates(defaults: Mapping[str, tuple[str, ...]], topic: str | None) -> tuple[str, ...]:
    """The templates a deck's ``templates:`` section offers a fact of ``topic``."""
    return defaults.get(topic or "", defaults.get("default", DEFAULT_TEMPLATES))


def applicable_templates(chosen: Iterable[str], *, date: When | None, when: str | None,
                         event: str | None, has_questions: bool,
                         has_false: bool = False) -> tuple[str, ...]:
    """Of the ``chosen`` templates, those whose fields the fact has."""
    return tuple(name for name in chosen if missing_need(
        name, date=date, when=when, event=event, has_questions=has_questions,
        has_false=has_false) is None)


# --- distractor candidates -----------------------------------------------------------------

MIN_DISTRACTORS = 3  # four options by default: the answer and three distractors


def feeds_pool(kind: str) -> bool:
    """Whether an answer of ``kind`` is a candidate for the other questions of that kind.
    Numbers are generated and text answers have only their own distractors."""
    base = kind.split(".", 1)[0]
    return base not in NUMERIC_KINDS and base != "text"


def correct_keys(answer: str, accept: Iterable[str]) -> set[str]:
    """The normalised forms of every right answer: none of them may be offered as wrong."""
    return {normalize(answer), *(normalize(a) for a in accept)}


@dataclass
class Pool:
    """Distinct values of one answer kind, in first-seen order, with their normalised keys,
    the year of each value that answers a dated fact (to prefer candidates of the right
    period) and the years a value was declared to fit (a hard limit)."""

    values: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    keyset: set[str] = field(default_factory=set)
    years: dict[str, int] = field(default_factory=dict)
    spans: dict[str, YearSpan] = field(default_factory=dict)

    def add(self, value: str, year: int | None = None, span: YearSpan | None = None) -> None:
        key = normalize(value)
        if not key:
            return
        if key not in self.keyset:
            self.keyset.add(key)
            self.keys.append(key)
            self.values.append(value)
        if year is not None:
            self.years.setdefault(key, year)
        if span is not None:
            self.spans.setdefault(key, span)


def distractor_pools(decks: Sequence[Deck]) -> dict[str, Pool]:
    """The candidates of every named answer kind across ``decks``: the decks' pools and the
    answers of questions of that kind, deck by deck in order."""
    pools: dict[str, Pool] = {}
    for deck in decks:
        for kind, values in deck.pools.items():
            pool = pools.setdefault(kind, Pool())
            for v in values:
                pool.add(v.value, span=v.years)
        for fact in deck.facts:
            year = fact.date.year if fact.date is not None else None
            for q in fact.questions:
                if feeds_pool(q.kind):
                    pools.setdefault(q.kind, Pool()).add(q.answer, year, q.years)
    return pools


def variant(a: str, b: str) -> bool:
    """Are two normalised values forms of one another: one inside the other as whole words
    ('gromyko', 'andrei gromyko'), or one the other with a short ending ('mig 29', 'mig 29k';
    but 'resolution 4' and 'resolution 47' are two numbers)?"""
    if f" {a} " in f" {b} " or f" {b} " in f" {a} ":
        return True
    ca, cb = a.replace(" ", ""), b.replace(" ", "")
    for short, long in ((ca, cb), (cb, ca)):
        rest = long[len(short):]
        if (short and long.startswith(short) and 0 < len(rest) <= 3
                and not (short[-1].isdigit() and rest[0].isdigit())):
            return True
    return False


# A candidate declared to fit certain years is offered for questions up to this many years
# either side of them: of the question's time, not only of its year (a premier's rivals are
# the premiers around him, not only himself).
YEARS_MARGIN = 10


@dataclass(frozen=True)
class Asking:
    """What one question rules out as a distractor: every right answer, anything its stem
    names, a variant of a right answer (MiG-29 beside MiG-29K), and a candidate declared to
    fit other years than the question's."""

    correct: frozenset[str]
    stem: str  # the normalised question, padded with spaces for whole-word search
    year: int | None

    def allows(self, key: str, span: YearSpan | None = None) -> bool:
        if key in self.correct or f" {key} " in self.stem:
            return False
        if any(variant(key, right) for right in self.correct):
            return False
        return span is None or self.year is None or span.near(self.year, YEARS_MARGIN)

    def why_not(self, key: str) -> str | None:
        """Why a hand-picked distractor is not allowed (time is not judged here)."""
        if key in self.correct:
            return "is also a correct answer"
        if f" {key} " in self.stem:
            return "is named in the question"
        if not self.allows(key):
            return "is a variant of a correct answer"
        return None


def asking(q: Question, year: int | None) -> Asking:
    return Asking(frozenset(correct_keys(q.answer, q.accept)), f" {normalize(q.ask)} ", year)


def allowed_own(q: Question, ask: Asking) -> list[str]:
    """The question's own distractors that it may offer, in the order written."""
    seen: set[str] = set()
    out = []
    for d in q.distractors:
        key = normalize(d)
        if key not in seen and ask.allows(key):
            seen.add(key)
            out.append(d)
    return out


def candidate_count(q: Question, pools: Mapping[str, Pool], year: int | None = None,
                    enough: int = MIN_DISTRACTORS) -> int:
    """How many distinct wrong options a named question can draw on (counted up to
    ``enough``): its own distractors, then its kind's candidates, less every right answer,
    anything the stem names, variants of a right answer, and candidates of other years."""
    ask = asking(q, year)
    own = allowed_own(q, ask)
    found = {normalize(d) for d in own}
    pool = pools.get(q.kind) if q.base_kind != "text" else None
    if pool is not None:
        for key in pool.keys:
            if len(found) >= enough:
                break
            if key not in found and ask.allows(key, pool.spans.get(key)):
                found.add(key)
    return len(found)


# --- events --------------------------------------------------------------------------------


def is_event(fact: Fact) -> bool:
    """A dated fact with a headline: an option of "Which of these happened in …?"."""
    return bool(fact.event) and fact.date is not None


def first_day(when: When) -> tuple[int, int, int]:
    start = when.start if isinstance(when, DateSpan) else when
    return start.sort_key()


def last_day(when: When) -> tuple[int, int, int]:
    """The last possible day of ``when``: a month's last day, a year's 31 December."""
    end = when.end if isinstance(when, DateSpan) else when
    return last_day_of(end.year, end.month, end.day)


def last_day_of(year: int, month: int | None, day: int | None) -> tuple[int, int, int]:
    if month is None:
        return (year, 12, 31)
    return (year, month, day or calendar.monthrange(year, month)[1])


def period_of(when: When, periods: Sequence[Period]) -> str | None:
    """The id of the period that holds the first day of ``when`` (None: no period does)."""
    key = first_day(when)
    for period in periods:
        if period.holds(key):
            return period.id
    return None


def asked_year(when: When) -> int:
    """The year "Which of these happened (began) in …?" asks about."""
    return when.start.year if isinstance(when, DateSpan) else when.year


GAP = 2  # an option's event is at least this many years from the asked year
# Years either side searched for distractors, widening only while too few are found.
WINDOWS = (3, 5, 8, 12, 20, 35, 60)


class EventIndex:
    """The events "Which of these happened in YEAR?" may offer, by year. A distractor is an
    event of the asked year's period, of another series than the fact's, at least GAP years
    from the asked year at both ends, and is drawn from as close to that year as there are
    enough of."""

    def __init__(self, facts: Iterable[Fact], periods: Sequence[Period]) -> None:
        self.periods = tuple(periods)
        self.facts: list[Fact] = []
        self.keys: list[str] = []
        self.span: list[tuple[int, int]] = []
        self.period: list[str | None] = []
        self.by_year: dict[int, list[int]] = {}
        # the same, per (year, period): a distractor is always of the asked year's period
        self.by_year_period: dict[tuple[int, str | None], list[int]] = {}
        self.series: list[str | None] = []
        for fact in facts:
            if not is_event(fact) or fact.date is None or fact.event is None:
                continue
            i = len(self.facts)
            years = years_of(fact.date)
            self.facts.append(fact)
            self.keys.append(normalize(fact.event))
            self.span.append((years.start, years.stop - 1))
            period = period_of(fact.date, self.periods)
            self.period.append(period)
            self.series.append(fact.series)
            for y in years:
                self.by_year.setdefault(y, []).append(i)
                self.by_year_period.setdefault((y, period), []).append(i)
        self.first = min(self.by_year, default=0)
        self.last = max(self.by_year, default=0)

    def rings(self, fact: Fact, enough: int | None = None) -> Iterator[tuple[int, list[int]]]:
        """(distance, the eligible events at that distance from the asked year), outwards: one
        event per headline (the first met), the years before and after taken in turn. With
        ``enough``, the walk ends inside the ring where that many headlines are found, so a
        big deck costs no more than a small one."""
        assert fact.date is not None
        # an eligible event: of the asked year's period, another headline and series than the
        # fact's, GAP years or more from the asked year at both ends (tested inline: this loop
        # runs for every event near every fact)
        year, period = asked_year(fact.date), period_of(fact.date, self.periods)
        series, own = fact.series, normalize(fact.event or "")
        before, after = year - GAP + 1, year + GAP - 1
        keys, spans, all_series, by_year = self.keys, self.span, self.series, self.by_year_period
        seen: set[int] = set()
        named: set[str] = {own}
        reach = max(year - self.first, self.last - year)
        for distance in range(GAP, reach + 1):
            found: list[int] = []
            earlier = by_year.get((year - distance, period), ())
            later = by_year.get((year + distance, period), ())
            for i in _alternate(earlier, later):
                if i in seen:
                    continue
                seen.add(i)
                key = keys[i]
                if key in named or (series is not None and all_series[i] == series):
                    continue
                lo, hi = spans[i]
                if hi < before or lo > after:
                    named.add(key)
                    found.append(i)
                    if enough is not None and len(named) > enough:
                        break
            yield distance, found
            if enough is not None and len(named) > enough:
                return

    def count(self, fact: Fact, enough: int = MIN_DISTRACTORS) -> int:
        """How many distinct eligible events there are for ``fact``, counted until ``enough``
        (then any number from ``enough`` up)."""
        return sum(len(found) for _, found in self.rings(fact, enough))


def _alternate(a: Sequence[int], b: Sequence[int]) -> Iterator[int]:
    """The items of ``a`` and ``b`` taken in turn, then the rest of the longer."""
    for x, y in zip(a, b, strict=False):
        yield x
        yield y
    longer = a if len(a) > len(b) else b
    yield from longer[min(len(a), len(b)):]


# --- series --------------------------------------------------------------------------------

_ORDINAL = re.compile(r"\b(\d+(st|nd|rd|th)?|first|second|third|fourth|fifth|sixth|seventh|"
                      r"eighth|ninth|tenth|last|final)\b")
_COMMON = frozenset(["a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "with", "by",
                     "from", "its", "their", "his", "her"])


def _words(text: str) -> set[str]:
    return set(normalize(text).split()) - _COMMON


def series_problem(fact: Fact, others: Sequence[Fact]) -> str | None:
    """Why ``fact``'s headline does not tell it from the other members of its series, or None.
    Alone, it must carry a number or an ordinal ('first', '23rd'); beside others, it must have
    a word that each of them lacks."""
    event = fact.event or ""
    if not others:
        return None if _ORDINAL.search(normalize(event)) else "names no number or ordinal"
    own = _words(event)
    for other in others:
        if not own - _words(other.event or ""):
            return f"reads like that of fact '{other.id}' ('{other.event}')"
    return None
