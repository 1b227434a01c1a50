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
from collections.abc import Callable, Sequence, Sized
from dataclasses import dataclass, field

from ..dates import years_of
from ..load.rules import EventIndex, Pool, distractor_pools
from ..model import Deck
from ..seeds import ITEM, derive, reseed

MIN_OPTIONS, MAX_OPTIONS = 3, 5


@dataclass
class Context:
    rng: random.Random
    n_options: int
    pools: dict[str, Pool]
    events: EventIndex
    latest_year: int
    seed: int
    # what a template builds once per generation and keeps for its next items (by name)
    memo: dict[str, object] = field(default_factory=dict)

    def seed_for(self, key: str) -> None:
        """Give the next item its own random stream, derived from the run's seed and its id."""
        reseed(self.rng, self.seed, ITEM, key)

    def deal(self, n: int, allowed: Sequence[int] | None = None) -> int:
        """A position for the key among n options, uniform over the allowed ones."""
        return self.rng.choice(list(allowed) if allowed is not None else range(n))

    def sample(
        self,
        population: Sized,
        want: int,
        reject: Callable[[int], bool],
        *,
        draws: int | None = None,
        walk: int | None = None,
    ) -> list[int]:
        """Up to ``want`` distinct indices of ``population`` that ``reject`` lets through: at
        most ``draws`` random draws (20 per index wanted, and 20, by default), then the rest
        walked in a seeded order, unless more than ``walk`` are left (a big population where
        the draws found too few: walking it all would cost a pass per item)."""
        size = len(population)
        chosen: list[int] = []
        seen: set[int] = set()
        tries = 0
        limit = 20 * want + 20 if draws is None else draws
        while len(chosen) < want and tries < limit and len(seen) < size:
            tries += 1
            i = self.rng.randrange(size)
            if i in seen:
                continue
            seen.add(i)
            if not reject(i):
                chosen.append(i)
        if len(chosen) < want and len(seen) < size and (walk is None or size - len(seen) <= walk):
            # Rare: most candidates were rejected. Walk the rest in a seeded order.
            rest = [i for i in range(size) if i not in seen]
            self.rng.shuffle(rest)
            for i in rest:
                if len(chosen) == want:
                    break
                if not reject(i):
                    chosen.append(i)
        return chosen


def build_context(decks: Sequence[Deck], seed: int, n_options: int) -> Context:
    pools = distractor_pools(decks)
    facts = [fact for deck in decks for fact in deck.facts]
    latest = max((max(years_of(f.date)) for f in facts if f.date is not None), default=9999)
    events = EventIndex(facts, decks[0].periods if decks else ())
    return Context(derive(seed, ITEM), n_options, pools, events, latest, seed)
