"""Avro schemas and bytes of the events: generation, the published store, and the encodings."""

from ._codec import PayloadCodec
from ._schema import avro_namespace, dumps_schema, event_schema, payload_record_schema
from ._single_object import SingleObjectEvent, decode_single_object, encode_single_object, schema_fingerprint
from ._store import default_root, load_published, read_schema_file

__all__ = [
    "PayloadCodec",
    "SingleObjectEvent",
    "avro_namespace",
    "decode_single_object",
    "default_root",
    "dumps_schema",
    "encode_single_object",
    "event_schema",
    "load_published",
    "payload_record_schema",
    "read_schema_file",
    "schema_fingerprint",
]
