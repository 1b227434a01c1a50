"""One seed per run, and a named random stream for every stage that shuffles or draws.

A command resolves its seed once (``--seed``, or one drawn at random when the command has no
default) and hands the number on. Each stage derives its own stream from (seed, stage, key):
an item's distractors from its id, a worksheet's versions from the version letter, a sample of
items from the stage's name. Streams never share state, so one stage drawing more or less can
never shift what another stage draws, and the same seed gives the same output in every command.
"""

from __future__ import annotations

import _random
import hashlib
import random

# The stages, named once so that two places cannot spell one differently.
ITEM = "item"  # an item's distractors and option order, keyed by the item id
SAMPLE = "sample"  # --count: which items a listing or a classroom file holds
WORKSHEET_PICK = "worksheet-pick"  # which questions a worksheet asks
WORKSHEET_VERSION = "worksheet-version"  # a version's order and options, keyed by its letter
QUIZ = "quiz"  # the order a quiz session asks in
QUIZ_RETRY = "quiz-retry"  # the reshuffled options of a retried question, keyed by the item id


def derive(seed: int, stage: str, key: str = "") -> random.Random:
    """The random stream of ``stage`` (and ``key`` within it) for the run's ``seed``."""
    return random.Random(_number(seed, stage, key))


def reseed(rng: random.Random, seed: int, stage: str, key: str = "") -> None:
    """Start ``rng`` over as the stream ``derive(seed, stage, key)`` gives, without making a
    new generator: what each of a big deck's 80,000 items does (about 5% of generating)."""
    _seed_state(rng, _number(seed, stage, key))  # what random.Random.seed does for a number,
    rng.gauss_next = None  # type: ignore[attr-defined]  # without its Python wrapper


_seed_state = _random.Random.seed


def _number(seed: int, stage: str, key: str) -> int:
    digest = hashlib.blake2b(f"{seed}\x1f{stage}\x1f{key}".encode(), digest_size=16).digest()
    return int.from_bytes(digest, "big")


def draw() -> int:
    """A fresh seed for a run that was given none."""
    return random.SystemRandom().randrange(2**32)
