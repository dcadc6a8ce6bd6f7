"""The events described for other tools: an AsyncAPI 3.0 document and a JSON Schema (2020-12) per version.

:func:`asyncapi_document` says which service sends which event on which channel, on which bus, who
receives it (every consumer contract) and how the events of one request are correlated; its
messages carry the published Avro schemas. :func:`json_schema` describes the JSON form of one
published version of an event's record, for consumers that validate JSON. Both are derived from the
event definitions, the published schemas and the contracts, never written by hand; the command line
writes them (``subsidy-events export asyncapi``, ``subsidy-events export jsonschema``).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:
    from ._asyncapi import (
        ASYNCAPI_VERSION,
        AVRO_SCHEMA_FORMAT,
        DEFAULT_TOPICS,
        KAFKA_KEY_SCHEMA,
        asyncapi_document,
        asyncapi_path,
        dumps_asyncapi,
    )
    from ._examples import example_record
    from ._jsonschema import DIALECT, avro_to_json_schema, iter_json_schemas, json_schema, json_schema_files

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "ASYNCAPI_VERSION": "._asyncapi",
        "AVRO_SCHEMA_FORMAT": "._asyncapi",
        "DEFAULT_TOPICS": "._asyncapi",
        "KAFKA_KEY_SCHEMA": "._asyncapi",
        "asyncapi_document": "._asyncapi",
        "asyncapi_path": "._asyncapi",
        "dumps_asyncapi": "._asyncapi",
        "example_record": "._examples",
        "DIALECT": "._jsonschema",
        "avro_to_json_schema": "._jsonschema",
        "iter_json_schemas": "._jsonschema",
        "json_schema": "._jsonschema",
        "json_schema_files": "._jsonschema",
    },
)

__all__ = [
    "ASYNCAPI_VERSION",
    "AVRO_SCHEMA_FORMAT",
    "DEFAULT_TOPICS",
    "DIALECT",
    "KAFKA_KEY_SCHEMA",
    "asyncapi_document",
    "asyncapi_path",
    "avro_to_json_schema",
    "dumps_asyncapi",
    "example_record",
    "iter_json_schemas",
    "json_schema",
    "json_schema_files",
]
