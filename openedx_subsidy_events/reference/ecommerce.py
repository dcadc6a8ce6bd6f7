"""Reference ecommerce: an approved coupon-code request becomes an assigned code.

The handler assigns an unused code of the coupon to the learner, answers with a *coupon code
assigned* event echoing ``subsidy_request_uuid``, and records an enrollment request (redeeming
the code for the course) only when the approval says ``attempt_auto_enrollment``. A redelivered
approval assigns nothing new and sends the same answer again.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import attrs

from ..events import COUPON_CODE_ASSIGNED, COUPON_CODE_REQUEST_APPROVED, CouponCodeAssignmentData, CouponCodeRequestData
from ._outbox import EnrollmentRequest, Ignored

__all__ = ["Coupon", "Ecommerce"]

CODE_ALPHABET = string.ascii_uppercase + string.digits
CODE_LENGTH = 16


def new_code() -> str:
    """A fresh coupon code: 16 upper-case letters and digits, as ecommerce makes them."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@attrs.define(kw_only=True)
class Coupon:
    """A coupon codes are assigned from.

    .. versionadded:: 0.1.0
    """

    id: int
    enterprise_customer_uuid: UUID
    codes_left: int = 100


class Ecommerce:
    """The reference ecommerce service: coupons, assignments by request, and an enrollment outbox.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        send_assigned: Callable[[CouponCodeAssignmentData], Any] | None = None,
    ) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self.send_assigned = send_assigned or COUPON_CODE_ASSIGNED.send
        """How the answer is sent: in process by default; a Django service passes openedx-events' send_event."""
        self.coupons: dict[int, Coupon] = {}
        self.assignments: dict[UUID, CouponCodeAssignmentData] = {}
        self.enrollments: list[EnrollmentRequest] = []
        self.ignored: list[Ignored] = []

    def add_coupon(self, coupon_id: int, enterprise_customer_uuid: UUID, *, codes: int = 100) -> Coupon:
        """Create a coupon."""
        coupon = Coupon(id=coupon_id, enterprise_customer_uuid=enterprise_customer_uuid, codes_left=codes)
        self.coupons[coupon_id] = coupon
        return coupon

    def handle_coupon_code_request_approved(self, *, coupon_code_request: CouponCodeRequestData, **_: Any) -> None:
        """Receiver of enterprise-access's *coupon-code request approved* event."""
        request_uuid = coupon_code_request.subsidy_request_uuid
        previous = self.assignments.get(request_uuid)
        if previous is not None:
            self.send_assigned(previous)
            return
        coupon = self.coupons.get(coupon_code_request.coupon_id)
        reason = None
        if coupon is None or coupon.enterprise_customer_uuid != coupon_code_request.enterprise_customer_uuid:
            reason = "the enterprise customer has no such coupon"
        elif coupon.codes_left <= 0:
            reason = "the coupon has no code left"
        if reason is not None or coupon is None:
            self.ignored.append(
                Ignored(
                    event_type=COUPON_CODE_REQUEST_APPROVED.event_type,
                    subsidy_request_uuid=request_uuid,
                    reason=reason or "",
                )
            )
            return
        coupon.codes_left -= 1
        assignment = CouponCodeAssignmentData(
            subsidy_request_uuid=request_uuid,
            coupon_code=new_code(),
            coupon_id=coupon.id,
            enterprise_customer_uuid=coupon_code_request.enterprise_customer_uuid,
            user_email=coupon_code_request.user_email,
            course_id=coupon_code_request.course_id,
            assigned_at=self.clock(),
        )
        self.assignments[request_uuid] = assignment
        self.send_assigned(assignment)
        if coupon_code_request.attempt_auto_enrollment:
            course = coupon_code_request.course_run_key or coupon_code_request.course_id
            self.enrollments.append(
                EnrollmentRequest(
                    subsidy_request_uuid=request_uuid, lms_user_id=coupon_code_request.lms_user_id, course=course
                )
            )

    def connect(self) -> None:
        """Receive *approved* coupon-code requests sent in process."""
        COUPON_CODE_REQUEST_APPROVED.connect(self.handle_coupon_code_request_approved)

    def disconnect(self) -> None:
        """Stop receiving events."""
        COUPON_CODE_REQUEST_APPROVED.disconnect(self.handle_coupon_code_request_approved)
