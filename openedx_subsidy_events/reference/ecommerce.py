"""Reference ecommerce: an approved coupon-code request becomes an assigned code.

The handler assigns an unused code of the coupon to the learner, answers with a *coupon code
assigned* event echoing ``subsidy_request_uuid``, and records an enrollment request (redeeming
the code for the course) only when the approval says ``attempt_auto_enrollment``. A redelivered
approval assigns nothing new and sends the same answer again.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from ..events import COUPON_CODE_ASSIGNED, COUPON_CODE_REQUEST_APPROVED, CouponCodeAssignmentData, CouponCodeRequestData
from ._granting import GrantingService
from ._records import Coupon
from ._stores import GrantStore, MemoryGrantStore

__all__ = ["Coupon", "Ecommerce"]

CODE_ALPHABET = string.ascii_uppercase + string.digits
CODE_LENGTH = 16


def new_code() -> str:
    """A fresh coupon code: 16 upper-case letters and digits, as ecommerce makes them."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Ecommerce(GrantingService[Coupon, CouponCodeAssignmentData]):
    """The reference ecommerce service: coupons, assignments by request, and an enrollment outbox.

    Arguments:
        clock: the time of an assignment (default: now, UTC).
        send_assigned: how the answer is sent (default: ``COUPON_CODE_ASSIGNED.send``).
        store: where coupons and assignments are kept (default: in memory).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``store``.

    """

    pool_left = "codes_left"
    no_pool = "the enterprise customer has no such coupon"
    none_left = "the coupon has no code left"

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        send_assigned: Callable[[CouponCodeAssignmentData], Any] | None = None,
        store: GrantStore[Coupon, CouponCodeAssignmentData] | None = None,
    ) -> None:
        super().__init__(
            store=store if store is not None else MemoryGrantStore("id"),
            clock=clock,
            send_assigned=send_assigned or COUPON_CODE_ASSIGNED.send,
        )

    @property
    def coupons(self) -> Mapping[Any, Coupon]:
        """Every coupon, by id."""
        return self.store.pools

    def add_coupon(self, coupon_id: int, enterprise_customer_uuid: UUID, *, codes: int = 100) -> Coupon:
        """Create a coupon."""
        coupon = Coupon(id=coupon_id, enterprise_customer_uuid=enterprise_customer_uuid, codes_left=codes)
        self.store.add_pool(coupon)
        return coupon

    def handle_coupon_code_request_approved(self, *, coupon_code_request: CouponCodeRequestData, **_: Any) -> None:
        """Receiver of enterprise-access's *coupon-code request approved* event."""

        def assign(coupon: Coupon) -> CouponCodeAssignmentData:
            return CouponCodeAssignmentData(
                subsidy_request_uuid=coupon_code_request.subsidy_request_uuid,
                coupon_code=new_code(),
                coupon_id=coupon.id,
                enterprise_customer_uuid=coupon_code_request.enterprise_customer_uuid,
                user_email=coupon_code_request.user_email,
                course_id=coupon_code_request.course_id,
                assigned_at=self.clock(),
            )

        self._grant(
            coupon_code_request,
            event_type=COUPON_CODE_REQUEST_APPROVED.event_type,
            pool_id=coupon_code_request.coupon_id,
            assign=assign,
            enroll_in=(coupon_code_request.course_run_key or coupon_code_request.course_id)
            if coupon_code_request.attempt_auto_enrollment
            else None,
        )

    def connect(self) -> None:
        """Receive *approved* coupon-code requests sent in process."""
        COUPON_CODE_REQUEST_APPROVED.connect(self.handle_coupon_code_request_approved)

    def disconnect(self) -> None:
        """Stop receiving events."""
        COUPON_CODE_REQUEST_APPROVED.disconnect(self.handle_coupon_code_request_approved)
