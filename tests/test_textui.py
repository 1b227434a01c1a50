"""The terminal-output helpers: aligned tables, the progress bar on and off a terminal, and
ASCII in place of ✓ and █ where the terminal's encoding cannot show them."""

from __future__ import annotations

import io

from histquiz.textui import FANCY, PLAIN, Progress, glyphs, plural, size, table


class Terminal(io.TextIOWrapper):
    def isatty(self) -> bool:
        return True


def stream(encoding: str, tty: bool = False) -> io.TextIOWrapper:
    kind = Terminal if tty else io.TextIOWrapper
    return kind(io.BytesIO(), encoding=encoding, newline="")


def test_glyphs_fall_back_to_ascii_where_the_encoding_lacks_them() -> None:
    assert glyphs(stream("utf-8")) == FANCY
    assert glyphs(stream("ascii")) == PLAIN
    assert glyphs(stream("cp1252")) == PLAIN  # has · and – but neither ✓ nor █
    assert all(ch.isascii() for ch in PLAIN.values())


def test_table_aligns_and_underlines_named_columns() -> None:
    lines = table([("file", "n", ""), ("a.txt", "12", "note"), ("bb.apkg", "3", "")], "lrl")
    assert lines == [
        "file      n",
        "-------  --",
        "a.txt    12  note",
        "bb.apkg   3",
    ]


def test_counted_nouns_and_sizes() -> None:
    assert (plural(1, "file"), plural(2, "file"), plural(0, "box", "boxes")) == (
        "1 file", "2 files", "0 boxes")
    assert (size(512), size(12 * 1024), size(3_500_000)) == ("512 B", "12 KB", "3.3 MB")


def test_progress_draws_a_bar_on_a_terminal_and_lines_elsewhere() -> None:
    for encoding, full in (("utf-8", "█"), ("ascii", "#")):
        out = stream(encoding, tty=True)
        bar = Progress(2, out)
        bar.start("one")
        bar.advance(["wrote one"])
        bar.start("two")
        bar.advance(["wrote two"])
        bar.close()
        out.flush()
        text = out.buffer.getvalue().decode(encoding)  # type: ignore[attr-defined]
        assert f"[{full * 14}" in text and "] 1/2 two" in text
        assert "wrote" not in text and text.endswith("\r\x1b[K")
    log = stream("utf-8")
    bar = Progress(2, log)
    bar.start("one")
    bar.advance(["wrote one"])
    bar.close()
    log.flush()
    assert log.buffer.getvalue() == b"wrote one\n"  # type: ignore[attr-defined]
