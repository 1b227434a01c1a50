"""Time `write_apkg` on a 10,000-fact synthetic deck against a bare genanki script that writes the
same number of notes, in the same run.

Run by hand:  python bench/bench_anki.py [--facts 10000] [--repeat 3]

The baseline is what anyone would write with genanki alone: one two-field note type, one deck,
the item's question and answer (escaped) as the fields, a GUID from the item id, and
Package.write_to_file. Each side runs --repeat times, alternating; the best time of each counts.
The acceptance limit is 2× for write_apkg. Loading and generating are printed too: they are the
same for every exporter and belong to bench_generate.py.
"""

from __future__ import annotations

import argparse
import html
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from synth import write_deck

from histquiz import Deck, Item, generate, load_decks
from histquiz.export.anki.writer import write_apkg

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


def histquiz_apkg(items: Sequence[Item], decks: Sequence[Deck], path: Path) -> None:
    write_apkg(items, decks, path, timestamp=STAMP)


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
        items = generate(decks, random.Random(0))
        generated = time.perf_counter()
        print(f"{args.facts} facts → {len(items)} items: load {loaded - start:.2f} s, "
              f"generate {generated - loaded:.2f} s")
        ours: list[float] = []
        bare: list[float] = []
        for _ in range(args.repeat):
            best(lambda: bare_genanki(items, folder / "bare.apkg"), bare)
            best(lambda: histquiz_apkg(items, decks, folder / "histquiz.apkg"), ours)
        size_bare = (folder / "bare.apkg").stat().st_size
        size_ours = (folder / "histquiz.apkg").stat().st_size
    print(f"bare genanki: {min(bare):.2f} s for {len(items)} notes ({size_bare / 1e6:.1f} MB)")
    print(f"write_apkg:   {min(ours):.2f} s for {len(items)} notes ({size_ours / 1e6:.1f} MB)")
    ratio = min(ours) / min(bare)
    print(f"ratio write_apkg / bare genanki: {ratio:.2f}× (limit 2×)")


if __name__ == "__main__":
    main()
