"""Which item gives another away: the "reveals" relation over a set of items.

Item A reveals item B when what A shows (its question, and its answer once it is marked, in the
feedback or on the back of a card) contains B's answer:

- a name or phrase B asks for (its answer or an accepted variant), anywhere in the loaded items;
- the date B asks, at the precision B asks it ("1971" for "In what year", "August 1971" for "In
  what month and year"), or B's number, but only within the same fact: "1971" or "20" in a
  question about another fact says nothing about this one;
- for "Which of these happened in 1971?", the year, again within the same fact.

The items over several events ("Which came first?", "Put these events in order", "Match each
event to its year") show every event's date once marked, so they are linked through the facts of
their events rather than through words: such an item gives away the date questions of its
events, and any such item whose events are all among its own.

A distractor is not counted: it names something false, so seeing it answers nothing. Nor is a
name that the questions of many facts mention (COMMON): "Pakistan" in a dozen stems points at
no one question whose answer it is, except within that question's own fact.

Every selection of items (a worksheet, a quiz session, a sample for a classroom file, Anki's
order of new cards) keeps revealing pairs apart. Matching is on whole words of the normalised
text, through an index of the answers by their first word, so the relation costs time in
proportion to the words shown, not to the square of the number of items.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from ..dates import MONTHS, HistDate, Precision, ordinal
from ..load.rules import EVENT_SETS
from ..model import Item
from ..textnorm import normalize

_SHORT = 3  # a text answer this short, or all digits, is matched only within its own fact
# A name that the questions of more than this many other facts mention (Pakistan, Moscow) is
# common ground, not a clue: it gives away questions of its own fact only.
COMMON = 4


def _date_keys(date: HistDate) -> list[tuple[str, ...]]:
    """The ways a date at its own precision is written, as normalised word tuples."""
    year = str(date.year)
    if date.precision is Precision.YEAR or date.month is None:
        return [(year,)]
    names = {MONTHS[date.month - 1].lower(), MONTHS[date.month - 1][:3].lower()}
    if date.precision is Precision.MONTH or date.day is None:
        return [(name, year) for name in names]
    day = str(date.day)
    return [k for name in names for k in ((day, name, year), (name, day, year))]


# Templates that ask a fact's own date (which-happened names its year in the question).
DATE_ASKING = ("date-recall", "date-choice", "which-happened")


def answer_keys(item: Item) -> list[tuple[tuple[str, ...], bool]]:
    """What, seen elsewhere, gives this item's answer away: (words, same fact only)."""
    keys: list[tuple[tuple[str, ...], bool]] = []
    if item.template in EVENT_SETS:
        return keys  # an order of events, not words: see _event_links
    if item.template == "which-happened":
        year = item.date.year if item.date is not None else None
        if year is not None:
            keys.append(((str(year),), True))
        return keys
    if item.answer_date is not None:
        keys.extend((k, True) for k in _date_keys(item.answer_date))
        return keys
    for text in (item.answer, *item.accept, *_number_words(item)):
        words = tuple(normalize(text).split())
        if not words:
            continue
        short = len("".join(words)) <= _SHORT or all(w.replace(".", "").isdigit() for w in words)
        keys.append((words, short or item.answer_kind.split(".")[0] in ("number", "percentage",
                                                                         "year")))
    return keys


_SPELLED = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
            "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
            "nineteen", "twenty"]
_ORDINALS = ["second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
             "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
             "seventeenth", "eighteenth", "nineteenth", "twentieth"]


def _number_words(item: Item) -> list[str]:
    """A whole-number answer as a stem may write it: '23rd' for 23, 'three' or 'third' for 3."""
    if item.answer_kind.split(".")[0] != "number":
        return []
    head = item.answer.split()[0].replace(",", "") if item.answer.strip() else ""
    if not head.isdigit():
        return []
    n = int(head)
    words = [ordinal(n)]
    if 2 <= n < 2 + len(_SPELLED):  # 'one' and 'first' say nothing: every stem has them
        words += [_SPELLED[n - 2], _ORDINALS[n - 2]]
    return words


@dataclass(frozen=True)
class Reveals:
    """``gives[i]``: the indices of the items that item ``i`` gives away. (Sets, never changed
    once made: a big deck's 80,000 of them made frozen would cost a third of a second.)"""

    items: Sequence[Item]
    gives: Sequence[AbstractSet[int]]

    def pairs(self) -> Iterable[tuple[int, int]]:
        for a, targets in enumerate(self.gives):
            for b in sorted(targets):
                yield a, b

    def clash(self, a: int, b: int) -> bool:
        """Do these two items give one another away, in either direction?"""
        return b in self.gives[a] or a in self.gives[b]

    def given_by(self, i: int) -> AbstractSet[int]:
        """The items that give item ``i`` away."""
        return self._given_by[i]

    @functools.cached_property  # (kept in the instance's __dict__, which frozen allows)
    def _given_by(self) -> list[set[int]]:
        found: list[set[int]] = [set() for _ in self.items]
        for a, targets in enumerate(self.gives):
            for b in targets:
                found[b].add(a)
        return found

    @functools.cached_property
    def _ids(self) -> list[str]:
        return [item.id for item in self.items]

    def ids_given_by(self, i: int) -> list[str]:
        """The ids of the items that item ``i`` gives away, in order."""
        gives = self.gives[i]
        return sorted([self._ids[b] for b in gives]) if gives else []


# The last relation made, and the items it was made over: a build asks it of the same items
# for the Anki order, the worksheet and the JSON file (items are frozen, so the same objects in
# the same order give the same relation).
_last: list[Reveals] = []


def reveals(items: Sequence[Item]) -> Reveals:
    """The relation over ``items``: which of them gives which away."""
    if _last and len(_last[0].items) == len(items) and all(
            a is b for a, b in zip(_last[0].items, items, strict=True)):
        return _last[0]
    relation = _reveals(items)
    _last[:] = [relation]
    return relation


def _reveals(items: Sequence[Item]) -> Reveals:
    # The keys by their whole words, each split by the fact of the item it gives away, and the
    # lengths of the keys that begin with each word: a word shown is looked up once per length.
    # A match within the fact always counts; a match across facts (only for keys that are not
    # fact-only) counts unless many facts name those words (COMMON), which is known only once
    # every item has been read, so those are resolved at the end, per occurrence.
    same_fact: dict[tuple[str, ...], dict[tuple[str, str], list[int]]] = {}
    across: dict[tuple[str, ...], list[tuple[int, tuple[str, str]]]] = {}
    across_facts: dict[tuple[str, ...], set[tuple[str, str]]] = {}
    spans: dict[str, set[int]] = {}
    for i, item in enumerate(items):
        fact = (item.deck, item.fact)
        for words, fact_only in answer_keys(item):
            same_fact.setdefault(words, {}).setdefault(fact, []).append(i)
            if not fact_only:
                across.setdefault(words, []).append((i, fact))
                across_facts.setdefault(words, set()).add(fact)
            spans.setdefault(words[0], set()).add(len(words))
    lengths = {word: sorted(found) for word, found in spans.items()}
    found: list[set[int]] = [set() for _ in items]
    # (item, the words it shows that name another fact's answer), and the facts naming each
    occurrences: list[tuple[int, tuple[str, ...]]] = []
    naming: dict[tuple[str, ...], set[tuple[str, str]]] = {}
    for a, item in enumerate(items):
        # the question and the answer normalised apart: an answer recurs, and is normalised once
        shown = (*normalize(item.question).split(), *normalize(item.answer).split())
        own = (item.deck, item.fact)
        for pos, word in enumerate(shown):
            for length in lengths.get(word, ()):
                words = shown[pos:pos + length]
                by_fact = same_fact.get(words)
                if by_fact is None:
                    continue
                for b in by_fact.get(own, ()):
                    if b != a:
                        found[a].add(b)
                facts = across_facts.get(words)
                if facts and (len(facts) > 1 or own not in facts):
                    naming.setdefault(words, set()).add(own)
                    occurrences.append((a, words))
    common = {words for words, facts in naming.items() if len(facts) > COMMON}
    for a, words in occurrences:
        if words in common:
            continue
        own = (items[a].deck, items[a].fact)
        found[a].update(b for b, fact in across[words] if fact != own)
    _add_event_links(items, found)
    return Reveals(tuple(items), found)


def _add_event_links(items: Sequence[Item], found: list[set[int]]) -> None:
    """Add to ``found`` the pairs (a, b) where a gives b away through the events of "first",
    "order" and "match" items: such an item gives away the date questions of its events (it
    shows their dates once marked; a date question, the other way, tells one date of several,
    which is learning, not the answer); and such an item gives away another whose events are
    all among its own (it shows their order). The second is found by looking up each set of
    an item's events (at most 31 for five options), of a size that some item's set has, among
    the items' sets."""
    dated: dict[str, list[int]] = {}
    by_events: dict[tuple[str, ...], list[int]] = {}
    sets: list[tuple[int, tuple[str, ...]]] = []
    for i, item in enumerate(items):
        if item.template in DATE_ASKING:
            dated.setdefault(f"{item.deck}/{item.fact}", []).append(i)
        elif item.template in EVENT_SETS:
            events = tuple(sorted(set(item.option_facts)))
            sets.append((i, events))
            by_events.setdefault(events, []).append(i)
    sizes = sorted({len(events) for events in by_events})  # only sets of these sizes exist
    for a, events in sets:
        gives = found[a]
        for fact in events:
            gives.update(dated.get(fact, ()))
        for size in sizes:
            if size > len(events):
                break
            for among in itertools.combinations(events, size):
                gives.update(b for b in by_events.get(among, ()) if b != a)


class Apart:
    """A selection that grows one item at a time and never holds two items that give each
    other away: what worksheets, samples, quiz sessions and Anki's order build on."""

    def __init__(self, relation: Reveals) -> None:
        self.relation = relation
        self.chosen: set[int] = set()
        self._given: set[int] = set()  # the items that those chosen give away
        self._pending: list[int] = []  # chosen, but what they give away not yet looked up

    def fits(self, i: int) -> bool:
        """Could item ``i`` join: it gives none of those chosen away, nor does any of them give
        it away? (Kept as it goes, so the relation's reverse is never built, and looked up only
        when a second item is tried: a sample of one reads nothing of the relation.)"""
        if not self.chosen:
            return True
        gives = self.relation.gives
        for taken in self._pending:
            self._given.update(gives[taken])
        self._pending.clear()
        return i not in self.chosen and i not in self._given and not gives[i] & self.chosen

    def take(self, i: int) -> None:
        self.chosen.add(i)
        self._pending.append(i)


def shuffled(n: int, rng: random.Random) -> Iterator[int]:
    """0 to n-1 in a seeded random order, drawn as it is consumed (a Fisher-Yates shuffle from
    the front, the moved places kept in a dict): the first k cost k draws, whatever n is."""
    moved: dict[int, int] = {}
    for i in range(n):
        j = rng.randrange(i, n)
        yield moved.get(j, j)
        moved[j] = moved.get(i, i)


def spread(candidates: Sequence[int], relation: Reveals, rng: random.Random,
           count: int | None = None) -> list[int]:
    """Up to ``count`` of ``candidates`` (all that fit, if None) with no revealing pair among
    them, chosen in a seeded random order; returned in the candidates' own order."""
    apart = Apart(relation)
    places: list[int] = []
    for place in shuffled(len(candidates), rng):
        if count is not None and len(places) >= count:
            break
        if apart.fits(candidates[place]):
            apart.take(candidates[place])
            places.append(place)
    return [candidates[p] for p in sorted(places)]
