"""The package's own suite verifies the reference services, as each service's CI would, with the plugin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import pytest

from openedx_subsidy_events import (
    COUPON_CODE_ASSIGNED,
    COUPON_CODE_REQUEST_APPROVED,
    LICENSE_ASSIGNED,
    LICENSE_REQUEST_APPROVED,
    SubsidyRequestState,
)
from openedx_subsidy_events.reference import Ecommerce, EnterpriseAccess, LicenseManager

MAX_EXAMPLES = 25


def test_enterprise_access_produces_valid_approvals(
    enterprise_access: EnterpriseAccess, add_license_request, add_coupon_code_request, subsidy_events_producer
) -> None:
    """Both approved events enterprise-access emits satisfy license-manager's and ecommerce's contracts."""
    license_request = add_license_request(enterprise_access)
    coupon_request = add_coupon_code_request(enterprise_access, course_run_key=None)
    with subsidy_events_producer.capture() as captured:
        enterprise_access.approve(license_request, reviewer_lms_user_id=3)
        enterprise_access.approve(coupon_request, reviewer_lms_user_id=3)
    results = subsidy_events_producer.verify_all(captured, expect=2)
    assert [r.contracts[0].consumer for r in results] == ["license-manager", "ecommerce"]


def test_license_manager_answers_with_a_valid_correlated_assignment(
    enterprise_access: EnterpriseAccess, license_manager: LicenseManager, add_license_request, subsidy_events_producer
) -> None:
    """license-manager's assigned event meets enterprise-access's contract and echoes the request uuid."""
    with subsidy_events_producer.capture() as captured:
        enterprise_access.approve(add_license_request(enterprise_access), reviewer_lms_user_id=3)
    (approved,) = captured.of(LICENSE_REQUEST_APPROVED)
    (assigned,) = captured.of(LICENSE_ASSIGNED)
    subsidy_events_producer.verify(assigned, answering=approved)


def test_ecommerce_answers_with_a_valid_correlated_assignment(
    enterprise_access: EnterpriseAccess, ecommerce: Ecommerce, add_coupon_code_request, subsidy_events_producer
) -> None:
    """ecommerce's assigned event meets enterprise-access's contract (code pattern) and echoes the request uuid."""
    with subsidy_events_producer.capture() as captured:
        enterprise_access.approve(add_coupon_code_request(enterprise_access), reviewer_lms_user_id=3)
    (approved,) = captured.of(COUPON_CODE_REQUEST_APPROVED)
    (assigned,) = captured.of(COUPON_CODE_ASSIGNED)
    subsidy_events_producer.verify(assigned, answering=approved)


@pytest.mark.subsidy_events(consumer="license-manager")
def test_license_manager_handles_every_approval(subsidy_events_consumer) -> None:
    """license-manager's handler copes with the examples and generated approvals, and reads what it declares."""
    service = LicenseManager()

    def add_plan(record: Mapping[str, Any]) -> None:
        service.add_plan(UUID(record["subscription_plan_uuid"]), UUID(record["enterprise_customer_uuid"]))

    result = subsidy_events_consumer.verify(
        service.handle_license_request_approved,
        event_type=LICENSE_REQUEST_APPROVED.event_type,
        prepare=add_plan,
        max_examples=MAX_EXAMPLES,
    )
    assert result.reads.undeclared == ()
    assert result.reads.unused == ()
    assert service.enrollments, "some generated approvals ask for auto-enrollment"


@pytest.mark.subsidy_events(consumer="ecommerce")
def test_ecommerce_handles_every_approval(subsidy_events_consumer) -> None:
    """ecommerce's handler copes with the examples and generated approvals, and reads what it declares."""
    service = Ecommerce()

    def add_coupon(record: Mapping[str, Any]) -> None:
        service.add_coupon(record["coupon_id"], UUID(record["enterprise_customer_uuid"]))

    result = subsidy_events_consumer.verify(
        service.handle_coupon_code_request_approved,
        event_type=COUPON_CODE_REQUEST_APPROVED.event_type,
        prepare=add_coupon,
        max_examples=MAX_EXAMPLES,
    )
    assert (result.reads.undeclared, result.reads.unused) == ((), ())


def _awaiting_request(service: EnterpriseAccess, kind: str, record: Mapping[str, Any]) -> None:
    """Store the approved request an assigned event answers, so the handler takes its main path."""
    request = service.add_request(
        kind,  # type: ignore[arg-type]
        uuid=UUID(record["subsidy_request_uuid"]),
        lms_user_id=17,
        user_email="learner@example.com",
        enterprise_customer_uuid=UUID(record["enterprise_customer_uuid"]),
        course_id="edX+DemoX",
    )
    request.state = SubsidyRequestState.APPROVED


@pytest.mark.subsidy_events(consumer="enterprise-access")
@pytest.mark.parametrize(
    ("event_type", "kind", "handler"),
    [
        (LICENSE_ASSIGNED.event_type, "license", "handle_license_assigned"),
        (COUPON_CODE_ASSIGNED.event_type, "coupon_code", "handle_coupon_code_assigned"),
    ],
)
def test_enterprise_access_handles_every_assignment(
    subsidy_events_consumer, event_type: str, kind: str, handler: str
) -> None:
    """enterprise-access fulfils the request of every valid assigned event and emails its learner."""
    service = EnterpriseAccess()
    result = subsidy_events_consumer.verify(
        getattr(service, handler),
        event_type=event_type,
        prepare=lambda record: _awaiting_request(service, kind, record),
        max_examples=MAX_EXAMPLES,
    )
    assert (result.reads.undeclared, result.reads.unused) == ((), ())
    assert {r.state for r in service.requests.values()} == {SubsidyRequestState.FULFILLED}
    assert {email.subsidy_request_uuid for email in service.outbox} == set(service.requests)
