"""Peak memory of loading (and generating from) synthetic decks of 10,000 and 100,000 facts.

Run by hand:  python bench/bench_memory.py [--sizes 10000,100000] [--generate]

Each size runs in a fresh process, since a process's peak resident size only ever grows. The
floor, measured in the same run, is such a process that has imported histquiz and loaded
nothing; the table gives each peak above that floor and its ratio to the deck file's size.
The issue this answers measured 1.0 GB for a 12 MB file (about 100x); the target is a
10,000-fact deck well under 1 GB.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from synth import write_deck  # noqa: E402

# Prints the peak resident size (KiB, as Linux reports ru_maxrss) after each stage.
CHILD = """
import resource, sys
from histquiz import generate, load_decks

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

print(peak(), flush=True)
if len(sys.argv) > 1:
    decks = load_decks([sys.argv[1]])
    print(peak(), flush=True)
    if sys.argv[2:] == ["generate"]:
        generate(decks, 0)
        print(peak(), flush=True)
"""


def peaks(*args: str) -> list[int]:
    """The child's peaks, in bytes."""
    env_path = str(ROOT / "src")
    result = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True,
                            check=True, env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"})
    return [int(line) * 1024 for line in result.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--generate", action="store_true",
                        help="also generate the items (slow for 100,000 facts)")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    mib = 1024 * 1024
    (floor,) = peaks()
    print(f"floor (histquiz imported, nothing loaded): {floor / mib:.0f} MiB")
    heading = f"{'facts':>8} {'file MiB':>9} {'load MiB':>9} {'x file':>7}"
    print(heading + (f" {'+generate MiB':>14} {'x file':>7}" if options.generate else ""))
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = write_deck(Path(tmp), n, seed=n, deck_id=f"mem{n}")
            size = path.stat().st_size
            found = peaks(str(path), *(["generate"] if options.generate else []))
            load = found[1] - floor
            row = f"{n:>8} {size / mib:>9.1f} {load / mib:>9.0f} {load / size:>7.1f}"
            if options.generate:
                total = found[2] - floor
                row += f" {total / mib:>14.0f} {total / size:>7.1f}"
            print(row, flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
