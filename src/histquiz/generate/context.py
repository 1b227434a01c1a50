"""What every template needs besides its fact: distractor pools over all loaded decks, the
events indexed by year, and the random source.

Each item draws from its own random source, seeded from the run's seed and the item's id, so an
item's distractors and option order do not change when other facts are added, removed or
filtered out: a rebuilt Anki deck or answer key changes only where its facts changed.

Everything here is built once per ``generate`` call in linear time; no step compares all pairs
of facts. Candidates are drawn by random index with rejection, so a draw costs the same with
a thousand facts or a hundred thousand.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..dates import years_of
from ..model import NUMERIC_KINDS, Deck, Fact
from ..textnorm import normalize

MIN_OPTIONS, MAX_OPTIONS = 3, 5


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


@dataclass
class Context:
    rng: random.Random
    n_options: int
    pools: dict[str, Pool]
    events: list[Fact]
    event_years: dict[int, int]
    latest_year: int
    base_seed: int

    def seed_for(self, key: str) -> None:
        """Give the next item its own random source, derived from the run's seed and its id."""
        self.rng = random.Random(f"{self.base_seed}:{key}")

    def deal(self, n: int, allowed: Sequence[int] | None = None) -> int:
        """A position for the key among n options, uniform over the allowed ones."""
        return self.rng.choice(list(allowed) if allowed is not None else range(n))

    def sample(
        self,
        population: Sequence[str] | Sequence[Fact],
        want: int,
        reject: Callable[[int], bool],
    ) -> list[int]:
        """Up to ``want`` distinct indices of ``population`` that ``reject`` lets through."""
        size = len(population)
        chosen: list[int] = []
        seen: set[int] = set()
        tries = 0
        while len(chosen) < want and tries < 20 * want + 20 and len(seen) < size:
            tries += 1
            i = self.rng.randrange(size)
            if i in seen:
                continue
            seen.add(i)
            if not reject(i):
                chosen.append(i)
        if len(chosen) < want and len(seen) < size:
            # Rare: most candidates were rejected. Walk the rest in a seeded order.
            rest = [i for i in range(size) if i not in seen]
            self.rng.shuffle(rest)
            for i in rest:
                if len(chosen) == want:
                    break
                if not reject(i):
                    chosen.append(i)
        return chosen


def build_context(decks: Sequence[Deck], rng: random.Random, n_options: int) -> Context:
    pools: dict[str, Pool] = {}
    events: list[Fact] = []
    event_years: dict[int, int] = {}
    latest = 0
    for deck in decks:
        for kind, values in deck.pools.items():
            pool = pools.setdefault(kind, Pool())
            for v in values:
                pool.add(v)
        for fact in deck.facts:
            year = fact.date.year if fact.date is not None else None
            for q in fact.questions:
                if q.base_kind not in NUMERIC_KINDS and q.base_kind != "text":
                    pools.setdefault(q.kind, Pool()).add(q.answer, year)
            if fact.date is not None:
                latest = max(latest, max(years_of(fact.date)))
                if fact.event:
                    events.append(fact)
                    for y in years_of(fact.date):
                        event_years[y] = event_years.get(y, 0) + 1
    return Context(rng, n_options, pools, events, event_years, latest or 9999,
                   rng.getrandbits(64))
