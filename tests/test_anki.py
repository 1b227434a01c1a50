"""Anki packages, checked with Anki's own backend: import counts, every card rendered, the marked
option, escaping, decks, tags, order, updates in place with review history, reproducible bytes.

Each scenario opens one collection in a temporary folder; the `anki` package is heavy, so the
scenarios share their collections between checks instead of opening one per check.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shutil
import sqlite3
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from anki.collection import Collection
from anki.notes import NoteFieldsCheckResult
from anki_helpers import (
    TEMPLATE_ERRORS,
    Counts,
    Shown,
    collection,
    import_apkg,
    item_of,
    review_one,
    zip_entries,
)
from hypothesis import given
from hypothesis import strategies as st
from synth import deck_yaml

from histquiz import Deck, Fact, Item, generate, load_decks
from histquiz.cli import main
from histquiz.dates import years_of
from histquiz.errors import ExportError
from histquiz.export.anki import html as anki_html
from histquiz.export.anki.notetypes import (
    CSS,
    DATE_RECALL,
    DATE_TYPED,
    MATCH,
    MULTIPLE_CHOICE,
    NOTE_TYPES,
    ORDER,
)
from histquiz.export.anki.writer import APART, ROOT_DECK, note_guid, topic_title, write_apkg
from histquiz.export.registry import Context, ExportOptions, get_format, render_format
from histquiz.load.rules import EVENT_SETS, ITEM_KINDS
from histquiz.model import sort_key_for_date
from histquiz.owned import RECORD

GOOD = Path(__file__).parent / "data" / "good"
T1 = 1_750_000_000  # 15 June 2025
T2 = T1 + 86_400


SHARED = "Shared Anki deck"


def synth_yaml(n_facts: int, seed: int, deck_id: str) -> str:
    """A synthetic deck whose fact ids carry the deck id (fact ids are global across decks),
    under an Anki deck that every such deck shares."""
    text = deck_yaml(n_facts, seed=seed, deck_id=deck_id).replace("  - id: f", f"  - id: {deck_id}-f")
    return text.replace("deck:\n", f"deck:\n  anki_deck: {SHARED}\n", 1)


def anki_ctx(decks: Sequence[Deck], stamp: int, *, previous: Path | None = None,
             type_in: bool = False, reproducible: bool = False) -> Context:
    """The context a command hands the Anki format: the loaded decks and the build time."""
    return Context(decks=tuple(decks), seed=0, build_time=stamp, reproducible=reproducible,
                   options=ExportOptions(type_in=type_in), previous=previous)


def build(decks: Sequence[Deck], seed: int = 0) -> list[Item]:
    return generate(decks, seed)


def _facts(decks: Sequence[Deck]) -> dict[tuple[str, str], Fact]:
    return {(f.deck, f.id): f for d in decks for f in d.facts}


def assert_chronological(col: Collection, by_id: dict[str, Item]) -> None:
    """New cards come in date order within each topic deck, by each fact's first card."""
    for deck in col.decks.all_names_and_ids():
        ids = col.find_cards(f'deck:"{deck.name}" -deck:"{deck.name}::*" card:1 is:new')
        ordered = sorted((col.get_card(c).due, item_of(col, c)) for c in ids)
        assert len({due for due, _ in ordered}) == len(ordered), "positions must be distinct"
        first_of_fact: dict[tuple[str, str], Item] = {}
        for _, item_id in ordered:
            item = by_id[item_id]
            first_of_fact.setdefault((item.deck, item.fact), item)
        keys = [sort_key_for_date(item.date) for item in first_of_fact.values()]
        # A card waits, at most APART new cards, when an earlier one would give it away
        # (see test_revealing_pairs_are_apart), so the order is by date but for such moves.
        ranks = sorted(range(len(keys)), key=keys.__getitem__)
        moved = max((abs(place - rank) for place, rank in enumerate(ranks)), default=0)
        assert moved <= APART, (deck.name, moved)


def check_package(folder: Path, decks: Sequence[Deck], items: Sequence[Item]) -> None:
    """Import a fresh build into an empty collection and check every card Anki renders."""
    apkg = folder / "deck.apkg"
    stats = write_apkg(items, apkg, anki_ctx(decks, T1))
    assert stats.notes == len(items)
    facts = _facts(decks)
    same_day: dict[str, list[tuple[Fact, str]]] = {}
    for fact in facts.values():
        if fact.date is not None and fact.event:
            same_day.setdefault(fact.date.iso(), []).append((fact, fact.event))
    by_id = {i.id: i for i in items}
    of_deck = {d.id: d for d in decks}
    with collection(folder) as col:
        counts = import_apkg(col, apkg)
        assert counts == Counts(new=len(items), updated=0, duplicate=0, conflicting=0,
                                first_field_match=0)
    with collection(folder) as col:  # reopened: the note-type cache is stale after an import
        assert col.note_count() == len(items)
        card_ids = col.find_cards("")
        assert len(card_ids) == stats.cards
        seen_items: set[str] = set()
        for cid in card_ids:
            card = col.get_card(cid)
            note = card.note()
            item = by_id[note["Item"]]
            seen_items.add(item.id)
            question, answer = card.question(), card.answer()
            for side in (question, answer):
                assert not any(e in side for e in TEMPLATE_ERRORS), (item.id, side)
                assert "<script" not in side.lower()
            front, back = Shown(question), Shown(answer)
            assert front.scripts == back.scripts == 0
            deck = col.decks.name(card.did)
            own = of_deck[item.deck]
            assert deck == f"{own.anki_root}::{own.topic_titles.get(item.topic) or topic_title(item.topic)}"
            assert f"histquiz::topic::{item.topic}" in note.tags
            assert all(" " not in t for t in note.tags)
            for tag in item.tags:
                assert (tag if not tag.startswith("topic::") else f"histquiz::{tag}") in note.tags
            # The explanation and the sources show literally, whatever characters they hold.
            assert back.texts["hq-explanation"] == item.explanation
            assert back.texts["hq-fact"] == item.statement
            for source in item.sources:
                assert source.title in back.texts["hq-sources"]
            if card.ord == 1:  # "What happened on …?", with the date's other events on the back
                fact = facts[(item.deck, item.fact)]
                assert front.texts["hq-question"].startswith("What happened ")
                assert fact.date is not None and fact.event
                others = [e for f, e in same_day[fact.date.iso()] if f is not fact]
                assert back.texts["hq-answer"] == fact.event + (
                    "Also on this date" + "".join(others) if others else "")
                continue
            assert front.texts["hq-question"] == item.question
            assert "hq-answer" not in front.texts
            assert "hq-option-note" not in front.texts  # no why-false, no dates on the front
            if item.kind != "match":  # a match card numbers its events; the rest letter them
                assert front.table("hq-options", "hq-letter") == [
                    (letter,) for letter in "ABCDEFGHIJ"[:len(item.options)]]
            if item.kind == "choice":
                assert front.options == list(item.options)  # never reshuffled
                assert front.correct == []  # the front gives nothing away
                assert back.options == list(item.options)
                assert back.correct == [item.answer] == [item.options[item.answer_index or 0]]
                assert back.texts["hq-answer"].endswith(item.answer)
                # Why each false statement is false, or each event's date, under its option.
                notes = list(item.notes) or [""] * len(item.options)
                assert back.table("hq-options", "hq-option-note") == [(n,) for n in notes]
            elif item.kind == "order":
                assert front.options == list(item.options)
                assert back.table("hq-timeline", "hq-date", "hq-letter", "hq-text") == [
                    (item.notes[i], "ABCDEFGHIJ"[i], item.options[i]) for i in item.key]
            elif item.kind == "match":
                assert front.table("hq-options", "hq-letter", "hq-text") == [
                    (str(n), event) for n, event in enumerate(item.options, 1)]
                assert front.table("hq-targets", "hq-letter", "hq-target") == list(
                    zip("ABCDEFGHIJ"[:len(item.targets)], item.targets, strict=True))
                assert back.table("hq-pairs", "hq-text", "hq-pair-letter", "hq-target") == [
                    (event, "ABCDEFGHIJ"[k], item.targets[k])
                    for event, k in zip(item.options, item.key, strict=True)]
            else:
                assert item.answer_date is not None
                assert back.texts["hq-answer"] == item.answer_date.display() == item.answer
        assert seen_items == set(by_id)
        assert_chronological(col, by_id)
        reviewed = review_one(col, decks[0].anki_root)
        reps = col.get_card(reviewed).reps

    # Reword some explanations and questions: a rebuild updates exactly those notes in place.
    reworded = [dataclasses.replace(item, question=f"{item.question} (reworded)",
                                    explanation=f"{item.explanation} & more <i>")
                if n % 5 == 0 else item for n, item in enumerate(items)]
    write_apkg(reworded, folder / "deck-2.apkg", anki_ctx(decks, T2, previous=apkg))
    changed = len(range(0, len(items), 5))
    with collection(folder) as col:
        counts = import_apkg(col, folder / "deck-2.apkg")
        assert counts == Counts(new=0, updated=changed, duplicate=len(items) - changed,
                                conflicting=0, first_field_match=0)
    with collection(folder) as col:
        assert col.note_count() == len(items)
        assert col.get_card(reviewed).reps == reps == 1
        shown = col.find_notes('"Question:* (reworded)"')
        assert len(shown) == changed
        card = col.get_card(col.find_cards(f"nid:{shown[0]}")[0])
        assert Shown(card.answer()).texts["hq-explanation"].endswith(" & more <i>")


def test_mini_deck_imports_and_renders(tmp_path: Path, mini_decks: list[Deck]) -> None:
    items = build(mini_decks)
    check_package(tmp_path, mini_decks, items)
    # The mini deck's explanation holds markup: it must show as text, never as bold.
    treaty = next(i for i in items if i.fact == "treaty")
    assert "<b>Not bold</b>" in treaty.explanation


def test_builtin_decks_import_and_render(tmp_path: Path, builtin_decks: list[Deck]) -> None:
    check_package(tmp_path, builtin_decks, build(builtin_decks, seed=3))


def test_builtin_decks_with_the_history_templates_import_and_render(
        tmp_path: Path, builtin_decks: list[Deck]) -> None:
    decks = with_history_templates(builtin_decks)
    check_package(tmp_path, decks, build(decks, seed=4))
    with collection(tmp_path) as col:
        # every order (match) note asks the same question: the events come first, so Anki
        # does not call them duplicates of one another
        notes = col.find_notes('"note:histquiz · Put in order" OR "note:histquiz · Match"')
        assert notes
        checks = [col.get_note(n).fields_check() for n in notes]
        assert all(c == NoteFieldsCheckResult.NORMAL for c in checks)


def test_unseen_synthetic_decks_import_and_render(tmp_path: Path) -> None:
    for i, deck_id in enumerate(("alpha", "beta")):
        (tmp_path / f"{deck_id}.yaml").write_text(synth_yaml(40, 10 + i, deck_id), "utf-8")
    decks = load_decks([tmp_path / "alpha.yaml", tmp_path / "beta.yaml"])
    (tmp_path / "col").mkdir()
    check_package(tmp_path / "col", decks, build(decks, seed=5))


def _reword(text: str, explanations: Sequence[str], question: tuple[str, str]) -> str:
    """Reword the explanations of some facts and one question (fact id, question id)."""
    out, fact, part = [], "", ""
    for line in text.splitlines():
        key, _, value = line.strip().removeprefix("- ").partition(": ")
        if line.startswith("  - id: "):
            fact, part = value, ""
        elif line.startswith("      - id: "):
            part = value
        elif key == "explanation" and fact in explanations:
            line = line.replace('explanation: "', 'explanation: "Reworded: ', 1)
        elif key == "ask" and (fact, part) == question:
            line = line.replace('ask: "', 'ask: "In other words: ', 1)
        out.append(line)
    return "\n".join(out) + "\n"


def single_fact(items: Sequence[Item]) -> list[Item]:
    """The items of one fact each: which items over events exist, and which events they show,
    changes as facts come and go (test_history_notes_update_in_place covers them)."""
    return [i for i in items if i.template not in EVENT_SETS]


@pytest.mark.parametrize("cache", ["off", "on"])
def test_rebuilds_update_in_place_and_keep_reviews(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: str) -> None:
    # With the cache on, a rebuild compares with the receipt the cache kept of the earlier
    # package (for exactly its bytes); off, or for a file it has no receipt of, it reads the
    # earlier package's notes. Both must give Anki the same updates.
    if cache == "on":
        monkeypatch.setenv("HISTQUIZ_CACHE", str(tmp_path / "cache"))
    src = tmp_path / "src"
    src.mkdir()
    deck_file = src / "upd.yaml"
    original = deck_yaml(12, seed=7, deck_id="upd")
    deck_file.write_text(original, encoding="utf-8")
    decks1 = load_decks([deck_file])
    items1 = single_fact(build(decks1))
    apkg = tmp_path / "upd.apkg"
    write_apkg(items1, apkg, anki_ctx(decks1, T1))
    assert bool(list(tmp_path.glob("cache/receipt-*.cache"))) == (cache == "on")
    with collection(tmp_path) as col:
        assert import_apkg(col, apkg).new == len(items1)
    with collection(tmp_path) as col:
        reviewed = review_one(col, decks1[0].anki_root)
        reviewed_item = item_of(col, reviewed)
        before = col.get_card(reviewed)
        state = (before.type, before.queue, before.ivl, before.due, before.reps)
        assert before.reps == 1
        revlog = col.db.scalar("select count() from revlog where cid = ?", reviewed)
        assert revlog == 1
        note_ids = set(col.find_notes(""))

    # Reword two explanations and one question; the item ids stay, so the notes are updated.
    deck_file.write_text(_reword(original, ["f1", "f4"], ("f2", "who")), encoding="utf-8")
    decks2 = load_decks([deck_file])
    items2 = single_fact(build(decks2))
    old = {i.id: i for i in items1}
    assert [i.id for i in items2] == list(old)
    assert all(i.options == old[i.id].options for i in items2)
    changed = {i.id for i in items2
               if (i.question, i.explanation) != (old[i.id].question, old[i.id].explanation)}
    assert 0 < len(changed) < len(items2)
    stats = write_apkg(items2, apkg, anki_ctx(decks2, T2, previous=apkg))
    assert stats.removed == ()
    with collection(tmp_path) as col:
        counts = import_apkg(col, apkg)
        assert counts == Counts(new=0, updated=len(changed), duplicate=len(items2) - len(changed),
                                conflicting=0, first_field_match=0)
    with collection(tmp_path) as col:
        assert set(col.find_notes("")) == note_ids
        after = col.get_card(reviewed)
        assert item_of(col, reviewed) == reviewed_item
        assert (after.type, after.queue, after.ivl, after.due, after.reps) == state
        assert col.db.scalar("select count() from revlog where cid = ?", reviewed) == 1
        reworded = col.find_cards("Reworded")
        assert {item_of(col, c) for c in reworded if col.get_card(c).ord == 0} == {
            i for i in changed if "/f1/" in i or "/f4/" in i}
        assert {item_of(col, c) for c in col.find_cards('"Question:In other words: *"')} == {
            "upd/f2/choice-who"}

    # Without the earlier file every note is newer, so Anki counts all as updated, none new.
    write_apkg(items2, tmp_path / "again.apkg", anki_ctx(decks2, T2 + 60))
    with collection(tmp_path) as col:
        assert import_apkg(col, tmp_path / "again.apkg") == Counts(
            new=0, updated=len(items2), duplicate=0, conflicting=0, first_field_match=0)

    # Two more facts: only their items are new; nothing conflicts; the old notes stay.
    grown = deck_yaml(14, seed=7, deck_id="upd")
    deck_file.write_text(_reword(grown, ["f1", "f4"], ("f2", "who")), encoding="utf-8")
    decks3 = load_decks([deck_file])
    items3 = single_fact(build(decks3))
    added = [i for i in items3 if i.fact in ("f12", "f13")]
    assert added and {i.id for i in items3} == set(old) | {i.id for i in added}
    write_apkg(items3, apkg, anki_ctx(decks3, T2 + 120, previous=tmp_path / "again.apkg"))
    with collection(tmp_path) as col:
        counts = import_apkg(col, apkg)
        assert counts.new == len(added) and counts.conflicting == 0
        assert counts.new + counts.updated + counts.duplicate == len(items3)
    with collection(tmp_path) as col:
        assert col.note_count() == len(items3)
        assert note_ids <= set(col.find_notes(""))
        assert col.get_card(reviewed).reps == 1

    # A removed fact: the build names its items, and the printed search finds exactly those.
    earlier = tmp_path / "upd-3.apkg"
    shutil.copy(apkg, earlier)
    kept = grown
    start = kept.index("  - id: f5\n")
    kept = kept[:start] + kept[kept.index("  - id: f6\n"):]
    deck_file.write_text(kept, encoding="utf-8")
    decks4 = load_decks([deck_file])
    stats = write_apkg(single_fact(build(decks4)), apkg, anki_ctx(decks4, T2 + 180, previous=earlier))
    gone = {i.id for i in items3 if i.fact == "f5"}
    assert set(stats.removed) == gone
    with collection(tmp_path) as col:
        found = col.find_notes(" OR ".join(f"Item:{i}" for i in stats.removed))
        assert {col.get_note(n)["Item"] for n in found} == gone


def test_type_in_variant_and_awkward_text(tmp_path: Path) -> None:
    deck_file = tmp_path / "odd.yaml"
    text = (GOOD / "mini.yaml").read_text(encoding="utf-8").replace(
        "Founded in Baghdad.", "Founded in Baghdad [sound:boom.mp3] [$]x^2[/$] {{c1::no}}.")
    twin = text[text.index("  - id: treaty\n"):text.index("  - id: war\n")].replace(
        "id: treaty", "id: twin").replace("A treaty of friendship is signed", "A twin <event>")
    text = text.replace("  - id: war\n", twin + "  - id: war\n")
    deck_file.write_text(text.replace("id: mini", "id: odd"), encoding="utf-8")
    decks = load_decks([deck_file])
    items = build(decks)
    apkg = tmp_path / "odd.apkg"
    stats = write_apkg(items, apkg, anki_ctx(decks, T1, type_in=True))
    with collection(tmp_path) as col:
        counts = import_apkg(col, apkg)
        assert (counts.new, counts.conflicting, counts.duplicate) == (len(items), 0, 0)
    with collection(tmp_path) as col:
        names = {m["name"] for m in col.models.all()}
        assert {DATE_TYPED.name, MULTIPLE_CHOICE.name} <= names and DATE_RECALL.name not in names
        typed = col.find_cards(f'"note:{DATE_TYPED.name}" card:1')
        assert typed and len(col.find_cards("")) == stats.cards
        for cid in typed:
            card = col.get_card(cid)
            assert "[[type:Date]]" in card.question()
            assert Shown(card.question()).texts["hq-format"].startswith("Type ")
        # Two facts on one date: each "What happened on …?" card names the other on its back.
        for own, other in (("treaty", "A twin <event>"), ("twin", "A treaty of friendship")):
            back = Shown(col.get_card(col.find_cards(f"Item:odd/{own}/date-recall card:2")[0])
                         .answer())
            assert back.texts["hq-also"].startswith(f"Also on this date{other}")
        for cid in col.find_cards("Item:odd/pact/*"):
            card = col.get_card(cid)
            back = card.answer()
            assert card.answer_av_tags() == [] and card.question_av_tags() == []
            assert "[sound:" not in back and "<img" not in back
            assert Shown(back).texts["hq-explanation"] == (
                "Founded in Baghdad [sound:boom.mp3] [$]x^2[/$] {{c1::no}}.")


def test_reproducible_builds_are_byte_identical(tmp_path: Path, mini_decks: list[Deck],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T1))
    items = build(mini_decks)
    a, b = tmp_path / "a.apkg", tmp_path / "b.apkg"
    write_apkg(items, a, anki_ctx(mini_decks, T1, reproducible=True))
    write_apkg(build(mini_decks), b, anki_ctx(mini_decks, T1, reproducible=True))
    assert a.read_bytes() == b.read_bytes()
    stamp = time.gmtime(T1)[:6]
    assert zip_entries(a) == [("collection.anki2", stamp, 0o644), ("media", stamp, 0o644)]
    with zipfile.ZipFile(a) as zf:
        assert zf.read("media") == b"{}"
        (tmp_path / "c.anki2").write_bytes(zf.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "c.anki2")
    assert {row[0] for row in conn.execute("select mod from notes")} == {T1}
    conn.close()
    # Another timestamp changes the notes' time (so Anki takes the rebuild as newer).
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    write_apkg(items, b, anki_ctx(mini_decks, T2))
    assert a.read_bytes() != b.read_bytes()


def test_command_writes_one_file_per_deck_or_one_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "one.yaml").write_text(synth_yaml(6, 1, "one"), "utf-8")
    (tmp_path / "decks" / "two.yaml").write_text(synth_yaml(5, 2, "two"), "utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T1))
    assert main(["anki", "--decks", "decks"]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == [RECORD, "decks", "one.apkg", "two.apkg"]
    assert re.search(r"wrote one\.apkg: \d+ notes, \d+ cards in \d+ decks", out)
    first = (tmp_path / "one.apkg").read_bytes()
    # Both packages hold "Topic 1": Anki keeps the description of the last one imported, so
    # both must say the same, naming the sources of every loaded fact on that topic.
    one, two = _package_decks(tmp_path / "one.apkg"), _package_decks(tmp_path / "two.apkg")
    shared = set(one) & set(two)
    assert f"{SHARED}::Topic 1" in shared and all(one[n] == two[n] for n in shared)
    topic_1 = one[f"{SHARED}::Topic 1"]
    assert topic_1.count("<li>A. Author, “Второй источник”, 1999</li>") == 1
    assert "A test source &amp; its &lt;title&gt;" in one[f"{SHARED}::Topic 0"]
    # Imported together, the two packages' new cards interleave in date order in each topic.
    (tmp_path / "col").mkdir()
    with collection(tmp_path / "col") as col:
        for name in ("one.apkg", "two.apkg"):
            assert import_apkg(col, tmp_path / name).conflicting == 0
    with collection(tmp_path / "col") as col:
        assert_chronological(col, {i.id: i for i in build(load_decks([tmp_path / "decks"]))})
    shutil.rmtree(tmp_path / "col")
    assert main(["anki", "--decks", "decks", "--out-dir", "out", "--seed", "0"]) == 0
    assert (tmp_path / "out" / "one.apkg").read_bytes() == first
    assert main(["anki", "--decks", "decks", "--topic", "topic-1", "-o", "all.apkg"]) == 0
    out = capsys.readouterr().out
    assert "wrote all.apkg:" in out and "in 1 deck\n" in out
    assert f"{SHARED}::Topic 1" in out
    assert not [p for p in tmp_path.rglob("*.part")]
    assert main(["anki", "--decks", "decks", "-o", "all.zip"]) == 1
    assert main(["anki", "--decks", "decks", "--deck", "nope"]) == 1
    err = capsys.readouterr().err
    assert "must end in .apkg" in err and "unknown deck 'nope'" in err and "Traceback" not in err


@pytest.mark.parametrize("cache", ["off", "on"])
def test_command_rebuild_lists_removed_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str], cache: str) -> None:
    if cache == "on":
        monkeypatch.setenv("HISTQUIZ_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    deck = tmp_path / "rm.yaml"
    deck.write_text(deck_yaml(6, seed=4, deck_id="rm"), "utf-8")
    assert main(["anki", "--decks", str(deck)]) == 0
    first = _note_times(tmp_path / "rm.apkg")
    assert main(["anki", "--decks", str(deck)]) == 0
    assert _note_times(tmp_path / "rm.apkg") == first  # nothing changed: nothing newer
    capsys.readouterr()
    text = deck_yaml(6, seed=4, deck_id="rm")
    deck.write_text(text[:text.index("  - id: f5\n")], "utf-8")
    assert main(["anki", "--decks", str(deck)]) == 0
    err = capsys.readouterr().err
    assert "no longer built" in err and "Item:rm/f5/date-recall OR " in err


def _package_rows(apkg: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query on the collection stored inside a package."""
    with zipfile.ZipFile(apkg) as zf:
        data = zf.read("collection.anki2")
    db = apkg.with_suffix(".check.anki2")
    db.write_bytes(data)
    conn = sqlite3.connect(db)
    try:
        return list(conn.execute(sql).fetchall())
    finally:
        conn.close()
        db.unlink()


def _package_decks(apkg: Path) -> dict[str, str]:
    """Deck name → description, as stored in a package."""
    decks = json.loads(_package_rows(apkg, "select decks from col")[0][0])
    return {d["name"]: d["desc"] for d in decks.values()}


def _note_times(apkg: Path) -> dict[str, int]:
    return dict(_package_rows(apkg, "select guid, mod from notes"))


def test_note_types_are_frozen() -> None:
    """Changing these is a migration (see anki_notetypes): update this test only on purpose."""
    assert [(t.key, t.model_id, t.fields, [n for n, _, _ in t.templates]) for t in NOTE_TYPES] == [
        ("choice", 1_847_305_221,
         ("Question", "Options", "Marked options", "Answer", "Fact", "Explanation", "Note",
          "Date", "Sources", "Item"), ["Multiple choice"]),
        ("date", 1_847_305_222,
         ("Question", "Date", "Format", "Date prompt", "Event", "Fact", "Explanation", "Note",
          "Sources", "Item"), ["Date recall", "Date → event"]),
        ("date-typed", 1_847_305_223,
         ("Question", "Date", "Format", "Date prompt", "Event", "Fact", "Explanation", "Note",
          "Sources", "Item"), ["Date recall (typed)", "Date → event"]),
        ("order", 1_847_305_224,
         ("Events", "Question", "Answer", "Chronology", "Fact", "Explanation", "Note", "Sources",
          "Item"), ["Put in order"]),
        ("match", 1_847_305_225,
         ("Events", "Question", "Targets", "Answer", "Pairs", "Fact", "Explanation", "Note",
          "Sources", "Item"), ["Match"]),
    ]
    assert len({t.model_id for t in NOTE_TYPES}) == len({t.key for t in NOTE_TYPES}) == len(NOTE_TYPES)
    # The writer reads a note's item id from its last field (the notes a rebuild dropped).
    assert {t.fields[-1] for t in NOTE_TYPES} == {"Item"}
    for note_type in NOTE_TYPES:
        for _, front, back in note_type.templates:
            assert "<script" not in front + back
    assert ".nightMode" in CSS and "overflow-wrap" in CSS


@pytest.mark.parametrize(("raw", "shown"), [
    pytest.param("AT&T <b>x</b>", "AT&amp;T &lt;b&gt;x&lt;/b&gt;", id="markup"),
    pytest.param("[sound:a.mp3]", "&#91;sound:a.mp3&#93;", id="sound-tag"),
    pytest.param("a\x1fb", "a&#x1f;b", id="field-separator"),
    pytest.param("line\nnext", "line<br>next", id="newline"),
    pytest.param("O'Brien \"x\"", "O&#x27;Brien &quot;x&quot;", id="quotes"),
])
def test_text_escaping(raw: str, shown: str) -> None:
    assert anki_html.text(raw) == shown
    if raw.isprintable():
        assert html.unescape(anki_html.text(raw).replace("<br>", "\n")) == raw


def test_links_only_for_web_addresses() -> None:
    assert anki_html._link("https://example.org/a?b=1&c=2").startswith(
        '<a href="https://example.org/a?b=1&amp;c=2">')
    assert "<a" not in anki_html._link("javascript:alert(1)")


@pytest.mark.parametrize(("slug", "title"), [("cold-war", "Cold War"), ("un", "UN"),
                                             ("trade-and-energy", "Trade and Energy")])
def test_topic_titles(slug: str, title: str) -> None:
    assert topic_title(slug) == title


def test_a_failed_build_leaves_the_old_file_whole(tmp_path: Path, mini_decks: list[Deck]) -> None:
    items = build(mini_decks)
    target = tmp_path / "mini.apkg"
    write_apkg(items, target, anki_ctx(mini_decks, T1))
    before = target.read_bytes()
    broken = [dataclasses.replace(i, answer_index=None) if i.kind == "choice" else i for i in items]
    with pytest.raises(ExportError, match="has no marked answer"):
        write_apkg(broken, target, anki_ctx(mini_decks, T2))
    with pytest.raises(ExportError, match="does not exist"):
        write_apkg(items, tmp_path / "missing" / "x.apkg", anki_ctx(mini_decks, T2))
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [RECORD, "mini.apkg"]


def test_the_notes_come_from_the_items_alone(tmp_path: Path, mini_decks: list[Deck]) -> None:
    """Every field of every note, the "What happened on …?" cards included, comes from the
    items; the loaded decks only describe the Anki decks and order the new cards."""
    items = build(mini_decks)
    assert any(i.event for i in items)
    with_decks = write_apkg(items, tmp_path / "a.apkg", anki_ctx(mini_decks, T1))
    alone = write_apkg(items, tmp_path / "b.apkg", anki_ctx((), T1))
    assert (alone.notes, alone.cards) == (with_decks.notes, with_decks.cards)
    query = "select guid, mid, flds, tags from notes order by guid"
    assert _package_rows(tmp_path / "b.apkg", query) == _package_rows(tmp_path / "a.apkg", query)
    reverse = _package_rows(tmp_path / "b.apkg", "select count() from cards where ord = 1")
    assert reverse[0][0] > 0


@pytest.mark.parametrize(("seed", "history"), [(0, False), (7, False), (3, True)])
def test_revealing_pairs_are_apart_in_the_new_card_order(tmp_path: Path,
                                                         builtin_decks: list[Deck],
                                                         seed: int, history: bool) -> None:
    from histquiz.generate.reveal import reveals

    decks = with_history_templates(builtin_decks) if history else builtin_decks
    items = generate(decks, seed)
    if history:  # the order, match, true-statement and "which came first" cards too
        assert {"order", "match"} <= {i.kind for i in items}
        assert {"first", "true-statement"} <= {i.template for i in items}
    relation = reveals(items)
    index = {item.id: n for n, item in enumerate(items)}
    apkg = tmp_path / "all.apkg"
    write_apkg(items, apkg, anki_ctx(decks, T1))
    with collection(tmp_path) as col:
        import_apkg(col, apkg)
        for deck in col.decks.all_names_and_ids():
            ids = col.find_cards(f'deck:"{deck.name}" -deck:"{deck.name}::*" card:1 is:new')
            ids = sorted(ids, key=lambda c: col.get_card(c).due)
            order = [index[item_of(col, c)] for c in ids]
            where = {i: n for n, i in enumerate(order)}
            # a card never comes within APART after one that shows its answer; the cards over
            # events, which come last and share many events in a small topic, cannot always
            # be had so far apart from one another: there, at most one pair in fifty is not
            close = [(items[a].id, items[b].id) for b in order for a in relation.given_by(b)
                     if a in where and 0 < where[b] - where[a] < APART]
            pairs = sum(1 for b in order for a in relation.given_by(b) if a in where)
            if not any(items[i].template in EVENT_SETS for i in order):
                assert close == [], deck.name
            else:
                assert len(close) <= 0.02 * pairs, (deck.name, close, pairs)
                assert all(items[index[x]].template in EVENT_SETS
                           and items[index[y]].template in EVENT_SETS for x, y in close), close


# --- decks that are not ours -----------------------------------------------------------------

FOREIGN = """deck:
  id: histoire
  title: "Histoire de l'Inde :: et de la Russie"
  description: Un jeu de cartes d'une école.
  topic_titles:
    traites: Les traités
sources: {s: {title: Une source, author: A. Auteur, date: 2001}}
facts:
"""


def foreign_fact(n: int, topic: str) -> str:
    return (f"  - id: h{n}\n    statement: Fait {n}.\n    explanation: Parce que.\n"
            f"    topic: {topic}\n    sources: [s]\n    date: {1950 + n}-0{1 + n % 9}-1{n % 9}\n"
            f"    when: le fait {n} a-t-il eu lieu\n")


def test_a_foreign_deck_is_named_from_its_own_title_and_topic_titles(
        tmp_path: Path, builtin_decks: list[Deck]) -> None:
    """A deck that is not ours goes under its own title (its '::' kept as one level), each
    topic under the title the deck gives it, else the slug title-cased; loaded together with
    the built-in decks, those keep "Indo-Soviet History" and their topic names."""
    path = tmp_path / "histoire.yaml"
    path.write_text(FOREIGN + "".join(foreign_fact(n, "traites") for n in range(3))
                    + "".join(foreign_fact(n, "ru-diplomatiya") for n in range(3, 6)), "utf-8")
    foreign = load_decks([path])
    un = next(d for d in builtin_decks if d.id == "un")
    decks = [*foreign, un]
    items = build(decks)
    root = "Histoire de l'Inde : et de la Russie"
    apkg = tmp_path / "both.apkg"
    stats = write_apkg(items, apkg, anki_ctx(decks, T1))
    assert {name for name, _ in stats.deck_notes} == {
        f"{root}::Les traités", f"{root}::Ru Diplomatiya", f"{ROOT_DECK}::UN"}
    (tmp_path / "col").mkdir()
    with collection(tmp_path / "col") as col:
        assert import_apkg(col, apkg).new == len(items)
    with collection(tmp_path / "col") as col:
        names = {d.name for d in col.decks.all_names_and_ids()}
        assert {root, f"{root}::Les traités", f"{root}::Ru Diplomatiya", ROOT_DECK,
                f"{ROOT_DECK}::UN"} <= names
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            item = next(i for i in items if i.id == card.note()["Item"])
            expected = {"traites": f"{root}::Les traités", "ru-diplomatiya": f"{root}::Ru Diplomatiya",
                        "un": f"{ROOT_DECK}::UN"}[item.topic]
            assert col.decks.name(card.did) == expected
        descriptions = {d["name"]: d["desc"] for d in col.decks.all()}
        assert "Un jeu de cartes d&#x27;une école." in descriptions[root]
        assert "India's relations" not in descriptions[root]
        assert "3 facts about Les traités" in descriptions[f"{root}::Les traités"]


def test_the_built_in_decks_keep_their_anki_deck(builtin_decks: list[Deck]) -> None:
    """Learners' cards stay where they are: every built-in deck shares the one top-level deck."""
    assert {d.anki_root for d in builtin_decks} == {ROOT_DECK}
    assert len({d.title for d in builtin_decks}) == len(builtin_decks)  # their own titles differ


# --- the history templates: true statement, which came first, order, match ------------------

# Not among the default templates yet: a deck asks for them by name.
HISTORY = ("date-recall", "date-choice", "which-happened", "choice", "true-statement", "first",
           "order", "match")
# Deck text that must show as text on every side of a card: markup, an ampersand, a sound tag.
ODD_EVENT = "A border war <i>is</i> fought & [sound:war.mp3] in the Himalaya"
ODD_WHY = "Trade was agreed <b>separately</b> & later."


def history_deck(folder: Path, *, renamed: bool = False) -> list[Deck]:
    """The test deck asking for every template, with awkward event and why-false texts;
    ``renamed`` rewords one event, as a later edit of the YAML would."""
    text = (GOOD / "mini.yaml").read_text("utf-8").replace(
        "\nfacts:\n", f"\ntemplates: {{default: [{', '.join(HISTORY)}]}}\nfacts:\n", 1)
    text = text.replace("event: A border war is fought in the Himalaya", f'event: "{ODD_EVENT}"')
    text = text.replace("why: Trade was agreed separately.", f'why: "{ODD_WHY}"')
    if renamed:
        text = text.replace("event: The first satellite goes up",
                            "event: The first satellite is launched")
    path = folder / "history.yaml"
    path.write_text(text.replace("id: mini", "id: history", 1), "utf-8")
    return load_decks([path])


def with_history_templates(decks: Sequence[Deck]) -> list[Deck]:
    """The decks with every history template asked for by every fact (those that cannot make
    one simply get none)."""
    extra = ("true-statement", "first", "order", "match")
    return [dataclasses.replace(d, facts=tuple(
        dataclasses.replace(f, templates=(*f.templates, *extra)) for f in d.facts))
        for d in decks]


def review_card(col: Collection, card_id: int) -> None:
    """Answer this card 'Good', as the reviewer does."""
    from anki.scheduler_pb2 import CardAnswer

    card = col.get_card(card_id)
    card.start_timer()
    states = col._backend.get_scheduling_states(card.id)
    col.sched.answer_card(col.sched.build_answer(card=card, states=states,
                                                 rating=CardAnswer.GOOD))


def _events(decks: Sequence[Deck]) -> dict[str, Fact]:
    return {f.event: f for d in decks for f in d.facts if f.event}


def test_history_cards_show_the_right_order_pairs_dates_and_reasons(tmp_path: Path) -> None:
    """Each new card, rendered by Anki, checked against the facts themselves (not the item's
    key): an order card's back lists the events earliest first with their dates, a match
    card's back pairs each event with its own year, a "Which came first?" back dates both
    events, and a true-statement back says why each false statement is false."""
    decks = history_deck(tmp_path)
    items = build(decks)
    assert {i.template for i in items} == set(HISTORY)
    by_event = _events(decks)
    false_why = {w.text: w.why for d in decks for f in d.facts for w in f.false_statements}
    check_package(tmp_path, decks, items)  # every card, every kind, and a rebuild
    with collection(tmp_path) as col:
        assert {m["name"] for m in col.models.all() if m["name"].startswith("histquiz")} == {
            MULTIPLE_CHOICE.name, DATE_RECALL.name, ORDER.name, MATCH.name}
        seen: set[str] = set()
        for cid in col.find_cards("Item:history/*/true-statement OR Item:history/*/first OR "
                                  "Item:history/*/order OR Item:history/*/match"):
            card = col.get_card(cid)
            template = card.note()["Item"].rsplit("/", 1)[1]
            seen.add(template)
            front, back = Shown(card.question()), Shown(card.answer())
            shown = front.options
            if template == "order":
                assert front.texts["hq-question"] == "Put these events in order, earliest first."
                assert front.table("hq-options", "hq-letter") == [(x,) for x in "ABCD"[:len(shown)]]
                earliest = sorted(shown, key=lambda e: sort_key_for_date(by_event[e].date))
                assert back.table("hq-timeline", "hq-date", "hq-letter", "hq-text") == [
                    (by_event[e].date.display(), "ABCD"[shown.index(e)], e)
                    for e in earliest]
                assert back.texts["hq-sequence"] == " → ".join("ABCD"[shown.index(e)]
                                                               for e in earliest)
            elif template == "match":
                years = front.table("hq-targets", "hq-letter", "hq-target")
                assert [y for _, y in years] == sorted(y for _, y in years)
                letter_of = {year: letter for letter, year in years}
                expected = []
                for n, (number, event) in enumerate(front.table("hq-options", "hq-letter",
                                                                "hq-text"), 1):
                    assert number == str(n)
                    when = by_event[event].date
                    assert when is not None and len(years_of(when)) == 1
                    year = str(years_of(when)[0])
                    expected.append((event, letter_of[year], year))
                assert back.table("hq-pairs", "hq-text", "hq-pair-letter", "hq-target") == expected
            elif template == "first":
                dates = {e: by_event[e].date for e in shown}
                earlier = min(shown, key=lambda e: sort_key_for_date(dates[e]))
                assert back.correct == [earlier]
                assert back.table("hq-options", "hq-option-note") == [
                    (dates[e].display(),) for e in shown]
                assert "hq-when" not in back.texts  # the fact's own date would be a third one
                assert not any(d.display() in card.question() for d in dates.values()
                               if d is not None)
            else:
                (true,) = back.correct
                assert back.table("hq-options", "hq-option-note") == [
                    ("",) if o == true else (false_why[o],) for o in shown]
                assert ODD_WHY in back.texts["hq-option-note"]  # shown as text, not bold
                assert "<b>separately</b>" not in card.answer()
        assert seen == {"true-statement", "first", "order", "match"}
        # The odd event shows literally on the front and back of every card that names it.
        odd = col.find_cards("Item:history/*/order OR Item:history/*/match")
        assert any(ODD_EVENT in Shown(col.get_card(c).question()).options for c in odd)
        for cid in odd:
            card = col.get_card(cid)
            assert card.question_av_tags() == [] and card.answer_av_tags() == []


def test_history_notes_update_in_place(tmp_path: Path) -> None:
    """A package with the history templates goes on top of one without them (no note type is
    copied, nothing conflicts); a rebuild with reworded questions and a renamed event updates
    exactly the notes that changed, keeping their reviews."""
    (tmp_path / "src").mkdir()
    decks = history_deck(tmp_path / "src")
    items = build(decks)
    before = [i for i in items if i.template in HISTORY[:4]]
    assert 0 < len(before) < len(items)
    first = tmp_path / "first.apkg"
    write_apkg(before, first, anki_ctx(decks, T1))
    apkg = tmp_path / "history.apkg"
    write_apkg(items, apkg, anki_ctx(decks, T2, previous=first))
    with collection(tmp_path) as col:
        assert import_apkg(col, first).new == len(before)
    with collection(tmp_path) as col:
        assert import_apkg(col, apkg) == Counts(new=len(items) - len(before), updated=0,
                                                duplicate=len(before), conflicting=0,
                                                first_field_match=0)
    with collection(tmp_path) as col:
        assert col.note_count() == len(items)
        names = [m["name"] for m in col.models.all()]
        assert not [n for n in names if n.endswith("+")] and len(names) == len(set(names))
        reviewed = {}
        for template in ("order", "match", "first", "true-statement"):
            cid = col.find_cards(f"Item:history/treaty/{template}")[0]
            review_card(col, cid)
            reviewed[cid] = col.db.scalar("select count() from revlog where cid = ?", cid)
        assert set(reviewed.values()) == {1}
        note_ids = set(col.find_notes(""))

    # Reword the order and match questions, and rename an event in the YAML.
    renamed = history_deck(tmp_path / "src", renamed=True)
    reworded = {"order": "Put these events in time order, earliest first.",
                "match": "Match each event to the year it happened."}
    items2 = [dataclasses.replace(i, question=reworded.get(i.kind, i.question))
              for i in build(renamed)]
    assert [i.id for i in items2] == [i.id for i in items]
    write_apkg(items2, tmp_path / "history-2.apkg", anki_ctx(renamed, T2 + 60, previous=apkg))
    # The notes whose fields changed: every order and match note, and those naming the event.
    query = "select flds from notes"
    fields = [set(r[0] for r in _package_rows(p, query)) for p in (apkg, tmp_path / "history-2.apkg")]
    changed = {html.unescape(f.rsplit("\x1f", 1)[1]) for f in fields[1] - fields[0]}
    names_event = {i.id for i in items2 if "The first satellite is launched" in (
        *i.options, i.answer, i.event if i.kind == "date" else "")}
    assert {i.id for i in items2 if i.kind in ("order", "match")} | names_event == changed
    assert any("/first" in i for i in names_event) and changed < {i.id for i in items}
    with collection(tmp_path) as col:
        assert import_apkg(col, tmp_path / "history-2.apkg") == Counts(
            new=0, updated=len(changed), duplicate=len(items2) - len(changed), conflicting=0,
            first_field_match=0)
    with collection(tmp_path) as col:
        assert set(col.find_notes("")) == note_ids
        for cid, reviews in reviewed.items():
            card = col.get_card(cid)
            assert card.reps == 1
            assert col.db.scalar("select count() from revlog where cid = ?", cid) == reviews
            item_id = card.note()["Item"]
            shown = Shown(card.question())
            kind = next(i.kind for i in items2 if i.id == item_id)
            assert shown.texts["hq-question"] == reworded.get(kind, shown.texts["hq-question"])
        for cid in col.find_cards("Item:history/*/order OR Item:history/*/match"):
            text = col.get_card(cid).question() + col.get_card(cid).answer()
            assert "The first satellite goes up" not in text
        assert col.find_cards('"The first satellite is launched"')


def test_history_packages_are_byte_identical(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T1))
    decks = history_deck(tmp_path)
    a, b = tmp_path / "a.apkg", tmp_path / "b.apkg"
    write_apkg(build(decks), a, anki_ctx(decks, T1, reproducible=True))
    write_apkg(build(history_deck(tmp_path)), b, anki_ctx(decks, T1, reproducible=True))
    assert a.read_bytes() == b.read_bytes()
    kinds = _package_rows(a, "select mid, count() from notes group by mid")
    assert {mid for mid, _ in kinds} == {t.model_id for t in (MULTIPLE_CHOICE, DATE_RECALL,
                                                                ORDER, MATCH)}


def test_the_anki_format_holds_every_kind(mini_decks: list[Deck]) -> None:
    """Nothing is left out by design: order and match items become notes of their own."""
    items = build(with_history_templates(mini_decks))
    assert {"order", "match"} <= {i.kind for i in items}
    assert set(ITEM_KINDS) <= set(get_format("anki").kinds)
    rendered = render_format("anki", items, anki_ctx(mini_decks, T1))
    assert rendered.skipped == () and rendered.count == len(items)


@pytest.mark.parametrize(("kind", "change", "message"), [
    pytest.param("order", {"key": (0, 0, 1, 2)}, "needs a date for each event", id="order-key"),
    pytest.param("order", {"notes": ()}, "needs a date for each event", id="order-dates"),
    pytest.param("match", {"key": (0, 9, 1, 2)}, "needs a target for each event", id="match-key"),
])
def test_broken_history_items_are_refused(tmp_path: Path, mini_decks: list[Deck], kind: str,
                                          change: dict[str, Any], message: str) -> None:
    items = build(with_history_templates(mini_decks))
    target = next(n for n, i in enumerate(items) if i.kind == kind and len(i.options) == 4)
    items[target] = dataclasses.replace(items[target], **change)
    with pytest.raises(ExportError, match=message):
        write_apkg(items, tmp_path / "x.apkg", anki_ctx(mini_decks, T1))
    assert list(tmp_path.iterdir()) == []


def test_base91_writes_each_digit() -> None:
    """Two digits at a time, as one at a time would write them: the numbers around every
    power of 91 that a GUID's 64 bits reach, and 0."""
    from histquiz.export.anki.writer import _BASE91, base91

    def one_by_one(number: int) -> str:
        out = ""
        while number:
            number, rest = divmod(number, 91)
            out = _BASE91[rest] + out
        return out

    numbers = {0, 2**64 - 1} | {91**k + d for k in range(11) for d in (-1, 0, 1)}
    for number in sorted(n for n in numbers if 0 <= n < 2**64):
        assert base91(number) == one_by_one(number), number


@given(st.text(min_size=1, max_size=120))
def test_note_guids_are_genanki_s(item_id: str) -> None:
    """Every GUID histquiz ever wrote came from genanki's guid_for; the one worked out here must
    be the same for any id, or a rebuilt package would add every note again."""
    import genanki

    for note_type in NOTE_TYPES:
        assert note_guid(note_type, item_id) == genanki.guid_for("histquiz", note_type.key, item_id)
