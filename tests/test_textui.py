"""The terminal-output helpers: aligned tables, the progress bar on and off a terminal, and
ASCII in place of ✓ and █ where the terminal's encoding cannot show them."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st

from histquiz.textui import (
    FANCY,
    PLAIN,
    Progress,
    glyphs,
    plain,
    plural,
    safe,
    safe_lines,
    say,
    size,
    table,
    use_fallback,
    write_bytes,
)


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


# --- what reaches a terminal ------------------------------------------------------------------


def test_safe_escapes_what_a_terminal_would_act_on() -> None:
    assert safe("Plain text – with “quotes”, Хрущёв and 9 août") == (
        "Plain text – with “quotes”, Хрущёв and 9 août")
    assert safe("\x1b[2Jclear") == "\\x1b[2Jclear"
    assert safe("a\nb\rc\td") == "a\\nb\\rc\\td"
    assert safe("\x1b]8;;https://x\x07link\x1b]8;;\x07") == "\\x1b]8;;https://x\\x07link\\x1b]8;;\\x07"
    assert safe("\x9b5m\x85") == "\\x9b5m\\x85"  # C1: CSI and NEL
    assert safe("\ufdd0\ufffe\U0010ffff") == "\\ufdd0\\ufffe\\U0010ffff"  # noncharacters
    assert safe("\ud800") == "\\ud800"  # a lone surrogate
    assert safe("abc\u202edef\u2066") == "abc\\u202edef\\u2066"  # bidirectional overrides
    assert safe("line\u2028break") == "line\\u2028break"
    assert safe_lines("one\x1b\ntwo") == "one\\x1b\ntwo"


def test_say_writes_one_safe_line_each() -> None:
    out = io.StringIO()
    say("a\nb", "c\x1b", file=out)
    assert out.getvalue() == "a\\nb\nc\\x1b\n"


def test_a_stream_that_cannot_encode_falls_back_instead_of_raising() -> None:
    for encoding, expected in (
        ("ascii", '- "Sao" + e ... \\u0425 \\ud800'),
        ("latin-1", '- "São" + é ... \\u0425 \\ud800'),
        ("cp1252", "– “São” + é … \\u0425 \\ud800"),
    ):
        out = stream(encoding)
        use_fallback(out)
        out.write("– “São” ✓ é … Х \ud800")
        out.flush()
        assert out.buffer.getvalue().decode(encoding) == expected, encoding  # type: ignore[attr-defined]
    assert plain("é") == "e" and plain("—") == "-" and plain("Ж") == "\\u0416"


def test_data_is_written_as_its_own_bytes_whatever_the_encoding() -> None:
    out = stream("ascii")
    out.write("before ")
    write_bytes(out, "Хрущёв – “x”\n".encode())
    assert out.buffer.getvalue() == "before Хрущёв – “x”\n".encode()  # type: ignore[attr-defined]


@given(st.text(max_size=40))
def test_normalize_folds_exactly_case_accents_punctuation_and_spacing(text: str) -> None:
    import re
    import unicodedata

    from histquiz.textnorm import normalize

    # the definition, written out the slow way
    if not text.isascii():
        text_ = "".join(ch for ch in unicodedata.normalize("NFKD", text)
                        if not unicodedata.combining(ch))
    else:
        text_ = text
    expected = " ".join(re.sub(r"[^\w\s%#+]", " ", text_.casefold()).split())
    assert normalize(text) == expected
    assert normalize("Хрущёв, São Tomé!") == "хрущев sao tome"


def test_the_fast_search_for_unsafe_characters_finds_what_the_full_one_does() -> None:
    # find_unsafe searches text with nothing beyond the first plane without the 32
    # noncharacters beyond it. Every code point of the first plane, and those around each
    # plane's start with a sample of the rest, each after plain text and after a character
    # from beyond, gives the same first match as the full expressions.
    from histquiz.textnorm import UNSAFE, UNSAFE_IN_TEXT, find_unsafe

    far = "\U0001f600"  # an emoji: the text then holds a character beyond the first plane
    beyond = {c for plane in range(0x10000, 0x110000, 0x10000)
              for c in range(plane - 2, plane + 2)} | {0x10FFFE, 0x10FFFF} | set(
        range(0x10000, 0x110000, 251))
    for code in [*range(0x10000), *sorted(beyond)]:
        ch = chr(code)
        for text in (f"ab{ch}", f"{far}{ch}"):
            for line_breaks, full in ((False, UNSAFE), (True, UNSAFE_IN_TEXT)):
                found, expected = find_unsafe(text, line_breaks), full.search(text)
                assert (found and found.span()) == (expected and expected.span()), hex(code)
