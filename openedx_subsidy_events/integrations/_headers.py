"""Event metadata as each bus carries it beside the Avro body, field for field the Open edX buses.

Kafka: CloudEvents headers (``ce_type``, ``ce_id``, ``ce_source``, ``ce_specversion``, ``ce_time``,
``ce_minorversion``) plus ``sourcehost``, ``sourcelib`` and the content type, as edx-event-bus-kafka
writes them. Redis Streams: entry fields ``type``, ``id``, ``source``, ``time``, ``minorversion``,
``sourcehost``, ``sourcelib`` beside ``event_data``, as edx-event-bus-redis writes them.

Reading is strict where the buses are lenient: a missing or repeated field, or one that does not
parse, is a :class:`HeaderError` naming it, never a default silently filled in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from ..envelope import EventMetadata
from ..exceptions import PayloadError

__all__ = [
    "HeaderError",
    "kafka_headers",
    "metadata_from_kafka_headers",
    "metadata_from_redis_fields",
    "redis_fields",
]

CONTENT_TYPE = b"application/avro"
SPEC_VERSION = b"1.0"


class HeaderError(ValueError):
    """The metadata beside a message is missing, repeated or unreadable (internal: consumers wrap it)."""


# metadata attribute -> (to text, from text)
_CONVERSIONS: dict[str, tuple[Callable[[Any], str], Callable[[str], Any]]] = {
    "event_type": (str, str),
    "id": (str, UUID),
    "source": (str, str),
    "time": (datetime.isoformat, datetime.fromisoformat),
    "minorversion": (str, int),
    "sourcehost": (str, str),
    "sourcelib": (lambda version: ".".join(map(str, version)), lambda text: tuple(map(int, text.split(".")))),
}
_KAFKA_NAMES = {
    "event_type": "ce_type",
    "id": "ce_id",
    "source": "ce_source",
    "time": "ce_time",
    "minorversion": "ce_minorversion",
    "sourcehost": "sourcehost",
    "sourcelib": "sourcelib",
}
_REDIS_NAMES = {attribute: attribute for attribute in _CONVERSIONS}
_REDIS_NAMES["event_type"] = "type"


def _texts(metadata: EventMetadata, names: Mapping[str, str]) -> dict[str, bytes]:
    return {names[attribute]: to_text(getattr(metadata, attribute)).encode() for attribute, (to_text, _) in
            _CONVERSIONS.items()}  # fmt: skip


def kafka_headers(metadata: EventMetadata) -> list[tuple[str, bytes]]:
    """The Kafka headers of an event, as edx-event-bus-kafka writes them."""
    headers = {"ce_specversion": SPEC_VERSION, "content-type": CONTENT_TYPE, "ce_datacontenttype": CONTENT_TYPE}
    headers.update(_texts(metadata, _KAFKA_NAMES))
    return list(headers.items())


def redis_fields(metadata: EventMetadata, event_data: bytes) -> dict[bytes, bytes]:
    """The fields of a Redis Streams entry, as edx-event-bus-redis writes them."""
    fields = {name.encode(): value for name, value in _texts(metadata, _REDIS_NAMES).items()}
    fields[b"event_data"] = event_data
    return fields


def _metadata(values: Mapping[str, bytes], names: Mapping[str, str]) -> EventMetadata:
    fields: dict[str, Any] = {}
    for attribute, (_, from_text) in _CONVERSIONS.items():
        name = names[attribute]
        raw = values.get(name)
        if raw is None:
            raise HeaderError(f"the {name!r} field is missing")
        try:
            fields[attribute] = from_text(raw.decode())
        except (UnicodeDecodeError, ValueError) as error:
            raise HeaderError(f"the {name!r} field is not readable ({type(error).__name__})") from None
    try:
        return EventMetadata(**fields)
    except PayloadError as error:
        raise HeaderError(f"the {error.field!r} field cannot be used: {error.reason}") from None


def metadata_from_kafka_headers(headers: Iterable[tuple[str, bytes | None]] | None) -> EventMetadata:
    """The metadata a Kafka message carries in its headers; :class:`HeaderError` if it carries none usable."""
    values: dict[str, bytes] = {}
    wanted = set(_KAFKA_NAMES.values())
    for name, value in headers or ():
        if name not in wanted:
            continue
        if name in values:
            raise HeaderError(f"the {name!r} header appears more than once")
        values[name] = value or b""
    return _metadata(values, _KAFKA_NAMES)


def kafka_event_type(headers: Iterable[tuple[str, bytes | None]] | None) -> str | None:
    """The ``ce_type`` of a Kafka message, or ``None`` if it has none (for error messages)."""
    for name, value in headers or ():
        if name == "ce_type" and value:
            return value.decode(errors="replace")
    return None


def metadata_from_redis_fields(fields: Mapping[bytes, bytes]) -> EventMetadata:
    """The metadata of a Redis Streams entry; :class:`HeaderError` if it carries none usable."""
    return _metadata({name.decode(errors="replace"): value for name, value in fields.items()}, _REDIS_NAMES)
