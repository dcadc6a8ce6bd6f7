"""The exported JSON Schemas in ajv's default (strict) mode and in Python's jsonschema: one verdict per sample."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import jsonschema
import pytest
from ajv_check import validate_with_ajv
from subsidy_samples import full_payload, minimal_payload

from openedx_subsidy_events import EventDefinition, all_events
from openedx_subsidy_events.exports import example_record, iter_json_schemas, json_schema

Validator = jsonschema.Draft202012Validator


def _broken(definition: EventDefinition[Any], how: str) -> dict[str, Any]:
    record = definition.to_record(full_payload(definition))
    inner = record[definition.data_key]
    if how == "uuid without hyphens":
        inner["subsidy_request_uuid"] = uuid.UUID(inner["subsidy_request_uuid"]).hex
    elif how == "uuid in braces":
        inner["subsidy_request_uuid"] = "{" + inner["subsidy_request_uuid"] + "}"
    elif how == "wrong type":
        inner["user_email"] = 17
    elif how == "missing field":
        del inner["subsidy_request_uuid"]
    elif how == "unknown key":
        inner["surprise"] = "x"
    else:
        raise AssertionError(how)
    return record


VALID = ["every field", "optional fields null", "the docs' example", "an upper-case uuid"]
INVALID = ["uuid without hyphens", "uuid in braces", "wrong type", "missing field", "unknown key"]


def _sample(definition: EventDefinition[Any], how: str) -> dict[str, Any]:
    if how == "every field":
        return definition.to_record(full_payload(definition))
    if how == "optional fields null":
        return definition.to_record(minimal_payload(definition))
    if how == "the docs' example":
        return example_record(definition)
    if how == "an upper-case uuid":
        record = copy.deepcopy(definition.to_record(full_payload(definition)))
        inner = record[definition.data_key]
        inner["subsidy_request_uuid"] = inner["subsidy_request_uuid"].upper()
        return record
    return _broken(definition, how)


def _cases() -> list[tuple[str, str, dict[str, Any], bool]]:
    return [
        (definition.event_type, how, _sample(definition, how), how in VALID)
        for definition in all_events()
        for how in VALID + INVALID
    ]


def test_ajv_in_strict_mode_compiles_every_exported_schema() -> None:
    """ajv's default options refuse unknown keywords: every published version's schema compiles all the same."""
    schemas = {f"{d.event_type}/{minor}": schema for d, minor, schema in iter_json_schemas()}
    compiled, _ = validate_with_ajv(schemas, [])
    assert compiled == dict.fromkeys(schemas)


def test_ajv_and_jsonschema_agree_on_every_sample() -> None:
    """Valid samples pass and broken ones (a bad UUID among them) fail, in ajv and in Python's jsonschema alike."""
    cases = _cases()
    schemas = {definition.event_type: json_schema(definition) for definition in all_events()}
    _, results = validate_with_ajv(schemas, [(event_type, data) for event_type, _, data, _ in cases])
    assert len(results) == len(cases) == 36
    for (event_type, how, data, expected), result in zip(cases, results, strict=True):
        python = Validator(schemas[event_type], format_checker=Validator.FORMAT_CHECKER).is_valid(data)
        assert (event_type, how, result["valid"], python) == (event_type, how, expected, expected)


def test_the_x_keywords_export_is_refused_by_strict_ajv() -> None:
    """The check has teeth: with x-sensitivity kept as a keyword, ajv's strict mode refuses the schema."""
    definition = next(d for d in all_events() if d.data_key == "license_request")
    compiled, _ = validate_with_ajv({"x": json_schema(definition, x_keywords=True)}, [])
    assert compiled["x"] is not None
    assert 'unknown keyword: "x-sensitivity"' in compiled["x"]


@pytest.mark.parametrize("definition", all_events(), ids=lambda d: d.data_key)
def test_a_bad_uuid_fails_in_ajv(definition: EventDefinition[Any]) -> None:
    """A UUID without hyphens fails ajv on the payload record alone too."""
    schema = json_schema(definition)
    name = definition.payload_type.__name__
    alone = {"$schema": schema["$schema"], "$ref": f"#/$defs/{name}", "$defs": schema["$defs"]}
    inner = _broken(definition, "uuid without hyphens")[definition.data_key]
    _, (result,) = validate_with_ajv({"alone": alone}, [("alone", inner)])
    assert result["valid"] is False
    assert {"path": "/subsidy_request_uuid", "keyword": "pattern"} in result["errors"] or {
        "path": "/subsidy_request_uuid",
        "keyword": "format",
    } in result["errors"]
