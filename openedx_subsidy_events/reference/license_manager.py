"""Reference license-manager: an approved license request becomes an assigned license.

The handler assigns a license from the approved plan, answers with a *license assigned* event
echoing ``subsidy_request_uuid``, and records an enrollment request only when the approval says
``attempt_auto_enrollment`` and names a course. A redelivered approval assigns nothing new: it
sends the same answer again (the first may have been lost), which enterprise-access ignores.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import attrs

from ..events import LICENSE_ASSIGNED, LICENSE_REQUEST_APPROVED, LicenseAssignmentData, LicenseRequestData
from ._outbox import EnrollmentRequest, Ignored

__all__ = ["LicenseManager", "SubscriptionPlan"]


@attrs.define(kw_only=True)
class SubscriptionPlan:
    """A plan licenses are assigned from.

    .. versionadded:: 0.1.0
    """

    uuid: UUID
    enterprise_customer_uuid: UUID
    licenses_left: int = 100


class LicenseManager:
    """The reference license-manager service: plans, assignments by request, and an enrollment outbox.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        send_assigned: Callable[[LicenseAssignmentData], Any] | None = None,
    ) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self.send_assigned = send_assigned or LICENSE_ASSIGNED.send
        """How the answer is sent: in process by default; a Django service passes openedx-events' send_event."""
        self.plans: dict[UUID, SubscriptionPlan] = {}
        self.assignments: dict[UUID, LicenseAssignmentData] = {}
        self.enrollments: list[EnrollmentRequest] = []
        self.ignored: list[Ignored] = []

    def add_plan(self, plan_uuid: UUID, enterprise_customer_uuid: UUID, *, licenses: int = 100) -> SubscriptionPlan:
        """Create a subscription plan."""
        plan = SubscriptionPlan(
            uuid=plan_uuid, enterprise_customer_uuid=enterprise_customer_uuid, licenses_left=licenses
        )
        self.plans[plan_uuid] = plan
        return plan

    def handle_license_request_approved(self, *, license_request: LicenseRequestData, **_: Any) -> None:
        """Receiver of enterprise-access's *license request approved* event."""
        request_uuid = license_request.subsidy_request_uuid
        previous = self.assignments.get(request_uuid)
        if previous is not None:
            self.send_assigned(previous)
            return
        plan = self.plans.get(license_request.subscription_plan_uuid)
        reason = None
        if plan is None or plan.enterprise_customer_uuid != license_request.enterprise_customer_uuid:
            reason = "the enterprise customer has no such subscription plan"
        elif plan.licenses_left <= 0:
            reason = "the subscription plan has no license left"
        if reason is not None or plan is None:
            self.ignored.append(
                Ignored(
                    event_type=LICENSE_REQUEST_APPROVED.event_type,
                    subsidy_request_uuid=request_uuid,
                    reason=reason or "",
                )
            )
            return
        plan.licenses_left -= 1
        assignment = LicenseAssignmentData(
            subsidy_request_uuid=request_uuid,
            license_uuid=uuid4(),
            subscription_plan_uuid=plan.uuid,
            enterprise_customer_uuid=license_request.enterprise_customer_uuid,
            user_email=license_request.user_email,
            course_id=license_request.course_id,
            assigned_at=self.clock(),
        )
        self.assignments[request_uuid] = assignment
        self.send_assigned(assignment)
        if license_request.attempt_auto_enrollment and license_request.course_id:
            course = license_request.course_run_key or license_request.course_id
            self.enrollments.append(
                EnrollmentRequest(
                    subsidy_request_uuid=request_uuid, lms_user_id=license_request.lms_user_id, course=course
                )
            )

    def connect(self) -> None:
        """Receive *approved* license requests sent in process."""
        LICENSE_REQUEST_APPROVED.connect(self.handle_license_request_approved)

    def disconnect(self) -> None:
        """Stop receiving events."""
        LICENSE_REQUEST_APPROVED.disconnect(self.handle_license_request_approved)
