"""JSON Schema (2020-12) of each event version: valid schemas that accept every event and refuse broken ones."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from subsidy_samples import full_payload, minimal_payload, payloads

from openedx_subsidy_events import EventDefinition, SchemaError, UnknownSchemaVersion, all_events
from openedx_subsidy_events.cli import main
from openedx_subsidy_events.exports import (
    DIALECT,
    avro_to_json_schema,
    example_record,
    iter_json_schemas,
    json_schema,
    json_schema_files,
)
from openedx_subsidy_events.testing.strategies import event_records

Validator = jsonschema.Draft202012Validator
FORMATS = Validator.FORMAT_CHECKER  # uuid and date-time asserted (rfc3339-validator is a test dependency)


@functools.cache
def _validator(definition: EventDefinition[Any], minor: int | None = None) -> jsonschema.protocols.Validator:
    return Validator(json_schema(definition, minor), format_checker=FORMATS)


def test_format_checking_really_checks_uuids_and_datetimes() -> None:
    """The checker used below asserts both formats (jsonschema checks date-time only with rfc3339-validator)."""
    assert not FORMATS.conforms("2026-13-45T99:00:00Z", "date-time")
    assert not FORMATS.conforms("not-a-uuid", "uuid")


def test_every_schema_is_valid_2020_12() -> None:
    """Every exported schema passes the 2020-12 metaschema, and declares that dialect."""
    exported = list(iter_json_schemas())
    assert {(d.event_type, minor) for d, minor, _ in exported} == {
        (d.event_type, minor) for d in all_events() for minor in d.schemas
    }
    for _, _, schema in exported:
        assert schema["$schema"] == DIALECT
        Validator.check_schema(schema)
        assert Validator(Validator.META_SCHEMA, format_checker=FORMATS).is_valid(schema)


def test_required_fields_are_the_ones_without_a_default(definition: EventDefinition[Any]) -> None:
    """A field with a default (optional, nullable) may be left out; every other one is required."""
    schema = json_schema(definition)
    payload_schema = schema["$defs"][definition.payload_type.__name__]
    record = definition.schema["fields"][0]["type"]
    assert payload_schema["required"] == [f["name"] for f in record["fields"] if "default" not in f]
    assert schema["required"] == [definition.data_key]


@pytest.mark.parametrize("definition", all_events(), ids=lambda d: d.data_key)
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_event_validates(definition: EventDefinition[Any], data: st.DataObject) -> None:
    """Thousands of generated payloads (600 an event), as to_record writes them, validate with formats asserted."""
    record = definition.to_record(data.draw(payloads(definition)))
    errors = [error.message for error in _validator(definition).iter_errors(record)]
    assert errors == []


@pytest.mark.parametrize("definition", all_events(), ids=lambda d: d.data_key)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_every_record_of_every_published_minor_validates(definition: EventDefinition[Any], data: st.DataObject) -> None:
    """Records generated from each published Avro schema validate against that minor's JSON Schema."""
    minor = data.draw(st.sampled_from(sorted(definition.schemas)))
    record = data.draw(event_records(definition.schemas[minor]))
    assert _validator(definition, minor).is_valid(record)


def _wrong_value(kind: Any) -> Any:
    kinds = kind if isinstance(kind, list) else [kind]
    return {"string": 12, "long": "12", "boolean": "true"}[next(k for k in kinds if k != "null")]


@pytest.mark.parametrize("definition", all_events(), ids=lambda d: d.data_key)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_wrong_type_a_bad_uuid_or_a_missing_field_does_not_validate(
    definition: EventDefinition[Any], data: st.DataObject
) -> None:
    """Break one field of a valid event (wrong type, non-canonical UUID, required field left out): it fails."""
    record = definition.to_record(data.draw(payloads(definition)))
    fields = definition.schema["fields"][0]["type"]["fields"]
    field = data.draw(st.sampled_from(fields))
    broken = copy.deepcopy(record)
    inner = broken[definition.data_key]
    how = data.draw(st.sampled_from(["wrong type", "bad uuid", "missing"]))
    if how == "wrong type":
        inner[field["name"]] = _wrong_value(field["type"])
    elif how == "bad uuid":
        uuids = [f["name"] for f in fields if f.get("x-format") == "uuid"]
        name = data.draw(st.sampled_from(uuids))
        text = str(record[definition.data_key][name] or "5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d1a10")
        forms = [text.replace("-", ""), "{" + text + "}", "urn:uuid:" + text, text[:-1]]
        inner[name] = data.draw(st.sampled_from(forms))
    else:
        required = [f["name"] for f in fields if "default" not in f]
        del inner[data.draw(st.sampled_from(required))]
    assert not _validator(definition).is_valid(broken)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reviewed_at", "2026-11-26T09:30:00+02:00"),  # not UTC: the codec refuses it
        ("reviewed_at", "2026-11-26 09:30:00+00:00"),  # not RFC 3339
        ("lms_user_id", 2**63),  # outside an Avro long
        ("lms_user_id", 1.5),
        ("attempt_auto_enrollment", None),  # required, not nullable
    ],
)
def test_values_the_codec_refuses_do_not_validate(field: str, value: Any) -> None:
    """The schema is as strict as the codec on what JSON alone cannot say (UTC, 64-bit longs)."""
    definition = next(d for d in all_events() if d.data_key == "license_request")
    record = definition.to_record(full_payload(definition))
    record[definition.data_key][field] = value
    assert not _validator(definition).is_valid(record)


def test_an_unknown_key_does_not_validate(definition: EventDefinition[Any]) -> None:
    """Each schema describes exactly one version: a key it does not have (a typo, a newer minor's) fails."""
    record = definition.to_record(minimal_payload(definition))
    record[definition.data_key]["sneaky"] = "x"
    assert not _validator(definition).is_valid(record)
    assert not _validator(definition).is_valid({**record, "other": {}})


def test_optional_fields_may_be_null_or_left_out(definition: EventDefinition[Any]) -> None:
    """A payload with every optional field None validates, with the keys present or absent."""
    record = definition.to_record(minimal_payload(definition))
    assert _validator(definition).is_valid(record)
    inner = record[definition.data_key]
    present = {name: value for name, value in inner.items() if value is not None}
    assert _validator(definition).is_valid({definition.data_key: present})


def test_the_payload_record_can_be_validated_alone(definition: EventDefinition[Any]) -> None:
    """$defs/<payload class> describes the payload without its envelope."""
    schema = json_schema(definition)
    name = definition.payload_type.__name__
    alone = {"$schema": DIALECT, "$ref": f"#/$defs/{name}", "$defs": schema["$defs"]}
    record = definition.to_record(full_payload(definition))
    assert Validator(alone, format_checker=FORMATS).is_valid(record[definition.data_key])
    assert not Validator(alone, format_checker=FORMATS).is_valid(record)


def test_sensitivity_and_docs_travel_along(definition: EventDefinition[Any]) -> None:
    """Each property carries its field's doc, and its x-sensitivity as a $comment (or, asked, as the keyword)."""
    name = definition.payload_type.__name__
    properties = json_schema(definition)["$defs"][name]["properties"]
    keywords = json_schema(definition, x_keywords=True)["$defs"][name]["properties"]
    for field in definition.schema["fields"][0]["type"]["fields"]:
        assert properties[field["name"]]["description"] == field["doc"]
        sensitivity = field.get("x-sensitivity")
        assert properties[field["name"]].get("$comment") == (sensitivity and f"x-sensitivity: {sensitivity}")
        assert "x-sensitivity" not in properties[field["name"]]
        assert keywords[field["name"]].get("x-sensitivity") == sensitivity


def test_the_example_validates(definition: EventDefinition[Any]) -> None:
    """The example record shown in the docs and the AsyncAPI document validates."""
    assert _validator(definition).is_valid(example_record(definition))


def test_an_unpublished_minor_is_an_error() -> None:
    """Asking for a minor version that was never published raises UnknownSchemaVersion."""
    with pytest.raises(UnknownSchemaVersion):
        json_schema(all_events()[0], 99)


def test_other_avro_types_convert() -> None:
    """Enums, arrays, maps, named references and general unions have JSON forms too."""
    schema = avro_to_json_schema(
        {
            "type": "record",
            "name": "Outer",
            "namespace": "example",
            "fields": [
                {"name": "state", "type": {"type": "enum", "name": "State", "symbols": ["A", "B"]}},
                {"name": "again", "type": "State"},
                {"name": "tags", "type": {"type": "array", "items": "string"}},
                {"name": "counts", "type": {"type": "map", "values": "int"}},
                {"name": "either", "type": ["int", "string"]},
                {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
                {"name": "next", "type": ["null", "Outer"], "default": None},
            ],
        }
    )
    Validator.check_schema(schema)
    validator = Validator(schema, format_checker=FORMATS)
    good = {"state": "A", "again": "B", "tags": ["x"], "counts": {"k": 1}, "either": 3, "id": str(UUID_TEXT)}
    assert validator.is_valid({**good, "next": {**good, "next": None}})
    assert not validator.is_valid({**good, "state": "C"})
    assert not validator.is_valid({**good, "counts": {"k": 2**31}})
    assert not validator.is_valid({**good, "either": 1.5})


UUID_TEXT = "5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d1a10"


@pytest.mark.parametrize("kind", ["bytes", {"type": "fixed", "name": "F", "size": 2}])
def test_bytes_and_fixed_are_refused_by_name(kind: Any) -> None:
    """Types whose JSON form libraries disagree on are a SchemaError naming the source, not a guess."""
    with pytest.raises(SchemaError, match="no agreed JSON form") as raised:
        avro_to_json_schema({"type": "record", "name": "R", "fields": [{"name": "b", "type": kind}]}, source="x.avsc")
    assert raised.value.rule == "NOT_EXPORTABLE"
    assert "x.avsc" in str(raised.value)


def test_the_command_writes_and_checks_a_schema_per_version(tmp_path: Path) -> None:
    """export jsonschema -o DIR writes <event_type>/<minor>.schema.json; --check finds stale and stray files."""
    out, err = _run("export", "jsonschema", "-o", str(tmp_path))
    assert out.count("wrote ") == len(json_schema_files())
    for name, text in json_schema_files().items():
        assert (tmp_path / name).read_text() == text
        Validator.check_schema(json.loads(text))
    assert _run("export", "jsonschema", "-o", str(tmp_path), "--check", code=0)[0].endswith("up to date\n")
    first = tmp_path / next(iter(json_schema_files()))
    first.write_text("{}\n")
    (tmp_path / "old.event.v1").mkdir()
    (tmp_path / "old.event.v1" / "0.schema.json").write_text("{}\n")
    out, err = _run("export", "jsonschema", "-o", str(tmp_path), "--check", code=1)
    assert f"{first}: stale" in out
    assert "old.event.v1/0.schema.json: not generated by this version" in out
    assert "run 'subsidy-events export jsonschema -o" in err


def test_the_command_needs_a_folder() -> None:
    """Without -o there is nowhere to write: a usage error."""
    _run("export", "jsonschema", code=2)


def _run(*argv: str, code: int = 0) -> tuple[str, str]:
    import io

    stdout, stderr = io.StringIO(), io.StringIO()
    assert main(list(argv), stdout=stdout, stderr=stderr) == code, stdout.getvalue() + stderr.getvalue()
    return stdout.getvalue(), stderr.getvalue()
