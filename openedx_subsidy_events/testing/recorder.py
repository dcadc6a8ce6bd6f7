"""Which payload fields a consumer's handler actually reads.

The handler is given a payload whose class is a thin subclass of the real payload class that
notes every field attribute read. Comparing what was read with the contract's ``reads`` finds
fields the handler reads but did not declare (a producer could remove them without failing any
check) and fields it declares but never reads (their contract is stricter than it needs to be,
and keeps the linter from calling a removal safe).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, MutableSet
from pathlib import Path
from typing import Any

import attrs

from ..contracts import Contract, parse_contract

__all__ = ["FieldReads", "recording_payload", "write_reads"]

_SINK = "_subsidy_events_reads"


_TYPES: dict[type, type] = {}


def _recording_type(payload_type: type) -> type:
    if payload_type not in _TYPES:
        _TYPES[payload_type] = _make_recording_type(payload_type)
    return _TYPES[payload_type]


def _make_recording_type(payload_type: type) -> type:
    names = frozenset(a.name for a in attrs.fields(payload_type))

    def __getattribute__(self: Any, name: str) -> Any:
        if name in names:
            object.__getattribute__(self, _SINK).add(name)
        return object.__getattribute__(self, name)

    namespace = {"__slots__": (_SINK,), "__getattribute__": __getattribute__, "__module__": __name__}
    return type(f"Recording{payload_type.__name__}", (payload_type,), namespace)


def recording_payload(payload: Any, sink: MutableSet[str]) -> Any:
    """A copy of ``payload`` (an instance of a subclass of its class) that adds every field read to ``sink``.

    .. versionadded:: 0.1.0
    """
    cls = type(payload)
    values = {a.name: object.__getattribute__(payload, a.name) for a in attrs.fields(cls)}
    recording: Any = _recording_type(cls)
    copy = object.__new__(recording)  # the values were validated when the payload was built
    for name, value in values.items():
        object.__setattr__(copy, name, value)
    object.__setattr__(copy, _SINK, sink)
    return copy


@attrs.define
class FieldReads:
    """What one consumer's handler read from one event type, over every call it got.

    .. versionadded:: 0.1.0
    """

    contract: Contract
    read: set[str] = attrs.field(factory=set)
    calls: int = 0

    @property
    def undeclared(self) -> tuple[str, ...]:
        """Fields the handler read that the contract does not declare (a producer could remove them)."""
        return tuple(sorted(self.read - set(self.contract.reads)))

    @property
    def unused(self) -> tuple[str, ...]:
        """Fields the contract declares that the handler never read."""
        return tuple(sorted(set(self.contract.reads) - self.read))

    def suggested_reads(self) -> tuple[str, ...]:
        """The ``reads`` list the handler's behaviour implies, in the payload's field order."""
        from ..events import get_event

        order = {a.name: i for i, a in enumerate(attrs.fields(get_event(self.contract.event_type).payload_type))}
        return tuple(sorted(self.read, key=lambda name: (order.get(name, len(order)), name)))

    def lines(self) -> list[str]:
        """Human-readable findings, one a line (empty when reads and contract agree)."""
        who = f"{self.contract.consumer} ({self.contract.path})"
        found = []
        if self.undeclared:
            found.append(f"{who} reads undeclared field(s) {', '.join(self.undeclared)}: add them to 'reads'")
        if self.unused:
            found.append(f"{who} never read declared field(s) {', '.join(self.unused)} in {self.calls} call(s)")
        return found


_READS_BLOCK = re.compile(r"^reads:[ \t]*\n(?:(?:[ \t]+.*|[ \t]*#.*|[ \t]*)\n)*", re.MULTILINE)


def write_reads(path: Path, reads: Iterable[str]) -> None:
    """Rewrite the ``reads`` list of a contract file, keeping the rest of the text as it is.

    The result is parsed again before it is written, so a contract is never left malformed.

    .. versionadded:: 0.1.0
    """
    text = path.read_text(encoding="utf-8")
    block = "reads:\n" + "".join(f"  - {name}\n" for name in reads)
    new_text, count = _READS_BLOCK.subn(lambda _match: block, text, count=1)
    if count != 1:
        raise ValueError(f"{path}: no block-style 'reads:' list to rewrite")
    parse_contract(new_text, path=str(path))
    path.write_text(new_text, encoding="utf-8")
