"""Avro for payload classes: schema generation, the published store, the codec, and the encodings' bytes.

This floor knows attrs payload classes and Avro; it knows none of the package's events (those are
defined one floor up, in ``openedx_subsidy_events.events``, on top of it).
"""

from ._codec import PayloadCodec
from ._schema import DescribedEvent, avro_namespace, dumps_schema, event_schema, payload_record_schema
from ._single_object import schema_fingerprint
from ._store import default_root, load_published, read_schema_file

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
