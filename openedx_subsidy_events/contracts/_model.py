"""What a contract says, and what verifying one finds: plain values, built by the loader and the checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs

from ..exceptions import NO_VALUE, ContractViolation
from ..redaction import redact

__all__ = ["Contract", "Example", "Violation", "ViolationGroup"]

Position = tuple[int, int]

Status = Literal["active", "pending"]


@attrs.frozen(kw_only=True)
class Example:
    """A named event the consumer must handle, as a payload record in wire form.

    .. versionadded:: 0.1.0
    """

    name: str
    event: Mapping[str, Any]
    description: str = ""


@attrs.frozen(kw_only=True)
class Contract:
    """One consumer's needs from one event type, as loaded from ``contracts/<consumer>/<event_type>.yaml``.

    Attributes:
        consumer: the consuming service.
        event_type: the event type it consumes.
        status: ``"active"`` (breaking it fails) or ``"pending"`` (breaking it is only reported).
        purpose: what the consumer does with the event.
        reads: the dotted paths of the payload fields its handler reads.
        expectations: per read field, a JSON Schema the wire value must meet.
        examples: named events the consumer must handle.
        schema_minor: the published minor the reader schema is projected from (``None``: the highest).
        owner: who to ask.
        path: the file as shown in messages (``contracts/<consumer>/<event_type>.yaml``).
        sha256: the hex SHA-256 of the file's bytes; reports record it, so a verification counts
            only for the contract text it ran against.
        positions: the (line, column) in the file of each JSON pointer, for a contract read from
            one (see :meth:`position`); not part of equality.

    .. versionadded:: 0.1.0

    """

    consumer: str
    event_type: str
    status: Status
    purpose: str
    reads: tuple[str, ...]
    expectations: Mapping[str, Any] = attrs.field(factory=dict)
    examples: tuple[Example, ...] = ()
    schema_minor: int | None = None
    owner: str = ""
    path: str = "<contract>"
    sha256: str = ""
    positions: Mapping[str, Position] = attrs.field(factory=dict, eq=False, repr=False)
    _read_indexes: dict[str, int] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        # Each read, and each record path a read goes through, to the first read it appears in: built
        # once, so placing every unknown read of a long list is linear in its length.
        indexes: dict[str, int] = {}
        for index, read in enumerate(self.reads):
            parts = read.split(".")
            for depth in range(1, len(parts) + 1):
                indexes.setdefault(".".join(parts[:depth]), index)
        object.__setattr__(self, "_read_indexes", indexes)

    def read_index(self, field_path: str) -> int | None:
        """The index in :attr:`reads` of the first read naming ``field_path`` or a field inside it."""
        return self._read_indexes.get(field_path)

    @property
    def is_pending(self) -> bool:
        """Whether a violation of this contract is reported without failing."""
        return self.status == "pending"

    def position(self, pointer: str) -> tuple[int | None, int | None]:
        """The (line, column) in the file of a JSON pointer, or of its closest ancestor; ``(None, None)``."""
        return by_pointer(self.positions, pointer) or (None, None)


@attrs.frozen(kw_only=True, repr=False)
class Violation:
    """One way an event (or a contract) fails what a consumer's contract expects.

    A value, not an exception: checks yield them, :meth:`to_exception` turns one into the
    :class:`~openedx_subsidy_events.ContractViolation` a test raises.

    Attributes:
        consumer, event_type, contract_file: whose contract, for which event, in which file.
        field_path: the dotted path inside the payload record (``""`` for the whole event).
        rule: a stable UPPER_SNAKE id (``EXTRA_FIELD``, ``EXPECTATION_PATTERN``, ...).
        value: the offending value (``NO_VALUE`` when there is none: ``None`` is a value, and shown).
        reason: one sentence.
        pending: the contract is pending, so this is reported but does not fail.
        minorversion: the writer minor version involved, when one is.
        line, column: where in the contract file, when the violation is about the contract's own
            text (static verification: a read field, an expectation, an example).

    .. versionadded:: 0.1.0

    """

    consumer: str
    event_type: str
    contract_file: str
    field_path: str
    rule: str
    reason: str
    value: Any = NO_VALUE
    pending: bool = False
    minorversion: int | None = None
    line: int | None = None
    column: int | None = None

    def sort_key(self) -> tuple[str, str, str, str, str]:
        """Deterministic order: consumer, event, file, field, rule."""
        return (self.consumer, self.event_type, self.contract_file, self.field_path, self.rule)

    def exception_fields(self) -> dict[str, Any]:
        """The keyword arguments of :class:`ContractViolation` for this violation."""
        return {
            "consumer": self.consumer,
            "event_type": self.event_type,
            "contract_file": self.contract_file,
            "field_path": self.field_path,
            "rule": self.rule,
            "value": self.value,
            "reason": self.reason,
            "line": self.line,
            "column": self.column,
        }

    def to_exception(self) -> ContractViolation:
        """The exception a test raises for this violation."""
        return ContractViolation(**self.exception_fields())

    def __str__(self) -> str:
        text = str(self.to_exception())
        if self.minorversion is not None:
            text += f" [writer minor {self.minorversion}]"
        return text + (" [pending: not failing]" if self.pending else "")

    @property
    def shown_value(self) -> Any:
        """The value as messages, reports and ``repr`` show it (see :mod:`~openedx_subsidy_events.redaction`)."""
        return redact(self.event_type, self.field_path, self.value)

    def __repr__(self) -> str:
        shown = {
            a.name: self.shown_value if a.name == "value" else getattr(self, a.name) for a in attrs.fields(Violation)
        }
        return "Violation(" + ", ".join(f"{name}={value!r}" for name, value in shown.items()) + ")"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the value as its ``repr`` when it is not plain JSON; secrets hidden)."""
        shown = self.shown_value
        value = shown if isinstance(shown, str | int | float | bool | type(None)) else repr(shown)
        fields = {
            "consumer": self.consumer,
            "event_type": self.event_type,
            "contract_file": self.contract_file,
            "field_path": self.field_path,
            "rule": self.rule,
            "value": value,
            "reason": self.reason,
            "pending": self.pending,
            "minorversion": self.minorversion,
            "line": self.line,
            "column": self.column,
        }
        if self.value is NO_VALUE:  # not null: null is the value None
            del fields["value"]
        return fields


class ViolationGroup(ContractViolation):
    """Several violations at once; behaves as the first, and prints all of them, one a line.

    .. versionadded:: 0.1.0
    """

    def __init__(self, violations: Sequence[Violation], *, title: str = "") -> None:
        if not violations:
            raise ValueError("a ViolationGroup needs at least one violation")
        super().__init__(**violations[0].exception_fields())
        self.violations = tuple(violations)
        self.title = title

    def __str__(self) -> str:
        count = len(self.violations)
        head = self.title or f"{count} contract violation{'s' if count != 1 else ''}"
        return head + ":\n" + "\n".join(f"  - {violation}" for violation in self.violations)


def by_pointer(positions: Mapping[str, Position], pointer: str) -> Position | None:
    """The (line, column) of the closest recorded ancestor of a JSON pointer."""
    while True:
        if pointer in positions:
            return positions[pointer]
        if not pointer:
            return None
        pointer = pointer.rsplit("/", 1)[0]
