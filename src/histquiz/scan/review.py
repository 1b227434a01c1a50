"""The teacher's review of the doubtful marks: one question at a time, with the crop's path,
and the decision kept in the output folder (review/decisions.json) so that every later run
applies it. The walk takes an ``ask`` callable, so it is tested without a terminal; the
terminal's ``ask`` is made with questionary."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..atomic import write_file
from .mark import Doubt

NO_ANSWER = "no answer"
LATER = "decide later"
STOP = "stop reviewing"

# (doubt, where its crop is, its place in the list "3/7") → the decision: a label, "" for no
# answer, LATER to pass, None to stop
Ask = Callable[[Doubt, Path, str], str | None]


def walk(doubts: Sequence[Doubt], crops: Path, decisions: dict[str, str], ask: Ask) -> int:
    """Ask about each doubt not yet decided; record the answers in ``decisions``. Returns how
    many were decided."""
    decided = 0
    for n, doubt in enumerate(doubts, start=1):
        if doubt.key in decisions:
            continue
        answer = ask(doubt, crops / doubt.crop, f"{n}/{len(doubts)}")
        if answer is None:
            break
        if answer == LATER:
            continue
        decisions[doubt.key] = answer
        decided += 1
    return decided


def save(path: Path, decisions: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, (json.dumps(decisions, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
               .encode("utf-8"))


def terminal_ask(sheet_labels: dict[str, str], **prompt_io: Any) -> Ask:
    """An ``ask`` that shows a questionary menu (``prompt_io``: input= and output= for tests)."""
    import questionary

    def ask(doubt: Doubt, crop: Path, place: str) -> str | None:
        message = (f"[{place}] {sheet_labels.get(doubt.sheet, doubt.sheet)}, {doubt.label}: "
                   f"read as {doubt.read} ({doubt.why}). Crop: {crop}")
        choices = [*doubt.choices, NO_ANSWER, LATER, STOP]
        answer = questionary.select(message, choices=choices, **prompt_io).ask()
        if answer is None or answer == STOP:
            return None
        return "" if answer == NO_ANSWER else str(answer)

    return ask
