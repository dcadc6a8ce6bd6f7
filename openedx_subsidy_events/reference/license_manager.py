"""Reference license-manager: an approved license request becomes an assigned license.

The handler assigns a license from the approved plan, answers with a *license assigned* event
echoing ``subsidy_request_uuid``, and records an enrollment request only when the approval says
``attempt_auto_enrollment`` and names a course. A redelivered approval assigns nothing new: it
sends the same answer again (the first may have been lost), which enterprise-access ignores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from ..events import LICENSE_ASSIGNED, LICENSE_REQUEST_APPROVED, LicenseAssignmentData, LicenseRequestData
from ._granting import GrantingService
from ._records import SubscriptionPlan
from ._stores import GrantStore, MemoryGrantStore

__all__ = ["LicenseManager", "SubscriptionPlan"]


class LicenseManager(GrantingService[SubscriptionPlan, LicenseAssignmentData]):
    """The reference license-manager service: plans, assignments by request, and an enrollment outbox.

    Arguments:
        clock: the time of an assignment (default: now, UTC).
        send_assigned: how the answer is sent (default: ``LICENSE_ASSIGNED.send``).
        store: where plans and assignments are kept (default: in memory).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``store``.

    """

    pool_left = "licenses_left"
    no_pool = "the enterprise customer has no such subscription plan"
    none_left = "the subscription plan has no license left"

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        send_assigned: Callable[[LicenseAssignmentData], Any] | None = None,
        store: GrantStore[SubscriptionPlan, LicenseAssignmentData] | None = None,
    ) -> None:
        super().__init__(
            store=store if store is not None else MemoryGrantStore("uuid"),
            clock=clock,
            send_assigned=send_assigned or LICENSE_ASSIGNED.send,
        )

    @property
    def plans(self) -> Mapping[Any, SubscriptionPlan]:
        """Every subscription plan, by uuid."""
        return self.store.pools

    def add_plan(self, plan_uuid: UUID, enterprise_customer_uuid: UUID, *, licenses: int = 100) -> SubscriptionPlan:
        """Create a subscription plan."""
        plan = SubscriptionPlan(
            uuid=plan_uuid, enterprise_customer_uuid=enterprise_customer_uuid, licenses_left=licenses
        )
        self.store.add_pool(plan)
        return plan

    def handle_license_request_approved(self, *, license_request: LicenseRequestData, **_: Any) -> None:
        """Receiver of enterprise-access's *license request approved* event."""

        def assign(plan: SubscriptionPlan) -> LicenseAssignmentData:
            return LicenseAssignmentData(
                subsidy_request_uuid=license_request.subsidy_request_uuid,
                license_uuid=uuid4(),
                subscription_plan_uuid=plan.uuid,
                enterprise_customer_uuid=license_request.enterprise_customer_uuid,
                user_email=license_request.user_email,
                course_id=license_request.course_id,
                assigned_at=self.clock(),
            )

        auto_enroll = license_request.attempt_auto_enrollment and license_request.course_id
        self._grant(
            license_request,
            event_type=LICENSE_REQUEST_APPROVED.event_type,
            pool_id=license_request.subscription_plan_uuid,
            assign=assign,
            enroll_in=(license_request.course_run_key or license_request.course_id) if auto_enroll else None,
        )

    def connect(self) -> None:
        """Receive *approved* license requests sent in process."""
        LICENSE_REQUEST_APPROVED.connect(self.handle_license_request_approved)

    def disconnect(self) -> None:
        """Stop receiving events."""
        LICENSE_REQUEST_APPROVED.disconnect(self.handle_license_request_approved)
