"""YAML bytes → a tree of nodes that remember their line and column, with no implicit typing.

Every scalar stays the text that was written: ``No`` stays "No", ``10:30`` stays "10:30" and
``1.10`` stays "1.10". YAML 1.1's resolvers would turn those into False, 630 and 1.1 without a
word; here the deck's field spec (spec.py) decides what each value means and says so when a value
does not fit. Only the two resolutions that shape the tree are kept: null (``~``, ``null`` or
nothing) and the merge key ``<<``.

Composing a document never expands aliases, so a YAML "billion laughs" bomb composes in
microseconds; the expansion happens here, under a node budget proportional to the file's size,
so a bomb is refused quickly instead of eating memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from ..model import Origin

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 100
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))


class _TextOnly:
    """Resolves a plain scalar only as null, the merge key or text: no booleans, numbers,
    base-60 numbers or timestamps. (It is also much faster than trying every resolver.)"""

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0] and value in _NULLS:
                return _NULL
            if implicit[0] and value == "<<":
                return _MERGE
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: yaml.Node | None, current_index: object) -> None:
        pass  # no path resolvers

    def ascend_resolver(self) -> None:
        pass


_Loader: type[yaml.SafeLoader]
try:
    _Loader = type("_Loader", (_TextOnly, yaml.CSafeLoader), {})
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = type("_Loader", (_TextOnly, yaml.SafeLoader), {})


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a deck: where it was written and what to do about it."""

    origin: Origin
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"

    def sort_key(self) -> tuple[str, int, int]:
        return (self.origin.path, self.origin.line, self.origin.col)


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
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, [Problem(Origin(path, 1, 1), "no such file")]
    except IsADirectoryError:
        return None, [Problem(Origin(path, 1, 1), "is a folder, not a YAML file")]
    except OSError as exc:
        return None, [Problem(Origin(path, 1, 1), f"cannot read the file: {exc.strerror or exc}")]
    return read_yaml(path, data)


def read_yaml(path: str, data: bytes) -> tuple[Node | None, list[Problem]]:
    """Parse ``data`` (the bytes of ``path``); return the tree (None for an empty document)
    and the problems found."""
    start = Origin(path, 1, 1)
    if len(data) > MAX_FILE_BYTES:
        return None, [Problem(start, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")]
    if b"\x00" in data:
        return None, [Problem(start, "this is a binary file, not YAML text")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(Origin(path, line, col), f"not valid UTF-8 text (byte "
                              f"0x{data[exc.start]:02x}); save the file as UTF-8")]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as a control
        before = text[: exc.position]
        where = Origin(path, before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1)
        return None, [Problem(where, f"malformed YAML: {exc.reason} (U+{exc.character:04X}); "
                              "remove the character")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Origin(path, mark.line + 1, mark.column + 1) if mark else start
        what = " ".join(str(exc.problem or exc.context or "malformed YAML").split())
        return None, [Problem(where, f"malformed YAML: {what}")]
    except yaml.YAMLError as exc:
        return None, [Problem(start, f"malformed YAML: {' '.join(str(exc).split())}")]
    if node is None:
        return None, []
    converter = _Converter(path, budget=len(data) + 10_000)
    try:
        tree = converter.convert(node)
    except _Refused as exc:
        return None, [exc.problem]
    return tree, converter.problems


class _Refused(Exception):
    """The document cannot be read at all; one problem says why."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem


class _Converter:
    """Turns PyYAML's composed nodes into ours, expanding aliases under a budget."""

    def __init__(self, path: str, budget: int) -> None:
        self.path = path
        self.budget = budget
        self.used = 0
        self.problems: list[Problem] = []
        self._active: list[int] = []

    def origin(self, node: yaml.Node) -> Origin:
        mark = node.start_mark
        return Origin(self.path, mark.line + 1, mark.column + 1)

    def convert(self, node: yaml.Node) -> Node:
        self.used += 1
        if self.used > self.budget:
            raise _Refused(Problem(self.origin(node), f"the document expands to more than "
                                   f"{self.budget} values through YAML aliases (an alias bomb?); "
                                   "write the values out"))
        mark = node.start_mark
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _NULL:
                return Null(self.path, mark.line + 1, mark.column + 1)
            # Tags, explicit or implied, are ignored: the field spec decides what a value is.
            return Scalar(self.path, mark.line + 1, mark.column + 1, node.value)
        if id(node) in self._active:
            raise _Refused(Problem(self.origin(node), "a YAML alias refers to the value that "
                                   "contains it; write the values out"))
        if len(self._active) >= MAX_DEPTH:
            raise _Refused(Problem(self.origin(node), f"values are nested more than {MAX_DEPTH} deep"))
        self._active.append(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                seq = Seq(self.path, mark.line + 1, mark.column + 1)
                seq.items = [self.convert(child) for child in node.value]
                return seq
            assert isinstance(node, yaml.MappingNode)
            return self._mapping(node)
        finally:
            self._active.pop()

    def _mapping(self, node: yaml.MappingNode) -> Map:
        mark = node.start_mark
        result = Map(self.path, mark.line + 1, mark.column + 1)
        merged: set[str] = set()  # keys that came from '<<' and may still be given explicitly
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.update(self._merge(result, key_node, value_node))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem(self.origin(key_node), "a key must be a plain word, "
                                             "not a list or mapping"))
                continue
            key = key_node.value
            if key in result.entries and key not in merged:
                line = result.entries[key][0]
                self.problems.append(Problem(self.origin(key_node), f"key '{key}' is given twice "
                                             f"(first at line {line}); keep one"))
            merged.discard(key)
            kmark = key_node.start_mark
            result.entries[key] = (kmark.line + 1, kmark.column + 1, self.convert(value_node))
        return result

    def _merge(self, result: Map, key_node: yaml.Node, value_node: yaml.Node) -> list[str]:
        """Copy the keys of the merged mappings that ``result`` does not have yet; an explicit
        key always wins over a merged one, and of several merged mappings the first wins."""
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        added = []
        for source in sources:
            merged = self.convert(source)
            if not isinstance(merged, Map):
                self.problems.append(Problem(self.origin(key_node), "'<<' merges only mappings"))
                continue
            for key, entry in merged.entries.items():
                if key not in result.entries:
                    result.entries[key] = entry
                    added.append(key)
        return added
