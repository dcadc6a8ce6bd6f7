"""Differential test: our wire verdict against Apache avro's checker and against fastavro decoding.

Hypothesis builds a schema and an evolution of it (every kind of change the linter knows, nested in
records, arrays, maps and unions). For each direction we compare our verdict (no wire error) with
``avro.compatibility.ReaderWriterCompatibilityChecker`` and with fastavro actually decoding data
written with the writer schema using the reader schema: one datum per union branch and enum symbol.

A disagreement must be one of the documented defects of the other tool (see ``docs/linter.rst``),
recognised here by re-running our verdict on a schema rewritten the way that tool reads it.
Set ``SUBSIDY_EVENTS_DIFFERENTIAL_EXAMPLES`` for a longer run (default 1000).
"""

from __future__ import annotations

import copy
import io
import json
import os
import warnings
from collections import Counter
from typing import Any

import avro.errors
import avro.schema
import fastavro
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openedx_subsidy_events.compat import _resolve
from openedx_subsidy_events.compat._model import Direction
from openedx_subsidy_events.compat._resolve import resolve
from openedx_subsidy_events.compat._rules import RULES, Category
from openedx_subsidy_events.compat._schema import Node, parse
from openedx_subsidy_events.exceptions import SchemaError

EXAMPLES = int(os.environ.get("SUBSIDY_EVENTS_DIFFERENTIAL_EXAMPLES", "1000"))
LONG_RUN = "SUBSIDY_EVENTS_DIFFERENTIAL_EXAMPLES" in os.environ
"""The suite's run is derandomized, so what it covers (and a failure) is the same on every machine;
a long run explores new examples each time."""
PRIMITIVES = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
WIRE_ERRORS = frozenset(r.id for r in RULES.values() if r.category is Category.WIRE and r.severity.name == "ERROR")
SYMBOLS = ["A", "B", "C", "D"]
LOGICAL = [
    {"type": "int", "logicalType": "date"},
    {"type": "long", "logicalType": "timestamp-millis"},
    {"type": "long", "logicalType": "timestamp-micros"},
]
NAMESPACES = ["org.one", "org.two"]

TALLY: Counter[str] = Counter()


class _Names:
    """Fresh names, and the named types defined so far (by their stable ``x-id``) for references."""

    def __init__(self) -> None:
        self.count = 0
        self.defined: list[str] = []
        self.open: set[str] = set()

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"


_NO_DEFAULT = object()


def _type(draw: Any, names: _Names, depth: int) -> Any:
    kinds = ["prim"] * 4 + ["enum", "fixed", "array", "map", "union"] + (["record"] if depth < 2 else [])
    if names.defined:
        kinds.append("ref")
    kind = draw(st.sampled_from(kinds if depth < 3 else ["prim", "enum"]))
    if kind == "prim":
        if draw(st.integers(0, 5)) == 0:
            return draw(st.sampled_from(LOGICAL))
        return draw(st.sampled_from(PRIMITIVES[1:]))
    if kind == "ref":
        target = draw(st.sampled_from(names.defined))
        reference = {"$ref": target}
        return ["null", reference] if target in names.open else reference  # recursion needs a way out
    if kind == "enum":
        count = draw(st.integers(1, 3))
        name = names.fresh("E")
        enum: dict[str, Any] = {"type": "enum", "name": name, "x-id": name, "symbols": SYMBOLS[:count]}
        if draw(st.booleans()):
            enum["default"] = SYMBOLS[0]
        names.defined.append(name)
        return enum
    if kind == "fixed":
        name = names.fresh("F")
        names.defined.append(name)
        return {"type": "fixed", "name": name, "x-id": name, "size": draw(st.sampled_from([2, 4]))}
    if kind == "array":
        return {"type": "array", "items": _type(draw, names, depth + 1)}
    if kind == "map":
        return {"type": "map", "values": _type(draw, names, depth + 1)}
    if kind == "union":
        others = draw(st.lists(st.sampled_from(PRIMITIVES[1:]), min_size=1, max_size=2, unique=True))
        branches: list[Any] = ["null", *others]
        if depth < 2 and draw(st.booleans()):
            branches.append(_record(draw, names, depth + 1))
        return branches
    return _record(draw, names, depth + 1)


def _record(draw: Any, names: _Names, depth: int, name: str | None = None) -> dict[str, Any]:
    name = name or names.fresh("R")
    names.defined.append(name)
    names.open.add(name)
    fields = []
    for index in range(draw(st.integers(1, 3))):
        field_type = _type(draw, names, depth)
        field: dict[str, Any] = {"name": f"f{index}", "type": field_type}
        default = _default(field_type)
        if default is not _NO_DEFAULT and draw(st.booleans()):
            field["default"] = default
        fields.append(field)
    names.open.discard(name)
    record: dict[str, Any] = {"type": "record", "name": name, "x-id": name, "fields": fields}
    if draw(st.integers(0, 3)) == 0:
        record["namespace"] = draw(st.sampled_from(NAMESPACES))
    return record


def _default(schema: Any) -> Any:
    if isinstance(schema, list):
        return _default(schema[0])
    if isinstance(schema, dict) and "$ref" in schema:
        return _NO_DEFAULT
    kind = schema if isinstance(schema, str) else schema["type"]
    return (
        {
            "null": None,
            "boolean": False,
            "int": 0,
            "long": 0,
            "float": 0.0,
            "double": 0.0,
            "bytes": "",
            "string": "",
            "array": [],
            "map": {},
        }.get(kind)
        if kind not in ("enum", "fixed", "record")
        else _named_default(schema)
    )


def _named_default(schema: dict[str, Any]) -> Any:
    if schema["type"] == "enum":
        return schema["symbols"][0]
    if schema["type"] == "fixed":
        return "\u0000" * schema["size"]
    values = {f["name"]: _default(f["type"]) for f in schema["fields"]}
    return _NO_DEFAULT if _NO_DEFAULT in values.values() else values


def _rename(draw: Any, schema: dict[str, Any], tally: list[str]) -> None:
    old = schema["name"]
    old_full = f"{schema['namespace']}.{old}" if "namespace" in schema else old
    schema["name"] = old + "x"
    how = draw(st.sampled_from(["none", "full", "relative"]))
    tally.append(f"rename-{schema['type']}-{how}-alias")
    if how == "full":
        schema["aliases"] = [old_full]
    elif how == "relative":
        schema["aliases"] = [old]


def _mutate_here(draw: Any, schema: Any, names: _Names, tally: list[str]) -> Any:
    if isinstance(schema, dict) and "$ref" in schema:
        return schema  # a reference changes with its definition
    if isinstance(schema, str):
        choice = draw(st.sampled_from(["prim", "prim", "optional"]))
        if choice == "optional" and schema != "null":
            tally.append("required-to-optional")
            return ["null", schema]
        tally.append("type-change")
        return draw(st.sampled_from([p for p in PRIMITIVES[1:] if p != schema]))
    if isinstance(schema, list):
        choice = draw(st.sampled_from(["add", "remove", "unwrap"]))
        prims = [p for p in PRIMITIVES if p not in schema]
        if choice == "add" and prims:
            tally.append("union-branch-added")
            return [*schema, draw(st.sampled_from(prims))]
        if choice == "remove" and len(schema) > 1:
            tally.append("union-branch-removed")
            index = draw(st.integers(0, len(schema) - 1))
            return schema[:index] + schema[index + 1 :]
        tally.append("optional-to-required")
        return schema[-1]
    schema = copy.deepcopy(schema)
    kind = schema["type"]
    if "logicalType" in schema:
        tally.append("logical-type-changed")
        return draw(st.sampled_from([*(t for t in LOGICAL if t != schema), schema["type"]]))
    if kind == "enum":
        choice = draw(st.sampled_from(["add", "remove", "default", "rename", "namespace"]))
        if choice == "add" and len(schema["symbols"]) < len(SYMBOLS):
            tally.append("enum-symbol-added")
            schema["symbols"] = SYMBOLS[: len(schema["symbols"]) + 1]
        elif choice == "remove" and len(schema["symbols"]) > 1:
            tally.append("enum-symbol-removed")
            schema["symbols"] = schema["symbols"][:-1]
            if schema.get("default") not in schema["symbols"]:
                schema.pop("default", None)
        elif choice == "default":
            tally.append("enum-default-toggled")
            if "default" in schema:
                del schema["default"]
            else:
                schema["default"] = schema["symbols"][0]
        elif choice == "rename":
            _rename(draw, schema, tally)
        else:
            tally.append("namespace-changed")
            schema["namespace"] = "org.moved"
        return schema
    if kind == "fixed":
        if draw(st.booleans()):
            tally.append("fixed-size-changed")
            schema["size"] += 1
        else:
            _rename(draw, schema, tally)
        return schema
    if kind in ("array", "map"):
        tally.append("array-map-swapped")
        inner = schema.get("items", schema.get("values"))
        return {"type": "map", "values": inner} if kind == "array" else {"type": "array", "items": inner}
    choice = draw(st.sampled_from(["add", "remove", "rename-field", "rename", "namespace", "reorder"]))
    fields = schema["fields"]
    if choice == "add":
        field_type = _type(draw, names, 2)
        field: dict[str, Any] = {"name": names.fresh("g"), "type": field_type}
        default = _default(field_type)
        if default is not _NO_DEFAULT and draw(st.booleans()):
            field["default"] = default
            tally.append("field-added-with-default")
        else:
            tally.append("field-added-without-default")
        fields.append(field)
    elif choice == "remove" and len(fields) > 1:
        gone = fields.pop(draw(st.integers(0, len(fields) - 1)))
        tally.append("field-removed-" + ("with" if "default" in gone else "without") + "-default")
    elif choice == "rename-field":
        field = fields[draw(st.integers(0, len(fields) - 1))]
        old = field["name"]
        field["name"] = old + "r"
        if draw(st.booleans()):
            field["aliases"] = [old]
            tally.append("field-renamed-with-alias")
        else:
            tally.append("field-renamed-without-alias")
    elif choice == "rename":
        _rename(draw, schema, tally)
    elif choice == "namespace":
        tally.append("namespace-changed")
        schema["namespace"] = "org.moved"
    else:
        tally.append("fields-reordered")
        fields.reverse()
    return schema


def _mutate(draw: Any, schema: Any, names: _Names, tally: list[str], depth: int = 0) -> Any:
    if isinstance(schema, dict) and "$ref" in schema:
        return schema
    if draw(st.integers(0, 4)) == 0:
        return _mutate_here(draw, schema, names, tally)
    if isinstance(schema, list):
        return [_mutate(draw, b, names, tally, depth + 1) if not isinstance(b, str) else b for b in schema]
    if isinstance(schema, str):
        return schema
    schema = copy.deepcopy(schema)
    if schema["type"] == "record":
        for field in schema["fields"]:
            mutated = _mutate(draw, field["type"], names, tally, depth + 1)
            if mutated != field["type"]:
                field["type"] = mutated
                if "default" in field:
                    default = _default(mutated)
                    if default is _NO_DEFAULT:
                        del field["default"]
                    else:
                        field["default"] = default
    elif schema["type"] == "array":
        schema["items"] = _mutate(draw, schema["items"], names, tally, depth + 1)
    elif schema["type"] == "map":
        schema["values"] = _mutate(draw, schema["values"], names, tally, depth + 1)
    return schema


def _branch_key(branch: Any) -> str:
    if isinstance(branch, str):
        return branch
    if isinstance(branch, list):
        return "union"
    if "$ref" in branch:
        return "ref:" + str(branch["$ref"])
    return str(branch.get("x-id", branch["type"]))


def _valid(schema: Any) -> bool:
    """Unions must stay valid (no duplicate kinds, no union in a union) after a mutation."""
    if isinstance(schema, list):
        keys = [_branch_key(b) for b in schema]
        return len(set(keys)) == len(keys) and all(not isinstance(b, list) and _valid(b) for b in schema)
    if isinstance(schema, dict) and "$ref" not in schema:
        if schema["type"] == "record":
            return all(_valid(f["type"]) for f in schema["fields"])
        if schema["type"] in ("array", "map"):
            return _valid(schema.get("items", schema.get("values")))
    return True


@st.composite
def evolutions(draw: Any) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    names = _Names()
    old = _record(draw, names, 0, name="Root")
    tally: list[str] = []
    new = old
    for _ in range(draw(st.integers(1, 2))):
        new = _mutate(draw, new, names, tally)
    if any("$ref" in json.dumps(s) for s in (old, new)):
        tally.append("named-type-reference")
    if "Root" in json.dumps(old["fields"]):
        tally.append("recursive-record")
    return old, new, tally


def _fullnames(schema: Any, space: str, out: dict[str, str]) -> None:
    """``x-id`` -> current full name of every named type, in document order."""
    if isinstance(schema, list):
        for branch in schema:
            _fullnames(branch, space, out)
        return
    if not isinstance(schema, dict) or "$ref" in schema:
        return
    inner = space
    if "x-id" in schema:
        inner = schema.get("namespace", space)
        name = schema["name"]
        out[schema["x-id"]] = name if "." in name else (f"{inner}.{name}" if inner else name)
    for field in schema.get("fields", []):
        _fullnames(field["type"], inner, out)
    for key in ("items", "values"):
        if key in schema:
            _fullnames(schema[key], inner, out)


def render(schema: Any, ids: dict[str, str] | None = None) -> Any:
    """The schema as Avro JSON: references become full names, the ``x-id`` markers go."""
    if ids is None:
        ids = {}
        _fullnames(schema, "", ids)
    if isinstance(schema, list):
        return [render(b, ids) for b in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return ids.get(schema["$ref"], "Dangling")
    out = {k: v for k, v in schema.items() if k != "x-id"}
    if "fields" in out:
        out["fields"] = [dict(f, type=render(f["type"], ids)) for f in out["fields"]]
    for key in ("items", "values"):
        if key in out:
            out[key] = render(out[key], ids)
    return out


def _named(schema: Any, space: str, out: dict[str, Any]) -> None:
    """Full name -> definition, with the namespace each definition's contents inherit."""
    if isinstance(schema, list):
        for branch in schema:
            _named(branch, space, out)
        return
    if not isinstance(schema, dict):
        return
    inner = space
    if schema.get("type") in ("record", "enum", "fixed"):
        inner = schema.get("namespace", space)
        name = schema["name"]
        out[name if "." in name else (f"{inner}.{name}" if inner else name)] = (schema, inner)
    for field in schema.get("fields", []):
        _named(field["type"], inner, out)
    for key in ("items", "values"):
        if key in schema:
            _named(schema[key], inner, out)


def _lookup(name: str, space: str, names: dict[str, Any]) -> tuple[str, Any, str]:
    for candidate in [name] if "." in name else [f"{space}.{name}" if space else name, name]:
        if candidate in names:
            schema, inner = names[candidate]
            return candidate, schema, inner
    raise KeyError(name)


class _TooDeep(Exception):
    """The datum builder went round a recursion without finding its way out; that datum is skipped."""


def _datum(
    schema: Any,
    path: tuple[Any, ...],
    choices: dict[tuple[Any, ...], int],
    names: dict[str, Any],
    space: str = "",
    depth: int = 0,
) -> Any:
    """A datum of ``schema`` that takes branch/symbol ``choices[path]`` (default 0) at each union and enum."""
    if depth > 60:
        raise _TooDeep
    if isinstance(schema, list):
        deep = depth >= 6  # past this, take a branch that ends the recursion
        plain = [i for i, b in enumerate(schema) if isinstance(b, str) and b in PRIMITIVES]
        index = choices.get(path, 0) if not deep or not plain else plain[0]
        branch = schema[index]
        if isinstance(branch, str) and branch not in PRIMITIVES:
            label = _lookup(branch, space, names)[0]
        else:
            label = branch if isinstance(branch, str) else _label(branch, space)
        return (label, _datum(branch, (*path, index), choices, names, space, depth + 1))
    if isinstance(schema, str):
        if schema not in PRIMITIVES:
            _, target, inner = _lookup(schema, space, names)
            return _datum(target, path, choices, names, inner, depth + 1)
        return {
            "null": None,
            "boolean": True,
            "int": 7,
            "long": 7000,
            "float": 1.5,
            "double": 2.5,
            "bytes": b"ab",
            "string": "s",
        }[schema]
    kind = schema["type"]
    if kind in PRIMITIVES:  # a primitive with a logical type: its plain value is written
        return _datum(kind, path, choices, names, space, depth)
    if kind == "enum":
        return schema["symbols"][choices.get(path, 0)]
    if kind == "fixed":
        return bytes(schema["size"])
    if kind == "array":
        return [_datum(schema["items"], (*path, "[]"), choices, names, space, depth + 1)] if depth < 6 else []
    if kind == "map":
        return {"key": _datum(schema["values"], (*path, "{}"), choices, names, space, depth + 1)} if depth < 6 else {}
    inner = schema.get("namespace", space)
    return {
        f["name"]: _datum(f["type"], (*path, f["name"]), choices, names, inner, depth + 1) for f in schema["fields"]
    }


def _label(schema: dict[str, Any], space: str) -> str:
    if schema["type"] in ("array", "map", *PRIMITIVES):
        return str(schema["type"])
    namespace = schema.get("namespace", space)
    return f"{namespace}.{schema['name']}" if namespace else str(schema["name"])


def _targets(schema: Any, path: tuple[Any, ...], reach: dict[tuple[Any, ...], int]) -> list[dict[tuple[Any, ...], int]]:
    """One choice map per union branch and per enum symbol, choosing the way to reach it."""
    if isinstance(schema, list):
        found = []
        for index, branch in enumerate(schema):
            here = {**reach, path: index}
            found.append(here)
            found.extend(_targets(branch, (*path, index), here))
        return found
    if isinstance(schema, str):
        return []
    kind = schema["type"]
    if kind == "enum":
        return [{**reach, path: i} for i in range(len(schema["symbols"]))]
    if kind == "array":
        return _targets(schema["items"], (*path, "[]"), reach)
    if kind == "map":
        return _targets(schema["values"], (*path, "{}"), reach)
    if kind == "record":
        return [t for f in schema["fields"] for t in _targets(f["type"], (*path, f["name"]), reach)]
    return []


def datums(schema: Any) -> list[Any]:
    """Data written with ``schema`` that together take every union branch and every enum symbol."""
    names: dict[str, Any] = {}
    _named(schema, "", names)
    found = []
    for choices in [{}, *_targets(schema, (), {})]:
        try:
            found.append(_datum(schema, (), choices, names))
        except _TooDeep:
            TALLY["datum skipped: recursion"] += 1
    return found


def _apache_parses(schema: Any) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            avro.schema.parse(json.dumps(schema))
    except avro.errors.AvroException:
        return False
    return True


def ours(reader: Any, writer: Any) -> bool:
    hits: list[Any] = []
    direction = Direction.BACKWARD
    resolve(parse(reader), parse(writer), direction=direction, enabled=WIRE_ERRORS, emit=hits.append)
    return not hits


def apache(reader: Any, writer: Any) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r, w = avro.schema.parse(json.dumps(reader)), avro.schema.parse(json.dumps(writer))
    result = ReaderWriterCompatibilityChecker().get_compatibility(r, w)
    return result.compatibility is SchemaCompatibilityType.compatible


def fast(reader: Any, writer: Any) -> bool:
    w, r = fastavro.parse_schema(copy.deepcopy(writer)), fastavro.parse_schema(copy.deepcopy(reader))
    for datum in datums(writer):
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, w, datum)
        buffer.seek(0)
        try:
            fastavro.schemaless_reader(buffer, w, r)
        except Exception:
            return False
    return True


def _apache_names(reader: Node, writer: Node) -> bool:
    """Apache avro's ``schema_name_equals``: aliases compared as written, not qualified."""
    return reader.name == writer.name or writer.fullname in reader.raw_aliases


def _fastavro_names(reader: Node, writer: Node) -> bool:
    """fastavro's ``match_schemas``: an alias as written may name the writer's full or unqualified name."""
    aliases = reader.raw_aliases
    return reader.name == writer.name or writer.fullname in aliases or writer.name in aliases


def ours_reading_names_as(reading: Any, reader: Any, writer: Any) -> bool:
    """Our verdict with another tool's way of matching named types: what a known defect explains."""
    original = _resolve.name_matches
    _resolve.name_matches = reading
    try:
        return ours(reader, writer)
    finally:
        _resolve.name_matches = original


def compare(reader: Any, writer: Any) -> list[str]:
    """The unexplained disagreements of one reader/writer pair (empty when all agree or are explained)."""
    problems = []
    mine = ours(reader, writer)
    theirs = apache(reader, writer)
    if mine != theirs:
        if ours_reading_names_as(_apache_names, reader, writer) == theirs:
            TALLY["apache: aliases compared as written"] += 1
        else:
            problems.append(f"apache says {theirs}, we say {mine}")
    decoded = fast(reader, writer)
    if mine != decoded:
        if ours_reading_names_as(_fastavro_names, reader, writer) == decoded:
            TALLY["fastavro: aliases match unqualified names"] += 1
        else:
            problems.append(f"fastavro decodes={decoded}, we say {mine}")
    TALLY["pairs"] += 1
    TALLY["compatible" if mine else "incompatible"] += 1
    return problems


@settings(
    max_examples=EXAMPLES,
    derandomize=not LONG_RUN,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(evolutions())
def test_wire_verdict_matches_apache_and_fastavro(evolution: tuple[dict[str, Any], dict[str, Any], list[str]]) -> None:
    """Both directions of every generated evolution: our verdict equals the oracles' or a documented defect."""
    old, new, changes = evolution
    if not _valid(new):
        TALLY["skipped: invalid union"] += 1
        return
    old, new = render(old), render(new)
    if not (_apache_parses(old) and _apache_parses(new)):
        TALLY["skipped: a reference before its definition or to a removed type"] += 1
        return
    try:
        parse(old)
        parse(new)
    except SchemaError as error:
        if error.rule != "RECURSIVE_SCHEMA":  # Apache parsed it: only this may differ
            raise
        TALLY["skipped: a record that always contains itself (we reject it; Apache accepts it)"] += 1
        return
    for change in changes:
        TALLY["change: " + change] += 1
    problems = compare(new, old) + compare(old, new)
    assert not problems, json.dumps({"old": old, "new": new, "changes": changes, "problems": problems}, indent=1)


def test_the_generator_covers_every_kind_of_change() -> None:
    """The differential run above exercised each kind of change and both verdicts."""
    kinds = {key for key in TALLY if key.startswith("change: ")}
    if TALLY["pairs"] == 0:  # run alone: the generator was not exercised in this session
        return
    expected = {
        "field-added-with-default",
        "field-added-without-default",
        "field-removed-with-default",
        "field-removed-without-default",
        "field-renamed-with-alias",
        "field-renamed-without-alias",
        "type-change",
        "required-to-optional",
        "optional-to-required",
        "union-branch-added",
        "union-branch-removed",
        "enum-symbol-added",
        "enum-symbol-removed",
        "enum-default-toggled",
        "fixed-size-changed",
        "array-map-swapped",
        "namespace-changed",
        "logical-type-changed",
        "named-type-reference",
        "recursive-record",
    }
    assert {"change: " + k for k in expected} <= kinds
    for alias in ("none", "full", "relative"):  # named types renamed, with each kind of alias
        assert any(k.startswith("change: rename-") and k.endswith(f"-{alias}-alias") for k in kinds), alias
    assert TALLY["compatible"] > 0
    assert TALLY["incompatible"] > 0


def test_print_tally(capsys: Any) -> None:
    """Not a check: prints what the differential run did (``pytest -s`` shows it)."""
    with capsys.disabled():
        print("\ndifferential tally:", json.dumps(dict(sorted(TALLY.items())), indent=1))
