"""Seeds: one number per run, a named stream per stage, the same everywhere it is used."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from histquiz import generate, load_decks
from histquiz.seeds import ITEM, SAMPLE, WORKSHEET_PICK, derive, reseed


def _draws(r: random.Random) -> list[int]:
    return [r.randrange(10**9) for _ in range(5)]


def test_a_stream_depends_on_seed_stage_and_key_only() -> None:
    assert _draws(derive(3, ITEM, "a/b/c")) == _draws(derive(3, ITEM, "a/b/c"))
    others = [derive(4, ITEM, "a/b/c"), derive(3, SAMPLE, "a/b/c"), derive(3, ITEM, "a/b/d"),
              derive(3, WORKSHEET_PICK)]
    assert all(_draws(r) != _draws(derive(3, ITEM, "a/b/c")) for r in others)


@given(seed=st.integers(0, 2**64), stage=st.sampled_from([ITEM, SAMPLE, WORKSHEET_PICK]),
       key=st.text(max_size=40), before=st.integers(0, 3))
def test_a_generator_started_over_is_the_stream_derive_gives(seed: int, stage: str, key: str,
                                                             before: int) -> None:
    # what generation does for each item: one generator, started over, whatever it drew before
    # (a normal deviate waiting from gauss() included)
    rng = derive(7, SAMPLE, "before")
    for _ in range(before):
        rng.gauss(0, 1)
    reseed(rng, seed, stage, key)
    fresh = derive(seed, stage, key)
    assert [rng.gauss(0, 1), *_draws(rng), rng.random()] == [fresh.gauss(0, 1), *_draws(fresh),
                                                            fresh.random()]


def test_stage_and_key_cannot_run_together() -> None:
    # 'ab' + 'c' and 'a' + 'bc' are different streams
    assert _draws(derive(1, "ab", "c")) != _draws(derive(1, "a", "bc"))


def test_items_of_a_subset_are_those_of_the_whole(builtin_decks: list) -> None:  # type: ignore[type-arg]
    from histquiz import Selection

    whole = {i.id: i for i in generate(builtin_decks, 5)}
    part = generate(builtin_decks, 5, Selection(decks=("un",)))
    assert part and all(whole[i.id] == i for i in part)


def test_the_same_seed_gives_the_same_items_in_another_process(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json
    import os
    import subprocess
    import sys

    def run(hashseed: str) -> object:
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        out = subprocess.run([sys.executable, "-m", "histquiz", "items", "--format", "json",
                              "--seed", "9", "--count", "40", "--deck", "un"],
                             capture_output=True, text=True, check=True, env=env).stdout
        return json.loads(out)

    assert run("1") == run("2")
    assert load_decks is not None
