"""Producer verification: whether one emitted event satisfies the published schema and every consumer.

The event is taken as a producer hands it to a bus: a captured event, a payload object, or raw
data ``{data_key: {...}}`` (a service that builds dicts, or openedx-events ``send_event`` keyword
arguments). Raw data is what makes the usual mistakes checkable at all, since payload objects
validate on construction. The checks, in order: the data belongs to the event type; the record
has no key the schema lacks (fastavro would silently drop it), every required field, and the
right wire types and formats; it encodes with the published schema; each consumer's reader schema
decodes it; each consumer's expectations hold; an answering event echoes the correlation id.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import fastavro
from fastavro.validation import validate

from .._text import CANONICAL_UUID, is_date_time
from ..avro._compile import datetime_from_wire
from ..avro._schema import FORMAT_ATTRIBUTE
from ..envelope import EventMetadata
from ..events import CORRELATION_FIELD, all_events, get_event
from ..events._definition import EventDefinition
from ..exceptions import NO_VALUE
from ..signals import CapturedEvent
from ._expectations import iter_expectation_violations
from ._loader import load_contracts
from ._model import Contract, Violation, ViolationGroup
from ._reader import decode_with_reader, payload_record, writer_window

__all__ = ["ANSWERS", "EventCheck", "answered_events", "assert_event", "check_event", "to_wire"]

ANSWERS: Mapping[str, str] = {
    "org.openedx.license-manager.license.assigned.v1": "org.openedx.enterprise.access.license-request.approved.v1",
    "org.openedx.ecommerce.coupon-code.assigned.v1": "org.openedx.enterprise.access.coupon-code-request.approved.v1",
}
"""For each *assigned* event type, the *approved* event type it answers (and whose correlation id it echoes)."""

_ENCODABLE_DESPITE = frozenset({"EXTRA_FIELD", "CORRELATION_MISMATCH", "ANSWERS_WRONG_EVENT"})
"""Problems after which the event still encodes (extra keys are dropped), so consumers are still checked."""

_RECEIVER_KEYWORDS = frozenset({"signal", "sender", "metadata", "from_event_bus"})


@attrs.frozen(kw_only=True)
class EventCheck:
    """The outcome of checking one event against the published schema and its consumers' contracts.

    Attributes:
        event_type: the event type the event was checked as.
        contracts: the contracts it was checked against.
        violations: everything found, sorted; pending contracts' violations included. A problem
            with the published schema (a required field missing, a wrong type) is blamed on the
            contracts that read the field, or on no consumer when none does.
        deliverable: whether the event could be written with the published schema at all; when it
            cannot, no consumer gets it, so every contract's outcome is a failure.

    .. versionadded:: 0.1.0

    """

    event_type: str
    contracts: tuple[Contract, ...]
    violations: tuple[Violation, ...]
    deliverable: bool = True

    @property
    def failing(self) -> tuple[Violation, ...]:
        """The violations that fail verification (those of active contracts)."""
        return tuple(v for v in self.violations if not v.pending)

    @property
    def ok(self) -> bool:
        """No violation of an active contract."""
        return not self.failing

    def outcome(self, contract: Contract) -> str:
        """``passed``, ``failed``, or ``pending-failed`` for one of the checked contracts."""
        mine = [v for v in self.violations if v.contract_file == contract.path and v.consumer == contract.consumer]
        if not mine and self.deliverable:
            return "passed"
        return "pending-failed" if contract.is_pending else "failed"


def to_wire(value: Any) -> Any:
    """A value as the bus serializer writes it: UUID → canonical text, datetime → ISO 8601, attrs → dict."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if attrs.has(type(value)):
        return {a.name: to_wire(getattr(value, a.name)) for a in attrs.fields(type(value))}
    if isinstance(value, Mapping):
        return {key: to_wire(item) for key, item in value.items()}
    return value


def _definition_of_payload(payload: Any) -> EventDefinition[Any] | None:
    return next((d for d in all_events() if type(payload) is d.payload_type), None)


def _normalize(event: Any, event_type: str | None) -> tuple[str, dict[str, Any], EventMetadata | None]:
    """``(event_type, {data_key: wire record}, metadata)`` from any form a producer may hand over."""
    if isinstance(event, CapturedEvent):
        return event_type or event.metadata.event_type, event.definition.to_record(event.payload), event.metadata
    definition = _definition_of_payload(event)
    if definition is not None:
        return event_type or definition.event_type, definition.to_record(event), None
    if isinstance(event, Mapping):
        metadata: Any = event.get("metadata")
        if metadata is not None and not isinstance(metadata, EventMetadata):
            metadata = EventMetadata.from_openedx(metadata)  # openedx-events' EventsMetadata
        if event_type is None and metadata is not None:
            event_type = metadata.event_type
        if event_type is None:
            raise TypeError("raw event data needs event_type=... (or a 'metadata' entry that names it)")
        data = {key: to_wire(value) for key, value in event.items() if key not in _RECEIVER_KEYWORDS}
        return event_type, data, metadata
    raise TypeError(f"cannot check {type(event).__name__}: pass a CapturedEvent, a payload, or {{data_key: data}}")


@attrs.frozen
class _Problem:
    """A producer-side problem before it is attributed to each consumer it hurts."""

    field_path: str
    rule: str
    reason: str
    value: Any = NO_VALUE


def _iter_record_problems(
    definition: EventDefinition[Any], data: Mapping[str, Any], schema: Mapping[str, Any]
) -> Iterator[_Problem]:
    """Problems of the data against the published schema (shape, keys, types, formats)."""
    data_key, record_schema = payload_record(schema)
    if set(data) != {data_key}:
        others = [d for d in all_events() if d.data_key in data and d is not definition]
        if others:
            yield _Problem(
                "",
                "EVENT_TYPE_MISMATCH",
                f"the data is a {others[0].event_type} event ('{others[0].data_key}'), "
                f"not a {definition.event_type} event ('{data_key}')",
                sorted(data),
            )
            return
        if data_key not in data:
            yield _Problem("", "DATA_KEY_MISSING", f"the data has no '{data_key}' entry", sorted(data))
            return
        for extra in sorted(set(data) - {data_key}):
            yield _Problem(extra, "EXTRA_FIELD", "the event has a top-level key the published schema does not define")
    record = data[data_key]
    if not isinstance(record, Mapping):
        yield _Problem("", "WRONG_TYPE", f"'{data_key}' must be a record (a mapping)", record)
        return
    fields = {f["name"]: f for f in record_schema["fields"]}
    for name in sorted(set(record) - set(fields)):
        reason = "the published schema has no such field; the bus would silently drop it"
        yield _Problem(str(name), "EXTRA_FIELD", reason, record[name])
    for name, field in fields.items():
        if name not in record:
            if "default" not in field:
                yield _Problem(name, "REQUIRED_FIELD_MISSING", "the published schema requires this field")
            continue
        value = record[name]
        if not validate(value, field["type"], raise_errors=False):
            yield _Problem(name, "WRONG_TYPE", f"is not a valid Avro {_type_name(field['type'])}", value)
        elif isinstance(value, str) and not _format_ok(field.get(FORMAT_ATTRIBUTE), value):
            yield _Problem(name, "WRONG_FORMAT", _FORMAT_REASONS[field[FORMAT_ATTRIBUTE]], value)


def _type_name(avro_type: Any) -> str:
    if isinstance(avro_type, list):
        return " or ".join(_type_name(branch) for branch in avro_type)
    return str(avro_type.get("type") if isinstance(avro_type, dict) else avro_type)


_FORMAT_REASONS = {
    "uuid": "is not a UUID in canonical 8-4-4-4-12 form",
    "date-time": "is not an RFC 3339 date-time in UTC (with Z or +00:00), which is what every reader decodes",
}


def _format_ok(fmt: str | None, value: str) -> bool:
    """Whether a wire string has its ``x-format``, as the decoder will require (a UTC date-time, say)."""
    if fmt == "uuid":
        return CANONICAL_UUID.fullmatch(value) is not None
    if fmt == "date-time":
        try:
            datetime_from_wire(value)  # exactly what every reader's decoder accepts
        except ValueError:
            return False
        return is_date_time(value)
    return True


def _attribute(problem: _Problem, contract: Contract | None, event_type: str, schema_file: str) -> Violation:
    return Violation(
        consumer=contract.consumer if contract else "(no consumer contract)",
        event_type=event_type,
        contract_file=contract.path if contract else schema_file,
        field_path=problem.field_path,
        rule=problem.rule,
        reason=problem.reason,
        value=problem.value,
        pending=contract.is_pending if contract else False,
    )


def _blamed(problem: _Problem, contracts: Sequence[Contract]) -> Sequence[Contract | None]:
    """The contracts a problem breaks: those reading its field (all, for the whole event); else the schema's."""
    head = problem.field_path.split(".")[0]
    readers = [c for c in contracts if not head or c.read_index(head) is not None]
    return readers or [None]


def _contracts_for(event_type: str, contracts: Sequence[Contract] | None, root: Path | None) -> tuple[Contract, ...]:
    pool = contracts if contracts is not None else load_contracts(root)
    return tuple(c for c in pool if c.event_type == event_type)


def _correlation_problems(
    definition: EventDefinition[Any], record: Mapping[str, Any], answering: Any
) -> list[_Problem]:
    trigger_type, trigger_data, _ = _normalize(answering, None)
    expected_type = ANSWERS.get(definition.event_type)
    problems = []
    if expected_type is not None and trigger_type != expected_type:
        reason = f"a {definition.event_type} event answers {expected_type}, not {trigger_type}"
        problems.append(_Problem("", "ANSWERS_WRONG_EVENT", reason, trigger_type))
    trigger: Any = next(iter(trigger_data.values()), {}) if len(trigger_data) == 1 else {}
    expected = trigger.get(CORRELATION_FIELD) if isinstance(trigger, Mapping) else None
    actual = record.get(CORRELATION_FIELD)
    if expected is not None and actual != expected:
        reason = f"must echo the {CORRELATION_FIELD} of the event it answers ({expected})"
        problems.append(_Problem(CORRELATION_FIELD, "CORRELATION_MISMATCH", reason, actual))
    return problems


def answered_events(events: Sequence[Any]) -> list[Any]:
    """For each event of a sequence (a capture, say), the event in it that it answers, or ``None``.

    An *assigned* event answers the *approved* event with its correlation id. When the sequence
    holds approved events of the right type but none with that id, the nearest one before it is
    taken as the one it answers, so that :func:`check_event` reports the mismatch. When it holds
    none, there is nothing to pair with (pass ``answering=`` to check the correlation then).

    .. versionadded:: 0.1.0
    """
    keyed: list[tuple[str | None, Any]] = []  # (event type, correlation id) of each event
    for event in events:
        try:
            normalized_type, data, _ = _normalize(event, None)
        except TypeError:  # raw data without a type: nothing to pair
            keyed.append((None, None))
            continue
        record = next(iter(data.values()), None) if len(data) == 1 else None
        keyed.append((normalized_type, record.get(CORRELATION_FIELD) if isinstance(record, Mapping) else None))
    answered: list[Any] = []
    for index, (event_type, correlation) in enumerate(keyed):
        trigger_type = ANSWERS.get(event_type) if event_type is not None else None
        if trigger_type is None:  # not an answering event (or raw data without a type)
            answered.append(None)
            continue
        candidates = [i for i, (other_type, _) in enumerate(keyed) if other_type == trigger_type and i != index]
        match = next((i for i in candidates if keyed[i][1] == correlation), None)
        if match is None and candidates:
            earlier = [i for i in candidates if i < index]
            match = earlier[-1] if earlier else candidates[0]
        answered.append(events[match] if match is not None else None)
    return answered


def check_event(
    event: Any,
    *,
    event_type: str | None = None,
    answering: Any = None,
    contracts: Sequence[Contract] | None = None,
    contracts_root: Path | None = None,
    schemas_root: Path | None = None,
) -> EventCheck:
    """Check one emitted event against the published schema and every consumer's contract.

    ``event``: a :class:`~openedx_subsidy_events.CapturedEvent`, a payload object, or raw data
    ``{data_key: {...}}`` (then give ``event_type``, unless a ``metadata`` entry names it).
    ``answering``: the event this one answers (an *approved* event for an *assigned* one), in any
    of those forms, to check the correlation id is echoed.

    .. versionadded:: 0.1.0
    """
    claimed_type, data, metadata = _normalize(event, event_type)
    definition = get_event(claimed_type)
    mine = _contracts_for(definition.event_type, contracts, contracts_root)
    window = writer_window(definition.event_type, schemas_root)
    minor = metadata.minorversion if metadata is not None else definition.minor_version
    schema = window.get(minor, definition.schema)
    schema_file = f"schemas/{definition.event_type}/{minor}.avsc"
    problems = list(_iter_record_problems(definition, data, schema))
    if metadata is not None and metadata.event_type != definition.event_type:
        reason = f"the metadata says {metadata.event_type}, the data is checked as {definition.event_type}"
        problems.append(_Problem("", "EVENT_TYPE_MISMATCH", reason, metadata.event_type))
    record = data.get(definition.data_key)
    if answering is not None and isinstance(record, Mapping) and all(p.rule == "EXTRA_FIELD" for p in problems):
        problems.extend(_correlation_problems(definition, record, answering))
    violations = [_attribute(p, c, definition.event_type, schema_file) for p in problems for c in _blamed(p, mine)]
    if all(p.rule in _ENCODABLE_DESPITE for p in problems) and isinstance(record, Mapping):
        _, record_schema = payload_record(schema)
        known = {f["name"] for f in record_schema["fields"]}
        clean = {definition.data_key: {k: v for k, v in record.items() if k in known}}
        violations.extend(_consumer_violations(definition, clean, schema, minor, mine, schemas_root))
    return EventCheck(
        event_type=definition.event_type,
        contracts=mine,
        violations=tuple(sorted(violations, key=Violation.sort_key)),
        deliverable=all(p.rule in _ENCODABLE_DESPITE for p in problems),
    )


def _consumer_violations(
    definition: EventDefinition[Any],
    data: Mapping[str, Any],
    schema: Mapping[str, Any],
    minor: int,
    contracts: Sequence[Contract],
    schemas_root: Path | None,
) -> Iterator[Violation]:
    """Encode with the published schema, then read and check as each consumer does."""
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(dict(schema)), dict(data))
    for contract in contracts:
        try:
            decoded = decode_with_reader(contract, out.getvalue(), minorversion=minor, schemas_root=schemas_root)
        except Exception as error:  # fastavro raises several unrelated types when resolution fails
            yield Violation(
                consumer=contract.consumer,
                event_type=definition.event_type,
                contract_file=contract.path,
                field_path="",
                rule="READER_CANNOT_DECODE",
                reason=f"the consumer's reader schema cannot read the event ({type(error).__name__}: {error})",
                pending=contract.is_pending,
                minorversion=minor,
            )
            continue
        yield from iter_expectation_violations(contract, decoded[definition.data_key])


def assert_event(event: Any, **options: Any) -> EventCheck:
    """:func:`check_event`, raising a :class:`ViolationGroup` when an active contract is broken.

    .. versionadded:: 0.1.0
    """
    __tracebackhide__ = True
    result = check_event(event, **options)
    if not result.ok:
        raise ViolationGroup(result.failing, title=f"{result.event_type}: the event breaks a consumer contract")
    return result
