"""The worksheet's font: DejaVu Sans, shipped inside the package and embedded in every PDF.

Nothing here looks at the fonts installed on the machine. Every piece of deck text is checked
against the face it will be printed in before anything is drawn, because reportlab prints a
character the font lacks as an empty box without a word of warning.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from dataclasses import dataclass
from importlib import resources

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ...errors import ExportError
from ...model import Item

FAMILY = "HistquizSans"
REGULAR, BOLD, ITALIC, BOLD_ITALIC = FAMILY, f"{FAMILY}-Bold", f"{FAMILY}-Oblique", f"{FAMILY}-BoldOblique"
FONT_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
    BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}
FONT_LABEL = "DejaVu Sans"
_SPACES = {"\t", "\n", "\r"}  # Paragraph reads these as spaces; they need no glyph


@dataclass(frozen=True)
class Fonts:
    """The registered faces and the characters each one can print."""

    coverage: dict[str, frozenset[int]]


@functools.lru_cache(maxsize=1)
def register_fonts() -> Fonts:
    """Register the four faces as one family (so <b> and <i> work) and return their coverage."""
    coverage = {}
    folder = resources.files("histquiz").joinpath("fonts")
    for name, filename in FONT_FILES.items():
        try:
            data = folder.joinpath(filename).read_bytes()
        except OSError:
            raise ExportError(
                f"the font file {filename} is missing from the histquiz package; reinstall histquiz"
            ) from None
        font = TTFont(name, io.BytesIO(data))
        pdfmetrics.registerFont(font)
        coverage[name] = frozenset(font.face.charToGlyph)
    pdfmetrics.registerFontFamily(FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC,
                                  boldItalic=BOLD_ITALIC)
    return Fonts(coverage)


def describe_char(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if not name and unicodedata.category(ch) == "Cc":
        name = "a control character"
    return f"'{ch}' (U+{ord(ch):04X} {name})".replace(" )", ")")


def where_of(item: Item) -> str:
    place = f"{item.origin}: " if item.origin else ""
    return f"{place}fact '{item.fact}' of deck '{item.deck}'"


class TextChecker:
    """Normalises deck text for printing and collects every character the fonts cannot print.
    (Escaping for paragraph markup happens where a Paragraph is made, in flowables.)"""

    def __init__(self, fonts: Fonts) -> None:
        self.fonts = fonts
        self.problems: list[tuple[str, str]] = []  # (where, character)
        self._reported: set[tuple[str, str]] = set()

    def plain(self, text: str, where: str, face: str = REGULAR) -> str:
        """The text in NFC (precomposed letters print better), after checking its characters."""
        text = unicodedata.normalize("NFC", text)
        covered = self.fonts.coverage[face]
        for ch in text:
            if ord(ch) not in covered and ch not in _SPACES and (where, ch) not in self._reported:
                self._reported.add((where, ch))
                self.problems.append((where, ch))
        return text

    def raise_problems(self) -> None:
        if not self.problems:
            return
        where, ch = self.problems[0]
        message = (f"{where}: the character {describe_char(ch)} is not in the worksheet font "
                   f"({FONT_LABEL}), so it cannot be printed; replace it or leave it out")
        rest = self.problems[1:]
        if rest:
            others = sorted({f"U+{ord(c):04X}" for _, c in rest})
            shown = ", ".join(others[:5]) + (", …" if len(others) > 5 else "")
            places = len({w for w, _ in rest})
            message += (f" (also {len(rest)} more unprintable character"
                        f"{'s' * (len(rest) != 1)} in {places} place{'s' * (places != 1)}: {shown})")
        raise ExportError(message)
