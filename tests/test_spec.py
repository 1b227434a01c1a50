"""The deck spec: one table of fields behind both validation and the JSON Schema."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from histquiz.load import fields, rules, spec
from histquiz.load.fields import Date, Number, Record, Report, read_record, row
from histquiz.load.yaml import read_yaml

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "histquiz"
BAD = Path(__file__).parent / "data" / "bad"
RECORDS = [spec.FileRecord, spec.DeckRecord, spec.SourceRecord, spec.FactRecord,
           spec.QuestionRecord]


def test_shipped_schema_is_the_generated_one() -> None:
    shipped = (SRC / "schema" / "deck.schema.json").read_text(encoding="utf-8")
    assert shipped == spec.schema_text(), (
        "run `histquiz schema > src/histquiz/schema/deck.schema.json`")


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.__name__)
def test_every_field_is_a_row_with_help(record: type[Record]) -> None:
    base = {f.name for f in dataclasses.fields(Record)}
    rows = fields.rows_of(record)
    assert {f.name for f in dataclasses.fields(record)} - base == set(rows)
    for name, field in rows.items():
        assert field.help, f"{record.__name__}.{name} has no help text"


# --- the schema agrees with the loader -----------------------------------------------------

_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


def as_editor_sees_it(node: yaml.Node) -> Any:
    """A YAML node as JSON, typed the way editors type YAML (the 1.2 core schema)."""
    if isinstance(node, yaml.MappingNode):
        return {k.value: as_editor_sees_it(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [as_editor_sees_it(v) for v in node.value]
    text = node.value
    if node.style is not None:
        return text
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return text.lower() == "true"
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


def violations(value: Any, schema: dict[str, Any], root: dict[str, Any], at: str = "") -> list[str]:
    """The places where ``value`` breaks ``schema``, for the keywords the deck schema uses."""
    if "$ref" in schema:
        return violations(value, root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root, at)
    known = {"type", "enum", "pattern", "minLength", "maxLength", "minItems", "maxItems", "required",
             "properties",
             "additionalProperties", "propertyNames", "items", "anyOf", "dependentRequired",
             "description", "$schema", "$id", "title", "$defs"}
    assert set(schema) <= known, set(schema) - known
    kinds = {"string": str, "integer": int, "number": (int, float), "object": dict, "array": list,
             "boolean": bool}
    wanted = schema.get("type")
    if wanted is not None:
        names = wanted if isinstance(wanted, list) else [wanted]
        if ((isinstance(value, bool) and "boolean" not in names)
                or not isinstance(value, tuple(kinds[n] for n in names))):
            return [f"{at}: {value!r} is not {wanted}"]
    out: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{at}: {value!r} not in {schema['enum']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{at}: {value!r} does not match {schema['pattern']}")
        if len(value) < schema.get("minLength", 0):
            out.append(f"{at}: empty")
        if len(value) > schema.get("maxLength", len(value)):
            out.append(f"{at}: longer than {schema['maxLength']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            out.append(f"{at}: too few items")
        if len(value) > schema.get("maxItems", len(value)):
            out.append(f"{at}: too many items")
        for i, item in enumerate(value):
            out += violations(item, schema.get("items", {}), root, f"{at}[{i}]")
    if isinstance(value, dict):
        out += [f"{at}: needs {k}" for k in schema.get("required", []) if k not in value]
        for key, needs in schema.get("dependentRequired", {}).items():
            out += [f"{at}: {key} needs {k}" for k in needs if key in value and k not in value]
        if "anyOf" in schema and all(violations(value, s, root, at) for s in schema["anyOf"]):
            out.append(f"{at}: fits none of anyOf")
        properties = schema.get("properties", {})
        for key, item in value.items():
            if "propertyNames" in schema:
                out += violations(key, schema["propertyNames"], root, f"{at}.{key} (name)")
            if key in properties:
                out += violations(item, properties[key], root, f"{at}.{key}")
            elif schema.get("additionalProperties") is False:
                out.append(f"{at}: unknown key {key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                out += violations(item, schema["additionalProperties"], root, f"{at}.{key}")
    return out


def editor_view(path: Path) -> Any:
    return as_editor_sees_it(yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader))


@pytest.mark.parametrize("path", [*sorted((ROOT / "decks").glob("*.yaml")),
                                  Path(__file__).parent / "data" / "good" / "mini.yaml"],
                         ids=lambda p: p.name)
def test_schema_accepts_every_good_deck(path: Path) -> None:
    schema = spec.json_schema()
    assert violations(editor_view(path), schema, schema) == []


@pytest.mark.parametrize("name", [
    "unknown-key.yaml", "fact-bad-id.yaml", "source-without-author.yaml", "text-empty.yaml",
    "sources-empty.yaml", "facts-without-deck.yaml", "template-unknown.yaml", "kind-unknown.yaml",
    "pool-unknown-kind.yaml", "date-unreadable.yaml", "fact-not-mapping.yaml",
    "text-too-long.yaml",
])
def test_schema_refuses_what_the_loader_refuses(name: str) -> None:
    schema = spec.json_schema()
    assert violations(editor_view(BAD / name), schema, schema) != []


# --- adding a field is one row -------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class BoundsRecord(Record):
    """A record a later issue might add: a number question's bounds."""

    low: float | None = row(Number(), required=True, help="the smallest possible answer")
    high: float | None = row(Number(), help="the largest possible answer")
    since: Any = row(Date(spans=False, single="one date"), help="when the bounds began to hold")

    @classmethod
    def label(cls, own_id: str | None, parent: str, key: str) -> str:
        return "the bounds"

    def check(self, report: Report) -> None:
        if self.low is not None and self.high is not None and self.low > self.high:
            report(self.node.value_at("high"), f"{self.what}: 'high' is below 'low'")


def read_bounds(text: str) -> tuple[BoundsRecord | None, list[str]]:
    tree, problems = read_yaml("b.yaml", text.encode())
    assert tree is not None and not problems
    report = Report()
    return read_record(BoundsRecord, tree, report), [str(p) for p in report.problems]


def test_a_new_record_reads_validates_and_describes_itself() -> None:
    record, problems = read_bounds("low: 0\nhigh: 1.10\nsince: 1971-08\n")
    assert problems == []
    assert record is not None and (record.low, record.high, str(record.since)) == (
        0.0, 1.1, "HistDate(year=1971, month=8, day=None)")
    _, problems = read_bounds("low: 10\nhigh: 5\nsince: 1971-08/1972\nsize: 3\n")
    assert problems == [  # unknown keys, then the rows in order, then the record's rules
        "b.yaml:4:1: unknown key 'size' in the bounds; did you mean 'since'?",
        "b.yaml:3:8: the bounds: one date",
        "b.yaml:2:7: the bounds: 'high' is below 'low'",
    ]
    _, problems = read_bounds("high: lots\n")
    assert problems == ["b.yaml:1:1: the bounds needs 'low'",
                        "b.yaml:1:7: the bounds: 'high' must be a number, e.g. 36"]
    schema = fields.record_schema(BoundsRecord, {})
    assert schema["required"] == ["low"]
    assert schema["properties"]["high"] == {"type": "number",
                                            "description": "the largest possible answer"}


# --- the layers ----------------------------------------------------------------------------


def imported_modules(path: Path) -> set[str]:
    """The histquiz modules a source file imports, as absolute names."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            names.add(module)
            names.update(f"{module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return {n for n in names if n.startswith("histquiz")}


@pytest.mark.parametrize("path", sorted((SRC / "load").glob("*.py")), ids=lambda p: p.name)
def test_loading_imports_nothing_above_it(path: Path) -> None:
    above = ("histquiz.generate", "histquiz.export", "histquiz.commands", "histquiz.cli",
             "histquiz.quiz")
    assert not {m for m in imported_modules(path) if m.startswith(above)}


def test_generators_use_the_shared_rules() -> None:
    from histquiz.generate import context, registry

    assert registry.TEMPLATE_NEEDS is rules.TEMPLATE_NEEDS
    assert context.Pool is rules.Pool
    assert "histquiz.load.rules.distractor_pools" in imported_modules(SRC / "generate" / "context.py")


def test_schema_is_valid_json_with_a_description_for_every_field() -> None:
    schema = json.loads(spec.schema_text())
    for name in ("fact", "question"):
        for key, value in schema["$defs"][name]["properties"].items():
            assert value.get("description"), (name, key)
