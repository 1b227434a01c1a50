"""Reading one big deck file on several cores: its facts cut into runs at the lines where a fact
begins, each run read by the spec at the same time as the others.

Reading a file is one pass of libyaml and one of the spec over every value, and both run on one
core. A deck of thousands of facts is, almost all of it, the list under ``facts:``, whose items
begin on lines of their own (``  - id: ...``) and know nothing of one another. So the text is
cut at such lines into runs that each hold whole facts, and every part is read with the lines
and columns it has in the file. This process reads the first part, with everything outside the
list; it and forked children take the other parts from one queue, and a child sends back its
facts' records, their mappings made shallow (where each key and value was written, without the
values' trees), which is all that the checks after reading look at.

This is only a faster way to reach the same records, and it is taken only when nothing can
make the parts read differently from the whole:

- the file has no anchors or aliases, one ``facts:`` key at the left margin and only keys
  there, and line breaks that are ``\\n`` or ``\\r\\n``;
- each part reads without a single problem, the checks of ``guards`` on its facts included;
- every line where a fact begins gave exactly one fact, beginning on that line;
- every key at the left margin is a key of the document on that line (a quote left open
  across a cut would swallow one: see the tests).

Otherwise ``read`` returns None and the file is read whole, which is also what gives the
messages for a file with problems: exactly those that reading it whole gives.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from .. import forked
from ..model import Origin
from .fields import Cx, Record, Report, rows_of
from .files import MAX_FILE_BYTES
from .guards import check_facts
from .spec import FactRecord, FileRecord, read_document
from .yaml import EXPANSION_ALLOWANCE, EXPANSION_FACTOR, MAX_VALUES, Map, Node, Null, Seq, build

# Below this many characters a file is read in one piece: forking would cost more than it saves.
SPLIT_FROM = 1_000_000
# The facts are cut into this many runs per process, taken from one queue (``forked.queued``):
# a process on a slower core takes fewer, and none waits long for the last.
RUNS_PER_PROCESS = 8

_FACTS_KEY = re.compile(r"\nfacts:[ ]*(?:#[^\n]*)?\r?\n")
_MARGIN = re.compile(r"\n[^ \t\r\n#]")  # a line with something at the left margin
_KEY_AT_MARGIN = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*[ ]*:(?:[ \t]|\r?$)", re.M)
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")  # line breaks to YAML 1.1, not to str.count


@dataclass(frozen=True)
class _Part:
    """One part of the text to read: the text, the file's line it begins on, and whether it
    is the first part (the document, its lines where they are in the file) or a run of facts."""

    text: str
    first: bool
    line: int = 1


def read(path: str, data: bytes, processes: int) -> FileRecord | None:
    """The record of the file at ``path``, whose bytes are ``data``, read in ``processes``
    parts at once; or None to read it whole (a small file, a shape this cannot cut safely,
    or any problem at all)."""
    if processes < 2 or not SPLIT_FROM <= len(data) <= MAX_FILE_BYTES or b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    cut = _cut(text, processes)
    if cut is None:
        return None
    parts, starts, margin_lines = cut
    budget = EXPANSION_FACTOR * len(text) + EXPANSION_ALLOWANCE
    results = forked.queued(lambda part: _read_part(path, part, budget), parts, processes,
                            first_here=True)
    if any(r is None for r in results):
        return None
    read = [r for r in results if r is not None]
    document = read[0].document
    if document is None:
        return None
    values = sum(r.values for r in read)
    lines = [line for r in read for line in r.lines]
    # every fact begins where a line begins one; every key at the margin is the document's
    if values > MAX_VALUES or lines != starts:
        return None
    if sorted(line for line, _, _ in document.node.entries.values()) != margin_lines:
        return None
    return replace(document, facts=tuple(f for r in read for f in r.facts))


@dataclass(frozen=True)
class _Read:
    """What reading one part gave: the document's record (the first part's only), the facts'
    records (a later part's made shallow), the values read and the lines where facts begin."""

    document: FileRecord | None
    facts: tuple[FactRecord, ...]
    values: int
    lines: list[int]


def _cut(text: str, processes: int) -> tuple[list[_Part], list[int], list[int]] | None:
    """The parts, the lines where facts begin, and the lines with a key at the margin; None
    when the text's shape is not one this can cut safely. (Each search starts at a line
    break, which regular expressions find far faster than the start of a line.)"""
    if text.count("\r") != text.count("\r\n") or any(b in text for b in _OTHER_BREAKS):
        return None
    keys = list(_FACTS_KEY.finditer(text))
    if len(keys) != 1:
        return None
    begin = keys[0].end()  # the facts begin on the line after 'facts:'
    margin = _MARGIN.search(text, begin - 1)
    end = margin.start() + 1 if margin is not None else len(text)
    first_item = re.compile(r"\n( +)-[ \t]").search(text, begin - 1, end)
    if first_item is None:
        return None
    indent = first_item.group(1)
    # every line with a dash at the items' indentation must begin a fact as '- key: ...'
    dash = re.compile(rf"\n{indent}-(?:[ \t]|\r?\n|\r?$)")
    item = re.compile(rf"\n{indent}- [^ \t\r\n#]")
    items = [m.start() + 1 for m in item.finditer(text, begin - 1, end)]
    if len(items) < 2 or sum(1 for _ in dash.finditer(text, begin - 1, end)) != len(items):
        return None
    # and nothing before the first of them but blank lines and comments
    if any(line.strip() and not line.lstrip().startswith("#")
           for line in text[begin:items[0]].splitlines()):
        return None
    # the lines at the margin: each must be a key of the document
    first_line = [0] if text[:1] not in ("", " ", "\t", "\r", "\n", "#") else []
    at_margin = first_line + [m.start() + 1 for m in _MARGIN.finditer(text)]
    if not all(_KEY_AT_MARGIN.match(text, offset) for offset in at_margin):
        return None
    margin_lines = _lines_at(text, at_margin)
    starts = _lines_at(text, items)  # where each fact begins
    # where to cut: at the facts nearest to runs of equal length
    n = min(processes * RUNS_PER_PROCESS, len(items))
    size = end - begin
    targets = [begin + size * k // n for k in range(1, n)]
    cuts = sorted({_nearest(items, t) for t in targets} - {items[0]})
    if not cuts:
        return None
    bounds = [begin, *cuts, end]
    runs = [(bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]
    # the first part: up to the first cut, and what follows the facts on its own lines
    tail = text[end:]
    later = "\n" * text.count("\n", cuts[0], end) if tail else ""
    parts = [_Part(text[:cuts[0]] + later + tail, True)]
    line_of = dict(zip(items, starts, strict=True))
    parts += [_Part(text[a:b], False, line_of[a]) for a, b in runs[1:]]
    return parts, starts, margin_lines


def _lines_at(text: str, offsets: Sequence[int]) -> list[int]:
    """The (1-based) line of each offset in ``text``, the offsets ascending."""
    lines: list[int] = []
    line, at = 1, 0
    for offset in offsets:
        line += text.count("\n", at, offset)
        at = offset
        lines.append(line)
    return lines


def _nearest(offsets: Sequence[int], target: int) -> int:
    """Of the offsets where facts begin (ascending), the one nearest ``target``: where to cut."""
    k = bisect.bisect_left(offsets, target)
    if k >= len(offsets):
        return offsets[-1]
    if k > 0 and target - offsets[k - 1] < offsets[k] - target:
        k -= 1
    return offsets[k]


def _read_part(path: str, part: _Part, budget: int) -> _Read | None:
    """Read one part; None on any problem."""
    built = build(path, part.text, budget, part.line)
    if built is None:
        return None
    tree, values = built
    report = Report()
    if part.first:
        if not isinstance(tree, Map):
            return None
        record = read_document(tree, report)
        facts_node = tree.get("facts")
        if record is not None:
            check_facts(record.facts or (), report)
        if (record is None or report.problems or not isinstance(facts_node, Seq)
                or len(record.facts or ()) != len(facts_node.items)):
            return None
        return _Read(record, record.facts or (), values, _item_lines(facts_node))
    if not isinstance(tree, Seq):
        return None
    facts_row = rows_of(FileRecord)["facts"]
    what = FileRecord.label(None, "", "")
    facts = facts_row.type.read(tree, Cx(report, what, "facts", None, facts_row.required))
    if facts is not None:
        check_facts(facts, report)
    if facts is None or report.problems or len(facts) != len(tree.items):
        return None
    return _Read(None, tuple(_shallow(f) for f in facts), values, _item_lines(tree))


def _item_lines(seq: Seq) -> list[int]:
    """The line where each item begins, for an item that is a mapping as '- key: ...' is;
    0 for any other, which no fact's line can equal."""
    return [item.line if isinstance(item, Map) else 0 for item in seq.items]


def _shallow(record: Record) -> Any:
    """``record`` with every mapping it keeps (its own and its parts') made shallow: what
    is sent back to the parent is the records, not the trees they were read from."""
    changes: dict[str, Any] = {"node": _shallow_map(record.node)}
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, Record):
            changes[f.name] = _shallow(value)
        elif isinstance(value, tuple) and value and isinstance(value[0], Record):
            changes[f.name] = tuple(_shallow(v) for v in value)
    for name, value in changes.items():
        object.__setattr__(record, name, value)  # a record this process made and alone holds
    return record


def _shallow_map(node: Map) -> Map:
    """A mapping that keeps where each of its keys and values was written, and whether a
    value is empty, but not the values."""
    places = {key: (line, col, value.line, value.col, isinstance(value, Null))
              for key, (line, col, value) in node.entries.items()}
    return Shallow(node.path, node.line, node.col, places)


class Shallow(Map):
    """A mapping as ``_shallow_map`` keeps it: each key's line and column, its value's, and
    whether the value is empty (in plain tuples, which cross between processes fast). It
    answers what the checks after reading ask of a fact's mappings; ``get`` gives a value
    without its contents."""

    __slots__ = ("places",)

    def __init__(self, path: str, line: int, col: int,
                 places: dict[str, tuple[int, int, int, int, bool]]) -> None:
        super().__init__(path, line, col)
        self.places = places

    def __reduce__(self) -> tuple[Any, ...]:
        return (Shallow, (self.path, self.line, self.col, self.places))

    def __contains__(self, key: str) -> bool:
        return key in self.places

    def __iter__(self) -> Iterator[str]:
        return iter(self.places)

    def get(self, key: str) -> Node | None:
        place = self.places.get(key)
        if place is None:
            return None
        return (Null if place[4] else Node)(self.path, place[2], place[3])

    def has(self, key: str) -> bool:
        place = self.places.get(key)
        return place is not None and not place[4]

    def key_at(self, key: str) -> Origin:
        place = self.places.get(key)
        return Origin(self.path, place[0], place[1]) if place is not None else self.origin

    def value_at(self, key: str) -> Origin:
        place = self.places.get(key)
        return Origin(self.path, place[2], place[3]) if place is not None else self.origin
