"""Static verification: every contract against the published schemas, without any service code.

For each contract: the event type exists; the fields it reads exist in the schema it was written
against; its reader schema can read what every published minor writes (the compatibility
window); its expectations do not contradict the wire types; its examples are valid events that
meet its own expectations and survive the trip through the reader schema.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import fastavro

from .._text import to_pointer
from ..compat._resolve import PROMOTIONS
from ..events import get_event
from ..exceptions import ContractError, SchemaError, UnknownEventType
from ._expectations import iter_expectation_violations
from ._layout import default_root, iter_contract_files
from ._loader import iter_stray_files, load_contract
from ._model import Contract, Violation
from ._producer import _iter_record_problems
from ._reader import decode_with_reader, payload_record, project, writer_minor, writer_window

__all__ = ["StaticReport", "readers_by_event", "verify_all", "verify_contract"]

_JSON_TYPES = {
    "string": {"string"},
    "bytes": {"string"},
    "long": {"integer", "number"},
    "int": {"integer", "number"},
    "float": {"number"},
    "double": {"number"},
    "boolean": {"boolean"},
    "null": {"null"},
}


@attrs.frozen(kw_only=True)
class StaticReport:
    """The outcome of static verification.

    Attributes:
        contracts: the contracts that loaded.
        errors: the contract files that could not be loaded.
        violations: what the checks found, sorted (pending contracts' included, marked).

    .. versionadded:: 0.1.0

    """

    contracts: tuple[Contract, ...]
    errors: tuple[ContractError, ...]
    violations: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        """No load error and no violation of an active contract."""
        return not self.errors and all(v.pending for v in self.violations)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "ok": self.ok,
            "contracts": [
                {
                    "consumer": c.consumer,
                    "event_type": c.event_type,
                    "file": c.path,
                    "status": c.status,
                    "sha256": c.sha256,
                }
                for c in self.contracts
            ],
            "errors": [str(e) for e in self.errors],
            "violations": [v.to_json() for v in self.violations],
        }


def _violation(contract: Contract, field_path: str, rule: str, reason: str, *, pointer: str, **extra: Any) -> Violation:
    """A violation of ``contract``, placed in its file at ``pointer`` (or the closest place recorded)."""
    line, column = contract.position(pointer)
    return Violation(
        consumer=contract.consumer,
        event_type=contract.event_type,
        contract_file=contract.path,
        field_path=field_path,
        rule=rule,
        reason=reason,
        pending=contract.is_pending,
        line=line,
        column=column,
        **extra,
    )


def _read_pointer(contract: Contract, field_path: str) -> str:
    """``/reads/N`` of the read that names ``field_path`` (or a field inside it); ``/reads`` if none does."""
    index = contract.read_index(field_path)
    return "/reads" if index is None else to_pointer("reads", index)


def _example_pointer(index: int, field_path: str) -> str:
    return to_pointer("examples", index, "event", *(field_path.split(".") if field_path else ()))


def _branches(avro_type: Any) -> list[Any]:
    return list(avro_type) if isinstance(avro_type, list) else [avro_type]


def _type_key(avro_type: Any) -> str:
    if isinstance(avro_type, dict):
        return str(avro_type.get("name") or avro_type.get("type"))
    return str(avro_type)


def _resolves(writer: Any, reader: Any) -> bool:
    """Whether data of the writer type can be read as the reader type (Avro schema resolution)."""
    if isinstance(writer, list):
        return all(_resolves(branch, reader) for branch in writer)
    if isinstance(reader, list):
        return any(_resolves(writer, branch) for branch in reader)
    if isinstance(writer, dict) and isinstance(reader, dict) and writer.get("type") == reader.get("type") == "record":
        if writer.get("name") != reader.get("name"):
            return False
        written = {f["name"]: f for f in writer["fields"]}
        return all(
            (f["name"] in written and _resolves(written[f["name"]]["type"], f["type"])) or "default" in f
            for f in reader["fields"]
        )
    w, r = _type_key(writer), _type_key(reader)
    return w == r or (w, r) in PROMOTIONS


def _iter_window_violations(contract: Contract, reader: Mapping[str, Any], root: Path | None) -> Iterator[Violation]:
    _, reader_record = payload_record(reader)
    for minor, writer in sorted(writer_window(contract.event_type, root).items()):
        _, writer_record = payload_record(writer)
        written = {f["name"]: f for f in writer_record["fields"]}
        for field in reader_record["fields"]:
            name = field["name"]
            if name not in written and "default" not in field:
                yield _violation(
                    contract,
                    name,
                    "READ_FIELD_NOT_WRITTEN",
                    f"minor {minor} does not write this field and the reader has no default",
                    pointer=_read_pointer(contract, name),
                    minorversion=minor,
                )
            elif name in written and not _resolves(written[name]["type"], field["type"]):
                yield _violation(
                    contract,
                    name,
                    "READ_FIELD_TYPE_MISMATCH",
                    f"minor {minor} writes {written[name]['type']!r}, the reader expects {field['type']!r}",
                    pointer=_read_pointer(contract, name),
                    minorversion=minor,
                )


def _iter_expectation_type_violations(contract: Contract, reader: Mapping[str, Any]) -> Iterator[Violation]:
    _, record = payload_record(reader)
    types = {f["name"]: f["type"] for f in record["fields"]}
    for field_path, expectation in sorted(contract.expectations.items()):
        if not isinstance(expectation, Mapping) or "type" not in expectation or field_path not in types:
            continue
        wanted = expectation["type"]
        wanted_set = {wanted} if isinstance(wanted, str) else set(wanted)
        carried = set().union(*(_JSON_TYPES.get(_type_key(b), set()) for b in _branches(types[field_path])))
        if not wanted_set & carried:
            yield _violation(
                contract,
                field_path,
                "EXPECTATION_TYPE_CONFLICT",
                f"expects JSON type {sorted(wanted_set)} but the schema carries {sorted(carried)}",
                pointer=to_pointer("expectations", field_path, "type"),
                value=wanted,
            )


def _iter_example_violations(
    contract: Contract, schema: Mapping[str, Any], minor: int, root: Path | None
) -> Iterator[Violation]:
    definition = get_event(contract.event_type)
    for index, example in enumerate(contract.examples):
        data = {definition.data_key: dict(example.event)}
        where = f"example {example.name!r}"
        problems = list(_iter_record_problems(definition, data, schema))
        for problem in problems:
            yield _violation(
                contract,
                problem.field_path,
                "EXAMPLE_INVALID",
                f"{where}: {problem.rule}: {problem.reason}",
                pointer=_example_pointer(index, problem.field_path),
                value=problem.value,
            )
        if problems:
            continue
        out = io.BytesIO()
        fastavro.schemaless_writer(out, fastavro.parse_schema(dict(schema)), data)
        decoded = decode_with_reader(contract, out.getvalue(), minorversion=minor, schemas_root=root)
        for violation in iter_expectation_violations(contract, decoded[definition.data_key]):
            line, column = contract.position(_example_pointer(index, violation.field_path))
            reason = f"{where}: {violation.rule}: {violation.reason}"
            yield attrs.evolve(violation, rule="EXAMPLE_BREAKS_EXPECTATION", reason=reason, line=line, column=column)


def verify_contract(contract: Contract, *, schemas_root: Path | None = None) -> list[Violation]:
    """Everything wrong with one contract against the published schemas.

    .. versionadded:: 0.1.0
    """
    try:
        get_event(contract.event_type)
    except UnknownEventType as error:
        return [
            _violation(contract, "", "UNKNOWN_EVENT_TYPE", str(error), pointer="/event_type", value=contract.event_type)
        ]
    minor = writer_minor(contract, schemas_root)
    if minor is None:
        return [
            _violation(
                contract,
                "",
                "SCHEMA_MINOR_UNPUBLISHED",
                (
                    f"no published schema of minor {contract.schema_minor}"
                    if contract.schema_minor is not None
                    else "no published schema at all for this event"
                ),
                pointer="/schema_minor",
                value=contract.schema_minor,
            )
        ]
    schema = writer_window(contract.event_type, schemas_root)[minor]
    reader, missing = project(schema, contract.reads)
    found = [
        _violation(
            contract,
            path,
            "READ_FIELD_UNKNOWN",
            f"minor {minor} of the published schema has no such field",
            pointer=_read_pointer(contract, path),
            minorversion=minor,
        )
        for path in missing
    ]
    found.extend(_iter_window_violations(contract, reader, schemas_root))
    found.extend(_iter_expectation_type_violations(contract, reader))
    if not missing:
        found.extend(_iter_example_violations(contract, schema, minor, schemas_root))
    return sorted(found, key=Violation.sort_key)


def _check_schemas_root(schemas_root: Path | None) -> None:
    """A :class:`SchemaError` unless ``schemas_root`` (when given) is a folder."""
    if schemas_root is not None and not schemas_root.is_dir():
        reason = "is not a folder" if schemas_root.exists() else "no such folder of published schemas"
        raise SchemaError(str(schemas_root), reason, rule="SCHEMAS_FOLDER_MISSING")


def verify_all(contracts_root: Path | None = None, *, schemas_root: Path | None = None) -> StaticReport:
    """Static verification of every contract under ``contracts_root`` (default: the installed ones).

    Malformed files, and files that look like contracts but would not be read as one, are
    collected as errors, not raised, so one bad file does not hide the rest. A ``contracts_root``
    that is not a folder raises :class:`ContractError`, a ``schemas_root`` that is not a folder
    :class:`~openedx_subsidy_events.SchemaError`: a wrong path must not verify nothing and pass.

    .. versionadded:: 0.1.0
    """
    root = contracts_root if contracts_root is not None else default_root()
    errors: list[ContractError] = list(iter_stray_files(root))
    _check_schemas_root(schemas_root)
    contracts: list[Contract] = []
    for path in iter_contract_files(root):
        try:
            contracts.append(load_contract(path, root=root))
        except ContractError as error:
            errors.append(error)
    violations = [v for c in contracts for v in verify_contract(c, schemas_root=schemas_root)]
    return StaticReport(
        contracts=tuple(contracts), errors=tuple(errors), violations=tuple(sorted(violations, key=Violation.sort_key))
    )


def _example_paths(record: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """The dotted paths of the fields an example record carries (records inside it included)."""
    for name, value in record.items():
        yield prefix + name
        if isinstance(value, Mapping):
            yield from _example_paths(value, f"{prefix}{name}.")


def readers_by_event(contracts_root: Path | None = None) -> dict[str, dict[str, tuple[str, ...]]]:
    """``{event_type: {"<data_key>.<field>": (consumer, ...)}}``: who reads each field (for the linter).

    A consumer uses a field when its contract reads it or when one of its contract's examples
    carries it: removing either breaks the contract (``contracts verify`` fails on an example with
    a field the schema no longer has), so the linter and the contracts agree on what is safe.
    Paths are dotted from the top-level record, as the linter's findings name them
    (``license_assignment.course_id``). Malformed contracts are skipped here; ``verify_all`` reports them.
    A ``contracts_root`` that is not a folder raises :class:`ContractError`.

    .. versionadded:: 0.1.0
    """
    root = contracts_root if contracts_root is not None else default_root()
    readers: dict[str, dict[str, set[str]]] = {}
    for path in iter_contract_files(root):
        try:
            contract = load_contract(path, root=root)
        except ContractError:
            continue
        try:
            prefix = get_event(contract.event_type).data_key + "."
        except UnknownEventType:
            prefix = ""
        fields = readers.setdefault(contract.event_type, {})
        used = {*contract.reads, *(name for example in contract.examples for name in _example_paths(example.event))}
        for read in used:
            fields.setdefault(prefix + read, set()).add(contract.consumer)
    return {
        event: {field: tuple(sorted(who)) for field, who in sorted(fields.items())}
        for event, fields in sorted(readers.items())
    }
