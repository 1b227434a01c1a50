"""The rules that loading and generating must agree on, kept in one place below both.

Which templates apply to a fact, which values count as distractor candidates for an answer
kind, and which facts are events that "Which of these happened in …?" can offer. The loader
uses them to refuse a deck that could not make its questions; the generators use them to make
those questions. Light on purpose: nothing here reads files or imports YAML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..dates import When, years_of
from ..model import NUMERIC_KINDS, Deck, Fact, Question
from ..textnorm import normalize

# --- templates -----------------------------------------------------------------------------

TEMPLATE_ORDER = ("date-recall", "date-choice", "which-happened", "choice")

# The fact field a template cannot work without (the date templates also need the date).
TEMPLATE_NEEDS = {
    "date-recall": "when",
    "date-choice": "when",
    "which-happened": "event",
    "choice": "questions",
}

# The item kind each template makes: "date" items take a typed date, "choice" items options.
TEMPLATE_KINDS = {
    "date-recall": "date",
    "date-choice": "choice",
    "which-happened": "choice",
    "choice": "choice",
}

ITEM_KINDS = ("choice", "date")


def missing_need(template: str, *, date: When | None, when: str | None, event: str | None,
                 has_questions: bool) -> str | None:
    """The field a fact lacks for ``template`` ('questions', 'when', 'event' or 'date'), or None."""
    need = TEMPLATE_NEEDS[template]
    if need == "questions":
        return None if has_questions else need
    if not (when if need == "when" else event):
        return need
    return "date" if date is None else None


def default_templates(defaults: Mapping[str, tuple[str, ...]], topic: str | None) -> tuple[str, ...]:
    """The templates a deck's ``templates:`` section offers a fact of ``topic``."""
    return defaults.get(topic or "", defaults.get("default", TEMPLATE_ORDER))


def applicable_templates(chosen: Iterable[str], *, date: When | None, when: str | None,
                         event: str | None, has_questions: bool) -> tuple[str, ...]:
    """Of the ``chosen`` templates, those whose fields the fact has."""
    return tuple(name for name in chosen if missing_need(
        name, date=date, when=when, event=event, has_questions=has_questions) is None)


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
    """Distinct values of one answer kind, in first-seen order, with the year of each value
    that answers a dated fact (so distractors can come from the right period)."""

    values: list[str] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    years: dict[str, int] = field(default_factory=dict)

    def add(self, value: str, year: int | None = None) -> None:
        key = normalize(value)
        if key and key not in self.keys:
            self.keys.add(key)
            self.values.append(value)
        if key and year is not None:
            self.years.setdefault(key, year)


def distractor_pools(decks: Sequence[Deck]) -> dict[str, Pool]:
    """The candidates of every named answer kind across ``decks``: the decks' pools and the
    answers of questions of that kind, deck by deck in order."""
    pools: dict[str, Pool] = {}
    for deck in decks:
        for kind, values in deck.pools.items():
            pool = pools.setdefault(kind, Pool())
            for v in values:
                pool.add(v)
        for fact in deck.facts:
            year = fact.date.year if fact.date is not None else None
            for q in fact.questions:
                if feeds_pool(q.kind):
                    pools.setdefault(q.kind, Pool()).add(q.answer, year)
    return pools


def candidate_count(q: Question, pools: Mapping[str, Pool]) -> int:
    """How many distinct wrong options a named question can draw on: its kind's candidates and
    its own distractors, less every right answer."""
    correct = correct_keys(q.answer, q.accept)
    pool = pools.get(q.kind) if q.base_kind != "text" else None
    keys: set[str] = pool.keys if pool is not None else set()
    # counted without copying the pool, which may hold every answer of its kind
    own = {normalize(d) for d in q.distractors} - correct - keys
    return len(keys) - len(correct & keys) + len(own)


# --- events --------------------------------------------------------------------------------


def is_event(fact: Fact) -> bool:
    """A dated fact with a headline: an option of "Which of these happened in …?"."""
    return bool(fact.event) and fact.date is not None


def event_years(facts: Iterable[Fact]) -> dict[int, int]:
    """How many events touch each year."""
    counts: dict[int, int] = {}
    for fact in facts:
        if fact.date is not None and fact.event:
            for year in years_of(fact.date):
                counts[year] = counts.get(year, 0) + 1
    return counts


def other_year_events(when: When, total: int, per_year: Mapping[int, int]) -> int:
    """Of ``total`` events, how many touch none of the years of ``when`` (as counted by the
    loader: an event over several years is counted once for each)."""
    return total - sum(per_year.get(y, 0) for y in years_of(when))
