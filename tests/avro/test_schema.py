"""Generated schemas: deterministic, documented, marked, valid for both Avro parsers, and published."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import avro.schema
import fastavro
import pytest

from openedx_subsidy_events import EventDefinition, all_events
from openedx_subsidy_events.avro import avro_namespace, dumps_schema, event_schema


def _payload_fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return schema["fields"][0]["type"]["fields"]  # type: ignore[no-any-return]


def test_generation_is_deterministic(definition: EventDefinition[Any]) -> None:
    """Two generations give the same text, byte for byte."""
    assert dumps_schema(event_schema(definition)) == dumps_schema(event_schema(definition))


def test_envelope_shape_is_openedx_events_shape(definition: EventDefinition[Any]) -> None:
    """A CloudEvent record whose single field is the data key, typed by the payload record."""
    schema = definition.schema
    assert (schema["type"], schema["name"]) == ("record", "CloudEvent")
    assert [f["name"] for f in schema["fields"]] == [definition.data_key]
    assert schema["fields"][0]["type"]["name"] == definition.payload_type.__name__


def test_every_record_and_field_has_a_doc(definition: EventDefinition[Any]) -> None:
    """The docs end up in the schema: one sentence or more on the records and on every field."""
    schema = definition.schema
    assert schema["doc"].endswith(".")
    assert schema["fields"][0]["type"]["doc"].endswith(".")
    for field in _payload_fields(schema):
        assert field["doc"].endswith("."), field


def test_optional_fields_are_null_first_unions_with_null_default(definition: EventDefinition[Any]) -> None:
    """Optional means ["null", T] with default null: the form that resolves when a field is added."""
    for field in _payload_fields(definition.schema):
        if isinstance(field["type"], list):
            assert field["type"][0] == "null"
            assert field["default"] is None
        else:
            assert "default" not in field


def test_sensitivity_marks() -> None:
    """Emails are marked pii, the coupon code secret, nothing else is marked."""
    marks = {
        (d.data_key, f["name"]): f["x-sensitivity"]
        for d in all_events()
        for f in _payload_fields(d.schema)
        if "x-sensitivity" in f
    }
    assert marks == {
        ("coupon_code_request", "user_email"): "pii",
        ("license_request", "user_email"): "pii",
        ("coupon_code_assignment", "user_email"): "pii",
        ("coupon_code_assignment", "coupon_code"): "secret",
        ("license_assignment", "user_email"): "pii",
    }


def test_uuid_and_datetime_strings_carry_their_format(definition: EventDefinition[Any]) -> None:
    """UUIDs and datetimes travel as Avro strings marked with their JSON Schema format."""
    for field in _payload_fields(definition.schema):
        if field["name"].endswith("uuid"):
            assert (field["type"], field["x-format"]) == ("string", "uuid")
        if field["name"].endswith("_at"):
            assert field["x-format"] == "date-time"


def test_valid_for_fastavro_and_apache_avro(definition: EventDefinition[Any]) -> None:
    """Both parsers accept the schema (Apache avro rejects openedx-events' hyphenated namespace)."""
    text = json.dumps(definition.schema)
    fastavro.parse_schema(json.loads(text))
    parsed = avro.schema.parse(text)
    assert parsed.fullname == f"{avro_namespace(definition.event_type)}.CloudEvent"


def test_apache_avro_rejects_the_hyphenated_namespace_openedx_events_uses(definition: EventDefinition[Any]) -> None:
    """The fact behind our namespace choice, checked: the event type itself is not a valid namespace."""
    schema = definition.schema
    schema["namespace"] = definition.event_type
    if "-" in definition.event_type:
        with pytest.raises(avro.errors.SchemaParseException):
            avro.schema.parse(json.dumps(schema))


@pytest.mark.parametrize(
    ("event_type", "namespace"),
    [
        ("org.openedx.license-manager.license.assigned.v1", "org.openedx.license_manager.license.assigned.v1"),
        ("org.openedx.learning.course.enrollment.created.v1", "org.openedx.learning.course.enrollment.created.v1"),
    ],
)
def test_namespace_replaces_hyphens(event_type: str, namespace: str) -> None:
    """Hyphens become underscores; everything else is kept."""
    assert avro_namespace(event_type) == namespace


@pytest.mark.parametrize("event_type", ["org.openedx.9lives.x.v1", "org..double.v1", "org.open edx.x.v1"])
def test_namespace_refuses_what_cannot_be_an_avro_name(event_type: str) -> None:
    """An event type that no character swap makes valid is an error, not a broken schema."""
    with pytest.raises(ValueError, match="cannot be made into an Avro namespace"):
        avro_namespace(event_type)


def test_committed_schema_is_the_code_schema(definition: EventDefinition[Any], repo_root: Path) -> None:
    """The highest published minor, as committed, is byte for byte what the code generates."""
    path = repo_root / "schemas" / definition.event_type / f"{definition.minor_version}.avsc"
    assert path.read_text(encoding="utf-8") == dumps_schema(definition.schema)


def test_installed_package_carries_the_published_schemas(definition: EventDefinition[Any]) -> None:
    """The schemas the definition reads (shipped, or the checkout's) include the current minor."""
    assert definition.schemas[definition.minor_version] == definition.schema
