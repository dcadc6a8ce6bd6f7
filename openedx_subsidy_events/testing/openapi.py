"""A schemathesis check: every event an API call emits must meet the published schema and the contracts.

Wrap the WSGI application in :class:`EventCapture`; each request then runs inside
:func:`~openedx_subsidy_events.capture_events`, and the response carries a header naming its
capture. :func:`event_check` makes the schemathesis check that looks the capture up and verifies
every event in it, so API fuzzing becomes event-contract testing. Importing this module does not
import schemathesis: the check is a plain ``(ctx, response, case)`` function; pass it in
``checks=[...]`` or register it with ``schemathesis.check``.

The captures live in the memory of the process that ran the application, so the check works only
when schemathesis calls the application in that process (``schemathesis.openapi.from_wsgi``). It
never passes without having seen the events: a response without the header, or naming a capture
this process does not hold (the application ran in another process, or the capture was dropped
after the last 1000 requests), fails the check.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..contracts import Contract, Violation, ViolationGroup, check_event
from ..events import CORRELATION_FIELD
from ..signals import CapturedEvent, CapturedEvents, capture_events

__all__ = ["CAPTURE_HEADER", "EventCapture", "event_check"]

CAPTURE_HEADER = "X-Subsidy-Events-Capture"
"""The response header naming the capture of the events a request emitted."""

_KEEP = 1000
_lock = threading.Lock()
_captures: OrderedDict[str, CapturedEvents] = OrderedDict()
_ids = itertools.count(1)
_PROCESS = uuid.uuid4().hex[:12]  # capture ids of another process (or interpreter run) never match ours

StartResponse = Callable[..., Any]


class EventCapture:
    """WSGI middleware recording the events each request emits (keeps the last 1000 captures).

    .. versionadded:: 0.1.0
    """

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        capture_id = f"{_PROCESS}-{next(_ids)}"

        def tagged(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            return start_response(status, [*headers, (CAPTURE_HEADER, capture_id)], *args)

        with capture_events() as captured:
            body = list(self.app(environ, tagged))
        with _lock:
            _captures[capture_id] = captured
            while len(_captures) > _KEEP:
                _captures.popitem(last=False)
        return body


def captured_for(capture_id: str) -> CapturedEvents | None:
    """The events of one captured request, if it is still kept."""
    with _lock:
        return _captures.get(capture_id)


def _captured(headers: Any) -> CapturedEvents:
    """The capture a response's header names; :class:`AssertionError` when the events cannot be found."""
    capture_id = _header(headers, CAPTURE_HEADER)
    if capture_id is None:
        raise AssertionError(
            f"the response has no {CAPTURE_HEADER} header, so the events this call emitted cannot be checked: "
            "wrap the WSGI application in EventCapture and let schemathesis call it in this process "
            "(schemathesis.openapi.from_wsgi)"
        )
    captured = captured_for(capture_id)
    if captured is not None:
        return captured
    if capture_id.startswith(f"{_PROCESS}-"):
        why = f"this process no longer keeps it (only the last {_KEEP} captures are): check each response as it arrives"
    else:
        why = (
            "it was made in another process (a live server or another worker), whose events this process cannot "
            "see: let schemathesis call the application in this process (schemathesis.openapi.from_wsgi)"
        )
    raise AssertionError(f"{CAPTURE_HEADER}: {capture_id} names no capture of the events this call emitted: {why}")


def _header(headers: Any, name: str) -> str | None:
    for key, value in dict(headers).items():
        if key.lower() == name.lower():
            return value[0] if isinstance(value, list) else str(value)
    return None


def _correlation_violations(
    event: CapturedEvent[Any], contracts: Sequence[Contract], expected: str, parameter: str
) -> list[Violation]:
    """The event's correlation id must be the request's: else each of its consumers would answer the wrong request."""
    actual = str(getattr(event.payload, CORRELATION_FIELD))
    if actual == expected:
        return []
    reason = f"must be the request's uuid from the path parameter {parameter!r} ({expected})"
    return [
        Violation(
            consumer=contract.consumer,
            event_type=event.definition.event_type,
            contract_file=contract.path,
            field_path=CORRELATION_FIELD,
            rule="CORRELATION_MISMATCH",
            reason=reason,
            value=actual,
            pending=contract.is_pending,
        )
        for contract in contracts
    ]


def event_check(
    *,
    correlate_with: str | None = None,
    contracts: Sequence[Contract] | None = None,
    contracts_root: Path | None = None,
) -> Callable[[Any, Any, Any], bool | None]:
    """The schemathesis check: ``checks=[event_check()]``, or ``schemathesis.check(event_check())``.

    ``correlate_with`` names a path parameter whose value every emitted event's
    ``subsidy_request_uuid`` must equal (``"request_uuid"`` for ``/requests/{request_uuid}/approve``).

    The check fails (:class:`AssertionError`) rather than verify nothing when the response has no
    :data:`CAPTURE_HEADER` (the application is not wrapped in :class:`EventCapture`, or not
    called in this process), or names a capture this process does not hold.

    .. versionadded:: 0.1.0
    """

    def subsidy_event_contracts(ctx: Any, response: Any, case: Any) -> bool | None:
        captured = _captured(response.headers)
        violations: list[Violation] = []
        for event in captured:
            result = check_event(event, contracts=contracts, contracts_root=contracts_root)
            violations.extend(result.failing)
            expected = (case.path_parameters or {}).get(correlate_with) if correlate_with else None
            if expected is not None:
                found = _correlation_violations(event, result.contracts, str(expected), correlate_with or "")
                violations.extend(v for v in found if not v.pending)
        if violations:
            call = f"{case.method.upper()} {case.formatted_path}"
            raise ViolationGroup(violations, title=f"{call} emitted an event that breaks a consumer contract")
        return None

    return subsidy_event_contracts
