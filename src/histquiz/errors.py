"""The one error family: every message is already fit to show a user."""

from __future__ import annotations


class HistquizError(Exception):
    """Base of every error histquiz raises on purpose; the CLI prints it and exits 1."""


class DeckError(HistquizError):
    """Problems found while loading decks, each already formatted as ``path:line:col: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class ExportError(HistquizError):
    """An exporter could not write its output."""


class UsageError(HistquizError):
    """Bad command-line input that argparse could not catch (an unknown deck id, say)."""
