"""The ADR flow on the reference services, in process: approve, grant, fulfil, email."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from openedx_subsidy_events import (
    COUPON_CODE_ASSIGNED,
    LICENSE_ASSIGNED,
    LICENSE_REQUEST_APPROVED,
    InvalidTransition,
    LicenseAssignmentData,
    SubsidyRequestState,
    capture_events,
)
from openedx_subsidy_events.reference import Ecommerce, EnterpriseAccess, LicenseManager

CUSTOMER = UUID("8d1f6f0e-1b7c-4f4e-8a43-0f3c2f5b9c22")


def test_license_request_flow_fulfils_and_emails(
    enterprise_access: EnterpriseAccess, license_manager: LicenseManager, add_license_request
) -> None:
    """Approving a license request ends fulfilled, with one email linking to the course and one enrollment."""
    request_uuid = add_license_request(enterprise_access)
    with capture_events() as captured:
        enterprise_access.approve(request_uuid, reviewer_lms_user_id=3)
    assert [e.definition for e in captured] == [LICENSE_REQUEST_APPROVED, LICENSE_ASSIGNED]
    assert captured.payloads(LICENSE_ASSIGNED)[0].subsidy_request_uuid == request_uuid
    request = enterprise_access.requests[request_uuid]
    assert request.state is SubsidyRequestState.FULFILLED
    assert request.license_uuid == license_manager.assignments[request_uuid].license_uuid
    (email,) = enterprise_access.outbox
    assert email.to == "learner@example.com"
    assert email.course_url.endswith(f"/{CUSTOMER}/course/edX+DemoX")
    assert [e.course for e in license_manager.enrollments] == ["course-v1:edX+DemoX+2T2026"]


def test_coupon_code_flow_without_auto_enrollment(
    enterprise_access: EnterpriseAccess, ecommerce: Ecommerce, add_coupon_code_request
) -> None:
    """With attempt_auto_enrollment off, the code is assigned and emailed but no enrollment is requested."""
    enterprise_access.auto_enroll = False
    request_uuid = add_coupon_code_request(enterprise_access)
    with capture_events() as captured:
        enterprise_access.approve(request_uuid, reviewer_lms_user_id=3)
    (assignment,) = captured.payloads(COUPON_CODE_ASSIGNED)
    assert assignment.subsidy_request_uuid == request_uuid
    assert enterprise_access.requests[request_uuid].state is SubsidyRequestState.FULFILLED
    assert enterprise_access.requests[request_uuid].coupon_code == assignment.coupon_code
    assert len(enterprise_access.outbox) == 1
    assert ecommerce.enrollments == []


def test_redelivered_approval_assigns_once_and_emails_once(
    enterprise_access: EnterpriseAccess, license_manager: LicenseManager, add_license_request
) -> None:
    """A redelivered approved event re-sends the same assignment; enterprise-access ignores the duplicate."""
    request_uuid = add_license_request(enterprise_access)
    with capture_events() as captured:
        enterprise_access.approve(request_uuid, reviewer_lms_user_id=3)
    (approved,) = captured.of(LICENSE_REQUEST_APPROVED)
    LICENSE_REQUEST_APPROVED.send(approved.payload)
    assert len(license_manager.assignments) == 1
    assert len(enterprise_access.outbox) == 1
    assert [i.reason for i in enterprise_access.ignored] == [
        "the request is fulfilled, not awaiting a grant (a redelivery?)"
    ]


def test_assignment_for_unknown_request_is_ignored(enterprise_access: EnterpriseAccess) -> None:
    """An assigned event whose correlation id matches no request changes nothing and does not raise."""
    unknown = uuid4()
    LICENSE_ASSIGNED.send(
        LicenseAssignmentData(
            subsidy_request_uuid=unknown,
            license_uuid=uuid4(),
            subscription_plan_uuid=uuid4(),
            enterprise_customer_uuid=CUSTOMER,
            user_email="learner@example.com",
        )
    )
    assert enterprise_access.outbox == []
    assert enterprise_access.ignored[0].subsidy_request_uuid == unknown


def test_assignment_for_another_customer_is_ignored(enterprise_access: EnterpriseAccess, add_license_request) -> None:
    """An assigned event naming another enterprise customer does not fulfil the request."""
    request_uuid = add_license_request(enterprise_access)
    enterprise_access.requests[request_uuid].state = SubsidyRequestState.APPROVED
    enterprise_access.handle_license_assigned(
        license_assignment=LicenseAssignmentData(
            subsidy_request_uuid=request_uuid,
            license_uuid=uuid4(),
            subscription_plan_uuid=uuid4(),
            enterprise_customer_uuid=uuid4(),
            user_email="learner@example.com",
        )
    )
    assert enterprise_access.requests[request_uuid].state is SubsidyRequestState.APPROVED
    assert "another enterprise customer" in enterprise_access.ignored[0].reason


def test_unknown_plan_is_ignored_by_license_manager(
    enterprise_access: EnterpriseAccess, license_manager: LicenseManager, add_license_request
) -> None:
    """An approval for a plan license-manager does not know assigns nothing and sends nothing."""
    request_uuid = add_license_request(enterprise_access, subscription_plan_uuid=uuid4())
    with capture_events() as captured:
        enterprise_access.approve(request_uuid, reviewer_lms_user_id=3)
    assert captured.of(LICENSE_ASSIGNED) == []
    assert license_manager.ignored[0].reason == "the enterprise customer has no such subscription plan"
    assert enterprise_access.requests[request_uuid].state is SubsidyRequestState.APPROVED


def test_declined_request_cannot_be_approved(enterprise_access: EnterpriseAccess, add_license_request) -> None:
    """Approval follows the state machine: a declined request stays declined."""
    request_uuid = add_license_request(enterprise_access)
    enterprise_access.decline(request_uuid, reviewer_lms_user_id=3)
    with pytest.raises(InvalidTransition):
        enterprise_access.approve(request_uuid, reviewer_lms_user_id=3)


def test_coupon_code_flow_with_auto_enrollment(
    enterprise_access: EnterpriseAccess, ecommerce: Ecommerce, add_coupon_code_request
) -> None:
    """With attempt_auto_enrollment on, ecommerce records one enrollment for the requested course."""
    request_uuid = add_coupon_code_request(enterprise_access)
    enterprise_access.approve(request_uuid, reviewer_lms_user_id=3)
    assert [(e.subsidy_request_uuid, e.lms_user_id, e.course) for e in ecommerce.enrollments] == [
        (request_uuid, 17, "edX+DemoX")
    ]


def test_license_without_course_sends_no_enrollment(
    enterprise_access: EnterpriseAccess, license_manager: LicenseManager, add_license_request
) -> None:
    """A license request naming no course is granted and emailed, but nothing is enrolled."""
    request_uuid = add_license_request(enterprise_access, course_id=None, course_run_key=None)
    enterprise_access.approve(request_uuid, reviewer_lms_user_id=3)
    assert enterprise_access.requests[request_uuid].state is SubsidyRequestState.FULFILLED
    assert license_manager.enrollments == []
    assert enterprise_access.outbox[0].body.startswith("You have been approved for a subscription")
