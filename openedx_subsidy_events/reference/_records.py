"""What the reference services keep: requests, plans, coupons, and what they record instead of acting.

Plain attrs values. A store (:mod:`._stores`) keeps them: in memory for the quick demo and the
contract tests, in Django models for the reference Django services.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import attrs

from ..states import SubsidyRequestState

__all__ = ["Coupon", "Email", "EnrollmentRequest", "Ignored", "Kind", "SubscriptionPlan", "SubsidyRequest"]

Kind = Literal["license", "coupon_code"]


@attrs.define(kw_only=True)
class SubsidyRequest:
    """A learner's license or coupon-code request, as enterprise-access stores it.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``fulfilled_at``.
    """

    uuid: UUID
    kind: Kind
    lms_user_id: int
    user_email: str
    enterprise_customer_uuid: UUID
    course_id: str | None = None
    course_run_key: str | None = None
    subscription_plan_uuid: UUID | None = None
    coupon_id: int | None = None
    state: SubsidyRequestState = SubsidyRequestState.REQUESTED
    reviewer_lms_user_id: int | None = None
    reviewed_at: datetime | None = None
    fulfilled_at: datetime | None = None
    license_uuid: UUID | None = None
    coupon_code: str | None = attrs.field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        """The request as the HTTP API shows it (the coupon code, a credential, is not shown)."""
        return {
            "uuid": str(self.uuid),
            "kind": self.kind,
            "state": self.state.value,
            "lms_user_id": self.lms_user_id,
            "user_email": self.user_email,
            "enterprise_customer_uuid": str(self.enterprise_customer_uuid),
            "course_id": self.course_id,
            "reviewer_lms_user_id": self.reviewer_lms_user_id,
        }


@attrs.define(kw_only=True)
class SubscriptionPlan:
    """A plan licenses are assigned from.

    .. versionadded:: 0.1.0
    """

    uuid: UUID
    enterprise_customer_uuid: UUID
    licenses_left: int = 100


@attrs.define(kw_only=True)
class Coupon:
    """A coupon codes are assigned from.

    .. versionadded:: 0.1.0
    """

    id: int
    enterprise_customer_uuid: UUID
    codes_left: int = 100


@attrs.frozen(kw_only=True)
class Email:
    """An email enterprise-access would send (the generic "you have been approved" one).

    .. versionadded:: 0.1.0
    """

    to: str
    subject: str
    body: str
    course_url: str
    subsidy_request_uuid: UUID


@attrs.frozen(kw_only=True)
class EnrollmentRequest:
    """An enrollment a granting service would ask the LMS for, after granting the subsidy.

    .. versionadded:: 0.1.0
    """

    subsidy_request_uuid: UUID
    lms_user_id: int
    course: str


@attrs.frozen(kw_only=True)
class Ignored:
    """An event a service received and deliberately did nothing with, and why.

    .. versionadded:: 0.1.0
    """

    event_type: str
    subsidy_request_uuid: UUID
    reason: str
