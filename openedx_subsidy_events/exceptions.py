"""Every error the package raises.

One root, :class:`SubsidyEventsError`, so a service can catch everything of ours in one clause;
each subclass also subclasses the builtin it resembles, so code written against the builtin keeps
working. Messages are built late, in ``__str__``, from the structured attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._text import one_line
from .redaction import OPAQUE, hidden_type, is_hidden, redacted_text, safe_repr

__all__ = [
    "NO_VALUE",
    "BrokerUnavailable",
    "ContractError",
    "ContractViolation",
    "DecodeError",
    "InvalidTransition",
    "MessageNotProcessed",
    "MissingExtra",
    "OutboxError",
    "PayloadError",
    "SchemaError",
    "SubsidyEventsError",
    "UnknownEventType",
    "UnknownSchemaVersion",
    "UnknownState",
]


def _short(value: Any, limit: int = 60) -> str:
    """``repr`` of a value, cut so that one bad value cannot flood a log line, and never raising."""
    return safe_repr(value, limit)


class _NoValue:
    """The value of a violation that is about no value (a missing field, the whole event)."""

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()
"""What a :class:`ContractViolation` or a ``Violation`` holds when no value is involved; ``None`` is a value."""


def _where(path: str, line: int | None, column: int | None, pointer: str) -> str:
    """``path:line:column (pointer)``, leaving out what is not known (control characters in names escaped)."""
    path, pointer = one_line(path), one_line(pointer)
    if line is not None:
        path += f":{line}" + (f":{column}" if column is not None else "")
    return f"{path} ({pointer})" if pointer else path


class SubsidyEventsError(Exception):
    """The root of every error raised by ``openedx_subsidy_events``.

    .. versionadded:: 0.1.0
    """


class PayloadError(SubsidyEventsError, ValueError):
    """A payload or metadata field was given a value its type or the wire cannot carry.

    The message names the field and shows the rejected value, except where the redaction rule
    (:mod:`openedx_subsidy_events.redaction`) hides it: a ``secret`` field's value always, a
    ``pii`` field's value unless shown explicitly, and an object given where a payload belongs
    (it may hold either); then it shows only the value's type. ``value`` holds the value either way.

    Attributes:
        payload: the class name, e.g. ``"LicenseAssignmentData"`` or ``"EventMetadata"``.
        field: the field name.
        value: the rejected value.
        reason: what is wrong, as a sentence fragment.
        sensitivity: ``"secret"``, ``"pii"`` or ``None``: how the value is shown.

    .. versionadded:: 0.1.0

    """

    def __init__(
        self,
        payload: str,
        field: str,
        value: Any,
        reason: str,
        *,
        secret: bool = False,
        sensitivity: str | None = None,
    ) -> None:
        self.sensitivity = "secret" if secret else sensitivity
        super().__init__(payload, field, self._shown(value), reason)
        self.payload = payload
        self.field = field
        self.value = value
        self.reason = reason

    @classmethod
    def not_a_payload(cls, payload_type: type, data_key: str, value: Any) -> PayloadError:
        """The error for ``value`` given where an instance of ``payload_type`` belongs (shown by its type only)."""
        return cls(payload_type.__name__, data_key, value, f"expected a {payload_type.__name__} instance",
                   sensitivity=OPAQUE)  # fmt: skip

    @property
    def secret(self) -> bool:
        """Whether the value is a secret (never shown)."""
        return self.sensitivity == "secret"

    def _shown(self, value: Any) -> str:
        if self.sensitivity is not None and is_hidden(self.sensitivity):
            return hidden_type(value, self.sensitivity)
        return _short(value)

    def __str__(self) -> str:
        return f"{self.payload}.{self.field}: {self.reason} (got {self._shown(self.value)})"


class UnknownEventType(SubsidyEventsError, LookupError):
    """No event of this package has the requested ``event_type``.

    Attributes:
        event_type: the type asked for.
        suggestions: known event types that look close to it, best first.

    .. versionadded:: 0.1.0

    """

    def __init__(self, event_type: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(event_type, tuple(suggestions))
        self.event_type = event_type
        self.suggestions = tuple(suggestions)

    def __str__(self) -> str:
        message = f"unknown event type {self.event_type!r}"
        if self.suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        return message


class UnknownSchemaVersion(SubsidyEventsError, LookupError):
    """Bytes claim a minor version of an event for which no schema was published.

    The decoder never guesses a writer schema: decoding with the wrong one returns silently
    wrong values, which is the defect of the Open edX buses this package exists to fix.

    Attributes:
        event_type: the event type.
        minorversion: the minor version asked for.
        known: the published minor versions.

    .. versionadded:: 0.1.0

    """

    def __init__(self, event_type: str, minorversion: object, known: Sequence[int]) -> None:
        super().__init__(event_type, minorversion, tuple(known))
        self.event_type = event_type
        self.minorversion = minorversion
        self.known = tuple(known)

    def __str__(self) -> str:
        known = ", ".join(str(k) for k in self.known) or "none"
        return (
            f"{self.event_type}: no schema was published for minor version {self.minorversion!r} "
            f"(published: {known}); upgrade openedx-subsidy-events to read it"
        )


class DecodeError(SubsidyEventsError, ValueError):
    """Bytes are not a valid encoding of the event they are read as.

    Raised for every malformed input (truncated, trailing bytes, a length past the end, a bad
    union index, invalid UTF-8, a value the payload rejects), never a bare fastavro error.

    Attributes:
        event_type: the event being decoded, or ``None`` when the bytes do not say.
        reason: what is wrong, as a sentence fragment.
        offset: the byte offset the decoder had reached, when known.

    .. versionadded:: 0.1.0

    """

    def __init__(self, event_type: str | None, reason: str, *, offset: int | None = None) -> None:
        super().__init__(event_type, reason, offset)
        self.event_type = event_type
        self.reason = reason
        self.offset = offset

    def __str__(self) -> str:
        where = f" at byte {self.offset}" if self.offset is not None else ""
        subject = self.event_type or "event"
        return f"cannot decode {subject}{where}: {self.reason}"


class SchemaError(SubsidyEventsError, ValueError):
    """A schema file is unreadable, invalid Avro, or disagrees with what was published.

    Attributes:
        path: the file, or ``None`` for a schema given in memory.
        pointer: a JSON pointer to the offending place in the schema (``""`` for the whole).
        rule: a stable identifier of what was checked, e.g. ``"SCHEMA_DRIFT"``.
        reason: one sentence.
        line, column: the 1-based position in the file, when known.

    .. versionadded:: 0.1.0

    """

    def __init__(
        self,
        path: str | None,
        reason: str,
        *,
        pointer: str = "",
        rule: str = "INVALID_SCHEMA",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(path, reason, pointer, rule)
        self.path = path
        self.pointer = pointer
        self.rule = rule
        self.reason = reason
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return f"{_where(self.path or '<schema>', self.line, self.column, self.pointer)}: {self.rule}: {self.reason}"


class ContractError(SubsidyEventsError, ValueError):
    """A contract file is unreadable or does not follow the contract format.

    Attributes:
        path: the contract file.
        reason: one sentence.
        pointer: a JSON pointer to the offending place in the contract (``""`` for the whole).
        line, column: the 1-based position in the file, when known.

    .. versionadded:: 0.1.0

    """

    def __init__(
        self, path: str | None, reason: str, *, pointer: str = "", line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(path, reason, pointer, line, column)
        self.path = path
        self.reason = reason
        self.pointer = pointer
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return f"{_where(self.path or '<contract>', self.line, self.column, self.pointer)}: {self.reason}"


class ContractViolation(SubsidyEventsError, AssertionError):
    """An event breaks what a consumer's contract expects of it.

    Attributes:
        consumer: the consuming service whose contract is broken.
        event_type: the event type.
        contract_file: the contract's path (as shipped, e.g. ``contracts/<consumer>/<event_type>.yaml``).
        field_path: the dotted path of the offending field (``""`` for the whole event).
        rule: what was checked, e.g. ``"REQUIRED_FIELD_MISSING"`` or a JSON Schema keyword.
        value: the offending value (``NO_VALUE`` when none is involved; a secret field's value is never
            shown in the message, a pii field's only when asked for).
        reason: one sentence.
        line, column: the place in the contract file, when the problem is in the contract's own text.

    .. versionadded:: 0.1.0

    """

    def __init__(
        self,
        *,
        consumer: str,
        event_type: str,
        contract_file: str,
        field_path: str,
        rule: str,
        value: Any,
        reason: str,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(consumer, event_type, field_path, rule)
        self.consumer = consumer
        self.event_type = event_type
        self.contract_file = contract_file
        self.field_path = field_path
        self.rule = rule
        self.value = value
        self.reason = reason
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = _where(self.contract_file, self.line, self.column, "")
        field = f" {self.field_path}" if self.field_path else ""
        text = f"consumer {self.consumer!r} ({where}): {self.event_type}{field}: {self.rule}: {self.reason}"
        if self.value is not NO_VALUE:
            text += f" (value {redacted_text(self.event_type, self.field_path, self.value)})"
        return text


class InvalidTransition(SubsidyEventsError, ValueError):
    """A subsidy request cannot move from one state to another.

    Attributes:
        source: the current state.
        target: the state asked for.
        allowed: the states reachable from ``source``.

    .. versionadded:: 0.1.0

    """

    def __init__(self, source: str, target: str, allowed: Sequence[str]) -> None:
        super().__init__(source, target, tuple(allowed))
        self.source = source
        self.target = target
        self.allowed = tuple(allowed)

    def __str__(self) -> str:
        allowed = ", ".join(self.allowed) or "none: it is final"
        return f"a subsidy request cannot go from {self.source!r} to {self.target!r} (allowed: {allowed})"


class UnknownState(SubsidyEventsError, ValueError):
    """A name that is not a subsidy-request state was used as one.

    Attributes:
        state: the name given.
        known: every state name.

    .. versionadded:: 0.1.0

    """

    def __init__(self, state: object, known: Sequence[str]) -> None:
        super().__init__(state, tuple(known))
        self.state = state
        self.known = tuple(known)

    def __str__(self) -> str:
        return f"{_short(self.state)} is not a subsidy request state (states: {', '.join(self.known)})"


class MissingExtra(SubsidyEventsError, ImportError):
    """A module of the package needs a library that is installed with one of its extras.

    Attributes:
        module: the module that was imported, e.g. ``openedx_subsidy_events.integrations.kafka``.
        extra: the extra that installs what it needs, e.g. ``kafka``.
        missing: the library that could not be imported.

    .. versionadded:: 0.1.0

    """

    def __init__(self, module: str, extra: str, missing: str) -> None:
        super().__init__(module, extra, missing)
        self.module = module
        self.extra = extra
        self.missing = missing

    def __str__(self) -> str:
        return (
            f"{self.module} needs {self.missing}, which is not installed: "
            f'pip install "openedx-subsidy-events[{self.extra}]"'
        )


class MessageNotProcessed(SubsidyEventsError, RuntimeError):
    """A consumer could not process a message it received from an event bus; the message is kept.

    The message is never acknowledged and dropped: it stays pending (Redis Streams), its offset
    is not committed (Kafka), or it was copied to the dead-letter stream or topic the consumer
    was given, as :attr:`kept` says.

    Attributes:
        bus: ``"kafka"`` or ``"redis"``.
        topic: the full topic or stream name.
        position: where the message is, e.g. ``"partition 2 offset 17"`` or ``"entry 1700000000000-0"``.
        event_type: the message's event type, or ``None`` when it does not say one.
        rule: a stable identifier of what went wrong: ``BAD_HEADERS``, ``UNKNOWN_EVENT_TYPE``,
            ``UNKNOWN_SCHEMA_VERSION``, ``UNKNOWN_SCHEMA_ID``, ``INCOMPATIBLE_WRITER_SCHEMA``,
            ``UNDECODABLE``, ``HANDLER_FAILED``.
        reason: one sentence.
        kept: where the message is now, e.g. ``"left pending"``.

    .. versionadded:: 0.1.0

    """

    def __init__(
        self,
        bus: str,
        topic: str,
        position: str,
        *,
        event_type: str | None,
        rule: str,
        reason: str,
        kept: str = "",
    ) -> None:
        super().__init__(bus, topic, position, event_type, rule, reason, kept)
        self.bus = bus
        self.topic = topic
        self.position = position
        self.event_type = event_type
        self.rule = rule
        self.reason = reason
        self.kept = kept

    def __str__(self) -> str:
        event = self.event_type or "no event type"
        kept = f"; {self.kept}" if self.kept else ""
        return f"{self.bus} {self.topic!r} {self.position} ({event}): {self.rule}: {self.reason}{kept}"


class BrokerUnavailable(SubsidyEventsError, ConnectionError):
    """A consumer lost its broker and could not reconnect within its ``reconnect_timeout``.

    The consumer stops (its Django command exits with a non-zero status, so the process manager
    restarts it); nothing it had not acknowledged is lost.

    Attributes:
        bus: ``"kafka"`` or ``"redis"``.
        where: the stream, topics or address.
        seconds: how long the consumer tried.
        reason: the last connection error, one sentence.

    .. versionadded:: 0.2.0

    """

    def __init__(self, bus: str, where: str, *, seconds: float, reason: str) -> None:
        super().__init__(bus, where, seconds, reason)
        self.bus = bus
        self.where = where
        self.seconds = seconds
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.bus} {self.where}: BROKER_UNAVAILABLE: no connection for {self.seconds:.0f} s ({self.reason})"


class OutboxError(SubsidyEventsError, RuntimeError):
    """An event could not be written to the outbox, so the transaction that sent it must not commit.

    Raised inside the sending transaction, which is marked for rollback: the business change and
    its event commit together or not at all.

    Attributes:
        event_type: the event's type.
        rule: ``OUTBOX_WRITE_FAILED``, ``UNKNOWN_MODE`` or ``NO_BUS_CONFIGURED``.
        reason: one sentence.

    .. versionadded:: 0.2.0

    """

    def __init__(self, event_type: str, *, rule: str, reason: str) -> None:
        super().__init__(event_type, rule, reason)
        self.event_type = event_type
        self.rule = rule
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.event_type}: {self.rule}: {self.reason}"
