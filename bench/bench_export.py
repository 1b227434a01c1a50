"""Time the classroom exporters (Moodle XML, GIFT, Kahoot, Quizlet, JSON) on synthetic decks.

Run by hand:  python bench/bench_export.py [--sizes 1000,10000]
The baseline, measured in the same run, is generating the items; each exporter's time (render
and write to a file) is printed as a ratio to it, and the ratio between the largest and the
smallest size shows whether an exporter grows linearly with the number of items.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from synth import write_deck

from histquiz import generate, load_decks
from histquiz.export.registry import Context, names, write_format


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs (default 3)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    per_size: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in sizes:
            decks = load_decks([write_deck(folder, n, seed=n, deck_id=f"bench{n}")])
            items = generate(decks, 0, n_options=4)
            timings = {"generate (baseline)": best_of(
                args.runs, partial(generate, decks, random.Random(0), n_options=4))}
            ctx = Context(decks=tuple(decks), seed=0, build_time=1_700_000_000)
            for fmt in names("classroom"):
                target = folder / f"out-{n}.{fmt}"
                timings[fmt] = best_of(args.runs, partial(write_format, fmt, items, ctx, target))
            per_size[n] = timings
            base = timings["generate (baseline)"]
            print(f"\n{n} facts, {len(items)} items")
            print(f"{'step':<22} {'seconds':>8} {'× baseline':>11} {'µs/item':>8}")
            for name, seconds in timings.items():
                print(f"{name:<22} {seconds:>8.3f} {seconds / base:>11.2f} "
                      f"{seconds / len(items) * 1e6:>8.1f}")
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        print(f"\ntime ratio {large} / {small} facts (linear would be {large / small:.0f}×):")
        for name in per_size[small]:
            print(f"  {name:<22} {per_size[large][name] / per_size[small][name]:>6.1f}×")


if __name__ == "__main__":
    main()
