"""Synthetic decks for tests and benchmarks: any size, seeded, with awkward text on purpose.

The facts are invented (they teach nothing) but exercise every template, every answer kind,
spans, every date precision, and characters that break naive escaping or fonts:
``& < > " '``, typographic quotes and dashes, accented Latin and Cyrillic.
"""

from __future__ import annotations

import random
from pathlib import Path

AWKWARD = [
    "AT&T <b>bold</b>", "“quoted” — dash", "Хрущёв", "São Tomé", "a {brace} #hash ~tilde =eq :colon",
    "O'Brien & \"Sons\"", "Ñandú", "Zürich", "Łódź", "Москва",
]  # fmt: skip
SURNAMES = ["Petrov", "Ivanova", "Sharma", "Iyer", "Kumar", "Sokolov", "Novak", "Das", "Rao",
            "Volkov", "Mehta", "Orlov", "Bose", "Kapoor", "Smirnov", "Menon"]
CITIES = ["Ashford", "Brindle", "Carrow", "Dunmore", "Eastwick", "Fairholm", "Glenrock",
          "Harwich", "Islay", "Juniper", "Kestrel", "Lowther"]


def _letters(n: int) -> str:
    """A number spelled in letters (a, b, …, ba, bb), so no label looks like a year."""
    out = ""
    while True:
        out = "abcdefghijklmnopqrstuvwxyz"[n % 26] + out
        n //= 26
        if n == 0:
            return out


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def deck_yaml(n_facts: int, seed: int = 0, deck_id: str = "synth", awkward: bool = True) -> str:
    rng = random.Random(seed)
    lines = [
        "deck:",
        f"  id: {deck_id}",
        f"  title: {_q('Synthetic deck ' + deck_id + (' — Хрущёв & <co>' if awkward else ''))}",
        f"  description: {_q('Invented facts for testing; ' + ('AT&T <i>x</i>' if awkward else 'plain'))}",
        "sources:",
        f"  {deck_id}-src-1:",
        f"    title: {_q('A test source & its <title>' if awkward else 'A test source')}",
        "    publisher: Test Press",
        "    date: 2001-02-03",
        f"  {deck_id}-src-2:",
        f"    title: {_q('Второй источник' if awkward else 'Second source')}",
        "    author: A. Author",
        "    date: 1999",
        "pools:",
        f"  person.{deck_id}: [" + ", ".join(_q(f"{s} {deck_id}") for s in SURNAMES) + "]",
        f"  place.{deck_id}: [" + ", ".join(_q(c) for c in CITIES) + "]",
        "facts:",
    ]
    for i in range(n_facts):
        year = rng.randint(1947, 2025)
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        shape = rng.random()
        if shape < 0.3:
            date = f"{year}"
        elif shape < 0.55:
            date = f"{year}-{month:02d}"
        elif shape < 0.9:
            date = f"{year}-{month:02d}-{day:02d}"
        else:
            date = f"{year}-{month:02d}-{day:02d}/{year}-{month:02d}-{min(day + 5, 28):02d}"
        odd = rng.choice(AWKWARD) if awkward and rng.random() < 0.3 else ""
        label = f"event {_letters(i)} {odd}".strip()
        lines += [
            f"  - id: f{i}",
            f"    statement: {_q(f'Statement of {label}.')}",
            f"    event: {_q(f'The {label} takes place')}",
            f"    when: {_q(f'did the {label} take place')}",
            f"    date: {date}",
            f"    topic: topic-{i % 7}",
            f"    tags: [t{i % 5}]",
            f"    sources: [{deck_id}-src-{1 + i % 2}]",
            f"    explanation: {_q(f'Explanation of {label}: 5 < 6 & 7 > 3.')}",
            "    questions:",
            "      - id: who",
            f"        ask: {_q(f'Who led the {label}?')}",
            f"        answer: {_q(f'{SURNAMES[i % len(SURNAMES)]} {deck_id}')}",
            f"        kind: person.{deck_id}",
            "      - id: share",
            f"        ask: {_q(f'What share did the {label} reach?')}",
            f"        answer: {rng.choice([12, 25, 36, 40, 55, 76, 80])}",
            "        kind: percentage",
        ]
        if i % 3 == 0:
            lines += [
                "      - id: where",
                f"        ask: {_q(f'Where did the {label} happen?')}",
                f"        answer: {_q(CITIES[i % len(CITIES)])}",
                f"        kind: place.{deck_id}",
            ]
    return "\n".join(lines) + "\n"


def write_deck(folder: Path, n_facts: int, seed: int = 0, deck_id: str = "synth",
               awkward: bool = True) -> Path:
    path = folder / f"{deck_id}.yaml"
    path.write_text(deck_yaml(n_facts, seed, deck_id, awkward), encoding="utf-8")
    return path
