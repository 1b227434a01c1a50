"""A minimal .xlsx writer: one sheet of text and whole numbers, a few styles, nothing else.

An .xlsx file is a zip of small XML parts (ECMA-376, SpreadsheetML). Writing them directly
avoids a spreadsheet library at run time. Strings go in the shared-string table, which every
reader supports. The parts are zipped by ``export.zipped`` with a fixed time and a fixed order,
so the same cells always make the same bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import NamedTuple
from xml.sax.saxutils import quoteattr

from ..zipped import zip_bytes
from .common import xml_text

Value = str | int | None

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Cell styles, indices into <cellXfs> below.
PLAIN, BOLD, TITLE, WRAP, BOLD_WRAP = 0, 1, 2, 3, 4


class Cell(NamedTuple):
    value: Value
    style: int = PLAIN


@functools.lru_cache(maxsize=1024)  # a sheet's few columns, in every row
def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@functools.cache  # the same in every workbook
def _content_types() -> str:
    kinds = {
        "/xl/workbook.xml": "sheet.main+xml",
        "/xl/worksheets/sheet1.xml": "worksheet+xml",
        "/xl/styles.xml": "styles+xml",
        "/xl/sharedStrings.xml": "sharedStrings+xml",
    }
    base = "application/vnd.openxmlformats-officedocument.spreadsheetml."
    overrides = "".join(f'<Override PartName="{p}" ContentType="{base}{k}"/>' for p, k in kinds.items())
    rels = "application/vnd.openxmlformats-package.relationships+xml"
    return (f'{_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{rels}"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f"{overrides}</Types>")


@functools.cache  # the same in every workbook
def _root_rels() -> str:
    return (f'{_DECL}<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>")


def _workbook(sheet_name: str) -> str:
    return (f'{_DECL}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            f"<sheets><sheet name={quoteattr(sheet_name)} sheetId=\"1\" r:id=\"rId1\"/></sheets>"
            "</workbook>")


@functools.cache  # the same in every workbook
def _workbook_rels() -> str:
    parts = [("rId1", "worksheet", "worksheets/sheet1.xml"), ("rId2", "styles", "styles.xml"),
             ("rId3", "sharedStrings", "sharedStrings.xml")]
    rels = "".join(f'<Relationship Id="{i}" Type="{REL_NS}/{t}" Target="{target}"/>'
                   for i, t, target in parts)
    return f'{_DECL}<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>'


@functools.cache  # the same in every workbook
def _styles() -> str:
    fonts = ('<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
             '<font><b/><sz val="11"/><name val="Calibri"/></font>'
             '<font><b/><sz val="14"/><name val="Calibri"/></font></fonts>')
    fills = ('<fills count="2"><fill><patternFill patternType="none"/></fill>'
             '<fill><patternFill patternType="gray125"/></fill></fills>')
    borders = '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    wrap = '<alignment wrapText="1" vertical="top"/>'
    xfs = ('<cellXfs count="5">'
           '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
           '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
           f'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">{wrap}</xf>'
           f'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
           f'applyAlignment="1">{wrap}</xf>'
           "</cellXfs>")
    return (f'{_DECL}<styleSheet xmlns="{MAIN_NS}">{fonts}{fills}{borders}'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'{xfs}<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>")


def _text(value: str) -> str:
    return f'<t xml:space="preserve">{xml_text(value)}</t>'


def build_xlsx(
    rows: Mapping[int, Sequence[Cell]], *, sheet_name: str = "Sheet1",
    widths: Sequence[float] = (),
) -> bytes:
    """The bytes of a one-sheet workbook. ``rows`` maps 1-based row numbers to cells from column A."""
    strings: dict[str, int] = {}
    string_uses = 0
    xml_rows = []
    last_col = 0
    for number in sorted(rows):
        cells = []
        for col, cell in enumerate(rows[number]):
            if cell.value is None or cell.value == "":
                continue
            ref = f"{column_letter(col)}{number}"
            style = f' s="{cell.style}"' if cell.style else ""
            if isinstance(cell.value, int):
                cells.append(f'<c r="{ref}"{style}><v>{cell.value}</v></c>')
            else:
                index = strings.setdefault(cell.value, len(strings))
                string_uses += 1
                cells.append(f'<c r="{ref}"{style} t="s"><v>{index}</v></c>')
            last_col = max(last_col, col)
        if cells:
            xml_rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    last_row = max(rows) if rows else 1
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate(widths))
    sheet = (f'{_DECL}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
             f'<dimension ref="A1:{column_letter(last_col)}{last_row}"/>'
             + (f"<cols>{cols}</cols>" if cols else "")
             + f'<sheetData>{"".join(xml_rows)}</sheetData></worksheet>')
    shared = (f'{_DECL}<sst xmlns="{MAIN_NS}" count="{string_uses}" uniqueCount="{len(strings)}">'
              + "".join(f"<si>{_text(s)}</si>" for s in strings) + "</sst>")
    parts = [
        ("[Content_Types].xml", _content_types()),
        ("_rels/.rels", _root_rels()),
        ("xl/workbook.xml", _workbook(sheet_name)),
        ("xl/_rels/workbook.xml.rels", _workbook_rels()),
        ("xl/styles.xml", _styles()),
        ("xl/sharedStrings.xml", shared),
        ("xl/worksheets/sheet1.xml", sheet),
    ]
    return zip_bytes((name, text.encode("utf-8")) for name, text in parts)
