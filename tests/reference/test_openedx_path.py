"""The openedx-events path: a service sending with send_event is verified the same way (real openedx-events)."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest
from subsidy_django import ensure_django

from openedx_subsidy_events import LICENSE_ASSIGNED, LICENSE_REQUEST_APPROVED, SubsidyRequestState
from openedx_subsidy_events.reference import EnterpriseAccess, LicenseManager

ensure_django()

from openedx_subsidy_events.integrations.openedx import openedx_signal  # noqa: E402


def _send_the_open_edx_way(payload: object) -> object:
    return openedx_signal(LICENSE_ASSIGNED).send_event(license_assignment=payload)


@pytest.fixture
def wired(add_license_request) -> Iterator[tuple[EnterpriseAccess, LicenseManager]]:
    """enterprise-access receiving through the openedx-events signal; license-manager answering through it."""
    enterprise_access = EnterpriseAccess()
    license_manager = LicenseManager(send_assigned=_send_the_open_edx_way)
    signal = openedx_signal(LICENSE_ASSIGNED)
    signal.connect(enterprise_access.handle_license_assigned, weak=False)
    LICENSE_REQUEST_APPROVED.connect(license_manager.handle_license_request_approved)
    yield enterprise_access, license_manager
    signal.disconnect(enterprise_access.handle_license_assigned)
    LICENSE_REQUEST_APPROVED.disconnect(license_manager.handle_license_request_approved)


def test_send_event_is_verified_like_any_event(wired, add_license_request, subsidy_events_producer) -> None:
    """An assigned event sent with openedx-events' send_event is captured and verified against the contracts."""
    enterprise_access, license_manager = wired
    from uuid import UUID

    request_uuid = add_license_request(enterprise_access, subscription_plan_uuid=UUID(int=5))
    license_manager.add_plan(UUID(int=5), enterprise_access.requests[request_uuid].enterprise_customer_uuid)
    with subsidy_events_producer.capture() as captured:
        enterprise_access.approve(request_uuid, reviewer_lms_user_id=3)
    (approved,) = captured.of(LICENSE_REQUEST_APPROVED)
    (assigned,) = captured.of(LICENSE_ASSIGNED)
    subsidy_events_producer.verify(assigned, answering=approved)
    assert enterprise_access.requests[request_uuid].state is SubsidyRequestState.FULFILLED


def test_send_event_kwargs_with_a_wrong_correlation_id(wired, subsidy_events_producer) -> None:
    """send_event keyword arguments answering with another request's uuid fail, naming enterprise-access."""
    from openedx_subsidy_events import ContractViolation, LicenseAssignmentData

    approved = {
        "license_request": {"subsidy_request_uuid": str(uuid4())},
        "metadata": LICENSE_REQUEST_APPROVED.metadata(),
    }
    payload = LicenseAssignmentData(
        subsidy_request_uuid=uuid4(),
        license_uuid=uuid4(),
        subscription_plan_uuid=uuid4(),
        enterprise_customer_uuid=uuid4(),
        user_email="learner@example.com",
    )
    kwargs = {"license_assignment": payload, "metadata": LICENSE_ASSIGNED.metadata().to_openedx()}
    with pytest.raises(ContractViolation) as info:
        subsidy_events_producer.verify(kwargs, answering=approved)
    assert (info.value.consumer, info.value.rule) == ("enterprise-access", "CORRELATION_MISMATCH")
