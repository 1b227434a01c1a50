"""Small text helpers shared by the loader and the generators: comparing answers, printing numbers."""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[^\w\s%]")


def normalize(text: str) -> str:
    """Fold case, accents, punctuation and spacing, so 'Nehru,' and 'nehru' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_PUNCT.sub(" ", stripped.casefold()).split())


def format_number(value: float, base_kind: str, unit: str | None = None) -> str:
    """Print a number the way a question shows it: 36%, 20 years, 1,200 tanks, 50.5%."""
    if value == int(value):
        text = f"{int(value):,}" if base_kind != "year" else str(int(value))
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if base_kind == "percentage":
        return f"{text}%"
    if unit:
        return f"{text} {unit}"
    return text
