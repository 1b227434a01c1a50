"""Small text helpers shared by the loader, the generators and every output: comparing answers,
printing numbers, naming topics."""

from __future__ import annotations

import contextlib
import functools
import gc
import re
import unicodedata
from collections.abc import Iterator

_PUNCT = re.compile(r"[^\w\s%]")


@functools.lru_cache(maxsize=1 << 16)
def normalize(text: str) -> str:
    """Fold case, accents, punctuation and spacing, so 'Nehru,' and 'nehru' compare equal."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_PUNCT.sub(" ", text.casefold()).split())


_SMALL_WORDS = frozenset({"and", "of", "the", "in", "on", "for", "to", "a", "an", "vs"})
_ACRONYMS = {"un": "UN", "us": "US", "usa": "USA", "uk": "UK", "ussr": "USSR", "brics": "BRICS",
             "sco": "SCO", "isro": "ISRO", "nato": "NATO", "ngo": "NGO", "eu": "EU", "nam": "NAM",
             "drdo": "DRDO", "g20": "G20"}


def topic_title(slug: str) -> str:
    """A topic slug as a title, the one every output uses: ``cold-war`` → ``Cold War``,
    ``un`` → ``UN``, ``science-and-space`` → ``Science and Space``."""
    out = []
    for i, word in enumerate(w for w in slug.replace("_", "-").split("-") if w):
        if word.lower() in _ACRONYMS:
            out.append(_ACRONYMS[word.lower()])
        elif i and word in _SMALL_WORDS:
            out.append(word)
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


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


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects that all stay alive.

    Loading and generating allocate hundreds of thousands of objects and free almost none;
    the collector would walk them again and again for nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
