"""Avro for payload classes: schema generation, the published store, the codec, and the encodings' bytes.

This floor knows attrs payload classes and Avro; it knows none of the package's events (those are
defined one floor up, in ``openedx_subsidy_events.events``, on top of it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:
    from ._codec import PayloadCodec
    from ._schema import DescribedEvent, avro_namespace, dumps_schema, event_schema, payload_record_schema
    from ._single_object import schema_fingerprint
    from ._store import default_root, load_published, read_schema_file

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "PayloadCodec": "._codec",
        "DescribedEvent": "._schema",
        "avro_namespace": "._schema",
        "dumps_schema": "._schema",
        "event_schema": "._schema",
        "payload_record_schema": "._schema",
        "schema_fingerprint": "._single_object",
        "default_root": "._store",
        "load_published": "._store",
        "read_schema_file": "._store",
    },
)

__all__ = [
    "DescribedEvent",
    "PayloadCodec",
    "avro_namespace",
    "default_root",
    "dumps_schema",
    "event_schema",
    "load_published",
    "payload_record_schema",
    "read_schema_file",
    "schema_fingerprint",
]
