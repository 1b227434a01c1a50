"""Time load + validate + generate on synthetic decks of 1,000, 10,000 and 100,000 facts.

Run by hand:  python bench/bench_generate.py [--sizes 1000,10000,100000]
It prints a table, the seconds per 10,000 facts, and the 100k/10k ratio (linear would be 10×).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from synth import write_deck

from histquiz import generate, load_decks


def measure(folder: Path, n: int) -> tuple[float, float, int]:
    path = write_deck(folder, n, seed=n, deck_id=f"bench{n}")
    start = time.perf_counter()
    decks = load_decks([path])
    loaded = time.perf_counter()
    items = generate(decks, 0)
    done = time.perf_counter()
    return loaded - start, done - loaded, len(items)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    results: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'facts':>8} {'items':>8} {'load+validate s':>16} {'generate s':>11} {'total s':>8}")
        for n in sizes:
            load_s, gen_s, count = measure(Path(tmp), n)
            results[n] = load_s + gen_s
            print(f"{n:>8} {count:>8} {load_s:>16.2f} {gen_s:>11.2f} {results[n]:>8.2f}")
    if 10000 in results:
        print(f"seconds per 10,000 facts: {results[10000]:.2f}")
    if 10000 in results and 100000 in results:
        ratio = results[100000] / results[10000]
        print(f"100k / 10k time ratio: {ratio:.1f}x (limit 12x)")


if __name__ == "__main__":
    main()
