"""Time `write_apkg` on a 10,000-fact synthetic deck against two ways of writing the same number
of notes with genanki, in the same run.

Run by hand:  python bench/bench_anki.py [--facts 10000] [--repeat 3]

- bare genanki: what anyone would write with genanki alone: one two-field note type, one deck,
  the item's question and answer (escaped) as the fields, a GUID from the item id, and
  Package.write_to_file. The acceptance limit is 2× for write_apkg.
- public API: histquiz's own notes (the same fields, tags, GUIDs, decks and new-card order)
  written through genanki's public API only (genanki.Note, genanki.Deck.add_note,
  Package.write_to_file), instead of write_apkg's rows inserted straight into the collection.
  The public API has no per-note modification time, so this way cannot keep an unchanged
  note's time (see export/anki/writer.py); it is measured to show what the direct writer saves.

Each runs --repeat times, alternating; the best time of each counts. Loading and generating are
printed too: they are the same for every exporter and belong to bench_generate.py.
"""

from __future__ import annotations

import argparse
import html
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from synth import write_deck

from histquiz import Deck, Item, generate, load_decks
from histquiz.export.anki.writer import write_apkg
from histquiz.export.registry import Context

STAMP = 1_750_000_000


def bare_genanki(items: Sequence[Item], path: Path) -> None:
    import genanki

    model = genanki.Model(
        1_607_392_319, "Bare",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}",
                    "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
    )
    deck = genanki.Deck(2_059_400_110, "Bare")
    for item in items:
        deck.add_note(genanki.Note(model=model, fields=[html.escape(item.question),
                                                        html.escape(item.answer)],
                                   guid=genanki.guid_for(item.id)))
    genanki.Package(deck).write_to_file(str(path), timestamp=STAMP)


def public_api_apkg(items: Sequence[Item], decks: Sequence[Deck], path: Path) -> None:
    import genanki

    from histquiz.export.anki import writer

    maker = writer._FieldMaker(decks, items, writer.DATE_RECALL)
    notes = [maker.note(item) for item in items]
    due = writer._new_card_positions(items, decks)
    models = {t.model_id: writer._genanki_model(t)
              for t in (writer.MULTIPLE_CHOICE, writer.DATE_RECALL)}
    root = genanki.Deck(writer._deck_id(writer.ROOT_DECK), writer.ROOT_DECK)
    by_name: dict[str, genanki.Deck] = {}
    for i in sorted(range(len(items)), key=due.__getitem__):
        note = notes[i]
        deck = by_name.setdefault(note.deck, genanki.Deck(writer._deck_id(note.deck), note.deck))
        deck.add_note(genanki.Note(model=models[note.note_type.model_id], fields=note.fields,
                                   tags=note.tags, guid=note.guid, due=due[i]))
    genanki.Package([root, *(by_name[n] for n in sorted(by_name))]).write_to_file(
        str(path), timestamp=STAMP)


def histquiz_apkg(items: Sequence[Item], decks: Sequence[Deck], path: Path) -> None:
    write_apkg(items, path, Context(decks=tuple(decks), seed=0, build_time=STAMP))


def best(run: Callable[[], None], times: list[float]) -> None:
    start = time.perf_counter()
    run()
    times.append(time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--facts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        deck_file = write_deck(folder, args.facts, seed=1, deck_id="bench")
        start = time.perf_counter()
        decks = load_decks([deck_file])
        loaded = time.perf_counter()
        items = generate(decks, 0)
        generated = time.perf_counter()
        print(f"{args.facts} facts → {len(items)} items: load {loaded - start:.2f} s, "
              f"generate {generated - loaded:.2f} s")
        ours: list[float] = []
        bare: list[float] = []
        public: list[float] = []
        for _ in range(args.repeat):
            best(lambda: bare_genanki(items, folder / "bare.apkg"), bare)
            best(lambda: public_api_apkg(items, decks, folder / "public.apkg"), public)
            best(lambda: histquiz_apkg(items, decks, folder / "histquiz.apkg"), ours)
        size_bare = (folder / "bare.apkg").stat().st_size
        size_public = (folder / "public.apkg").stat().st_size
        size_ours = (folder / "histquiz.apkg").stat().st_size
    print(f"bare genanki: {min(bare):.2f} s for {len(items)} notes ({size_bare / 1e6:.1f} MB)")
    print(f"public API:   {min(public):.2f} s for {len(items)} notes ({size_public / 1e6:.1f} MB)")
    print(f"write_apkg:   {min(ours):.2f} s for {len(items)} notes ({size_ours / 1e6:.1f} MB)")
    print(f"ratio write_apkg / bare genanki: {min(ours) / min(bare):.2f}× (limit 2×)")
    print(f"ratio public API / write_apkg: {min(public) / min(ours):.2f}×")


if __name__ == "__main__":
    main()
