"""The pieces the deck spec is made of: value types, the field row, and records read by their rows.

A value type reads one YAML node (reporting, at the node's line and column, a value that does
not fit) and describes itself as a JSON Schema fragment, so validation and ``histquiz schema``
come from the same place. A record is a frozen dataclass whose fields are rows made with
``row(...)``; ``read_record`` reads a YAML mapping into it, field by field, and then runs the
record's own ``check`` for rules that span several fields.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from ..dates import DateSpan, When, parse_iso
from ..model import BASE_KINDS, NUMERIC_KINDS, Origin, PoolValue, YearSpan
from .files import Problem
from .rules import TEMPLATE_NEEDS, TEMPLATE_ORDER
from .yaml import Map, Node, Null, Scalar, Seq

T = TypeVar("T")
R = TypeVar("R", bound="Record")

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_RULE = "lowercase letters, digits and single hyphens (e.g. 'treaty-1971')"
KIND = r"^[a-z]+(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)?$"
KIND_SCHEMA = rf"^({'|'.join(BASE_KINDS)})(\.[a-z0-9]+(-[a-z0-9]+)*)?$"
_DATE_ONE = r"\d{4}(-\d{1,2}(-\d{1,2})?)?"


class Report:
    """Collects the problems found while reading; reading goes on after each one."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def __call__(self, origin: Origin, message: str) -> None:
        self.problems.append(Problem(origin, message))


def suggest(word: str, choices: Iterable[str]) -> str:
    """'; did you mean 'x'?' for the closest choice, or nothing."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


@dataclass(frozen=True)
class At(Generic[T]):
    """A value with the place it was written, for rules that point at one list item."""

    value: T
    origin: Origin


@dataclass(slots=True)
class Cx:
    """What is being read, for the messages: the owner ("fact 'f1'"), the field, and for one
    item of a list the noun for it ("tag")."""

    report: Report
    what: str
    key: str
    noun: str | None = None
    required: bool = False
    key_at: Origin | None = None  # where the key of a mapping's entry was written

    @property
    def prefix(self) -> str:
        return f"{self.what}: " if self.what else ""


# --- value types ---------------------------------------------------------------------------


class Type(Generic[T]):
    """Reads one node into a value of type T, or reports why it cannot and returns None."""

    # Whether an empty value (``key:``, ``~``) reaches ``read``; otherwise it counts as absent.
    null_ok: bool = False

    def read(self, node: Node, cx: Cx) -> T | None:
        raise NotImplementedError

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError


# The longest text (in characters) a field may hold, so that every output's limits are known
# before any output is written: a question and its options fit a worksheet's page and a
# terminal's screen, and a 10 MB value is refused here instead of being laid out for minutes.
# An option is anything offered as a choice (answers, distractors, pool values, events); a
# line is any other one-line text; long text (explanations, notes) keeps its line breaks.
QUESTION_LIMIT = 300
OPTION_LIMIT = 150
LINE_LIMIT = 500
LONG_LIMIT = 2000


class Text(Type[str]):
    """Any scalar, as text: spaces and line breaks fold to single spaces (``collapse``), or
    only the ends are trimmed (long text such as an explanation). ``limit`` is the most
    characters it may have: LINE_LIMIT, or LONG_LIMIT without ``collapse``, unless given."""

    def __init__(self, *, collapse: bool = True, json_types: tuple[str, ...] = ("string",),
                 json_pattern: str | None = None, shape: str = "must be text",
                 description: str = "", limit: int | None = None) -> None:
        self.collapse = collapse
        self.json_types = json_types
        self.json_pattern = json_pattern
        self.shape = shape
        self.description = description
        self.limit = limit if limit is not None else (LINE_LIMIT if collapse else LONG_LIMIT)

    def read(self, node: Node, cx: Cx) -> str | None:
        if isinstance(node, Null):
            text = ""
        elif isinstance(node, Scalar):
            text = " ".join(node.text.split()) if self.collapse else node.text.strip()
        else:
            message = f"each {cx.noun} must be text" if cx.noun else f"'{cx.key}' {self.shape}"
            cx.report(node.origin, cx.prefix + message)
            return None
        if not text:
            if cx.noun:
                cx.report(node.origin, f"{cx.prefix}an empty {cx.noun}; remove it or fill it in")
            elif cx.required:
                cx.report(node.origin, f"{cx.prefix}'{cx.key}' is empty")
            return None
        if len(text) > self.limit:
            what = f"a {cx.noun}" if cx.noun else f"'{cx.key}'"
            cx.report(node.origin, f"{cx.prefix}{what} is {len(text):,} characters long, over "
                      f"the limit of {self.limit:,}; shorten it")
            return None
        return self.check(text, node, cx)

    def check(self, text: str, node: Node, cx: Cx) -> str | None:
        """Further rules on the text; report and return None when it does not fit."""
        return text

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.json_types[0] if len(self.json_types) == 1
                               else list(self.json_types)}
        if self.json_pattern is not None:
            out["pattern"] = self.json_pattern
        elif self.json_types == ("string",):
            out["minLength"] = 1
        if "string" in self.json_types:
            out["maxLength"] = self.limit
        if self.description:
            out["description"] = self.description
        return out


class Pattern(Text):
    """Text that must match a regular expression, described in words by ``rule``."""

    def __init__(self, pattern: str, rule: str, *, json_pattern: str | None = None,
                 description: str = "") -> None:
        super().__init__(json_pattern=json_pattern or pattern, description=description)
        self.regex = re.compile(pattern)
        self.rule = rule

    def check(self, text: str, node: Node, cx: Cx) -> str | None:
        if not self.regex.match(text):
            cx.report(node.origin, f"{cx.prefix}{cx.noun or cx.key} '{text}' must be {self.rule}")
            return None
        return text


class Tag(Pattern):
    """A fact's own tag; the topic and era tags are derived, so they may not be written."""

    def check(self, text: str, node: Node, cx: Cx) -> str | None:
        if self.regex.match(text) and text.startswith(("era::", "topic::")):
            cx.report(node.origin, f"{cx.prefix}tag '{text}' is added automatically; remove it")
            return None
        return super().check(text, node, cx)


class Kind(Text):
    """An answer kind: a base kind, optionally narrowed by a group (``person.soviet``).
    With ``pool=True`` it names a pool, which numeric kinds never need."""

    def __init__(self, *, pool: bool = False) -> None:
        super().__init__(description="answer kind, optionally with a group: person.soviet, "
                         "place.indian-city, percentage")
        self.regex = re.compile(KIND)
        self.pool = pool

    def check(self, text: str, node: Node, cx: Cx) -> str | None:
        base = text.split(".")[0]
        if not self.regex.match(text) or base not in BASE_KINDS:
            cx.report(node.origin, f"unknown answer kind '{text}'{suggest(base, BASE_KINDS)} "
                      f"(kinds: {', '.join(BASE_KINDS)}, optionally with a .group such as "
                      "person.soviet)")
            return None
        if self.pool and base in NUMERIC_KINDS:
            cx.report(node.origin, f"pool '{text}': numeric kinds need no pool; their "
                      "distractors are generated")
            return None
        return text

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "pattern": KIND_SCHEMA, "description": self.description}


class TemplateName(Text):
    """The name of a question template."""

    def check(self, text: str, node: Node, cx: Cx) -> str | None:
        if text not in TEMPLATE_NEEDS:
            cx.report(node.origin, f"{cx.prefix}unknown template '{text}'"
                      f"{suggest(text, TEMPLATE_NEEDS)} (templates: {', '.join(TEMPLATE_ORDER)})")
            return None
        return text

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"enum": list(TEMPLATE_ORDER)}


class Date(Type[When]):
    """A historical date at the precision written (``1971``, ``1971-08``, ``1971-08-09``), or
    with ``spans`` also ``START/END``; ``single`` is what to say about a span where one date
    is wanted."""

    def __init__(self, *, spans: bool, single: str = "") -> None:
        self.spans = spans
        self.single = single

    def read(self, node: Node, cx: Cx) -> When | None:
        if not isinstance(node, Scalar):
            cx.report(node.origin, f"{cx.prefix}date must be YYYY, YYYY-MM, YYYY-MM-DD or START/END")
            return None
        try:
            when = parse_iso(node.text)
        except ValueError as exc:
            cx.report(node.origin, f"{cx.prefix}{exc}")
            return None
        if not self.spans and isinstance(when, DateSpan):
            cx.report(node.origin, cx.prefix + self.single)
            return None
        return when

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        pattern = f"^{_DATE_ONE}(/{_DATE_ONE})?$" if self.spans else f"^{_DATE_ONE}$"
        return {"type": ["string", "integer"], "pattern": pattern}


def parse_number(text: str) -> float | None:
    """A finite decimal number as written (``36``, ``2.5``, ``1e3``), or None."""
    if not text.isascii():
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class Number(Type[float]):
    """A finite decimal number (``36``, ``2.5``); text such as ``1,200`` or ``.inf`` is refused."""

    def read(self, node: Node, cx: Cx) -> float | None:
        value = parse_number(node.text.strip()) if isinstance(node, Scalar) else None
        if value is None:
            cx.report(node.origin, f"{cx.prefix}'{cx.key}' must be a number, e.g. 36")
        return value

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "number"}


class Flag(Type[bool]):
    """``true`` or ``false`` (also ``yes``/``no``), written out: YAML does not decide it."""

    WORDS: ClassVar[dict[str, bool]] = {"true": True, "yes": True, "false": False, "no": False}

    def read(self, node: Node, cx: Cx) -> bool | None:
        word = node.text.strip().lower() if isinstance(node, Scalar) else None
        if word not in self.WORDS:
            cx.report(node.origin, f"{cx.prefix}'{cx.key}' must be true or false")
            return None
        return self.WORDS[word]

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": ["boolean", "string"], "enum": [True, False, "true", "false", "yes", "no"]}


_YEARS = re.compile(r"^(\d{3,4})?\s*(?:([-–])\s*(\d{3,4})?)?$")


class Years(Type[YearSpan]):
    """Years as ``1964-1982`` (or with an en dash), ``1999-`` for still going, ``-1950`` for
    until then, or one year ``1955``."""

    RULE = "years such as 1964-1982, 1999- (still), -1950 (until) or 1955"

    def read(self, node: Node, cx: Cx) -> YearSpan | None:
        text = node.text.strip() if isinstance(node, Scalar) else ""
        m = _YEARS.match(text)
        if not text or m is None or not (m.group(1) or m.group(3)):
            cx.report(node.origin, f"{cx.prefix}'{cx.key}' must be {self.RULE}")
            return None
        start = int(m.group(1)) if m.group(1) else None
        end = int(m.group(3)) if m.group(3) else (start if not m.group(2) else None)
        if start is not None and end is not None and end < start:
            cx.report(node.origin, f"{cx.prefix}'{cx.key}' ends ({end}) before it starts ({start})")
            return None
        return YearSpan(start, end)

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": ["string", "integer"], "pattern": r"^(\d{3,4})?\s*([-–]\s*(\d{3,4})?)?$"}


class Bounds(Type[tuple[float, float]]):
    """``[lowest, highest]``: the range every numeric option must lie in."""

    def read(self, node: Node, cx: Cx) -> tuple[float, float] | None:
        values = ([parse_number(child.text.strip()) if isinstance(child, Scalar) else None
                   for child in node.items] if isinstance(node, Seq) else [])
        if len(values) != 2 or None in values:
            cx.report(node.origin, f"{cx.prefix}'{cx.key}' must be [lowest, highest], e.g. [0, 193]")
            return None
        low, high = values
        assert low is not None and high is not None
        if low >= high:
            cx.report(node.origin, f"{cx.prefix}'{cx.key}': the lowest value must come first "
                      "and be below the highest")
            return None
        return (low, high)

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}


class PoolEntry(Type[PoolValue]):
    """A distractor candidate: the value as text, or ``{value: …, years: 1964-1982}`` for a
    candidate that fits only questions about those years."""

    def __init__(self) -> None:
        self.text = Text(json_types=("string", "number"), limit=OPTION_LIMIT)
        self.years = Years()

    def read(self, node: Node, cx: Cx) -> PoolValue | None:
        if not isinstance(node, Map):
            value = self.text.read(node, cx)
            return PoolValue(value) if value is not None else None
        for key in node:
            if key not in ("value", "years"):
                cx.report(node.key_at(key), f"{cx.prefix}unknown key '{key}' in a pool value "
                          "(allowed: value, years)")
        value_node, years_node = node.get("value"), node.get("years")
        if value_node is None or years_node is None:
            cx.report(node.origin, f"{cx.prefix}a pool value written as a mapping needs "
                      "'value' and 'years'")
            return None
        value = self.text.read(value_node, Cx(cx.report, cx.what, "value", None, True))
        years = self.years.read(years_node, Cx(cx.report, cx.what, "years", None, True))
        return PoolValue(value, years) if value is not None and years is not None else None

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"anyOf": [self.text.schema(defs), {
            "type": "object", "additionalProperties": False, "required": ["value", "years"],
            "properties": {"value": self.text.schema(defs), "years": self.years.schema(defs)}}]}


class Located(Type[At[T]]):
    """The inner type's value together with where it was written."""

    def __init__(self, inner: Type[T]) -> None:
        self.inner = inner

    def read(self, node: Node, cx: Cx) -> At[T] | None:
        value = self.inner.read(node, cx)
        return At(value, node.origin) if value is not None else None

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return self.inner.schema(defs)


class ListOf(Type[tuple[T, ...]]):
    """A YAML list; items that do not fit are reported and left out. ``noun`` names one item
    in messages; with ``null_is_empty`` an empty value means an empty list, not absence."""

    def __init__(self, item: Type[T], *, noun: str = "value", null_is_empty: bool = False,
                 not_list: str = "{prefix}'{key}' must be a list, e.g. [a, b]") -> None:
        self.item = item
        self.noun = noun
        self.null_is_empty = null_is_empty
        self.not_list = not_list
        self.null_ok = null_is_empty

    def read(self, node: Node, cx: Cx) -> tuple[T, ...] | None:
        if isinstance(node, Null) and self.null_is_empty:
            return ()
        if not isinstance(node, Seq):
            cx.report(node.origin, self.not_list.format(prefix=cx.prefix, what=cx.what, key=cx.key))
            return None
        item_cx = Cx(cx.report, cx.what, cx.key, self.noun, True)
        values = (self.item.read(child, item_cx) for child in node.items)
        return tuple(v for v in values if v is not None)

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "array", "items": self.item.schema(defs)}


class MapOf(Type[dict[str, T]]):
    """A YAML mapping with keys of ``key`` type (checked at the key's position) and values of
    ``value`` type; ``entry`` names an entry in messages about its value ("pool '{key}'")."""

    def __init__(self, key: Text, value: Type[T], *, not_map: str, entry: str = "{key}",
                 key_noun: str = "key", description: str = "") -> None:
        self.key = key
        self.value = value
        self.not_map = not_map
        self.entry = entry
        self.key_noun = key_noun
        self.description = description

    def read(self, node: Node, cx: Cx) -> dict[str, T] | None:
        if not isinstance(node, Map):
            cx.report(node.origin, self.not_map.format(key=cx.key))
            return None
        result: dict[str, T] = {}
        for name, (line, col, value_node) in node.entries.items():
            key_node = Scalar(node.path, line, col, name)
            key = self.key.read(key_node, Cx(cx.report, "", name, self.key_noun, True))
            if key is None:
                continue
            value_cx = Cx(cx.report, self.entry.format(key=key), key, None, True, key_node.origin)
            value = self.value.read(value_node, value_cx)
            if value is not None:
                result[key] = value
        return result

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "object"}
        if self.description:
            out["description"] = self.description
        key_schema = self.key.schema(defs)
        if "pattern" in key_schema:
            out["propertyNames"] = key_schema
        out["additionalProperties"] = self.value.schema(defs)
        return out


class RecordType(Type[R]):
    """A nested record (a mapping read by its own rows)."""

    null_ok = True

    def __init__(self, cls: type[R]) -> None:
        self.cls = cls

    def read(self, node: Node, cx: Cx) -> R | None:
        # an item of a list has no key of its own; an entry of a mapping is named by its key
        if cx.noun:
            return read_record(self.cls, node, cx.report, parent=cx.what)
        return read_record(self.cls, node, cx.report, parent=cx.what, key=cx.key, key_at=cx.key_at)

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        name = self.cls.SCHEMA_DEF
        if name is None:
            return record_schema(self.cls, defs)
        if name not in defs:
            defs[name] = {}  # reserved first, so a record that contains itself terminates
            defs[name] = record_schema(self.cls, defs)
        return {"$ref": f"#/$defs/{name}"}


# --- rows and records ----------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One row of the spec: a field's type, whether it is required, its help text (the
    schema's description) and names authors write by mistake for it (``hints``)."""

    type: Type[Any]
    required: bool = False
    help: str = ""
    hints: tuple[str, ...] = ()
    missing: str | None = None  # the message for a missing value, after the owner's name
    fallback: str | None = None  # where a required value may come from instead (the loader's rule)


def row(type_: Type[Any], *, required: bool = False, help: str, hints: tuple[str, ...] = (),
        missing: str | None = None, fallback: str | None = None) -> Any:
    """Declare a record field as a row of the spec. Its value is None when absent or invalid."""
    spec = Field(type_, required, help, hints, missing, fallback)
    return dataclasses.field(default=None, metadata={"row": spec})


@dataclass(frozen=True, kw_only=True)
class Record:
    """Values read from one YAML mapping; None where a value was absent or did not fit.

    ``node`` is the mapping itself, for rules that point at a key or value; ``what`` is how
    messages name the record ("fact 'treaty-1971'").
    """

    node: Map = dataclasses.field(repr=False, compare=False)
    what: str
    key: str = ""  # for an entry of a mapping (a source), its key ...
    key_at: Origin | None = None  # ... and where the key was written

    ID: ClassVar[str | None] = None  # the row read first, because the record's name uses it
    UNKNOWN_IN: ClassVar[str | None] = None  # how "unknown key ... in X" names it, if not ``what``
    NOT_A_MAP: ClassVar[str] = "{parent}: this must be a mapping"
    SCHEMA_DEF: ClassVar[str | None] = None  # its name under $defs, or None to write it inline
    SCHEMA_EXTRA: ClassVar[dict[str, Any]] = {}

    @classmethod
    def label(cls, own_id: str | None, parent: str, key: str) -> str:
        return parent

    def check(self, report: Report) -> None:
        """The record's rules that span several fields; the rows have been read."""

    def __reduce__(self) -> tuple[Any, ...]:
        # its values in a tuple: a big deck's records come back from the processes that read
        # its parts (split.py) in about two thirds of the time a dictionary per record takes
        cls = type(self)
        return (_rebuilt, (cls, tuple(getattr(self, name) for name in _names(cls))))


_NAMES: dict[type[Record], tuple[str, ...]] = {}


def _names(cls: type[Record]) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _rebuilt(cls: type[R], values: tuple[Any, ...]) -> R:
    record = object.__new__(cls)
    record.__dict__.update(zip(_names(cls), values, strict=True))
    return record


_ROWS: dict[type[Record], dict[str, Field]] = {}
_HINTS: dict[type[Record], dict[str, str]] = {}


def rows_of(cls: type[Record]) -> dict[str, Field]:
    """The spec rows of a record, in the order written."""
    rows = _ROWS.get(cls)
    if rows is None:
        rows = {f.name: f.metadata["row"] for f in dataclasses.fields(cls) if "row" in f.metadata}
        _ROWS[cls] = rows
        _HINTS[cls] = {hint: name for name, spec in rows.items() for hint in spec.hints}
    return rows


def read_record(cls: type[R], node: Node, report: Report, parent: str = "", key: str = "",
                key_at: Origin | None = None) -> R | None:
    """Read ``node`` into a ``cls`` record by its rows; every problem goes to ``report``."""
    if not isinstance(node, Map):
        report(node.origin, cls.NOT_A_MAP.format(parent=parent, key=key))
        return None
    rows = rows_of(cls)
    values: dict[str, Any] = {}
    own_id = None
    if cls.ID is not None:
        own_id = read_field(cls.ID, rows[cls.ID], node, cls.label(None, parent, key), report)
        values[cls.ID] = own_id
    what = cls.label(own_id, parent, key)
    check_keys(node, rows, _HINTS[cls], cls.UNKNOWN_IN or what, report)
    for name, spec in rows.items():
        if name != cls.ID:
            values[name] = read_field(name, spec, node, what, report)
    record = cls(node=node, what=what, key=key, key_at=key_at, **values)
    record.check(report)
    return record


def read_field(name: str, spec: Field, node: Map, what: str, report: Report) -> Any:
    value_node = node.get(name)
    if value_node is None or (isinstance(value_node, Null) and not spec.type.null_ok):
        if spec.required and spec.fallback is None:
            report(node.origin, f"{what} {spec.missing or f'needs {name!r}'}")
        return None
    value = spec.type.read(value_node, Cx(report, what, name, None, spec.required))
    if spec.required and value == ():
        report(value_node.origin, f"{what} {spec.missing or f'needs {name!r}'}")
    return value


def check_keys(node: Map, rows: dict[str, Field], hints: dict[str, str], what: str,
               report: Report) -> None:
    for key in node:
        if key in rows:
            continue
        hint = hints.get(key.casefold())
        close = f"; did you mean '{hint}'?" if hint else suggest(key, rows)
        allowed = "" if close else f" (allowed: {', '.join(rows)})"
        report(node.key_at(key), f"unknown key '{key}' in {what}{close}{allowed}")


def record_schema(cls: type[Record], defs: dict[str, Any]) -> dict[str, Any]:
    rows = rows_of(cls)
    out: dict[str, Any] = {"type": "object", "additionalProperties": False}
    required = [name for name, spec in rows.items() if spec.required and spec.fallback is None]
    if required:
        out["required"] = required
    out.update(cls.SCHEMA_EXTRA)
    properties: dict[str, Any] = {}
    for name, spec in rows.items():
        schema = spec.type.schema(defs)
        if spec.required and isinstance(spec.type, ListOf):
            schema["minItems"] = 1
        if spec.help and "$ref" not in schema:
            schema["description"] = spec.help
        properties[name] = schema
    out["properties"] = properties
    return out
