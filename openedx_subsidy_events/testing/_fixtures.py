"""What the plugin's fixtures hand to tests: a producer verifier and a consumer verifier.

Both record what they verified in the session's report (written when ``--subsidy-events-report``
is given) and raise :class:`~openedx_subsidy_events.ContractViolation` subclasses on failure,
which the plugin prints as a short, readable block instead of a traceback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ..contracts import (
    Contract,
    EventCheck,
    VerificationReport,
    Violation,
    ViolationGroup,
    answered_events,
    check_event,
    load_contracts,
)
from ..signals import CapturedEvents, capture_events
from .consumer import ConsumerFailure, ConsumerResult, find_contract, verify_consumer
from .recorder import FieldReads

__all__ = ["ConsumerVerifier", "ProducerVerifier", "SessionState"]


@attrs.define(kw_only=True)
class SessionState:
    """What a test session accumulates: the report, and the fields each consumer's handler read."""

    contracts_root: Path | None
    max_examples: int
    service: str
    version: str
    report: VerificationReport
    reads: dict[tuple[str, str], FieldReads] = attrs.field(factory=dict)
    pending: dict[tuple[str, str], Violation] = attrs.field(factory=dict)
    """Violations of pending contracts (reported, not failing), by test id and message, in the order found."""

    def note_pending(self, nodeid: str, violations: Iterable[Violation]) -> None:
        """Keep the pending contracts' violations found by one test, each once, for the summary."""
        for violation in violations:
            if violation.pending:
                self.pending.setdefault((nodeid, str(violation)), violation)

    def pending_lines(self) -> list[str]:
        """The summary of pending violations: one line each, then what they mean (empty when there are none)."""
        if not self.pending:
            return []
        contracts = {v.contract_file for v in self.pending.values()}
        lines = [f"{nodeid}: {message}" for nodeid, message in self.pending]
        lines.append(
            f"{len(lines)} violation(s) of {len(contracts)} pending contract(s), reported but not failing the run: "
            "meet them before their consumers make the contracts active"
        )
        return lines

    def contracts(self) -> tuple[Contract, ...]:
        """The contracts of the session (the configured folder, else the installed ones)."""
        return load_contracts(self.contracts_root)


class ProducerVerifier:
    """The ``subsidy_events_producer`` fixture: check what the service's real code emits.

    .. versionadded:: 0.1.0
    """

    def __init__(self, state: SessionState, *, nodeid: str = "") -> None:
        self._state = state
        self._nodeid = nodeid

    @contextlib.contextmanager
    def capture(self) -> Iterator[CapturedEvents]:
        """Record the events sent in the block (they are verified by :meth:`verify_all`)."""
        with capture_events() as captured:
            yield captured

    def check(self, event: Any, *, event_type: str | None = None, answering: Any = None) -> EventCheck:
        """Check one event against the published schema and every contract; record it; never raise.

        Violations of pending contracts are listed at the end of the run, without failing it.
        """
        result = check_event(event, event_type=event_type, answering=answering, contracts=self._state.contracts())
        self._state.note_pending(self._nodeid, result.violations)
        for contract in result.contracts:
            mine = [v for v in result.violations if v.contract_file == contract.path]
            self._state.report.add("producer", contract, mine)
        return result

    def verify(self, event: Any, *, event_type: str | None = None, answering: Any = None) -> EventCheck:
        """:meth:`check`, raising a :class:`ViolationGroup` that names every consumer broken."""
        __tracebackhide__ = True
        result = self.check(event, event_type=event_type, answering=answering)
        if not result.ok:
            raise ViolationGroup(result.failing, title=f"{result.event_type}: the event breaks a consumer contract")
        return result

    def verify_all(
        self, events: Iterable[Any], *, answering: Any = None, expect: int | None = None
    ) -> list[EventCheck]:
        """Verify every event (e.g. a capture); ``expect`` also checks how many there were.

        An *assigned* event must echo the correlation id of the *approved* event it answers: the
        one given as ``answering``, else the one in ``events`` with its id (a mismatch when the
        events hold approved events and none has it).
        """
        __tracebackhide__ = True
        events = list(events)
        if expect is not None and len(events) != expect:
            raise AssertionError(f"expected {expect} event(s) to be emitted, got {len(events)}")
        paired = answered_events(events) if answering is None else [answering] * len(events)
        results = [self.check(event, answering=trigger) for event, trigger in zip(events, paired, strict=True)]
        failing = [v for result in results for v in result.failing]
        if failing:
            raise ViolationGroup(failing, title="an emitted event breaks a consumer contract")
        return results


class ConsumerVerifier:
    """The ``subsidy_events_consumer`` fixture: check a handler against its contract.

    .. versionadded:: 0.1.0
    """

    def __init__(self, state: SessionState, *, consumer: str | None = None) -> None:
        self._state = state
        self._consumer = consumer

    def contract(self, event_type: str, *, consumer: str | None = None) -> Contract:
        """The contract the handler is verified against."""
        return find_contract(self._name(consumer), event_type, self._state.contracts())

    def _name(self, consumer: str | None) -> str:
        name = consumer or self._consumer or self._state.service
        if not name:
            raise ValueError(
                "which consumer? pass consumer=..., mark the test @pytest.mark.subsidy_events(consumer=...), "
                "or set --subsidy-events-service"
            )
        return name

    def record(self, payload: Any, *, consumer: str | None = None) -> Any:
        """A copy of ``payload`` whose field reads count towards the session's field-read report.

        For the consumer's own handler tests: pass the copy to the handler instead of the payload.
        """
        from ..events import all_events
        from .recorder import recording_payload

        definition = next((d for d in all_events() if type(payload) is d.payload_type), None)
        if definition is None:
            raise TypeError(f"{type(payload).__name__} is not a payload class of this package")
        contract = find_contract(self._name(consumer), definition.event_type, self._state.contracts())
        log = self._state.reads.setdefault((contract.consumer, contract.event_type), FieldReads(contract))
        log.calls += 1
        return recording_payload(payload, log.read)

    def verify(
        self,
        handler: Callable[..., Any],
        *,
        event_type: str,
        consumer: str | None = None,
        prepare: Callable[[Mapping[str, Any]], None] | None = None,
        max_examples: int | None = None,
    ) -> ConsumerResult:
        """Feed the handler every example and generated events; record what it read."""
        __tracebackhide__ = True
        contracts: Sequence[Contract] = self._state.contracts()
        contract = find_contract(self._name(consumer), event_type, contracts)
        examples = max_examples if max_examples is not None else self._state.max_examples
        try:
            result = verify_consumer(
                handler,
                consumer=contract.consumer,
                event_type=event_type,
                contracts=contracts,
                contracts_root=self._state.contracts_root,  # named in a failure's replay line
                max_examples=examples,
                prepare=prepare,
            )
        except ConsumerFailure as failure:
            self._state.report.add("consumer", contract, [_as_violation(failure)])
            raise
        self._state.report.add("consumer", contract, checked=result.examples + result.generated)
        key = (contract.consumer, contract.event_type)
        log = self._state.reads.setdefault(key, FieldReads(contract))
        log.read |= result.reads.read
        log.calls += result.reads.calls
        return result


def _as_violation(failure: ConsumerFailure) -> Any:
    from ..contracts import Violation

    return Violation(
        consumer=failure.consumer,
        event_type=failure.event_type,
        contract_file=failure.contract_file,
        field_path="",
        rule=failure.rule,
        reason=failure.reason,
        value=failure.event,
        minorversion=failure.minorversion,
    )
