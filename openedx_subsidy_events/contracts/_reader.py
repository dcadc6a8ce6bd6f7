"""A consumer's reader schema: the published writer schema, projected onto the fields it reads.

The projection keeps the names and namespaces of the writer's records (Avro resolves records by
name), the envelope field, and only the payload fields named in ``reads``, each with its writer
type and default. Decoding an event with it is what the consumer's bus does when the consumer
ships only the fields it needs.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fastavro

from ..avro._store import load_published, published_stamp
from ._model import Contract

if TYPE_CHECKING:
    from ..avro._store import PublishedStamp

__all__ = ["decode_with_reader", "payload_record", "project", "reader_schema", "writer_minor", "writer_window"]


def payload_record(schema: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The data key and the payload record schema of an event schema (its only top-level field)."""
    (envelope_field,) = schema["fields"]
    record: dict[str, Any] = envelope_field["type"]
    return envelope_field["name"], record


def _record_in(field_type: Any) -> dict[str, Any] | None:
    """The record a field holds, directly or as the non-null branch of a union."""
    if isinstance(field_type, dict) and field_type.get("type") == "record":
        return field_type
    if isinstance(field_type, list):
        records = [branch for branch in field_type if isinstance(branch, dict) and branch.get("type") == "record"]
        return records[0] if len(records) == 1 else None
    return None


def _project_record(record: dict[str, Any], paths: Sequence[str], prefix: str, missing: list[str]) -> dict[str, Any]:
    wanted: dict[str, list[str]] = {}
    for path in paths:
        head, _, rest = path.partition(".")
        wanted.setdefault(head, [])
        if rest:
            wanted[head].append(rest)
    by_name = {f["name"]: f for f in record["fields"]}
    for name in wanted:
        if name not in by_name:
            missing.append(prefix + name)
    fields = []
    for field in record["fields"]:
        name = field["name"]
        if name not in wanted:
            continue
        kept = copy.deepcopy(field)
        nested = _record_in(kept["type"])
        if wanted[name] and nested is not None:
            projected = _project_record(nested, wanted[name], f"{prefix}{name}.", missing)
            nested.clear()
            nested.update(projected)
        elif wanted[name]:
            missing.extend(f"{prefix}{name}.{rest}" for rest in wanted[name])
        fields.append(kept)
    projected_record = {k: v for k, v in record.items() if k != "fields"}
    projected_record["fields"] = fields
    return projected_record


def project(writer: Mapping[str, Any], reads: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """The reader schema for ``reads`` and the read paths the writer schema does not have.

    .. versionadded:: 0.1.0
    """
    reader = {k: copy.deepcopy(v) for k, v in writer.items() if k != "fields"}
    (envelope_field,) = writer["fields"]
    missing: list[str] = []
    projected_payload = _project_record(envelope_field["type"], reads, "", missing)
    reader["fields"] = [{**{k: v for k, v in envelope_field.items() if k != "type"}, "type": projected_payload}]
    return reader, missing


def writer_window(event_type: str, schemas_root: Path | None = None) -> Mapping[int, dict[str, Any]]:
    """Every published minor of an event type: the writers a consumer may meet (FULL_TRANSITIVE).

    .. versionadded:: 0.1.0
    """
    return load_published(event_type, schemas_root)


def writer_minor(contract: Contract, schemas_root: Path | None = None) -> int | None:
    """The minor the contract's reader schema is projected from, or ``None`` if nothing is published."""
    window = writer_window(contract.event_type, schemas_root)
    if contract.schema_minor is not None:
        return contract.schema_minor if contract.schema_minor in window else None
    return max(window, default=None)


def reader_schema(contract: Contract, schemas_root: Path | None = None) -> dict[str, Any] | None:
    """The consumer's reader schema, or ``None`` when its writer minor is not published.

    .. versionadded:: 0.1.0
    """
    minor = writer_minor(contract, schemas_root)
    if minor is None:
        return None
    reader, _ = project(writer_window(contract.event_type, schemas_root)[minor], contract.reads)
    return reader


# Parsed schemas, keyed by the contract's text and the published files as they are now (see
# published_stamp): consumer verification decodes hundreds of events with the same pair.
_READERS: dict[tuple[str, str, PublishedStamp], Any] = {}
_WRITERS: dict[tuple[int, PublishedStamp], Any] = {}
_CACHE_LIMIT = 256


def _parsed_reader(contract: Contract, schemas_root: Path | None) -> Any:
    key = (contract.path, contract.sha256, published_stamp(contract.event_type, schemas_root))
    if key not in _READERS:
        schema = reader_schema(contract, schemas_root)
        _remember(_READERS, key, None if schema is None else fastavro.parse_schema(schema))
    return _READERS[key]


def _parsed_writer(event_type: str, minor: int, schemas_root: Path | None) -> Any:
    key = (minor, published_stamp(event_type, schemas_root))
    if key not in _WRITERS:
        _remember(_WRITERS, key, fastavro.parse_schema(writer_window(event_type, schemas_root)[minor]))
    return _WRITERS[key]


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= _CACHE_LIMIT:  # stamps change as files are edited: never grow without bound
        cache.clear()
    cache[key] = value


def decode_with_reader(
    contract: Contract, data: bytes, *, minorversion: int, schemas_root: Path | None = None
) -> dict[str, Any]:
    """Read bytes written with a published minor as the consumer would: with its reader schema.

    Raises whatever fastavro raises when the writer cannot be resolved to the reader.

    .. versionadded:: 0.1.0
    """
    reader = _parsed_reader(contract, schemas_root)
    writer = _parsed_writer(contract.event_type, minorversion, schemas_root)
    record: Any = fastavro.schemaless_reader(io.BytesIO(data), writer, reader)
    if not isinstance(record, dict):
        raise TypeError("the reader schema did not produce a record")
    return record
