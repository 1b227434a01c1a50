"""Shared fixtures: the built-in decks, the small test deck, and a factory of unseen decks."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from histquiz import Deck, load_decks

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
