"""schemathesis fuzzes the reference enterprise-access API in process; emitted events must meet the contracts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import attrs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from subsidy_samples import add_license_request

from openedx_subsidy_events import LICENSE_REQUEST_APPROVED, LicenseRequestData
from openedx_subsidy_events.reference import EnterpriseAccess, make_app
from openedx_subsidy_events.reference.enterprise_access import SubsidyRequest
from openedx_subsidy_events.testing import EventCapture, event_check

REQUEST = UUID("2f9a0a5e-6a8f-4f1e-9d59-2d8f4c1c0a11")
SETTINGS = settings(
    max_examples=12, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


class EmptyEmailOnApproval(EnterpriseAccess):
    """A deliberately broken enterprise-access: the approved event carries an empty user_email."""

    def _send_approved(self, request: SubsidyRequest) -> None:
        super()._send_approved(attrs.evolve(request, user_email=""))


class FreshUuidOnApproval(EnterpriseAccess):
    """A deliberately broken enterprise-access: the approved event has a new uuid, not the request's."""

    def _send_approved(self, request: SubsidyRequest) -> None:
        super()._send_approved(attrs.evolve(request, uuid=uuid4()))


def _fuzz(service_type: type[EnterpriseAccess], path: str) -> Callable[[], None]:
    """A Hypothesis test calling one operation of a fresh service (one pending license request) per case."""
    service = service_type()
    schema = schemathesis.openapi.from_wsgi("/openapi.json", EventCapture(make_app(service)))
    operation = schema[path]["POST" if "{" in path else "GET"]
    fixed = {"request_uuid": str(REQUEST)} if "{" in path else None
    check = event_check(correlate_with="request_uuid")

    @SETTINGS
    @given(case=operation.as_strategy(path_parameters=fixed))
    def run(case: Any) -> None:
        service.requests.clear()
        add_license_request(service, uuid=REQUEST)
        case.call_and_validate(additional_checks=[check])

    return run


@pytest.mark.parametrize("path", ["/requests", "/requests/{request_uuid}/approve", "/requests/{request_uuid}/decline"])
def test_correct_service_passes(path: str) -> None:
    """Every operation of the correct service conforms to its OpenAPI description, and every event to the contracts."""
    _fuzz(EnterpriseAccess, path)()


def test_approval_emits_events(subsidy_events_producer) -> None:
    """The fuzzed approve operation really emits the approved event (the check is not vacuous)."""
    service = EnterpriseAccess()
    add_license_request(service, uuid=REQUEST)
    app = EventCapture(make_app(service))
    body = b'{"reviewer_lms_user_id": 3}'
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": f"/requests/{REQUEST}/approve", "CONTENT_LENGTH": str(len(body))}
    import io

    with subsidy_events_producer.capture() as captured:
        app({**environ, "wsgi.input": io.BytesIO(body)}, lambda status, headers: None)
    assert [e.definition for e in captured] == [LICENSE_REQUEST_APPROVED]
    assert isinstance(captured[0].payload, LicenseRequestData)


@pytest.mark.parametrize(
    ("service_type", "expected"),
    [
        pytest.param(
            EmptyEmailOnApproval,
            "consumer 'license-manager' (contracts/license-manager/org.openedx.enterprise.access.license-request."
            "approved.v1.yaml): org.openedx.enterprise.access.license-request.approved.v1 user_email: "
            "EXPECTATION_FORMAT: is not a valid email (value <hidden: pii field>)",
            id="empty-user-email",
        ),
        pytest.param(
            FreshUuidOnApproval,
            "subsidy_request_uuid: CORRELATION_MISMATCH: must be the request's uuid from the path parameter "
            f"'request_uuid' ({REQUEST})",
            id="wrong-correlation-id",
        ),
    ],
)
def test_broken_variant_is_caught(service_type: type[EnterpriseAccess], expected: str) -> None:
    """A broken approval is caught by the check, with a readable message naming the consumer or the rule."""
    with pytest.raises(BaseExceptionGroup) as info:  # schemathesis FailureGroup
        _fuzz(service_type, "/requests/{request_uuid}/approve")()
    message = str(info.value)
    assert "Custom check failed: `subsidy_event_contracts`" in message
    assert f"POST /requests/{REQUEST}/approve emitted an event that breaks a consumer contract:" in message
    assert expected in message
