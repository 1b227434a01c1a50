"""Items → an Anki package (.apkg) that imports cleanly and updates in place when imported again.

Identity. Each item becomes one note. Its GUID is ``guid_for("histquiz", <note type key>, item.id)``,
so rewording a question, an explanation or a source keeps the note (and its review history),
and notes of different note types can never share a GUID. The note types have fixed ids; see
``notetypes`` for why changing their fields is a migration.

Updates. Anki updates a note on import only when the incoming note is newer than its own copy, and
it counts every newer note as "updated", changed or not. Notes carry the build time
(``SOURCE_DATE_EPOCH`` when set, else now). Given the file a build replaces (``previous``),
notes whose content did not change keep that file's time, so a re-import reports exactly the
changed notes as updated and leaves the rest alone.

Removed facts. Anki never deletes notes on import: when a fact leaves the YAML, its old notes
stay in the learner's collection, with their history. ``write_apkg`` reports the item ids that
were in ``previous`` but are gone, and ``histquiz anki`` prints an Anki search that finds them
(``Item:deck/fact/template OR …``) so the learner can review and delete them in the browser.

Kinds. Choice items are "Multiple choice" notes, date items "Date recall" notes, order and match
items notes of their own types. What a choice item says of each option (why a false statement
is false, when an event happened) is shown under that option on the back, inside the "Marked
options" field: a new field would change the note type, and Anki would then import it as a
copy and count every existing note as conflicting instead of updating it.

"What happened on …?" Date notes of facts dated to the day (with an event) have a second card,
date → event. Other events of the same date are named on its back, so the card stays fair and
never loses its question when a fact joins that date. A fact whose date loses its day leaves
that card blank: Anki's Tools → Empty Cards removes it.

Moves. Anki never moves a card it already has to another deck on import: a fact whose topic
changes keeps its old cards where they are (its tags do follow it).

Decks. Cards go into "<Anki deck>::<Topic title>". The top-level deck is the deck's
``anki_deck``, else its title, so a teacher's own deck gets a deck of its own name; decks that
give the same ``anki_deck`` share it and their topic subdecks (the built-in decks all give
"Indo-Soviet History", the name their cards have always had, so learners' cards stay where they
are). A topic's title is the one a deck sharing that top-level deck gives in ``topic_titles``,
else the slug title-cased. Items whose deck is not among the loaded decks go under
"Indo-Soviet History". Deck ids are hashes of the names, so the same names give the same decks.

Order. New cards come chronologically within a topic, ranked over all loaded decks so that
packages sharing a topic deck interleave in date order; a fact's second and later questions
come a few facts after its first, not straight after it.

Writing. genanki writes the collection's skeleton (schema, configuration, note types and
decks, through ``Package.write_to_db``); the notes and cards are then inserted as rows of
Anki's own tables. genanki's public API (``genanki.Note``, ``Package.write_to_file``) stamps
every note with one time, so it cannot let unchanged notes keep their earlier time, and it is
measured slower in ``bench/bench_anki.py``. ``write_to_db`` is not documented, so
``pyproject.toml`` pins genanki to the minor version this is tested with.

Reproducibility. With the same timestamp the file is byte-identical: note and card ids count up
from the timestamp, deck ids are hashes of the deck names, and the zip entries carry the build
time in a fixed order.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import itertools
import os
import sqlite3
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...atomic import check_targets, scratch_folder
from ...errors import ExportError
from ...load.rules import EVENT_SETS
from ...model import TOPICS_TAG_PREFIX, Deck, Item, Source, sort_key_for_date
from ...owned import write_owned
from ...textnorm import topic_title
from ..registry import Context, Rendered, kept_key
from ..zipped import UNIX, zip_bytes
from . import html as h
from .notetypes import (
    CSS,
    DATE_RECALL,
    DATE_TYPED,
    MATCH,
    MULTIPLE_CHOICE,
    NOTE_TYPE_PREFIX,
    NOTE_TYPES,
    ORDER,
    NoteType,
)

ROOT_DECK = "Indo-Soviet History"
# The collection is built in a scratch folder named with this and the pid; a build killed there
# leaves it behind, and the next build removes it (atomic.scratch_folder).
SCRATCH_PREFIX = "histquiz-anki-"
# A fact's k-th question is introduced LAG facts after its (k-1)-th.
LAG = 4
_PER_FACT = 100  # room for a fact's questions between two facts' positions


@dataclass(frozen=True)
class ApkgStats:
    """What a package holds: ``decks`` topic decks with ``notes`` notes (one per item) and
    ``cards`` cards; ``deck_notes`` the notes per deck; ``removed`` the item ids of ``previous``
    that this build no longer has."""

    decks: int
    notes: int
    cards: int
    deck_notes: tuple[tuple[str, int], ...]
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Note:
    """A note as the collection stores it, made once (and kept in the cache: see ``package``)."""

    note_type: NoteType
    guid: str
    flds: str  # the fields, joined as Anki stores them
    sort: str  # the first field, Anki's sort field
    last: str  # the last field: the item's id, escaped
    cards: tuple[int, ...]  # the card templates this note has (Date → event needs a prompt)
    tags: str  # " tag tag ", as Anki stores them
    deck: str
    digest: bytes  # of the note type, tags and fields: what the next build compares with


def _note(note_type: NoteType, guid: str, fields: list[str], cards: tuple[int, ...],
          tags: list[str], deck: str) -> _Note:
    flds = "\x1f".join(fields)
    text = f" {' '.join(tags)} "
    return _Note(note_type, guid, flds, fields[0], fields[-1], cards, text, deck,
                 _note_digest(note_type.model_id, text, flds))


def _note_digest(mid: int, tags: str, flds: str) -> bytes:
    """What tells a changed note from an unchanged one: its note type, tags and fields."""
    return hashlib.blake2b(f"{mid}\x1f{tags}\x1f{flds}".encode(), digest_size=16).digest()


def one_level(name: str) -> str:
    """A name from a deck file as one level of Anki's deck tree: Anki reads ``::`` as a level,
    so it is written ``:``."""
    return " ".join(name.replace("::", ":").split())


def deck_name(topic: str, root: str = ROOT_DECK, title: str | None = None) -> str:
    """The Anki deck of a topic's cards: ``root::Title``."""
    return f"{one_level(root)}::{one_level(title or topic_title(topic))}"


@dataclass(frozen=True)
class DeckNames:
    """Where each loaded deck's cards go in Anki: its top-level deck and its topics' titles."""

    roots: dict[str, str]  # deck id -> top-level Anki deck
    titles: dict[tuple[str, str], str]  # (top-level deck, topic) -> subdeck title

    @classmethod
    def of(cls, decks: Sequence[Deck]) -> DeckNames:
        roots = {deck.id: one_level(deck.anki_root) for deck in decks}
        titles: dict[tuple[str, str], str] = {}
        for deck in decks:
            for topic, title in deck.topic_titles.items():
                titles.setdefault((roots[deck.id], topic), title)
        return cls(roots, titles)

    def sharing(self, decks: Sequence[Deck], root: str) -> list[Deck]:
        """The decks whose cards go under the top-level deck ``root``."""
        return [d for d in decks if self.root(d.id) == root]

    def root(self, deck_id: str) -> str:
        return self.roots.get(deck_id, ROOT_DECK)

    def name(self, deck_id: str, topic: str) -> str:
        root = self.root(deck_id)
        return deck_name(topic, root, self.titles.get((root, topic)))

    def title(self, deck_id: str, topic: str) -> str:
        return self.titles.get((self.root(deck_id), topic)) or topic_title(topic)


def note_guid(note_type: NoteType, item_id: str) -> str:
    """The note's GUID: what genanki's ``guid_for("histquiz", key, item_id)`` gives (so every
    GUID ever written stays the same; a test compares the two), worked out here without its
    per-byte loops: the first 8 bytes of the SHA-256 of the values joined by ``__``, as a
    number written in Anki's 91 characters, most significant first (two at a time)."""
    digest = hashlib.sha256(f"histquiz__{note_type.key}__{item_id}".encode()).digest()
    return base91(int.from_bytes(digest[:8], "big"))


def base91(number: int) -> str:
    """A number written in Anki's 91 characters, most significant first ("" for 0)."""
    out = []
    while number >= _BASE91_PAIRS:
        number, rest = divmod(number, _BASE91_PAIRS)
        out.append(_PAIRS[rest])
    if number:  # one or two digits left, without leading zeros
        out.append(_PAIRS[number] if number >= len(_BASE91) else _BASE91[number])
    return "".join(reversed(out))


# The characters of Anki's GUIDs, by value, and every pair of them (the value of two digits).
_BASE91 = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
           "!#$%&()*+,-./:;<=>?@[]^_`{|}~")
_BASE91_PAIRS = len(_BASE91) ** 2
_PAIRS = tuple(high + low for high in _BASE91 for low in _BASE91)


def note_tags(item: Item) -> list[str]:
    """``histquiz::topic::…``, ``era::1970s``, the fact's own tags and ``histquiz::deck::…``."""
    tags = []
    for tag in item.tags:
        if tag.startswith("topic::"):
            tag = TOPICS_TAG_PREFIX + tag.removeprefix("topic::")
        tags.append("_".join(tag.split()))
    tags.append(f"histquiz::deck::{item.deck}")
    return list(dict.fromkeys(tags))


def _events_by_date(decks: Sequence[Deck],
                    items: Sequence[Item]) -> dict[str, list[tuple[tuple[str, str], str]]]:
    """Each exact date (or span) → the facts with an event on it, as ((deck, fact), event):
    those of all the loaded decks, then those of items whose fact is not among them."""
    found: dict[str, list[tuple[tuple[str, str], str]]] = {}
    seen: set[tuple[str, str]] = set()
    for deck in decks:
        for fact in deck.facts:
            seen.add((fact.deck, fact.id))
            if fact.date is not None and fact.event:
                found.setdefault(fact.date.iso(), []).append(((fact.deck, fact.id), fact.event))
    for item in items:
        key = (item.deck, item.fact)
        if key not in seen:
            seen.add(key)
            if item.date is not None and item.event:
                found.setdefault(item.date.iso(), []).append((key, item.event))
    return found


class _FieldMaker:
    """Turns items into notes. What every item of a fact shares (statement, explanation, note,
    sources, tags, deck) is escaped once per fact, not once per item."""

    def __init__(self, decks: Sequence[Deck], items: Sequence[Item], date_type: NoteType) -> None:
        self.events_on = _events_by_date(decks, items)
        self.date_type = date_type
        self.names = DeckNames.of(decks)
        self._shared: dict[tuple[str, str], tuple[tuple[object, ...], tuple[str, str, str, str]]] = {}
        self._citations: dict[str, str] = {}
        self._decks: dict[str, str] = {}
        self._tags: dict[tuple[str, tuple[str, ...]], list[str]] = {}

    def shared(self, item: Item) -> tuple[str, str, str, str]:
        # Items of one fact hold the very same strings and sources: an identity check is enough
        # to reuse the escaped text, and anything else is simply escaped again.
        parts = (item.statement, item.explanation, item.note, item.sources)
        cached = self._shared.get((item.deck, item.fact))
        if cached is not None and all(a is b for a, b in zip(cached[0], parts, strict=True)):
            return cached[1]
        rows = []
        for source in item.sources:
            if source.id not in self._citations:
                self._citations[source.id] = h.citation_html(source)
            rows.append(self._citations[source.id])
        found = (h.text(item.statement), h.text(item.explanation), h.text(item.note or ""),
                 h.sources_html(rows))
        self._shared[(item.deck, item.fact)] = (parts, found)
        return found

    def deck(self, item: Item) -> str:
        key = f"{item.deck}\x1f{item.topic}"
        name = self._decks.get(key)
        if name is None:
            name = self._decks[key] = self.names.name(item.deck, item.topic)
        return name

    def tags(self, item: Item) -> list[str]:
        key = (item.deck, item.tags)
        tags = self._tags.get(key)
        if tags is None:
            tags = self._tags[key] = note_tags(item)
        return tags

    def note(self, item: Item) -> _Note:
        if item.kind == "choice":
            return self._choice(item)
        if item.kind == "date":
            return self._date(item)
        if item.kind == "order":
            return self._order(item)
        if item.kind == "match":
            return self._match(item)
        raise ExportError(f"{item.origin or item.id}: item {item.id} is of a kind Anki cannot "
                          f"hold ({item.kind})")

    def _made(self, note_type: NoteType, item: Item, fields: list[str],
              cards: tuple[int, ...] = (0,)) -> _Note:
        return _note(note_type, note_guid(note_type, item.id), fields, cards, self.tags(item),
                     self.deck(item))

    def _choice(self, item: Item) -> _Note:
        statement, explanation, note, sources = self.shared(item)
        if item.answer_index is None or not 0 <= item.answer_index < len(item.options):
            raise ExportError(f"{item.origin or item.id}: item {item.id} has no marked answer")
        options = [h.text(o) for o in item.options]
        # What the item says of each option (why a statement is false, when an event happened)
        # goes under the options on the back, inside "Marked options": a field of its own would
        # change the note type, and Anki would then import every existing note as conflicting.
        notes = [h.text(n) for n in item.notes]
        # "Which came first?" dates each option; the fact's own date would be a third, unlabelled
        # one beside an answer that may be the other event.
        when = "" if item.template == "first" else h.text(item.date_display)
        fields = [
            h.text(item.question),
            h.options_html(options),
            h.options_html(options, item.answer_index, notes),
            h.answer_html(options, item.answer_index),
            statement, explanation, note, when, sources,
            h.text(item.id),
        ]
        return self._made(MULTIPLE_CHOICE, item, fields)

    def _date(self, item: Item) -> _Note:
        statement, explanation, note, sources = self.shared(item)
        answer = item.answer_date
        if answer is None:
            raise ExportError(f"{item.origin or item.id}: date item {item.id} has no answer date")
        prompt = event = ""
        if item.event:
            event = h.text(item.event)
            question = h.reverse_prompt(item.date) if item.date is not None else None
            if question and item.date is not None:
                # Whatever else happened that day is on the back too, so the card stays fair,
                # and a fact never loses its card when another one joins its date.
                prompt = h.text(question)
                others = [e for key, e in self.events_on.get(item.date.iso(), [])
                          if key != (item.deck, item.fact)]
                event += h.also_html(others)
        fields = [
            h.text(item.question),
            h.text(answer.display()),
            h.format_hint(answer),
            prompt, event, statement, explanation, note, sources,
            h.text(item.id),
        ]
        return self._made(self.date_type, item, fields, (0, 1) if prompt else (0,))

    def _order(self, item: Item) -> _Note:
        """Events lettered as shown; the back has the letters earliest first, then each event
        with its date."""
        statement, explanation, note, sources = self.shared(item)
        count = len(item.options)
        if sorted(item.key) != list(range(count)) or len(item.notes) != count or count < 2:
            raise ExportError(f"{item.origin or item.id}: order item {item.id} needs a date for "
                              "each event and the events' order")
        events = [h.text(o) for o in item.options]
        fields = [
            h.options_html(events),
            h.text(item.question),
            h.sequence_html([h.LETTERS[i] for i in item.key], " → "),
            h.chronology_html(events, [h.text(n) for n in item.notes], item.key),
            statement, explanation, note, sources,
            h.text(item.id),
        ]
        return self._made(ORDER, item, fields)

    def _match(self, item: Item) -> _Note:
        """Events numbered, their targets (years) lettered; the back has the pairs."""
        statement, explanation, note, sources = self.shared(item)
        targets = [h.text(t) for t in item.targets]
        if (len(item.key) != len(item.options) or not item.options
                or not all(0 <= k < len(targets) for k in item.key)):
            raise ExportError(f"{item.origin or item.id}: match item {item.id} needs a target "
                              "for each event")
        events = [h.text(o) for o in item.options]
        fields = [
            h.options_html(events, labels=h.NUMBERS),
            h.text(item.question),
            h.targets_html(targets),
            h.sequence_html([f"{i + 1} {h.LETTERS[k]}" for i, k in enumerate(item.key)], " · "),
            h.pairs_html(events, targets, item.key),
            statement, explanation, note, sources,
            h.text(item.id),
        ]
        return self._made(MATCH, item, fields)


def _new_card_positions(items: Sequence[Item], decks: Sequence[Deck]) -> list[int]:
    """Each item's position among new cards (Anki's ``due`` for a new card).

    Facts are ranked chronologically within their topic over *all* loaded decks, so the
    packages of several decks that share a topic deck interleave in date order when imported
    together. A fact's k-th question comes LAG facts after its (k-1)-th.

    Cards over several events ("Which came first?", order, match) come after every card of a
    single fact, in the same date order: events are put in order once they have been met, and
    the date cards they would give away are then long past.
    """
    Key = tuple[str, str]
    place: dict[Key, tuple[tuple[int, int, int], int, int]] = {}
    topic: dict[Key, str] = {}
    for deck_index, deck in enumerate(decks):
        for fact_index, fact in enumerate(deck.facts):
            place[(fact.deck, fact.id)] = (sort_key_for_date(fact.date), deck_index, fact_index)
            topic[(fact.deck, fact.id)] = fact.topic
    for i, item in enumerate(items):  # an item whose fact is not among ``decks``
        key = (item.deck, item.fact)
        if key not in place:
            place[key] = (sort_key_for_date(item.date), len(decks), i)
            topic[key] = item.topic
    by_topic: dict[str, list[Key]] = {}
    for key in place:
        by_topic.setdefault(topic[key], []).append(key)
    rank: dict[Key, int] = {}
    for keys in by_topic.values():
        keys.sort(key=place.__getitem__)
        rank.update((key, r) for r, key in enumerate(keys))
    nth: Counter[Key] = Counter()
    positions = []
    # past every single-fact position of the loaded decks, so every package agrees on it
    late = 1 + (len(place) + LAG * _PER_FACT) * _PER_FACT
    for item in items:
        key = (item.deck, item.fact)
        if item.template in EVENT_SETS:
            size = len(by_topic[topic[key]])
            positions.append(late + EVENT_SETS.index(item.template) * size + rank[key])
            continue
        k = min(nth[key], _PER_FACT - 1)
        nth[key] += 1
        positions.append(1 + (rank[key] + LAG * k) * _PER_FACT + k)
    return positions


# New cards of one deck that give each other away are at least this many cards apart, so they
# never meet in one sitting (Anki shows 20 new cards a day by default, with their learning
# steps in between). Farther apart cannot always be had: a headline card of a fact names the
# answers of most of that fact's other cards.
APART = 15


def _keep_apart(items: Sequence[Item], due: list[int], by_deck: dict[str, list[int]]) -> None:
    """Reorder each deck's new cards (in place: ``due`` and ``by_deck``) so that no two that
    give each other away (generate.reveal) come within APART cards of each other. A card that
    would come too soon waits, in order, for the first place where it may go; the deck keeps
    its set of positions, so packages that share a deck still interleave by date.

    Only the order matters: a card must not come soon after one that shows its answer, but may
    come soon before it (a date card, then the order card showing that date)."""
    from ...cache import reveals  # stored beside the items when they came from the cache

    relation = reveals(items)
    for name, order in by_deck.items():
        slots = [due[i] for i in order]
        placed = _spaced(order, relation.given_by, relation.gives.__getitem__)
        for slot, i in zip(slots, placed, strict=True):
            due[i] = slot
        by_deck[name] = placed


def _spaced(order: Sequence[int], given_by: Callable[[int], AbstractSet[int]],
            gives: Callable[[int], AbstractSet[int]]) -> list[int]:
    """The cards of ``order``, each waiting, in order, for the first place where none of the
    last APART placed gives it away; those still waiting at the end go where they can (see
    _insert_apart)."""
    placed: list[int] = []
    waiting: list[int] = []
    for i in order:
        waiting.append(i)
        still: list[int] = []
        for j in waiting:
            near = given_by(j)
            if near and not near.isdisjoint(placed[-APART:]):
                still.append(j)
            else:
                placed.append(j)
        waiting = still
    for j in waiting:  # the deck ran out before they fitted: each goes where it can
        _insert_apart(placed, j, given_by(j), gives(j), order.index(j))
    return placed


def _insert_apart(placed: list[int], item: int, given_by: AbstractSet[int],
                  gives: AbstractSet[int], wanted: int) -> None:
    """Insert ``item`` into ``placed`` at the place nearest ``wanted`` that is APART after each
    card that gives it away and APART before each card it gives away (inserting only moves
    later cards one further on); where there is none, at the place with the most room."""
    before = [n for n, i in enumerate(placed) if i in given_by]
    after = [n for n, i in enumerate(placed) if i in gives]

    def room(p: int) -> int:  # 0 where a card that must come before (after) it would not
        gaps = [p - q if q < p else 0 for q in before] + [q + 1 - p if q >= p else 0 for q in after]
        return min([*gaps, APART])

    best = max(range(len(placed) + 1), key=lambda p: (room(p), -abs(p - wanted), -p))
    placed.insert(best, item)


def _deck_id(name: str) -> int:
    digest = hashlib.sha256(f"histquiz deck {name}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def _citations_of(groups: Iterable[Sequence[Source]]) -> list[str]:
    """The distinct citations of these sources, sorted (two ids may cite the same work)."""
    seen: dict[str, Source] = {}
    for sources in groups:
        for source in sources:
            seen.setdefault(source.id, source)
    found = {h.citation_html(s): s.citation().casefold() for s in seen.values()}
    return sorted(found, key=lambda c: (found[c], c))


# Anki replaces a deck's description with the one in each package it imports, and the packages
# of several decks share the topic decks. So the descriptions are made from all the loaded decks,
# never from one package's items: every package built from the same decks says the same.

def _picked(items: Sequence[Item], at: Sequence[int]) -> list[Item]:
    return [items[i] for i in at]


def _topic_description(topic: str, title: str, decks: Sequence[Deck],
                       items: Callable[[], Sequence[Item]]) -> str:
    """A topic deck's description, from the loaded decks that share its top-level deck (or,
    when none has the topic, from its ``items()``)."""
    facts = [f for d in decks for f in d.facts if f.topic == topic]
    if facts:
        groups, count = [f.sources for f in facts], len(facts)
    else:
        chosen = items()
        groups, count = [i.sources for i in chosen], len({(i.deck, i.fact) for i in chosen})
    intro = (f"{count} fact{'s' * (count != 1)} about {title}. "
             "New cards come in chronological order; every card names its sources on the back.")
    sources = "".join(f"<li>{c}</li>" for c in _citations_of(groups))
    return f"<p>{h.text(intro)}</p><p>Sources:</p><ul>{sources}</ul>"


def _root_description(root: str, decks: Sequence[Deck]) -> str:
    """A top-level deck's description: what histquiz made, and the decks that share it."""
    rows = "".join(f"<li><b>{h.text(d.title)}</b>: {h.text(d.description)}</li>" for d in decks)
    intro = ("The history of India's relations with the Soviet Union and Russia, 1947–2025, "
             if root == ROOT_DECK else "")
    return (f"<p>{intro}made by histquiz, one subdeck per topic. Importing a newer build updates "
            "the cards in place and keeps your reviews.</p>" + (f"<ul>{rows}</ul>" if rows else ""))


def _read_previous(path: str | os.PathLike[str] | None) -> bytes | None:
    if path is None:
        return None
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


def _receipt_of(package: bytes, folder: Path) -> Receipt:
    """The receipt of an earlier package that the cache kept none of, read from its notes (of
    histquiz's note types only); empty when it cannot be read, and every note then counts as
    new."""
    ours = {t.model_id for t in NOTE_TYPES}
    db = folder / "previous.anki2"
    try:
        with zipfile.ZipFile(io.BytesIO(package)) as zf:
            db.write_bytes(zf.read("collection.anki2"))
        conn = sqlite3.connect(db)
        try:
            rows = conn.execute("SELECT guid, mid, tags, flds, mod FROM notes").fetchall()
        finally:
            conn.close()
    except (OSError, KeyError, zipfile.BadZipFile, sqlite3.DatabaseError, RuntimeError):
        return {}
    return {guid: (_note_digest(mid, tags, flds), int(mod), flds.rsplit("\x1f", 1)[-1])
            for guid, mid, tags, flds, mod in rows if mid in ours}


# What a package holds, note by note, for the next build of it to compare with: guid → (digest
# of the note type, fields and tags; the note's time; its last field, the escaped item id).
Receipt = dict[str, tuple[bytes, int, str]]


def _insert_notes(cursor: sqlite3.Cursor, notes: Sequence[_Note], order: Sequence[int],
                  due: Sequence[int], stamp: int, earlier: Receipt) -> tuple[int, Receipt]:
    """Write the notes and their cards in ``order`` straight into the collection (genanki's
    note-by-note writer is several times slower); returns the number of cards and the receipt
    of the notes. A note keeps its time in the ``earlier`` build when it is unchanged there (so
    that Anki leaves it alone), and has a newer one when it changed (Anki takes only newer
    notes); the others, and their cards, have the build time.

    Ids count up from the build time in milliseconds, as genanki's do: a note, then its cards.
    """
    ids = itertools.count(stamp * 1000)
    deck_ids = {name: _deck_id(name) for name in {n.deck for n in notes}}
    note_rows, card_rows = [], []
    receipt: Receipt = {}
    for i in order:
        note = notes[i]
        note_id = next(ids)
        old = earlier.get(note.guid)
        mod = (stamp if old is None else old[1] if old[0] == note.digest
               else max(stamp, old[1] + 1))
        receipt[note.guid] = (note.digest, mod, note.last)
        note_rows.append((note_id, note.guid, note.note_type.model_id, mod, -1, note.tags,
                          note.flds, note.sort, 0, 0, ""))
        deck_id = deck_ids[note.deck]
        for ord_ in note.cards:
            card_rows.append((next(ids), note_id, deck_id, ord_, mod, -1, 0, 0, due[i],
                              0, 0, 0, 0, 0, 0, 0, 0, ""))
    # The tables' indexes are made again once the rows are in: building an index from all its
    # rows at once costs less than keeping it up to date row by row.
    indexes = cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                             "tbl_name IN ('notes', 'cards') AND sql IS NOT NULL "
                             "ORDER BY name").fetchall()
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", note_rows)
    cursor.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", card_rows)
    for _, sql in indexes:
        cursor.execute(sql)
    return len(card_rows), receipt


def _notes_in_order(items: Sequence[Item], decks: Sequence[Deck], date_type: NoteType
                    ) -> tuple[list[_Note], list[int], dict[str, list[int]]]:
    """The note of each item, each item's position among new cards (``due``) and, for each Anki
    deck, its items in the order of their new cards."""
    maker = _FieldMaker(decks, items, date_type)
    notes: list[_Note] = []
    seen: set[str] = set()
    for item in items:
        note = maker.note(item)
        if note.guid in seen:
            raise ExportError(f"{item.origin or item.id}: two items share the id {item.id}")
        seen.add(note.guid)
        notes.append(note)
    due = _new_card_positions(items, decks)
    by_deck: dict[str, list[int]] = {}
    for i in sorted(range(len(items)), key=due.__getitem__):
        by_deck.setdefault(notes[i].deck, []).append(i)
    _keep_apart(items, due, by_deck)
    return notes, due, by_deck


def _genanki_model(note_type: NoteType) -> Any:
    import genanki

    return genanki.Model(
        note_type.model_id,
        note_type.name,
        fields=[{"name": name} for name in note_type.fields],
        templates=[{"name": n, "qfmt": q, "afmt": a} for n, q, a in note_type.templates],
        css=CSS,
        sort_field_index=0,
    )


def render(items: Sequence[Item], ctx: Context) -> Rendered:
    """The package of ``items``; see ``package``."""
    data, stats = package(items, ctx)
    return Rendered((data,), stats.notes, notes=(f"{stats.cards} cards",), details=stats)


def write_apkg(items: Sequence[Item], path: str | os.PathLike[str], ctx: Context) -> ApkgStats:
    """Write ``items`` as an Anki package at ``path`` (atomically); see ``package``."""
    check_targets([Path(path)])
    data, stats = package(items, ctx)
    write_owned([(Path(path), data)], made_here)
    return stats


def package(items: Sequence[Item], ctx: Context) -> tuple[bytes, ApkgStats]:
    """The bytes of an Anki package of ``items``, and what it holds.

    Everything a note shows comes from its item. From the context: ``decks``, all the loaded
    decks, describe the Anki decks (the same for every package made from them), rank the facts
    in date order and tell which events share a date (an item whose fact is not among them is
    placed and described by itself); ``build_time`` is the notes' time; ``options.type_in``
    makes date-recall cards ask for a typed answer (a different note type: switching adds new
    notes); ``previous`` is an earlier build of the same package, usually the file being
    replaced (ignored by a reproducible build, whose output depends on its inputs alone); see
    the module docstring.
    """
    import genanki

    if not items:
        raise ExportError("there are no items to put in the Anki package")
    from ...cache import recall, remember
    from ...cache import rendered as cached

    decks = ctx.decks
    stamp = ctx.build_time
    previous = None if ctx.reproducible else ctx.previous
    date_type = DATE_TYPED if ctx.options.type_in else DATE_RECALL
    # the notes and their order depend on the items, the decks and the options only: kept in
    # the cache when the items are, so a rebuild of unchanged decks only writes the collection
    notes, due, by_deck = cached(kept_key("anki", ctx),
                                 lambda: _notes_in_order(items, decks, date_type))
    names = sorted(by_deck)
    # genanki writes the collection's skeleton: schema, configuration, note types and decks.
    # The top-level decks come first (the first carries the note types), then the topic decks.
    deck_names = DeckNames.of(decks)
    roots = sorted({deck_names.root(items[by_deck[name][0]].deck) for name in names})
    package_decks = []
    for root_name in roots:
        sharing = deck_names.sharing(decks, root_name)
        package_decks.append(genanki.Deck(_deck_id(root_name), root_name,
                                          description=_root_description(root_name, sharing)))
    # The order and match note types come only with notes of theirs, so that a package of
    # choice and date items adds no empty note type to the learner's collection.
    used = {note.note_type.key for note in notes}
    for note_type in (MULTIPLE_CHOICE, date_type,
                      *(t for t in (ORDER, MATCH) if t.key in used)):
        package_decks[0].add_model(_genanki_model(note_type))
    for name in names:
        in_deck = by_deck[name]
        first = items[in_deck[0]]
        sharing = deck_names.sharing(decks, deck_names.root(first.deck))
        description = _topic_description(first.topic, deck_names.title(first.deck, first.topic),
                                          sharing, functools.partial(_picked, items, in_deck))
        package_decks.append(genanki.Deck(_deck_id(name), name, description=description))

    with scratch_folder(SCRATCH_PREFIX) as tmp:
        # The earlier build's receipt: the one the cache kept for exactly those bytes (quick:
        # its notes need not be read back), else read from its notes.
        earlier: Receipt = {}
        earlier_bytes = _read_previous(previous)
        if earlier_bytes is not None:
            kept = recall("receipt", hashlib.blake2b(earlier_bytes).hexdigest())
            earlier = kept if isinstance(kept, dict) else _receipt_of(earlier_bytes, Path(tmp))
        db_path = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db_path)
        try:
            cursor = conn.cursor()
            # No journal: the file is scratch until it is zipped (and it stays byte-identical).
            cursor.execute("PRAGMA journal_mode = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            genanki.Package(package_decks).write_to_db(cursor, stamp, itertools.count())
            order = [i for name in names for i in by_deck[name]]
            cards, receipt = _insert_notes(cursor, notes, order, due, stamp, earlier)
            conn.commit()
        finally:
            conn.close()
        removed = [html.unescape(last) for guid, (_, _, last) in earlier.items()
                   if guid not in receipt]
        # The package: the collection, then an empty media map. Light compression halves the
        # file at a fraction of the cost of zlib's default level.
        data = zip_bytes([("collection.anki2", db_path.read_bytes()), ("media", b"{}")],
                         timestamp=stamp, system=UNIX, level=1)
    if not ctx.reproducible:  # a reproducible build never looks at an earlier one
        remember("receipt", hashlib.blake2b(data).hexdigest(), receipt)
    removed.sort()
    deck_notes = tuple((name, len(by_deck[name])) for name in names)
    return data, ApkgStats(len(names), len(notes), cards, deck_notes, tuple(removed))


def made_here(path: Path) -> bool:
    """Is the file at ``path`` an Anki package that histquiz wrote (its note types' names in
    the collection, as the JSON of Anki's note types spells them, escaped or not)?"""
    import json

    from ...owned import zip_member_holds

    escaped = json.dumps(NOTE_TYPE_PREFIX)[1:-1].encode("ascii")
    return zip_member_holds(path, lambda name: name.startswith("collection.anki2"),
                            escaped, NOTE_TYPE_PREFIX.encode("utf-8"))
