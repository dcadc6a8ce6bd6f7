"""The AsyncAPI 3.0 document: what it says, that it is the committed copy, and that the official parser accepts it."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import fastavro
import jsonschema
import pytest
import yaml
from asyncapi_check import failures, validate_asyncapi

from openedx_subsidy_events import CORRELATION_FIELD, EventDefinition, EventMetadata, all_events
from openedx_subsidy_events.contracts import load_contracts
from openedx_subsidy_events.exports import (
    AVRO_SCHEMA_FORMAT,
    DEFAULT_TOPICS,
    KAFKA_KEY_SCHEMA,
    asyncapi_document,
    asyncapi_path,
    dumps_asyncapi,
)
from openedx_subsidy_events.integrations._headers import kafka_headers, redis_fields

BROKEN = ("missing-info-version", "unknown-channel", "invalid-avro", "bad-correlation-id")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The document of the package's events and installed contracts."""
    return asyncapi_document()


def _message(document: dict[str, Any], definition: EventDefinition[Any], minor: int) -> dict[str, Any]:
    message: dict[str, Any] = document["components"]["messages"][f"{definition.event_type}.{minor}"]
    return message


def _broken(document: dict[str, Any], how: str) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    message = next(iter(broken["components"]["messages"].values()))
    if how == "missing-info-version":
        del broken["info"]["version"]
    elif how == "unknown-channel":
        next(iter(broken["operations"].values()))["channel"] = {"$ref": "#/channels/no-such-topic"}
    elif how == "invalid-avro":
        message["payload"]["schema"]["fields"][0]["type"]["fields"][0]["type"] = "uuid_string"
    elif how == "bad-correlation-id":
        message["correlationId"] = {"location": f"payload.{CORRELATION_FIELD}"}
    return broken


@pytest.fixture(scope="module")
def parsed(document: dict[str, Any], repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of the official parser on the committed copy, the JSON form, and one broken document per way."""
    folder = tmp_path_factory.mktemp("asyncapi")
    files = {"committed": repo_root / "docs" / "asyncapi.yaml", "json": folder / "asyncapi.json"}
    files["json"].write_text(dumps_asyncapi(document, format="json"))
    for how in BROKEN:
        files[how] = folder / f"{how}.yaml"
        files[how].write_text(dumps_asyncapi(_broken(document, how)))
    results = validate_asyncapi(*files.values())
    return {name: results[str(path)] for name, path in files.items()}


def test_the_committed_copy_is_the_document(document: dict[str, Any], repo_root: Path) -> None:
    """docs/asyncapi.yaml is what the code generates (regenerate with subsidy-events export asyncapi -o FILE)."""
    committed = (repo_root / "docs" / "asyncapi.yaml").read_text(encoding="utf-8")
    assert committed == dumps_asyncapi(document), "stale: run 'subsidy-events export asyncapi -o docs/asyncapi.yaml'"


def test_the_installed_copy_is_the_document(document: dict[str, Any]) -> None:
    """The copy in the installed wheel (asyncapi_path()) is the document too."""
    assert "_data" in asyncapi_path().parts
    assert asyncapi_path().read_text(encoding="utf-8") == dumps_asyncapi(document)


@pytest.mark.parametrize("name", ["committed", "json"])
def test_the_official_parser_accepts_it(parsed: dict[str, Any], name: str) -> None:
    """@asyncapi/parser with the Avro schema parser finds no error or warning, in YAML and in JSON."""
    assert parsed[name]["valid"], failures(parsed[name])
    assert failures(parsed[name]) == []


@pytest.mark.parametrize(
    ("how", "code"),
    [
        ("missing-info-version", "asyncapi-document-resolved"),
        ("unknown-channel", "invalid-ref"),
        ("invalid-avro", "avro-schema"),
        ("bad-correlation-id", "asyncapi-document-resolved"),
    ],
)
def test_the_same_check_rejects_a_broken_document(parsed: dict[str, Any], how: str, code: str) -> None:
    """The check can fail: each broken document is rejected, for the reason it was broken."""
    assert not parsed[how]["valid"]
    assert code in {found for found, _ in failures(parsed[how])}


def test_a_message_per_event_and_minor_with_the_published_avro_schema(document: dict[str, Any]) -> None:
    """Every published minor of every event is a message; its payload is that .avsc, as Avro 1.9.0."""
    messages = document["components"]["messages"]
    expected = {f"{d.event_type}.{minor}" for d in all_events() for minor in d.schemas}
    assert set(messages) == expected
    for definition in all_events():
        for minor, schema in definition.schemas.items():
            payload = _message(document, definition, minor)["payload"]
            assert payload == {"schemaFormat": AVRO_SCHEMA_FORMAT, "schema": schema}


def test_a_channel_per_topic_holding_its_events_messages(document: dict[str, Any]) -> None:
    """Channels are the topics; each lists the messages of the events sent on it."""
    channels = document["channels"]
    assert {channel["address"] for channel in channels.values()} == set(DEFAULT_TOPICS.values())
    for definition in all_events():
        channel = channels[DEFAULT_TOPICS[definition.event_type]]
        for minor in definition.schemas:
            assert f"{definition.event_type}.{minor}" in channel["messages"]


def test_the_default_topics_are_the_demos() -> None:
    """The topics are the ones the how-tos and the demo use, so the document describes that deployment."""
    from openedx_subsidy_events.demo._flow import TOPIC_OF

    assert dict(DEFAULT_TOPICS) == TOPIC_OF


def _resolve(document: Any, location: str) -> Any:
    """A runtime expression's JSON pointer applied to a message example."""
    source, _, pointer = location.partition("#")
    assert source == "$message.payload"
    for token in pointer.split("/")[1:]:
        document = document[token.replace("~1", "/").replace("~0", "~")]
    return document


def test_the_correlation_id_points_at_the_subsidy_request_uuid(document: dict[str, Any]) -> None:
    """correlationId is $message.payload#/<data key>/subsidy_request_uuid, and finds it in the example."""
    for definition in all_events():
        message = _message(document, definition, definition.minor_version)
        name = message["correlationId"]["$ref"].rpartition("/")[2]
        location = document["components"]["correlationIds"][name]["location"]
        assert location == f"$message.payload#/{definition.data_key}/{CORRELATION_FIELD}"
        example = message["examples"][0]["payload"]
        assert _resolve(example, location) == example[definition.data_key][CORRELATION_FIELD]


def test_send_for_each_producer_and_receive_for_each_contract(document: dict[str, Any]) -> None:
    """One send operation per event by its producer; one receive per contract, on the event's channel."""
    operations = document["operations"]
    sends = {(op["tags"][0]["name"], op["channel"]["$ref"]) for op in operations.values() if op["action"] == "send"}
    assert sends == {(d.producer, f"#/channels/{DEFAULT_TOPICS[d.event_type]}") for d in all_events()}
    receives = {key for key, op in operations.items() if op["action"] == "receive"}
    assert receives == {f"{c.consumer}.receive.{c.event_type}" for c in load_contracts()}
    for contract in load_contracts():
        operation = operations[f"{contract.consumer}.receive.{contract.event_type}"]
        assert operation["x-contract"]["reads"] == list(contract.reads)
        assert operation["bindings"]["kafka"]["groupId"]["enum"] == [contract.consumer]
        for reference in operation["messages"]:
            assert reference["$ref"].startswith(operation["channel"]["$ref"] + "/messages/")


def test_a_contract_of_another_event_gives_no_operation() -> None:
    """Contracts of event types that are not in the document are left out, not dangling."""
    (definition,) = [d for d in all_events() if d.producer == "license-manager"]
    document = asyncapi_document([definition], contracts=load_contracts())
    assert {op["action"] for op in document["operations"].values()} == {"send", "receive"}
    assert all(key.endswith(definition.event_type) for key in document["operations"])


def _metadata(definition: EventDefinition[Any]) -> EventMetadata:
    return definition.metadata(id=UUID(int=7), time=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), source="openedx/x/web")


def test_the_headers_are_the_ones_the_buses_write(document: dict[str, Any]) -> None:
    """Kafka headers and Redis entry fields of a real event validate against the headers, and name every one."""
    for definition in all_events():
        headers = _message(document, definition, definition.minor_version)["headers"]
        kafka, redis = headers["oneOf"]
        written = {name: value.decode() for name, value in kafka_headers(_metadata(definition))}
        assert set(kafka["properties"]) == set(written)
        fields = {n.decode(): v.decode() for n, v in redis_fields(_metadata(definition), b"").items()}
        del fields["event_data"]  # the body, not metadata
        assert set(redis["properties"]) == set(fields)
        for instance in (written, fields):
            jsonschema.Draft202012Validator(headers, format_checker=jsonschema.FormatChecker()).validate(instance)


def test_the_headers_say_which_event_and_minor_wrote_the_body(document: dict[str, Any]) -> None:
    """ce_type and ce_minorversion (type, minorversion on Redis) are fixed per message: another value fails."""
    definition = all_events()[0]
    headers = _message(document, definition, definition.minor_version)["headers"]
    written = {name: value.decode() for name, value in kafka_headers(_metadata(definition))}
    validator = jsonschema.Draft202012Validator(headers)
    assert validator.is_valid(written)
    assert not validator.is_valid({**written, "ce_minorversion": str(definition.minor_version + 1)})
    assert not validator.is_valid({**written, "ce_type": all_events()[1].event_type})


def test_the_kafka_key_is_the_one_edx_event_bus_kafka_registers(document: dict[str, Any]) -> None:
    """The key binding is the registered key schema, and the value subject strategy is TopicRecordName."""
    from openedx_subsidy_events.integrations import kafka

    assert dict(KAFKA_KEY_SCHEMA) == json.loads(kafka.KEY_SCHEMA)
    for message in document["components"]["messages"].values():
        binding = message["bindings"]["kafka"]
        assert binding["key"] == dict(KAFKA_KEY_SCHEMA)
        assert binding["schemaIdPayloadEncoding"] == "confluent"
        assert binding["schemaLookupStrategy"] == "TopicRecordNameStrategy"
    assert kafka.value_subject("t", all_events()[0]).endswith(".CloudEvent")
    assert "`{topic}-{event_type}.CloudEvent`" in document["servers"]["kafka"]["description"]


def test_the_examples_are_events_the_codec_and_the_headers_accept(document: dict[str, Any]) -> None:
    """Each message's example payload is written by its Avro schema and read by the payload class."""
    for definition in all_events():
        for minor, schema in definition.schemas.items():
            example = _message(document, definition, minor)["examples"][0]
            assert fastavro.validation.validate(example["payload"], fastavro.parse_schema(schema), raise_errors=True)
            headers = _message(document, definition, minor)["headers"]
            jsonschema.Draft202012Validator(headers, format_checker=jsonschema.FormatChecker()).validate(
                example["headers"]
            )
            if minor == definition.minor_version:
                assert definition.to_record(definition.from_record(example["payload"])) == example["payload"]


def test_topics_can_be_named(document: dict[str, Any]) -> None:
    """topics= moves an event to another channel; an event without a topic is a clear error."""
    definition = all_events()[-1]
    moved = asyncapi_document(topics={**DEFAULT_TOPICS, definition.event_type: "prod.assignments"})
    assert moved["channels"]["prod.assignments"]["address"] == "prod.assignments"
    from openedx_subsidy_events import SchemaError

    with pytest.raises(SchemaError, match="no topic for"):
        asyncapi_document(topics={})


def test_yaml_and_json_carry_the_same_document(document: dict[str, Any]) -> None:
    """The YAML text has no anchors and reads back as the document, as the JSON text does."""
    text = dumps_asyncapi(document)
    assert "&id" not in text
    assert yaml.safe_load(text) == document
    assert json.loads(dumps_asyncapi(document, format="json")) == document
    with pytest.raises(ValueError, match="unknown format"):
        dumps_asyncapi(document, format="toml")


def _descriptions(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "payload":
                continue  # the published Avro schema, as it is
            if key in ("description", "summary", "title") and isinstance(value, str):
                yield f"{path}/{key}", value
            else:
                yield from _descriptions(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _descriptions(value, f"{path}/{index}")


def test_no_text_a_renderer_would_take_for_an_html_tag(document: dict[str, Any]) -> None:
    """Placeholders are written {topic} in code spans: a renderer eats <topic> as a tag."""
    found = list(_descriptions(document))
    assert len(found) > 30
    for path, text in found:
        outside_code = re.sub(r"`[^`]*`", "", text)
        assert "<" not in outside_code, path
    servers = document["servers"]["kafka"]["description"]
    assert "`{topic}-{event_type}.CloudEvent`" in servers


def test_each_message_names_its_uuid_and_date_time_fields(document: dict[str, Any]) -> None:
    """The Avro payload shows UUIDs and date-times as plain strings, so the description names their formats."""
    for message in document["components"]["messages"].values():
        assert "UUIDs (format uuid, canonical text): `subsidy_request_uuid`" in message["description"]
        if message["name"].endswith(".approved.v1"):
            assert "date-times (format date-time, UTC): `reviewed_at`." in message["description"]
