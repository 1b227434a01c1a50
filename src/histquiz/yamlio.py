"""Read YAML the way ``yaml.safe_load`` does, but keep the line and column of every key and value.

Composing a document never expands aliases, so a YAML "billion laughs" bomb composes in
microseconds; the expansion happens here, under a node budget proportional to the file's size,
so a bomb is refused quickly instead of eating memory.
"""

from __future__ import annotations

from typing import Any

import yaml

from .model import Origin

try:
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,unused-ignore]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 64 * 1024 * 1024
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"


class Map(dict[str, Any]):
    """A mapping that remembers where each key and each value were written."""

    path: str
    where: tuple[int, int]
    keys_at: dict[str, tuple[int, int]]
    values_at: dict[str, tuple[int, int]]

    @property
    def origin(self) -> Origin:
        return Origin(self.path, *self.where)

    def key_at(self, key: str) -> Origin:
        return Origin(self.path, *self.keys_at.get(key, self.where))

    def value_at(self, key: str) -> Origin:
        where = self.values_at.get(key) or self.keys_at.get(key, self.where)
        return Origin(self.path, *where)


class Seq(list[Any]):
    """A sequence that remembers where each element was written."""

    path: str
    where: tuple[int, int]
    items_at: list[tuple[int, int]]

    @property
    def origin(self) -> Origin:
        return Origin(self.path, *self.where)

    def at(self, index: int) -> Origin:
        where = self.items_at[index] if index < len(self.items_at) else self.where
        return Origin(self.path, *where)


def empty_seq(origin: Origin) -> Seq:
    seq = Seq()
    seq.path, seq.where, seq.items_at = origin.path, (origin.line, origin.col), []
    return seq


def read_yaml(path: str, data: bytes) -> tuple[Any, list[str]]:
    """Parse ``data`` (the bytes of ``path``); return the value and a list of problems."""
    if len(data) > MAX_FILE_BYTES:
        return None, [f"{path}:1:1: file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB"]
    if b"\x00" in data:
        return None, [f"{path}:1:1: this is a binary file, not YAML text"]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [f"{path}:{line}:{col}: not valid UTF-8 text (byte 0x{data[exc.start]:02x}); "
                      "save the file as UTF-8"]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else f"{path}:1:1"
        what = " ".join(str(exc.problem or exc.context or "malformed YAML").split())
        return None, [f"{where}: malformed YAML: {what}"]
    except yaml.YAMLError as exc:
        return None, [f"{path}:1:1: malformed YAML: {' '.join(str(exc).split())}"]
    if node is None:
        return None, []
    converter = _Converter(path, budget=len(data) + 10_000)
    try:
        value = converter.convert(node)
    except _BudgetExceeded as exc:
        return None, [f"{exc.origin}: the document expands to more than {converter.budget} "
                      "values through YAML aliases (an alias bomb?); write the values out"]
    except _Shape as exc:
        return None, [exc.message]
    return value, converter.problems


class _BudgetExceeded(Exception):
    def __init__(self, origin: Origin) -> None:
        self.origin = origin


class _Shape(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


MAX_DEPTH = 100


_STR = "tag:yaml.org,2002:str"


class _Converter:
    def __init__(self, path: str, budget: int) -> None:
        self.path = path
        self.budget = budget
        self.used = 0
        self.problems: list[str] = []
        self._active: list[int] = []
        self._constructor = yaml.constructor.SafeConstructor()

    def origin(self, node: yaml.Node) -> Origin:
        mark = node.start_mark
        return Origin(self.path, mark.line + 1, mark.column + 1)

    @staticmethod
    def where(node: yaml.Node) -> tuple[int, int]:
        mark = node.start_mark
        return (mark.line + 1, mark.column + 1)

    def convert(self, node: yaml.Node) -> Any:
        self.used += 1
        if self.used > self.budget:
            raise _BudgetExceeded(self.origin(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR or node.tag == _TIMESTAMP:
                # dates stay text: histquiz reads them itself, keeping their precision
                return node.value
            try:
                return self._constructor.construct_object(node, deep=True)
            except yaml.YAMLError:
                return node.value
        if id(node) in self._active:
            raise _Shape(f"{self.origin(node)}: a YAML alias refers to the value that contains "
                         "it; write the values out")
        if len(self._active) >= MAX_DEPTH:
            raise _Shape(f"{self.origin(node)}: values are nested more than {MAX_DEPTH} deep")
        self._active.append(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node)
            assert isinstance(node, yaml.MappingNode)
            return self._mapping(node)
        finally:
            self._active.pop()

    def _sequence(self, node: yaml.SequenceNode) -> Seq:
        seq = Seq()
        seq.path, seq.where, seq.items_at = self.path, self.where(node), []
        for child in node.value:
            seq.append(self.convert(child))
            seq.items_at.append(self.where(child))
        return seq

    def _mapping(self, node: yaml.MappingNode) -> Map:
        result = Map()
        result.path, result.where = self.path, self.where(node)
        result.keys_at, result.values_at = {}, {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self._merge(result, value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(f"{self.origin(key_node)}: a key must be a plain word, "
                                     "not a list or mapping")
                continue
            key = str(key_node.value)
            if key in result.keys_at:
                line = result.keys_at[key][0]
                self.problems.append(f"{self.origin(key_node)}: key '{key}' is given twice "
                                     f"(first at line {line}); keep one")
            result[key] = self.convert(value_node)
            result.keys_at[key] = self.where(key_node)
            result.values_at[key] = self.where(value_node)
        return result

    def _merge(self, result: Map, value_node: yaml.Node) -> None:
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            merged = self.convert(source)
            if not isinstance(merged, Map):
                self.problems.append(f"{self.origin(source)}: '<<' merges only mappings")
                continue
            for key, value in merged.items():
                if key not in result:
                    result[key] = value
                    result.keys_at[key] = merged.keys_at.get(key, merged.where)
                    result.values_at[key] = merged.values_at.get(key, merged.where)


def load_file(path: str) -> tuple[Any, list[str]]:
    """Read and parse one file; every failure becomes a problem line, never an exception."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, [f"{path}:1:1: no such file"]
    except IsADirectoryError:
        return None, [f"{path}:1:1: is a folder, not a YAML file"]
    except OSError as exc:
        return None, [f"{path}:1:1: cannot read the file: {exc.strerror or exc}"]
    return read_yaml(path, data)

