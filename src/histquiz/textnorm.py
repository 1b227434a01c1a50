"""Small text helpers shared by the loader, the generators and every output: comparing answers,
printing numbers, naming topics."""

from __future__ import annotations

import contextlib
import functools
import gc
import re
import unicodedata
from collections.abc import Iterator

# Punctuation folds away, but '%', '#' and '+' carry meaning: 36% is not 36, and C#, C++ and C
# are three different answers.
_PUNCT = re.compile(r"[^\w\s%#+]")


class _Marks(dict[int, "int | None"]):
    """A ``str.translate`` table that drops combining marks (accents, once decomposed) and
    keeps every other character, each looked up in Unicode's tables once, when first met."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_DROP_MARKS = _Marks()


@functools.lru_cache(maxsize=1 << 16)
def normalize(text: str) -> str:
    """Fold case, accents, punctuation and spacing, so 'Nehru,' and 'nehru' compare equal
    (but 'C#' and 'C++' do not)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_DROP_MARKS)
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
    """Pause the cyclic garbage collector while building many small objects that all stay alive,
    and when the block ends without an error, move them out of its sight for good.

    Loading and generating allocate hundreds of thousands of objects and free almost none;
    the collector would walk them again and again for nothing. Once it runs again, its first
    pass would walk every one of them too (a third of a second for 10,000 facts' items), so
    they are frozen instead (``gc.freeze``): they are still freed when no longer used, but a
    reference cycle among them, or among objects the caller had made before, is never
    collected. Neither the decks nor the items make cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if was_enabled:
            gc.enable()


# --- characters that do not belong in text --------------------------------------------------

# What a terminal acts on rather than shows, and what no text needs: C0 and C1 controls (and
# DEL), lone surrogates, noncharacters (U+FDD0-U+FDEF and the last two code points of every
# plane), the line and paragraph separators, and the bidirectional embeddings, overrides and
# isolates (which make a line read differently from what it holds). textui escapes them in
# anything printed; the loader refuses them in deck text.
_FIRST_PLANE = "\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\u2028\u2029\u202a-\u202e\u2066-\u2069"
_BEYOND = "".join(chr(plane + 0xFFFE) + chr(plane + 0xFFFF)
                  for plane in range(0x10000, 0x110000, 0x10000))
UNSAFE = re.compile(f"[\x00-\x1f{_FIRST_PLANE}{_BEYOND}]")
# the same, but a line break is fine: deck text may run over several lines
UNSAFE_IN_TEXT = re.compile(f"[\x00-\x09\x0b-\x1f{_FIRST_PLANE}{_BEYOND}]")
# The same two without the characters beyond the first plane. The regular expression engine
# tries those 32 one after another at every character, which makes a search of UNSAFE ten times
# as slow: text that holds no character beyond the first plane is searched with these instead.
_UNSAFE_FIRST = re.compile(f"[\x00-\x1f{_FIRST_PLANE}]")
_UNSAFE_IN_TEXT_FIRST = re.compile(f"[\x00-\x09\x0b-\x1f{_FIRST_PLANE}]")
_BEYOND_FIRST_PLANE = re.compile("[\U00010000-\U0010ffff]")


def find_unsafe(text: str, line_breaks: bool = False) -> re.Match[str] | None:
    """The first character of ``text`` that UNSAFE finds (UNSAFE_IN_TEXT, with
    ``line_breaks``), as their ``search`` gives it; what loading and printing ask of every
    value."""
    if _BEYOND_FIRST_PLANE.search(text) is None:
        return (_UNSAFE_IN_TEXT_FIRST if line_breaks else _UNSAFE_FIRST).search(text)
    return (UNSAFE_IN_TEXT if line_breaks else UNSAFE).search(text)


def describe_char(ch: str) -> str:
    """``U+001B (a control character)``: a character named for a message that must not
    contain it."""
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        kind = "a tab" if ch == "\t" else ("a carriage return" if ch == "\r" else
                                           "a control character")
    elif 0xD800 <= code <= 0xDFFF:
        kind = "half of a surrogate pair, not a character"
    elif code in (0x2028, 0x2029):
        kind = "a line or paragraph separator"
    elif 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        kind = "a bidirectional override, which changes how the text reads"
    else:
        kind = "a Unicode noncharacter"
    return f"U+{code:04X} ({kind})"
