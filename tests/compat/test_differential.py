"""Differential test: our wire verdict against Apache avro's checker and against fastavro decoding.

Hypothesis builds a schema and an evolution of it (every kind of change the linter knows, nested in
records, arrays, maps and unions; each change drawn kind first, then the place, so that rare kinds
get their share and nearly no pair is unchanged). For each direction we compare our verdict (no
wire error) with ``avro.compatibility.ReaderWriterCompatibilityChecker`` and with fastavro actually
decoding data written with the writer schema using the reader schema: one datum per union branch and
enum symbol, written once with UTF-8 bytes and once with bytes that are not UTF-8 (which must fail
only where we report a bytes->string LOSSY_PROMOTION).

A disagreement must be one of the documented defects of the other tool (see ``docs/linter.rst``),
recognised here by re-running our verdict on a schema rewritten the way that tool reads it.
Set ``SUBSIDY_EVENTS_DIFFERENTIAL_EXAMPLES`` for a longer run (default 2000).
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
from openedx_subsidy_events.compat._node import Node
from openedx_subsidy_events.compat._resolve import PROMOTIONS, resolve
from openedx_subsidy_events.compat._rules import RULES, Category
from openedx_subsidy_events.compat._schema import parse
from openedx_subsidy_events.exceptions import SchemaError

EXAMPLES = int(os.environ.get("SUBSIDY_EVENTS_DIFFERENTIAL_EXAMPLES", "2000"))
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
ALIASES = ("none", "full", "relative")

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
    kinds = ["prim"] * 4 + ["enum", "fixed", "array", "map", "union", "union"] + (["record"] if depth < 2 else [])
    if names.defined:
        kinds.append("ref")
    kind = draw(st.sampled_from(kinds if depth < 3 else ["prim", "enum"]))
    if kind == "prim":
        if draw(st.integers(0, 5)) == 0:
            return draw(st.sampled_from(LOGICAL))
        return draw(st.sampled_from(PRIMITIVES[1:]))
    if kind == "ref":
        return _reference(draw, names)
    if kind == "enum":
        return _enum(draw, names)
    if kind == "fixed":
        return _fixed(draw, names)
    if kind == "array":
        return {"type": "array", "items": _type(draw, names, depth + 1)}
    if kind == "map":
        return {"type": "map", "values": _type(draw, names, depth + 1)}
    if kind == "union":
        return _union(draw, names, depth)
    return _record(draw, names, depth + 1)


def _reference(draw: Any, names: _Names) -> Any:
    target = draw(st.sampled_from(names.defined))
    reference = {"$ref": target}
    return ["null", reference] if target in names.open else reference  # recursion needs a way out


def _enum(draw: Any, names: _Names) -> dict[str, Any]:
    name = names.fresh("E")
    count = draw(st.sampled_from([1, 2, 3, 3]))
    enum: dict[str, Any] = {"type": "enum", "name": name, "x-id": name, "symbols": SYMBOLS[:count]}
    if draw(st.booleans()):
        enum["default"] = SYMBOLS[0]
    names.defined.append(name)
    return enum


def _fixed(draw: Any, names: _Names) -> dict[str, Any]:
    name = names.fresh("F")
    names.defined.append(name)
    return {"type": "fixed", "name": name, "x-id": name, "size": draw(st.sampled_from([2, 4]))}


def _union(draw: Any, names: _Names, depth: int) -> list[Any]:
    """null, one or two primitives, and sometimes a record, an enum, a fixed or a reference."""
    others = draw(st.lists(st.sampled_from(PRIMITIVES[1:]), min_size=1, max_size=2, unique=True))
    branches: list[Any] = ["null", *others]
    extras = ["none", "enum", "fixed", *(["record"] if depth < 2 else []), *(["ref"] if names.defined else [])]
    extra = draw(st.sampled_from(extras))
    if extra == "record":
        branches.append(_record(draw, names, depth + 1))
    elif extra == "enum":
        branches.append(_enum(draw, names))
    elif extra == "fixed":
        branches.append(_fixed(draw, names))
    elif extra == "ref":
        target = draw(st.sampled_from(names.defined))
        branches.append({"$ref": target})
    return branches


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


def _fix_defaults(schema: Any) -> None:
    """After a mutation, every default matches its field's (possibly changed) type again."""
    if isinstance(schema, list):
        for branch in schema:
            _fix_defaults(branch)
        return
    if not isinstance(schema, dict) or "$ref" in schema:
        return
    for field in schema.get("fields", []):
        _fix_defaults(field["type"])
        if "default" in field:
            default = _default(field["type"])
            if default is _NO_DEFAULT:
                del field["default"]
            else:
                field["default"] = default
    for key in ("items", "values"):
        if key in schema:
            _fix_defaults(schema[key])


def _rename(schema: dict[str, Any], alias: str) -> None:
    """Rename a named type, with no alias, its old full name, or its old name relative to its namespace."""
    old = schema["name"]
    old_full = f"{schema['namespace']}.{old}" if "namespace" in schema else old
    schema["name"] = old + "x"
    if alias == "full":
        schema["aliases"] = [old_full]
    elif alias == "relative":
        schema["aliases"] = [old]


RENAMES = {f"rename-{kind}-{alias}-alias": alias for kind in ("record", "enum", "fixed") for alias in ALIASES}
Site = tuple[Any, ...]
"""The keys and indexes from the root to one sub-schema."""


def _sites(schema: Any, path: Site = (), in_union: bool = False) -> list[tuple[str, Site]]:
    """Every place a mutation can change, with its kind (a primitive in a union is a "branch")."""
    if isinstance(schema, dict) and "$ref" in schema:
        return []  # a reference changes with its definition
    if isinstance(schema, str):
        return [("branch" if in_union else "primitive", path)]
    if isinstance(schema, list):
        found = [("union", path)]
        for index, branch in enumerate(schema):
            found += _sites(branch, (*path, index), in_union=True)
        return found
    kind = schema["type"]
    if "logicalType" in schema:
        return [("logical", path)]
    found = [("collection" if kind in ("array", "map") else kind, path)]
    for index, field in enumerate(schema.get("fields", [])):
        found += _sites(field["type"], (*path, "fields", index, "type"))
    for key in ("items", "values"):
        if key in schema:
            found += _sites(schema[key], (*path, key))
    return found


def _at(schema: Any, path: Site) -> Any:
    for step in path:
        schema = schema[step]
    return schema


def _replaced(schema: Any, path: Site, value: Any) -> Any:
    if not path:
        return value
    schema = copy.deepcopy(schema)
    _at(schema, path[:-1])[path[-1]] = value
    return schema


def _retyped(schema: str, union: list[Any] | None) -> tuple[list[str], list[str]]:
    """The types a primitive may change to: by a promotion, or to another type (none already in its union)."""
    taken = {b for b in union if isinstance(b, str)} if union is not None else {schema}
    promoted = sorted(r for w, r in PROMOTIONS if w == schema and r not in taken)
    others = [p for p in PRIMITIVES[1:] if p not in taken and (schema, p) not in PROMOTIONS]
    return promoted, others


def _operations(kind: str, schema: Any, union: list[Any] | None) -> list[str]:
    """The kinds of change that apply to ``schema``, a place of ``kind``."""
    if kind in ("primitive", "branch"):
        promoted, others = _retyped(schema, union)
        prefix = "union-branch-" if kind == "branch" else "type-"
        found = [prefix + "promoted"] * bool(promoted) + [prefix + "changed"] * bool(others)
        return found + (["required-to-optional"] if kind == "primitive" else [])
    if kind == "union":
        prims = [p for p in PRIMITIVES if p not in schema]
        found = ["union-branch-added"] * bool(prims) + ["union-branch-added-named"]
        found += ["union-branch-removed"] * (len(schema) > 1)
        return [*found, "optional-to-required" if "null" in schema and len(schema) > 1 else "union-unwrapped"]
    if kind == "enum":
        found = ["enum-symbol-added"] * (len(schema["symbols"]) < len(SYMBOLS))
        found += ["enum-symbol-removed"] * (len(schema["symbols"]) > 1)
        return [*found, "enum-default-toggled", "namespace-changed", *(r for r in RENAMES if "-enum-" in r)]
    if kind == "fixed":
        return ["fixed-size-changed", *(r for r in RENAMES if "-fixed-" in r)]
    if kind == "record":
        several = ["field-removed", "fields-reordered"] if len(schema["fields"]) > 1 else []
        renames = [r for r in RENAMES if "-record-" in r]
        return ["field-added", *several, "field-renamed", "namespace-changed", *renames]
    if kind == "collection":
        return ["array-map-swapped"]
    return ["logical-type-changed"]


def _apply(draw: Any, operation: str, schema: Any, names: _Names, union: list[Any] | None, tally: list[str]) -> Any:
    """``schema`` changed by ``operation`` (``union`` is the union holding it, if any)."""
    if operation in ("type-promoted", "type-changed", "union-branch-promoted", "union-branch-changed"):
        promoted, others = _retyped(schema, union)
        tally.append(operation)
        return draw(st.sampled_from(promoted if operation.endswith("promoted") else others))
    if operation == "required-to-optional":
        tally.append(operation)
        return ["null", schema]
    if isinstance(schema, list):
        return _apply_union(draw, operation, schema, names, tally)
    schema = copy.deepcopy(schema)
    if operation == "logical-type-changed":
        tally.append(operation)
        return draw(st.sampled_from([*(t for t in LOGICAL if t != schema), schema["type"]]))
    if operation == "array-map-swapped":
        tally.append(operation)
        inner = schema.get("items", schema.get("values"))
        return {"type": "map", "values": inner} if schema["type"] == "array" else {"type": "array", "items": inner}
    if operation in RENAMES:
        tally.append(operation)
        _rename(schema, RENAMES[operation])
    elif operation == "namespace-changed":
        tally.append(operation)
        schema["namespace"] = "org.moved" if schema.get("namespace") != "org.moved" else "org.other"
    elif operation == "fixed-size-changed":
        tally.append(operation)
        schema["size"] += 1
    elif operation.startswith("enum-"):
        _apply_enum(operation, schema, tally)
    else:
        _apply_record(draw, operation, schema, names, tally)
    return schema


def _apply_union(draw: Any, operation: str, schema: list[Any], names: _Names, tally: list[str]) -> Any:
    tally.append(operation)
    if operation == "union-branch-added-named":
        return [*schema, _enum(draw, names) if draw(st.booleans()) else _fixed(draw, names)]
    if operation == "union-branch-added":
        return [*schema, draw(st.sampled_from([p for p in PRIMITIVES if p not in schema]))]
    if operation == "union-branch-removed":
        index = draw(st.integers(0, len(schema) - 1))
        return schema[:index] + schema[index + 1 :]
    return next((b for b in reversed(schema) if b != "null"), schema[-1])  # unwrapped: the last non-null branch


def _apply_enum(operation: str, schema: dict[str, Any], tally: list[str]) -> None:
    tally.append(operation)
    if operation == "enum-symbol-added":
        schema["symbols"] = SYMBOLS[: len(schema["symbols"]) + 1]
    elif operation == "enum-symbol-removed":
        schema["symbols"] = schema["symbols"][:-1]
        if schema.get("default") not in schema["symbols"]:
            schema.pop("default", None)
    elif "default" in schema:
        del schema["default"]
    else:
        schema["default"] = schema["symbols"][0]


def _apply_record(draw: Any, operation: str, schema: dict[str, Any], names: _Names, tally: list[str]) -> None:
    fields = schema["fields"]
    if operation == "field-added":
        field_type = _type(draw, names, 2)
        field: dict[str, Any] = {"name": names.fresh("g"), "type": field_type}
        default = _default(field_type)
        if default is not _NO_DEFAULT and draw(st.booleans()):
            field["default"] = default
            tally.append("field-added-with-default")
        else:
            tally.append("field-added-without-default")
        fields.append(field)
    elif operation == "field-removed":
        gone = fields.pop(draw(st.integers(0, len(fields) - 1)))
        tally.append("field-removed-" + ("with" if "default" in gone else "without") + "-default")
    elif operation == "field-renamed":
        field = fields[draw(st.integers(0, len(fields) - 1))]
        old = field["name"]
        field["name"] = old + "r"
        if draw(st.booleans()):
            field["aliases"] = [old]
            tally.append("field-renamed-with-alias")
        else:
            tally.append("field-renamed-without-alias")
    else:
        tally.append(operation)
        fields.reverse()


def _mutate(draw: Any, schema: Any, names: _Names, tally: list[str]) -> Any:
    """One change: the kind of place first, then the kind of change, then the place.

    Drawing kinds first gives rare places (a primitive inside a union, an enum) and rare changes
    (a branch promoted, a symbol removed) their share instead of what the schema's shape gives them.
    """
    places: dict[str, dict[str, list[tuple[Site, list[Any] | None]]]] = {}
    for kind, path in _sites(schema):
        parent = _at(schema, path[:-1]) if path else None
        union = parent if isinstance(parent, list) else None
        for operation in _operations(kind, _at(schema, path), union):
            places.setdefault(kind, {}).setdefault(operation, []).append((path, union))
    choices = sorted((kind, operation) for kind, operations in places.items() for operation in operations)
    kind, operation = draw(st.sampled_from(choices))
    path, union = draw(st.sampled_from(places[kind][operation]))
    mutated = _replaced(schema, path, _apply(draw, operation, _at(schema, path), names, union, tally))
    _fix_defaults(mutated)
    return mutated


def _branch_key(branch: Any) -> str:
    if isinstance(branch, str):
        return branch
    if isinstance(branch, list):
        return "union"
    if "$ref" in branch:
        return str(branch["$ref"])  # the same key as the definition it names
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


def _unions_hold(schema: Any, kinds: set[str]) -> None:
    """The kinds of named type (enum, fixed, record) that appear as a union branch somewhere in ``schema``."""
    if isinstance(schema, list):
        kinds.update(b["type"] for b in schema if isinstance(b, dict) and "$ref" not in b and "x-id" in b)
        for branch in schema:
            _unions_hold(branch, kinds)
    elif isinstance(schema, dict) and "$ref" not in schema:
        for field in schema.get("fields", []):
            _unions_hold(field["type"], kinds)
        for key in ("items", "values"):
            if key in schema:
                _unions_hold(schema[key], kinds)


@st.composite
def evolutions(draw: Any) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    names = _Names()
    old = _record(draw, names, 0, name="Root")
    tally: list[str] = []
    new = old
    for _ in range(draw(st.integers(1, 2))):
        new = _mutate(draw, new, names, tally)
    for _ in range(3):  # a change undone by the next (or a no-op) would make an identical pair
        if new != old:
            break
        new = _mutate(draw, new, names, tally)
    if new == old:
        tally.append("identical")
    if any("$ref" in json.dumps(s) for s in (old, new)):
        tally.append("named-type-reference")
    if "Root" in json.dumps(old["fields"]):
        tally.append("recursive-record")
    held: set[str] = set()
    _unions_hold(old, held)
    _unions_hold(new, held)
    tally.extend(f"union-holds-{kind}" for kind in sorted(held))
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


UTF8_BYTES = b"ab"
RAW_BYTES = b"\xff\xfe"
"""Bytes values: text any reader can take as a string, and bytes that are not UTF-8 (which cannot)."""


def _datum(
    schema: Any,
    path: tuple[Any, ...],
    choices: dict[tuple[Any, ...], int],
    names: dict[str, Any],
    space: str = "",
    depth: int = 0,
    raw: bytes = UTF8_BYTES,
) -> Any:
    """A datum of ``schema`` that takes branch/symbol ``choices[path]`` (default 0) at each union and enum.

    Its bytes values are ``raw``.
    """
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
        return (label, _datum(branch, (*path, index), choices, names, space, depth + 1, raw))
    if isinstance(schema, str):
        if schema not in PRIMITIVES:
            _, target, inner = _lookup(schema, space, names)
            return _datum(target, path, choices, names, inner, depth + 1, raw)
        return {
            "null": None,
            "boolean": True,
            "int": 7,
            "long": 7000,
            "float": 1.5,
            "double": 2.5,
            "bytes": raw,
            "string": "s",
        }[schema]
    kind = schema["type"]
    if kind in PRIMITIVES:  # a primitive with a logical type: its plain value is written
        return _datum(kind, path, choices, names, space, depth, raw)
    if kind == "enum":
        return schema["symbols"][choices.get(path, 0)]
    if kind == "fixed":
        return bytes(schema["size"])
    if kind == "array":
        return [_datum(schema["items"], (*path, "[]"), choices, names, space, depth + 1, raw)] if depth < 6 else []
    if kind == "map":
        value = _datum(schema["values"], (*path, "{}"), choices, names, space, depth + 1, raw) if depth < 6 else None
        return {"key": value} if depth < 6 else {}
    inner = schema.get("namespace", space)
    return {
        f["name"]: _datum(f["type"], (*path, f["name"]), choices, names, inner, depth + 1, raw)
        for f in schema["fields"]
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


def datums(schema: Any, raw: bytes = UTF8_BYTES) -> list[Any]:
    """Data written with ``schema`` that together take every union branch and every enum symbol."""
    names: dict[str, Any] = {}
    _named(schema, "", names)
    found = []
    for choices in [{}, *_targets(schema, (), {})]:
        try:
            found.append(_datum(schema, (), choices, names, raw=raw))
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


def ours_reads_bytes_as_string(reader: Any, writer: Any) -> bool:
    """Whether we report LOSSY_PROMOTION for bytes the reader takes as a string somewhere."""
    hits: list[Any] = []
    direction = Direction.BACKWARD
    resolve(parse(reader), parse(writer), direction=direction, enabled=frozenset({"LOSSY_PROMOTION"}), emit=hits.append)
    return any(hit[5] is not None and hit[5].kind == "bytes" for hit in hits)


def apache(reader: Any, writer: Any) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r, w = avro.schema.parse(json.dumps(reader)), avro.schema.parse(json.dumps(writer))
    result = ReaderWriterCompatibilityChecker().get_compatibility(r, w)
    return result.compatibility is SchemaCompatibilityType.compatible


def fast(reader: Any, writer: Any, raw: bytes = UTF8_BYTES) -> bool:
    w, r = fastavro.parse_schema(copy.deepcopy(writer)), fastavro.parse_schema(copy.deepcopy(reader))
    for datum in datums(writer, raw):
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
    if decoded and not fast(reader, writer, RAW_BYTES):  # only bytes that are not UTF-8 fail
        if ours_reads_bytes_as_string(reader, writer):
            TALLY["fastavro: bytes that are not UTF-8 fail as string (we: LOSSY_PROMOTION)"] += 1
        else:
            problems.append("fastavro fails on bytes that are not UTF-8, and we report no LOSSY_PROMOTION")
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
def _check_evolutions(evolution: tuple[dict[str, Any], dict[str, Any], list[str]]) -> None:
    """Both directions of every generated evolution: our verdict equals the oracles' or a documented defect."""
    old, new, changes = evolution
    if not (_valid(old) and _valid(new)):
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
    TALLY["identical pairs" if old == new else "changed pairs"] += 2
    problems = compare(new, old) + compare(old, new)
    assert not problems, json.dumps({"old": old, "new": new, "changes": changes, "problems": problems}, indent=1)


def test_wire_verdict_matches_apache_and_fastavro() -> None:
    """Our verdict equals Apache's and fastavro's on every generated evolution, and the run covered every kind.

    ``pytest -s`` prints the tally of what the run did.
    """
    TALLY.clear()
    _check_evolutions()
    print("\ndifferential tally:", json.dumps(dict(sorted(TALLY.items())), indent=1))
    _assert_every_kind_of_change_was_covered()


def _assert_every_kind_of_change_was_covered() -> None:
    """Nearly every pair changed, each kind of change occurred often, and both verdicts occurred."""
    expected = [
        "field-added-with-default",
        "field-added-without-default",
        "field-removed-with-default",
        "field-removed-without-default",
        "field-renamed-with-alias",
        "field-renamed-without-alias",
        "fields-reordered",
        "type-promoted",
        "type-changed",
        "required-to-optional",
        "optional-to-required",
        "union-branch-added",
        "union-branch-added-named",
        "union-branch-removed",
        "union-branch-promoted",
        "union-branch-changed",
        "union-holds-enum",
        "union-holds-fixed",
        "union-holds-record",
        "enum-symbol-added",
        "enum-symbol-removed",
        "enum-default-toggled",
        "fixed-size-changed",
        "array-map-swapped",
        "namespace-changed",
        "logical-type-changed",
        "named-type-reference",
        "recursive-record",
        *RENAMES,
    ]
    least = max(1, EXAMPLES // 200)  # 10 in the suite's run of 2,000 evolutions
    rare = {kind: TALLY["change: " + kind] for kind in expected if TALLY["change: " + kind] < least}
    assert not rare, rare
    assert TALLY["identical pairs"] <= TALLY["pairs"] // 50  # at most 2 %: nearly every pair has a change
    assert TALLY["changed pairs"] >= min(1000, EXAMPLES)
    assert TALLY["compatible"] > 0
    assert TALLY["incompatible"] > 0
    assert TALLY["fastavro: bytes that are not UTF-8 fail as string (we: LOSSY_PROMOTION)"] > 0
