"""The AsyncAPI 3.0 document of the four events: who sends which event on which channel, who receives it.

Built from what the package knows: the event definitions and every published schema (a message per
event type and minor version, whose payload is that Avro schema), the buses the package speaks
(Kafka with Confluent framing and CloudEvents headers; Redis Streams, as the Open edX buses write
them), the correlation id, and the consumer contracts (a ``receive`` operation per contract, beside
the producer's ``send``). The document is deterministic, so a committed copy can be checked for drift.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from .._version import __version__
from ..avro._schema import ENVELOPE_RECORD_NAME, FORMAT_ATTRIBUTE
from ..contracts import Contract, load_contracts
from ..events import CORRELATION_FIELD, EventDefinition, all_events
from ..exceptions import SchemaError
from ._examples import EXAMPLE_TIME, example_record

__all__ = [
    "ASYNCAPI_VERSION",
    "AVRO_SCHEMA_FORMAT",
    "DEFAULT_TOPICS",
    "KAFKA_KEY_SCHEMA",
    "asyncapi_document",
    "asyncapi_path",
    "dumps_asyncapi",
]

ASYNCAPI_VERSION = "3.0.0"
"""The AsyncAPI version of the document."""

AVRO_SCHEMA_FORMAT = "application/vnd.apache.avro+json;version=1.9.0"
"""The ``schemaFormat`` of each message payload: an Avro 1.9.0 schema, written as JSON."""

CONTENT_TYPE = "application/avro"
KAFKA_BINDING_VERSION = "0.5.0"
DOCS_URL = "https://github.com/openedx/openedx-subsidy-events/tree/main/docs"

DEFAULT_TOPICS: Mapping[str, str] = {
    "org.openedx.enterprise.access.coupon-code-request.approved.v1": "enterprise-access-subsidy-requests",
    "org.openedx.enterprise.access.license-request.approved.v1": "enterprise-access-subsidy-requests",
    "org.openedx.ecommerce.coupon-code.assigned.v1": "ecommerce-coupon-code-assignments",
    "org.openedx.license-manager.license.assigned.v1": "license-manager-assignments",
}
"""The topic (Kafka) or stream (Redis) of each event, without ``EVENT_BUS_TOPIC_PREFIX``: the how-tos' and the demo's.

The approved events share one topic, so that both granting services see every request in order.
"""

KAFKA_KEY_SCHEMA: Mapping[str, Any] = {"name": CORRELATION_FIELD, "type": "string"}
"""The Avro schema of the Kafka message key, as edx-event-bus-kafka registers it (subject ``<topic>-string``)."""

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_SOURCELIB = r"^[0-9]+(\.[0-9]+)*$"


def _string(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _metadata_fields(definition: EventDefinition[Any], minor: int, names: Mapping[str, str]) -> dict[str, Any]:
    """The metadata as text fields, by the names one bus gives them (``names``: attribute -> name)."""
    return {
        names["id"]: _string("The event's unique id (EventsMetadata.id).", format="uuid"),
        names["event_type"]: _string("The event type.", const=definition.event_type),
        names["source"]: _string("The service that sent it, e.g. openedx/license-manager/web."),
        names["time"]: _string("When the event happened, ISO 8601 in UTC.", format="date-time"),
        names["minorversion"]: _string("The minor version of the schema that wrote the Avro body.", const=str(minor)),
        names["sourcehost"]: _string("The host the sending process ran on."),
        names["sourcelib"]: _string("The version of the library that sent it, e.g. 9.15.0.", pattern=_SOURCELIB),
    }


_KAFKA_NAMES = {
    "id": "ce_id",
    "event_type": "ce_type",
    "source": "ce_source",
    "time": "ce_time",
    "minorversion": "ce_minorversion",
    "sourcehost": "sourcehost",
    "sourcelib": "sourcelib",
}
_REDIS_NAMES = {**{name: name for name in _KAFKA_NAMES}, "event_type": "type"}


def _headers(definition: EventDefinition[Any], minor: int) -> dict[str, Any]:
    """The metadata beside the Avro body: CloudEvents headers on Kafka, entry fields on Redis Streams."""
    kafka = _metadata_fields(definition, minor, _KAFKA_NAMES)
    kafka["ce_specversion"] = _string("The CloudEvents version.", const="1.0")
    kafka["content-type"] = _string("The content type of the value.", const=CONTENT_TYPE)
    kafka["ce_datacontenttype"] = _string("The CloudEvents data content type.", const=CONTENT_TYPE)
    redis = _metadata_fields(definition, minor, _REDIS_NAMES)
    return {
        "type": "object",
        "description": (
            "The event metadata (openedx-events' EventsMetadata) as each bus carries it beside the Avro body: "
            "CloudEvents headers in binary mode on Kafka, the fields of the stream entry on Redis Streams "
            "(beside event_data, which holds the body)."
        ),
        "oneOf": [
            {
                "title": "Kafka headers",
                "type": "object",
                "properties": kafka,
                "required": [*_KAFKA_NAMES.values(), "ce_specversion"],
            },
            {
                "title": "Redis Streams entry fields",
                "type": "object",
                "properties": redis,
                "required": list(_REDIS_NAMES.values()),
            },
        ],
    }


def _message_id(definition: EventDefinition[Any], minor: int) -> str:
    return f"{definition.event_type}.{minor}"


def _channel_id(topic: str) -> str:
    return _ID_UNSAFE.sub("_", topic)


def _summary(text: str) -> str:
    return text.split(". ")[0].rstrip(".") + "."


def _example_headers(definition: EventDefinition[Any], minor: int) -> dict[str, str]:
    return {
        "ce_id": "8c5b0e4e-61b4-11ef-8a1f-0242ac120002",
        "ce_type": definition.event_type,
        "ce_source": f"openedx/{definition.producer}/web",
        "ce_specversion": "1.0",
        "ce_time": EXAMPLE_TIME.isoformat(),
        "ce_minorversion": str(minor),
        "sourcehost": f"{definition.producer}.example.com",
        "sourcelib": __version__,
        "content-type": CONTENT_TYPE,
        "ce_datacontenttype": CONTENT_TYPE,
    }


def _formats_sentence(schema: Mapping[str, Any]) -> str:
    """The payload fields that are UUIDs or date-times: an Avro string's form is not shown by the payload schema."""
    forms: dict[str, list[str]] = {}
    for field in schema["fields"][0]["type"]["fields"]:
        form = field.get(FORMAT_ATTRIBUTE)
        if isinstance(form, str):
            forms.setdefault(form, []).append(f"`{field['name']}`")
    spelled = {"uuid": "UUIDs (format uuid, canonical text)", "date-time": "date-times (format date-time, UTC)"}
    parts = [f"{spelled.get(form, form)}: {', '.join(names)}" for form, names in sorted(forms.items(), reverse=True)]
    return (" " + "; ".join(parts) + ".") if parts else ""


def _message(definition: EventDefinition[Any], minor: int, schema: dict[str, Any]) -> dict[str, Any]:
    current = " (the current one)" if minor == definition.minor_version else ""
    return {
        "name": definition.event_type,
        "title": f"{definition.event_type}, minor version {minor}",
        "summary": _summary(definition.description),
        "description": (
            f"{definition.description}\n\nSent by {definition.producer}. Minor version {minor}{current} of the "
            f"event: the body is written with schemas/{definition.event_type}/{minor}.avsc, and the metadata "
            "says which minor wrote it (ce_minorversion on Kafka, minorversion on Redis Streams), so a reader "
            "decodes with that schema. The payload is under the data key "
            f"{definition.data_key}; {definition.data_key}.{CORRELATION_FIELD} is the event key and the "
            "correlation id of every event of one subsidy request." + _formats_sentence(schema)
        ),
        "contentType": CONTENT_TYPE,
        "headers": _headers(definition, minor),
        "payload": {"schemaFormat": AVRO_SCHEMA_FORMAT, "schema": schema},
        "correlationId": {"$ref": f"#/components/correlationIds/{definition.data_key}"},
        "bindings": {
            "kafka": {
                "key": dict(KAFKA_KEY_SCHEMA),
                "schemaIdLocation": "payload",
                "schemaIdPayloadEncoding": "confluent",
                "schemaLookupStrategy": "TopicRecordNameStrategy",
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
        "examples": [
            {
                "name": "every-field",
                "summary": "Every field set, as the docs show it; the headers as Kafka carries them.",
                "headers": _example_headers(definition, minor),
                "payload": example_record(definition, minor),
            }
        ],
    }


def _servers() -> dict[str, Any]:
    return {
        "kafka": {
            "host": "{bootstrapServers}",
            "protocol": "kafka",
            "title": "Kafka with a Confluent Schema Registry (edx-event-bus-kafka)",
            "description": (
                "Each value is Confluent-framed: magic byte 0, the 4-byte big-endian schema id, the schemaless "
                "Avro body. The value subject is `{topic}-{event_type}." + ENVELOPE_RECORD_NAME + "` "
                "(TopicRecordNameStrategy), with the schema text openedx-events registers; the key is "
                f"`{CORRELATION_FIELD}` as an Avro string, framed the same way (subject `{{topic}}-string`), so every "
                "event of one request lands on one partition, in order. The metadata travels in CloudEvents "
                "headers. Settings: EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS, EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL."
            ),
            "variables": {
                "bootstrapServers": {
                    "default": "localhost:9092",
                    "description": "The brokers (EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS).",
                }
            },
            "bindings": {"kafka": {"schemaRegistryVendor": "confluent", "bindingVersion": KAFKA_BINDING_VERSION}},
        },
        "redis": {
            "host": "{redisHost}",
            "protocol": "redis",
            "title": "Redis Streams (edx-event-bus-redis)",
            "description": (
                "One stream per topic. Each entry holds the schemaless Avro body in its event_data field, beside "
                "the metadata fields type, id, source, time, minorversion, sourcehost and sourcelib. Consumers "
                "read as consumer groups. Setting: EVENT_BUS_REDIS_CONNECTION_URL."
            ),
            "variables": {
                "redisHost": {
                    "default": "localhost:6379",
                    "description": "The Redis server (from EVENT_BUS_REDIS_CONNECTION_URL).",
                }
            },
        },
    }


def _topic_of(definition: EventDefinition[Any], topics: Mapping[str, str]) -> str:
    try:
        return topics[definition.event_type]
    except KeyError:
        reason = f"has no topic for {definition.event_type}: name one (topics=, or --topic EVENT_TYPE=TOPIC)"
        raise SchemaError("asyncapi", reason, rule="NO_TOPIC") from None


def asyncapi_document(
    definitions: Iterable[EventDefinition[Any]] | None = None,
    *,
    contracts: Iterable[Contract] | None = None,
    topics: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The AsyncAPI 3.0 document of the events (default: the package's), as a JSON-compatible dict.

    ``contracts`` (default: the installed ones) give a ``receive`` operation each; a contract of an
    event type not among ``definitions`` is left out. ``topics`` maps event types to topic names
    (default :data:`DEFAULT_TOPICS`, without the deployment's ``EVENT_BUS_TOPIC_PREFIX``).

    .. versionadded:: 0.1.0
    """
    events = list(all_events() if definitions is None else definitions)
    readers = list(load_contracts() if contracts is None else contracts)
    topics = DEFAULT_TOPICS if topics is None else topics
    by_type = {definition.event_type: definition for definition in events}

    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    correlation_ids: dict[str, Any] = {}
    published = {definition.event_type: definition.schemas for definition in events}

    for definition in events:
        topic = _topic_of(definition, topics)
        channel_id = _channel_id(topic)
        channel = channels.setdefault(
            channel_id,
            {
                "address": topic,
                "title": topic,
                "description": (
                    f"The Kafka topic or Redis stream `{topic}`; with EVENT_BUS_TOPIC_PREFIX set, its full name is "
                    f"`{{prefix}}-{topic}`."
                ),
                "messages": {},
            },
        )
        for minor, schema in sorted(published[definition.event_type].items()):
            message_id = _message_id(definition, minor)
            messages[message_id] = _message(definition, minor, schema)
            channel["messages"][message_id] = {"$ref": f"#/components/messages/{message_id}"}
        correlation_ids[definition.data_key] = {
            "description": f"The subsidy request the event is about: {definition.data_key}.{CORRELATION_FIELD}.",
            "location": f"$message.payload#/{definition.data_key}/{CORRELATION_FIELD}",
        }
        current = _message_id(definition, definition.minor_version)
        operations[f"{definition.producer}.send.{definition.event_type}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "title": f"{definition.producer} sends {definition.event_type}",
            "summary": _summary(definition.description),
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{current}"}],
            "tags": [{"name": definition.producer}],
        }

    for contract in sorted(readers, key=lambda c: (c.event_type, c.consumer)):
        read = by_type.get(contract.event_type)
        if read is None:
            continue
        channel_id = _channel_id(_topic_of(read, topics))
        minors = sorted(published[read.event_type])
        pending = " The contract is pending: breaking it is reported, not failed." if contract.is_pending else ""
        operations[f"{contract.consumer}.receive.{contract.event_type}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "title": f"{contract.consumer} receives {contract.event_type}",
            "summary": f"{contract.consumer}, by its contract {contract.path}.",
            "description": " ".join(contract.purpose.split()) + pending,
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{_message_id(read, minor)}"} for minor in minors],
            "bindings": {
                "kafka": {
                    "groupId": {"type": "string", "enum": [contract.consumer]},
                    "bindingVersion": KAFKA_BINDING_VERSION,
                }
            },
            "tags": [{"name": contract.consumer}],
            "x-contract": {"file": contract.path, "status": contract.status, "reads": list(contract.reads)},
        }

    services = sorted({d.producer for d in events} | {c.consumer for c in readers if c.event_type in by_type})
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Open edX subsidy-request events",
            "version": __version__,
            "description": (
                "The events of the Open edX subsidy-request flow: an admin approves a license or coupon-code "
                "request in enterprise-access; license-manager or ecommerce grants it and answers with an "
                "assigned event; enterprise-access fulfils the request. Every event carries "
                f"{CORRELATION_FIELD}, its key and correlation id. Generated by openedx-subsidy-events "
                f"{__version__} (subsidy-events export asyncapi) from its event definitions, published "
                "schemas and consumer contracts."
            ),
            "license": {"name": "AGPL-3.0-only", "url": "https://www.gnu.org/licenses/agpl-3.0.html"},
            "tags": [{"name": service, "description": f"The {service} service."} for service in services],
            "externalDocs": {"description": "openedx-subsidy-events documentation", "url": DOCS_URL},
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": _servers(),
        "channels": channels,
        "operations": dict(sorted(operations.items())),
        "components": {"messages": messages, "correlationIds": correlation_ids},
    }


class _Dumper(yaml.SafeDumper):
    """YAML without anchors (each node written out), text with line breaks as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _text)


def dumps_asyncapi(document: Mapping[str, Any], *, format: str = "yaml") -> str:
    """The text of a document: ``"yaml"`` (keys in document order) or ``"json"`` (2-space indent).

    .. versionadded:: 0.1.0
    """
    if format == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if format != "yaml":
        raise ValueError(f"unknown format {format!r}: yaml or json")
    text: str = yaml.dump(dict(document), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return text


@functools.cache  # where the package is installed does not change while it runs
def asyncapi_path() -> Path:
    """The AsyncAPI document this installation carries: the wheel's copy, else the checkout's ``docs/asyncapi.yaml``.

    It is ``subsidy-events export asyncapi`` of the package's events and contracts, committed and
    checked for drift by the test suite.

    .. versionadded:: 0.1.0
    """
    from importlib import resources  # imported here: it costs more than the rest of the module

    packaged = resources.files("openedx_subsidy_events") / "_data" / "asyncapi.yaml"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"
