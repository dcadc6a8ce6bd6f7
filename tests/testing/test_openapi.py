"""The schemathesis check never passes without having seen the events of the call it checks."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import attrs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from subsidy_samples import add_license_request

from openedx_subsidy_events.contracts import ViolationGroup
from openedx_subsidy_events.reference import EnterpriseAccess, make_app
from openedx_subsidy_events.reference.enterprise_access import SubsidyRequest
from openedx_subsidy_events.testing import CAPTURE_HEADER, EventCapture, event_check, openapi

REQUEST = UUID("2f9a0a5e-6a8f-4f1e-9d59-2d8f4c1c0a11")
APPROVE = f"/requests/{REQUEST}/approve"
CASE = SimpleNamespace(method="post", formatted_path=APPROVE, path_parameters={"request_uuid": str(REQUEST)})

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class EmptyEmailOnApproval(EnterpriseAccess):
    """A broken enterprise-access: the approved event carries an empty user_email."""

    def _send_approved(self, request: SubsidyRequest) -> None:
        super()._send_approved(attrs.evolve(request, user_email=""))


def _service(service_type: type[EnterpriseAccess] = EnterpriseAccess) -> EnterpriseAccess:
    service = service_type()
    add_license_request(service, uuid=REQUEST)
    return service


def _call(app: WSGIApp, method: str = "POST", path: str = APPROVE) -> SimpleNamespace:
    """Call a WSGI application; the response as the check sees it (headers as lists of values)."""
    body = b'{"reviewer_lms_user_id": 3}' if method == "POST" else b""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    headers: dict[str, list[str]] = {}

    def start_response(status: str, pairs: list[tuple[str, str]], *_: Any) -> None:
        for name, value in pairs:
            headers.setdefault(name, []).append(value)

    list(app(environ, start_response))
    return SimpleNamespace(headers=headers)


def test_check_verifies_the_captured_events() -> None:
    """The capture the header names is found and its events are verified (the check is not vacuous)."""
    check = event_check(correlate_with="request_uuid")
    assert check(None, _call(EventCapture(make_app(_service()))), CASE) is None
    with pytest.raises(ViolationGroup, match="user_email: EXPECTATION_FORMAT"):
        check(None, _call(EventCapture(make_app(_service(EmptyEmailOnApproval)))), CASE)


def test_missing_header_fails() -> None:
    """A response without the capture header (the application is not wrapped) fails, naming the header."""
    response = _call(make_app(_service(EmptyEmailOnApproval)))
    with pytest.raises(AssertionError) as info:
        event_check()(None, response, CASE)
    assert str(info.value).startswith(f"the response has no {CAPTURE_HEADER} header, so the events this call")
    assert "wrap the WSGI application in EventCapture" in str(info.value)


def test_capture_of_another_process_fails() -> None:
    """A header naming a capture this process never made (a server elsewhere) fails, naming header and id."""
    response = SimpleNamespace(headers={CAPTURE_HEADER: ["0123456789ab-1"]})
    with pytest.raises(AssertionError) as info:
        event_check()(None, response, CASE)
    assert str(info.value).startswith(
        f"{CAPTURE_HEADER}: 0123456789ab-1 names no capture of the events this call emitted: "
        "it was made in another process"
    )


def test_dropped_capture_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """A capture dropped to keep memory bounded fails the check instead of verifying zero events."""
    monkeypatch.setattr(openapi, "_KEEP", 2)
    app = EventCapture(make_app(_service(EmptyEmailOnApproval)))
    first = _call(app)
    for _ in range(2):
        _call(app, "GET", "/requests")
    (capture_id,) = first.headers[CAPTURE_HEADER]
    with pytest.raises(AssertionError) as info:
        event_check()(None, first, CASE)
    assert str(info.value) == (
        f"{CAPTURE_HEADER}: {capture_id} names no capture of the events this call emitted: this process no "
        "longer keeps it (only the last 2 captures are): check each response as it arrives"
    )


def test_capture_ids_are_unique_to_the_process() -> None:
    """Capture ids carry a token of this process, so another process's ids never name one of ours."""
    app = EventCapture(make_app(_service()))
    ids = [_call(app, "GET", "/requests").headers[CAPTURE_HEADER][0] for _ in range(2)]
    prefixes = {capture_id.rpartition("-")[0] for capture_id in ids}
    assert len(set(ids)) == 2
    assert len(prefixes) == 1
    assert len(prefixes.pop()) == 12


def _foreign_header(app: WSGIApp) -> WSGIApp:
    """What a response from a server in another process looks like here: a capture id this process lacks."""

    def relabelled(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def relabel(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            kept = [(k, v) for k, v in headers if k != CAPTURE_HEADER]
            return start_response(status, [*kept, (CAPTURE_HEADER, "elsewhere-1")], *args)

        return app(environ, relabel)

    return relabelled


def test_schemathesis_reports_an_unseen_capture() -> None:
    """Run by schemathesis, a broken service whose capture cannot be found fails with the message."""
    app = _foreign_header(EventCapture(make_app(_service(EmptyEmailOnApproval))))
    operation = schemathesis.openapi.from_wsgi("/openapi.json", app)["/requests/{request_uuid}/approve"]["POST"]
    check = event_check()

    @settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(path_parameters={"request_uuid": str(REQUEST)}))
    def run(case: Any) -> None:
        case.call_and_validate(additional_checks=[check])

    with pytest.raises(BaseExceptionGroup) as info:  # schemathesis FailureGroup
        run()
    assert f"{CAPTURE_HEADER}: elsewhere-1 names no capture of the events this call emitted" in str(info.value)
