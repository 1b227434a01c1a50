"""What a command wrote into a folder: its files, without the folder's record of them."""

from __future__ import annotations

from pathlib import Path

from histquiz.owned import RECORD


def outputs_in(folder: Path) -> list[Path]:
    """The files in ``folder`` (sorted), the record histquiz keeps of what it wrote aside."""
    return sorted(p for p in folder.iterdir() if p.name != RECORD)
