"""The one small module that draws for a terminal: tables, progress bars, counted nouns, and the
plain-ASCII fallbacks for a terminal (or a log file) whose encoding cannot show ✓ or █.

Nothing here decides what to say; callers hand over rows and labels and print the lines.

Two guards stand between any text and the terminal. ``safe`` escapes what a terminal would
act on rather than show (control characters such as ESC, which start screen-clearing or
link-planting sequences, line breaks inside one message, noncharacters, lone surrogates and
bidirectional overrides), so every line printed is one line of visible text. ``use_fallback``
makes a stream whose encoding cannot show a character write the nearest ASCII (``–`` as
``-``, ``é`` as ``e``) or an escape such as ``\u0425``, never a UnicodeEncodeError.
"""

from __future__ import annotations

import codecs
import contextlib
import shutil
import unicodedata
from collections.abc import Sequence
from typing import TextIO

from .textnorm import UNSAFE, find_unsafe

FANCY = {"check": "✓", "cross": "✗", "block": "█", "shade": "░", "dot": "·", "dash": "–"}
PLAIN = {"check": "+", "cross": "x", "block": "#", "shade": ".", "dot": "-", "dash": "-"}


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    code = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def safe(text: str) -> str:
    """``text`` as one line a terminal shows as it is: every character it would act on (see
    ``textnorm.UNSAFE``), a line break included, is written as a visible escape such as
    ``\\x1b`` or ``\\n``."""
    if find_unsafe(text) is None:
        return text
    return UNSAFE.sub(lambda m: _escape(m.group()), text)


def say(*lines: str, file: TextIO | None = None) -> None:
    """Print each line made ``safe`` (to standard output unless ``file`` is given)."""
    import sys

    stream = file if file is not None else sys.stdout
    for line in lines:
        stream.write(safe(line) + "\n")


def safe_lines(text: str) -> str:
    """Like ``safe``, but the text may run over several lines: each line is made safe."""
    return "\n".join(safe(line) for line in text.split("\n"))


# --- encodings that cannot show everything ---------------------------------------------------

# Typographic characters and our own symbols, as the ASCII a reader takes for them.
_ASCII = {
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"',
    "«": '"', "»": '"', "‹": "'", "›": "'", "–": "-", "—": "-", "―": "-", "‐": "-", "‑": "-",
    "−": "-", "…": "...", "·": "-", "•": "*", "→": "->", "←": "<-", "×": "x", "≈": "~",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "°": " deg", "✓": "+", "✗": "x", "█": "#",
    "░": ".", "№": "No.", "€": "EUR", "£": "GBP", "₹": "Rs",
}  # fmt: skip
FALLBACK = "histquiz-fallback"


def plain(ch: str) -> str:
    """The nearest ASCII for one character: a typographic mark's plain twin, a letter without
    its accent, or else an escape (``\\u0425``) that loses nothing."""
    if ch in _ASCII:
        return _ASCII[ch]
    stripped = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if stripped and stripped.isascii() and stripped.isprintable():
        return stripped
    return _escape(ch)


def _fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return "".join(plain(ch) for ch in exc.object[exc.start:exc.end]), exc.end


codecs.register_error(FALLBACK, _fallback)


def use_fallback(stream: TextIO) -> None:
    """Make ``stream`` write what its encoding can show (see ``plain``) instead of raising
    UnicodeEncodeError: a terminal or a log in ASCII, Latin-1 or cp1252 gets readable text."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and getattr(stream, "errors", None) != FALLBACK:
        with contextlib.suppress(ValueError, OSError):  # a closed or detached stream
            reconfigure(errors=FALLBACK)


def write_bytes(stream: TextIO, data: bytes) -> None:
    """Write a file's bytes (UTF-8 by its format) to ``stream`` unchanged, whatever the
    terminal's encoding: ``export -o -`` gives exactly the bytes ``-o FILE`` writes."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(data.decode("utf-8"))
        return
    stream.flush()
    buffer.write(data)
    buffer.flush()


def can_show(stream: TextIO, text: str) -> bool:
    """Can ``stream``'s encoding write ``text``? (A stream without one is taken as UTF-8.)"""
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def glyphs(stream: TextIO) -> dict[str, str]:
    """The symbols to draw with on ``stream``: ✓ ✗ █ ░ · – where it can show them all, else ASCII."""
    return FANCY if can_show(stream, "".join(FANCY.values())) else PLAIN


def bar(value: float, full: float, width: int, block: str) -> str:
    """A bar of ``value`` out of ``full``; any value above zero shows at least one block."""
    if full <= 0 or value <= 0:
        return ""
    return block * max(1, round(width * value / full))


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 file``, ``2 files`` (``many`` for an irregular plural)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def size(n: int) -> str:
    """A file size: ``512 B``, ``12 KB``, ``3.4 MB``."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def table(rows: Sequence[Sequence[str]], align: str) -> list[str]:
    """Rows as aligned columns, the first row a heading underlined with dashes. ``align`` has
    one letter per column, ``l`` or ``r``; a column with an empty heading is left ragged and
    not underlined (a free-text note at the end)."""
    heading = rows[0]
    widths = [max(len(row[c]) for row in rows) for c in range(len(heading))]
    lines = []
    for n, row in enumerate(rows):
        cells = []
        for c, cell in enumerate(row):
            if not heading[c]:
                cells.append(cell)
            elif align[c] == "r":
                cells.append(cell.rjust(widths[c]))
            else:
                cells.append(cell.ljust(widths[c]))
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * widths[c] for c in range(len(heading)) if heading[c]))
    return lines


class Progress:
    """A progress bar on a terminal; on anything else (a log, a pipe) the lines it is given,
    one per finished step, so that a log still says what was done."""

    WIDTH = 28

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream
        self.tty = stream.isatty()
        self.drawn = False
        marks = glyphs(stream)
        self.full, self.empty = marks["block"], marks["shade"]

    def start(self, label: str) -> None:
        """Show that the next step, ``label``, has begun."""
        if not self.tty:
            return
        filled = self.WIDTH * self.done // self.total
        bar = self.full * filled + self.empty * (self.WIDTH - filled)
        line = f"[{bar}] {self.done}/{self.total} {safe(label)}"
        # A line wider than the terminal wraps, and '\r' would then redraw only its tail.
        columns = shutil.get_terminal_size().columns
        self.stream.write(f"\r\x1b[K{line[:max(columns - 1, 10)]}")
        self.stream.flush()
        self.drawn = True

    def advance(self, lines: Sequence[str] = ()) -> None:
        """The step is done; off a terminal, print ``lines`` about it."""
        self.done += 1
        if not self.tty:
            say(*lines, file=self.stream)
            self.stream.flush()

    def close(self) -> None:
        """Clear the bar, leaving the terminal line empty for what comes next."""
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False
