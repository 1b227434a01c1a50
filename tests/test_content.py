"""The shipped decks: enough sourced facts over enough topics, era-tagged, and the source
article's known errors never taught as right (see FACTCHECK in the project's notes)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from histquiz import Deck, Item, generate
from histquiz.textnorm import normalize

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def all_items(builtin_decks: list[Deck]) -> list[Item]:
    items: list[Item] = []
    for seed in range(5):
        items.extend(generate(builtin_decks, seed))
    return items


def test_size_and_spread(builtin_decks: list[Deck]) -> None:
    facts = [f for d in builtin_decks for f in d.facts]
    assert len(facts) >= 150
    assert len({f.topic for f in facts}) >= 6


def test_every_fact_is_sourced_dated_and_tagged(builtin_decks: list[Deck]) -> None:
    for deck in builtin_decks:
        for fact in deck.facts:
            assert fact.sources, fact.id
            for source in fact.sources:
                assert source.title and (source.author or source.publisher), source.id
            assert any(t.startswith("era::") for t in fact.all_tags), f"{fact.id} has no era"
            assert f"topic::{fact.topic}" in fact.all_tags


def test_article_errors_are_never_a_right_answer(all_items: list[Item]) -> None:
    for item in all_items:
        answer = normalize(item.answer)
        question = item.question
        # a "Central Asia Treaty Organisation" never existed: the pact was CENTO
        assert "central asia treaty" not in answer, item.id
        # the USSR abstained on Kashmir in 1951; its first veto came in 1957
        if "veto" in question.lower() and "kashmir" in question.lower():
            assert item.answer_date is None or item.answer_date.year != 1951, item.id
            assert "1951" not in item.answer, item.id
        # SIPRI's 76% is for 2009–13, not "2009"; the 70% of 1962–66 is unverified
        if answer == "76%":
            assert "2009–13" in question or "2009-13" in question, item.id
        assert answer != "70%", item.id
        assert not re.search(r"1962\s*[–-]\s*66", question), item.id


def test_corrections_say_the_article_has_it_otherwise(builtin_decks: list[Deck]) -> None:
    touched = {
        "resolution-91-1951": "1951", "first-kashmir-veto-1957": "1951",
        "sipri-2009-13": "2009",
    }
    facts = {f.id: f for d in builtin_decks for f in d.facts}
    for fact_id, claim in touched.items():
        explanation = facts[fact_id].explanation
        assert "article" in explanation.lower() and claim in explanation, fact_id
    cento = [f for f in facts.values() if "CENTO" in f.statement or "Central Treaty" in f.statement]
    assert any("Central Asia Treaty Organisation" in f.explanation for f in cento)


def test_readme_deck_table_is_current() -> None:
    table = subprocess.run([sys.executable, "-m", "histquiz", "decks", "--format", "markdown"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert table in (ROOT / "README.md").read_text(encoding="utf-8"), (
        "update the README's deck table from 'histquiz decks --format markdown'"
    )
