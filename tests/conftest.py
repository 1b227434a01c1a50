"""Shared fixtures: the built-in decks, the small test deck, and a factory of unseen decks."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from histquiz import Deck, load_decks

# The compiled cache is off unless a test turns it on (tests/test_cache.py), so that no test
# writes to the user's cache folder or depends on what an earlier one left there.
os.environ["HISTQUIZ_CACHE"] = "off"

DATA = Path(__file__).parent / "data"
GOOD = DATA / "good"


@pytest.fixture(scope="session")
def builtin_decks() -> list[Deck]:
    return load_decks()


@pytest.fixture(scope="session")
def mini_decks() -> list[Deck]:
    return load_decks([GOOD / "mini.yaml"])


@pytest.fixture
def rng() -> random.Random:
    return random.Random(1234)
