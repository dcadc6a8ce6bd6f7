"""Hypothesis strategies for Avro data: any value a schema allows, and events a consumer may receive.

Strings marked ``"x-format": "uuid"`` or ``"date-time"`` in our schemas are generated in that
format (a producer cannot send anything else), and a consumer's expectations, which producers are
verified to meet, shape the values of the fields they cover: an event generated for a consumer is
one a verified producer could send it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from .._payload import LONG_MAX, LONG_MIN
from ..avro._schema import FORMAT_ATTRIBUTE
from ..contracts import Contract
from ..contracts._expectations import expectation_validator
from ..contracts._patterns import compile_pattern
from ..contracts._reader import payload_record, writer_window

__all__ = ["avro_values", "contract_events", "event_records", "formatted_strings"]

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
_TEXT = st.text(st.characters(codec="utf-8"), max_size=24)
_PRIMITIVES: dict[str, st.SearchStrategy[Any]] = {
    "null": st.none(),
    "boolean": st.booleans(),
    "int": st.integers(INT_MIN, INT_MAX),
    "long": st.integers(LONG_MIN, LONG_MAX),
    "float": st.floats(width=32, allow_nan=False),
    "double": st.floats(allow_nan=False),
    "bytes": st.binary(max_size=24),
    "string": _TEXT,
}


def formatted_strings(fmt: str | None) -> st.SearchStrategy[str]:
    """Strings in one of the formats our schemas mark (``uuid``, ``date-time``, ``email``), else any text."""
    if fmt == "uuid":
        return st.uuids().map(str)
    if fmt == "date-time":
        return st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.isoformat())
    if fmt == "email":
        return st.emails()
    return _TEXT


def avro_values(
    avro_type: Any, *, fmt: str | None = None, named: dict[str, Any] | None = None
) -> st.SearchStrategy[Any]:
    """Any value of an Avro type, as fastavro writes it (records as dicts).

    .. versionadded:: 0.1.0
    """
    named = {} if named is None else named
    if isinstance(avro_type, list):
        return st.one_of([avro_values(branch, fmt=fmt, named=named) for branch in avro_type])
    if isinstance(avro_type, str):
        if avro_type == "string":
            return formatted_strings(fmt)
        if avro_type in _PRIMITIVES:
            return _PRIMITIVES[avro_type]
        return avro_values(named[avro_type], named=named)
    kind = avro_type["type"]
    if kind in _PRIMITIVES:
        return avro_values(kind, fmt=avro_type.get(FORMAT_ATTRIBUTE, fmt), named=named)
    if "name" in avro_type:
        named[avro_type["name"]] = avro_type
    if kind == "record":
        return st.fixed_dictionaries(
            {f["name"]: avro_values(f["type"], fmt=f.get(FORMAT_ATTRIBUTE), named=named) for f in avro_type["fields"]}
        )
    if kind == "enum":
        return st.sampled_from(avro_type["symbols"])
    if kind == "array":
        return st.lists(avro_values(avro_type["items"], named=named), max_size=4)
    if kind == "map":
        return st.dictionaries(_TEXT, avro_values(avro_type["values"], named=named), max_size=4)
    if kind == "fixed":
        return st.binary(min_size=avro_type["size"], max_size=avro_type["size"])
    raise ValueError(f"cannot generate values of Avro type {kind!r}")


def _allowed_json_types(expectation: Mapping[str, Any]) -> set[str] | None:
    declared = expectation.get("type")
    if declared is None:
        return None
    return {declared} if isinstance(declared, str) else set(declared)


def _guided(avro_type: Any, fmt: str | None, expectation: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Values of an Avro type steered by the keywords of a JSON Schema expectation."""
    if "const" in expectation:
        return st.just(expectation["const"])
    if "enum" in expectation:
        return st.sampled_from(list(expectation["enum"]))
    branches = avro_type if isinstance(avro_type, list) else [avro_type]
    allowed = _allowed_json_types(expectation)
    options: list[st.SearchStrategy[Any]] = []
    for branch in branches:
        kind = branch["type"] if isinstance(branch, dict) else branch
        if kind == "null" and (allowed is None or "null" in allowed):
            options.append(st.none())
        elif kind == "string" and (allowed is None or "string" in allowed):
            if "pattern" in expectation:  # as verification reads it: ECMA-262, where "$" is the very end
                options.append(st.from_regex(compile_pattern(expectation["pattern"])))
            else:
                options.append(formatted_strings(expectation.get("format", fmt)))
        elif kind in ("int", "long") and (allowed is None or allowed & {"integer", "number"}):
            low = max(INT_MIN if kind == "int" else LONG_MIN, int(expectation.get("minimum", LONG_MIN)))
            high = min(INT_MAX if kind == "int" else LONG_MAX, int(expectation.get("maximum", LONG_MAX)))
            options.append(st.integers(low, high))
        elif kind != "null":
            options.append(avro_values(branch, fmt=fmt))
    return st.one_of(options) if options else st.nothing()


def event_records(
    schema: Mapping[str, Any], *, expectations: Mapping[str, Any] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Event records ``{data_key: {...}}`` valid for an event schema, meeting the expectations given.

    Expectations are keyed by dotted paths inside the payload record; a field whose expectation
    the guided generation cannot guarantee is filtered (rarely needed for the usual keywords).

    .. versionadded:: 0.1.0
    """
    data_key, record = payload_record(schema)
    expectations = dict(expectations or {})
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for field in record["fields"]:
        expectation = expectations.get(field["name"])
        fmt = field.get(FORMAT_ATTRIBUTE)
        if isinstance(expectation, Mapping):
            validator = expectation_validator(dict(expectation))  # the one verification checks with
            strategy = _guided(field["type"], fmt, expectation).filter(validator.is_valid)
        else:
            strategy = avro_values(field["type"], fmt=fmt)
        fields[field["name"]] = strategy
    return st.fixed_dictionaries(fields).map(lambda payload: {data_key: payload})


def contract_events(
    contract: Contract, minorversion: int, *, schemas_root: Path | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Events a verified producer may write with published minor ``minorversion`` for this consumer.

    ``schemas_root`` is the folder of published schemas to read (``None``: the installed ones).

    .. versionadded:: 0.1.0
    """
    schema = writer_window(contract.event_type, schemas_root)[minorversion]
    return event_records(schema, expectations=contract.expectations)


def describe(record: Mapping[str, Any]) -> str:
    """A generated or example event as compact, sorted JSON (for failure messages and replay)."""
    return json.dumps(record, sort_keys=True, default=repr)
