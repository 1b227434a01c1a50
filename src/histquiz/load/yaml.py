"""YAML bytes → a tree of nodes that remember their line and column, with no implicit typing.

Every scalar stays the text that was written: ``No`` stays "No", ``10:30`` stays "10:30" and
``1.10`` stays "1.10". YAML 1.1's resolvers would turn those into False, 630 and 1.1 without a
word; here the deck's field spec (spec.py) decides what each value means and says so when a value
does not fit. Only the two resolutions that shape the tree are kept: null (``~``, ``null`` or
nothing) and the merge key ``<<``.

The tree is built straight from libyaml's event stream, never through PyYAML's own node tree
(which was most of the memory a load took). An alias shares the node it refers to instead of
copying it, and costs what it would expand to: one per value plus the length of every text in
it. The whole document may cost a few times its size in bytes, so a "billion laughs" bomb, or
one long string repeated through thousands of aliases, is refused at once and in little memory;
and one file may hold at most MAX_VALUES values, so millions of tiny values are refused too.

Deck text is shown to learners in terminals, so a character a terminal acts on instead of
showing (a control character such as ESC, a noncharacter, a bidirectional override) is refused
where it is written. A file that cannot be read as YAML gets one problem that says what to do:
a tab in the indentation, a file saved as UTF-16, a quote that is never closed (reported where
it opens).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

import yaml

from ..model import Origin
from ..textnorm import UNSAFE_IN_TEXT, describe_char, find_unsafe
from .files import MAX_FILE_BYTES, Problem, read_file

MAX_DEPTH = 100
# What aliases may add: the expanded document may cost (values + characters) this many times
# the file's size, plus a fixed allowance. A document without aliases costs at most about
# twice its size, so only aliases can reach the limit.
EXPANSION_FACTOR = 4
EXPANSION_ALLOWANCE = 1_000_000
# Values one file may hold (each is a node in memory until the deck is built): about 110,000
# facts like the built-in ones. More is refused before it can take gigabytes.
MAX_VALUES = 5_000_000
_NULL = "tag:yaml.org,2002:null"
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))

_Parser: Any
try:
    _Parser = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.BaseLoader


class _Mark(Protocol):
    """Where libyaml saw something (0-based), as its marks say."""

    line: int
    column: int
    index: int


def _start(event: yaml.Event) -> _Mark:
    mark = event.start_mark
    assert mark is not None  # libyaml marks every event
    return mark


# --- the tree ------------------------------------------------------------------------------


class Node:
    """A value as written in the file: where it starts (1-based line and column)."""

    __slots__ = ("col", "line", "path")

    def __init__(self, path: str, line: int, col: int) -> None:
        self.path = path
        self.line = line
        self.col = col

    @property
    def origin(self) -> Origin:
        return Origin(self.path, self.line, self.col)


class Scalar(Node):
    """A scalar, kept as the text that was written."""

    __slots__ = ("text",)

    def __init__(self, path: str, line: int, col: int, text: str) -> None:
        self.path, self.line, self.col = path, line, col
        self.text = text


class Null(Node):
    """An empty value (``key:`` with nothing after it, ``~`` or ``null``): the same as absent."""

    __slots__ = ()


class Seq(Node):
    __slots__ = ("items",)

    def __init__(self, path: str, line: int, col: int) -> None:
        self.path, self.line, self.col = path, line, col
        self.items: list[Node] = []


class Map(Node):
    """A mapping from text keys to nodes; each entry keeps where its key was written."""

    __slots__ = ("entries",)

    def __init__(self, path: str, line: int, col: int) -> None:
        self.path, self.line, self.col = path, line, col
        self.entries: dict[str, tuple[int, int, Node]] = {}  # key → (key's line, column, value)

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def get(self, key: str) -> Node | None:
        entry = self.entries.get(key)
        return entry[2] if entry is not None else None

    def has(self, key: str) -> bool:
        """The key is given with a value that is not empty."""
        entry = self.entries.get(key)
        return entry is not None and not isinstance(entry[2], Null)

    def key_at(self, key: str) -> Origin:
        entry = self.entries.get(key)
        return Origin(self.path, entry[0], entry[1]) if entry is not None else self.origin

    def value_at(self, key: str) -> Origin:
        entry = self.entries.get(key)
        return entry[2].origin if entry is not None else self.origin


# --- reading -------------------------------------------------------------------------------


def load_file(path: str) -> tuple[Node | None, list[Problem]]:
    """Read and parse one file; every failure becomes a problem, never an exception."""
    data, problems = read_file(path)
    if data is None:
        return None, problems
    return read_yaml(path, data)


def _utf16(data: bytes) -> str | None:
    """The name of the UTF-16 or UTF-32 encoding ``data`` looks written in, or None."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = data[:200]
    if len(head) >= 4 and head.count(0) * 2 >= len(head) - 2:
        return "UTF-16" if head.count(0) * 4 < len(head) * 3 else "UTF-32"
    return None


def read_yaml(path: str, data: bytes) -> tuple[Node | None, list[Problem]]:
    """Parse ``data`` (the bytes of ``path``); return the tree (None for an empty document)
    and the problems found."""
    start = Origin(path, 1, 1)
    if len(data) > MAX_FILE_BYTES:
        return None, [Problem(start, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")]
    if b"\x00" in data:
        wide = _utf16(data)
        if wide is not None:
            return None, [Problem(start, f"this file is saved as {wide} text; save it as UTF-8")]
        return None, [Problem(start, "this is a binary file, not YAML text")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(Origin(path, line, col), f"not valid UTF-8 text (byte "
                              f"0x{data[exc.start]:02x}); save the file as UTF-8")]
    del data
    builder = _Builder(path, budget=EXPANSION_FACTOR * len(text) + EXPANSION_ALLOWANCE)
    try:
        tree = builder.build(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as a control
        before = text[: exc.position]
        where = Origin(path, before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1)
        return None, [Problem(where, f"malformed YAML: {exc.reason} (U+{exc.character:04X}); "
                              "remove the character")]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(path, text, exc)]
    except yaml.YAMLError as exc:
        return None, [Problem(start, f"malformed YAML: {' '.join(str(exc).split())}")]
    except _Refused as exc:
        return None, [exc.problem]
    return tree, builder.problems


def build(path: str, text: str, budget: int, first_line: int = 1) -> tuple[Node | None, int] | None:
    """The tree of ``text`` and how many values it holds, or None if it has any problem, an
    anchor or an alias: for reading a part of a file (split.py), which on any of those is
    read whole instead, for the messages that the whole gives. ``text`` begins on line
    ``first_line`` of the file, at the start of the line."""
    builder = _Builder(path, budget, first_line - 1)
    try:
        tree = builder.build(text)
    except (yaml.YAMLError, _Refused):
        return None
    if builder.problems or builder.anchors:
        return None
    return tree, builder.values


def _syntax_problem(path: str, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    """One problem for a YAML syntax error, at the place to fix and saying how."""
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return Problem(Origin(path, 1, 1), "malformed YAML")
    where = Origin(path, mark.line + 1, mark.column + 1)
    what = " ".join(str(exc.problem or exc.context or "malformed YAML").split())
    if 0 <= mark.index < len(text) and text[mark.index] == "\t":
        return Problem(where, "tabs are not allowed in YAML indentation; use spaces")
    if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
        opened = exc.context_mark
        quote = text[opened.index] if opened.index < len(text) else '"'
        return Problem(Origin(path, opened.line + 1, opened.column + 1),
                       f"malformed YAML: the quote {quote} that opens here is never closed; "
                       f"add the closing {quote}")
    runaway = _runaway_quote(text, mark.index)
    if runaway is not None:
        start, quote = runaway
        return Problem(Origin(path, start.line + 1, start.column + 1),
                       f"malformed YAML: the text in {quote}quotes{quote} that opens here runs on "
                       f"to line {mark.line + 1}, where YAML fails ({what}); is a closing "
                       f"{quote} missing, or a {quote} inside it that should be doubled?")
    return Problem(where, f"malformed YAML: {what}")


def _runaway_quote(text: str, error_at: int) -> tuple[_Mark, str] | None:
    """The opening of a quoted text that runs over several lines and closes on the line where
    the parser then fails: most likely a quote that was never closed where it should have been."""
    line_start = text.rfind("\n", 0, error_at) + 1
    found = None
    try:
        for token in yaml.scan(text, Loader=_Parser):
            if token.start_mark.index > error_at:
                break
            if (isinstance(token, yaml.ScalarToken) and token.style in ("'", '"')
                    and token.start_mark.line != token.end_mark.line
                    and token.end_mark.index >= line_start):
                found = (token.start_mark, token.style)
    except yaml.YAMLError:
        pass  # the scanner stops at the error; what it saw before is enough
    return found


class _Refused(Exception):
    """The document cannot be read at all; one problem says why."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem


class _Frame:
    """A mapping or sequence still being read: its node, its anchor, the cost before it began,
    and for a mapping the key waiting for its value and the keys that came from '<<'."""

    __slots__ = ("anchor", "cost0", "entries", "is_map", "items", "key", "merged", "node")

    def __init__(self, node: Map | Seq, anchor: str | None, cost0: int) -> None:
        self.node = node
        self.is_map = isinstance(node, Map)
        self.entries: dict[str, tuple[int, int, Node]] = node.entries if isinstance(node, Map) else {}
        self.items: list[Node] = node.items if isinstance(node, Seq) else []
        self.anchor = anchor
        self.cost0 = cost0
        self.key: tuple[str, int, int] | None = None
        self.merged: set[str] = set()


_MERGE_KEY = "\x00merge"  # a key no text can be (the loader refuses NUL in text)
_SKIP_KEY = "\x00skip"  # the value of a key that was not a plain word: left out


class _Builder:
    """Builds our nodes from libyaml's events, counting what aliases expand to.

    ``build`` is the hot loop of every load (one pass over hundreds of thousands of events),
    so the common cases, a scalar as a key or as a value, are written out in it; the rare ones
    (aliases, merges, repeated keys, problems) are methods."""

    def __init__(self, path: str, budget: int, lines_before: int = 0) -> None:
        self.path = path
        self.budget = budget
        self.lines_before = lines_before  # the file's lines before the text read
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Node, int, str | None]] = {}  # node, cost, raw text
        self.open: set[str] = set()  # anchors of values still being read
        self.values = 0  # the values read, once the document has been

    def _origin(self, mark: _Mark) -> Origin:
        return Origin(self.path, self.lines_before + mark.line + 1, mark.column + 1)

    def _too_many(self, mark: _Mark) -> _Refused:
        return _Refused(Problem(self._origin(mark), f"the file holds more than {MAX_VALUES:,} "
                                "values; split it into several deck files"))

    def _too_big(self, mark: _Mark) -> _Refused:
        return _Refused(Problem(self._origin(mark), "YAML aliases make the document expand to "
                                f"more than {self.budget:,} values and characters (an alias "
                                "bomb?); write the values out"))

    def build(self, text: str) -> Node | None:
        path, budget = self.path, self.budget
        first = self.lines_before + 1  # a mark's line is counted from 0
        scalar_event, end_events = yaml.ScalarEvent, (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        stack: list[_Frame] = []
        root: Node | None = None
        cost = 0
        values = 0
        documents = 0
        loader = _Parser(text)
        try:
            while True:
                event = loader.get_event()
                kind = type(event)
                node: Node
                if kind is scalar_event:
                    value: str = event.value
                    mark: Any = event.start_mark
                    cost += 1 + len(value)
                    values += 1
                    if cost > budget or values > MAX_VALUES:
                        raise self._too_big(mark) if cost > budget else self._too_many(mark)
                    if find_unsafe(value, line_breaks=True) is not None:
                        self._bad_text(value, mark)
                    line, col = mark.line + first, mark.column + 1
                    top = stack[-1] if stack else None
                    if top is not None and top.is_map and top.key is None:  # a key
                        plain = event.implicit[0] and event.tag is None
                        top.key = (_MERGE_KEY if plain and value == "<<" else value, line, col)
                        if event.anchor is not None:
                            self.anchors[event.anchor] = (Scalar(path, line, col, value),
                                                          1 + len(value), value)
                        continue
                    if event.tag == _NULL or (event.tag is None and event.implicit[0]
                                              and value in _NULLS):
                        node = Null(path, line, col)
                    else:
                        node = Scalar(path, line, col, value)
                    if event.anchor is not None:
                        self.anchors[event.anchor] = (node, 1 + len(value), value)
                elif kind in end_events:
                    frame = stack.pop()
                    node = frame.node
                    if frame.anchor is not None:
                        self.open.discard(frame.anchor)
                        self.anchors[frame.anchor] = (node, cost - frame.cost0, None)
                    top = stack[-1] if stack else None
                elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                    mark = event.start_mark
                    if len(stack) >= MAX_DEPTH:
                        raise _Refused(Problem(self._origin(mark),
                                               f"values are nested more than {MAX_DEPTH} deep"))
                    cost0 = cost
                    cost += 1
                    values += 1
                    if cost > budget or values > MAX_VALUES:
                        raise self._too_big(mark) if cost > budget else self._too_many(mark)
                    cls = Map if kind is yaml.MappingStartEvent else Seq
                    anchor = event.anchor
                    if anchor is not None:
                        self.open.add(anchor)
                    stack.append(_Frame(cls(path, mark.line + first, mark.column + 1), anchor, cost0))
                    continue
                elif kind is yaml.AliasEvent:
                    top = stack[-1] if stack else None
                    aliased, spent = self._alias(event, top)
                    cost += spent
                    if cost > budget:
                        raise self._too_big(event.start_mark)
                    if aliased is None:
                        continue
                    node = aliased
                elif kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        raise _Refused(Problem(self._origin(_start(event)), "malformed YAML: a "
                                               "second document begins here; keep one document "
                                               "per file"))
                    continue
                elif kind is yaml.StreamEndEvent:
                    self.values = values
                    return root
                else:
                    continue
                # a finished value: the root, the next item of a list, or a mapping's value
                if top is None:
                    root = node
                elif not top.is_map:
                    top.items.append(node)
                elif top.key is None or top.key[0] in top.entries or top.key[0][:1] == "\x00":
                    self._put(top, node)
                else:
                    key, line, col = top.key
                    top.key = None
                    top.entries[key] = (line, col, node)
        finally:
            loader.dispose()

    def _bad_text(self, text: str, mark: _Mark) -> None:
        found = find_unsafe(text, line_breaks=True)
        assert found is not None
        ch = found.group()
        more = len(UNSAFE_IN_TEXT.findall(text)) - 1
        also = f" (and {more} more such character{'s' * (more != 1)})" if more else ""
        fix = "use spaces" if ch == "\t" else "remove it"
        self.problems.append(Problem(self._origin(mark), f"the text holds {describe_char(ch)} "
                                     f"at its character {found.start() + 1}{also}; {fix}"))

    def _alias(self, event: yaml.Event, top: _Frame | None) -> tuple[Node | None, int]:
        """The value an alias stands for (None when it stands for a key) and what it costs."""
        mark = _start(event)
        name = getattr(event, "anchor", None)
        assert name is not None
        if name in self.open:
            raise _Refused(Problem(self._origin(mark), "a YAML alias refers to the value that "
                                   "contains it; write the values out"))
        if name not in self.anchors:
            raise _Refused(Problem(self._origin(mark), f"malformed YAML: the alias *{name} "
                                   f"refers to no anchor &{name} before it"))
        node, cost, raw = self.anchors[name]
        if top is not None and top.is_map and top.key is None and raw is not None:
            where = self._origin(mark)
            top.key = (raw, where.line, where.col)
            return None, cost
        return node, cost

    def _put(self, top: _Frame, node: Node) -> None:
        """A mapping's value, in the rare cases: a key that was not a word, a merge, a key
        given twice."""
        assert isinstance(top.node, Map)
        if top.key is None:  # a list or mapping where a key should be
            self.problems.append(Problem(node.origin, "a key must be a plain word, not a list "
                                         "or mapping"))
            top.key = (_SKIP_KEY, node.line, node.col)
            return
        key, line, col = top.key
        top.key = None
        entries = top.node.entries
        if key == _SKIP_KEY:
            return
        if key == _MERGE_KEY:
            self._merge(top, node, Origin(self.path, line, col))
            return
        if key in entries and key not in top.merged:
            self.problems.append(Problem(Origin(self.path, line, col), f"key '{key}' is given "
                                         f"twice (first at line {entries[key][0]}); keep one"))
        top.merged.discard(key)
        entries[key] = (line, col, node)

    def _merge(self, frame: _Frame, value: Node, where: Origin) -> None:
        """Copy the keys of the merged mappings that the mapping does not have yet; an explicit
        key always wins over a merged one, and of several merged mappings the first wins."""
        assert isinstance(frame.node, Map)
        entries = frame.node.entries
        for source in value.items if isinstance(value, Seq) else [value]:
            if not isinstance(source, Map):
                self.problems.append(Problem(where, "'<<' merges only mappings"))
                continue
            for key, entry in source.entries.items():
                if key not in entries:
                    entries[key] = entry
                    frame.merged.add(key)
