"""Events produced by ecommerce: a coupon code was assigned to a learner for a subsidy request."""

from datetime import datetime
from uuid import UUID

import attrs

from .._payload import field, payload_fields
from ._definition import EventDefinition

__all__ = ["COUPON_CODE_ASSIGNED", "CouponCodeAssignmentData"]


@attrs.frozen(kw_only=True, field_transformer=payload_fields)
class CouponCodeAssignmentData:
    """A coupon code assigned to a learner in answer to an approved coupon-code request.

    Attributes:
        subsidy_request_uuid (UUID): the uuid of the request this assignment answers (correlation id).
        coupon_code (str): the assigned code; a bearer credential, marked secret and hidden from ``repr``.
        coupon_id (int): the ecommerce coupon the code belongs to.
        enterprise_customer_uuid (UUID): the learner's enterprise customer.
        user_email (str): the email the code was assigned to (PII).
        course_id (str | None): the course the code was assigned for, when the request named one.
        assigned_at (datetime | None): when the code was assigned (UTC).

    .. versionadded:: 0.1.0

    """

    subsidy_request_uuid: UUID = field(
        "The uuid of the subsidy request this assignment answers, echoed from the approved event."
    )
    coupon_code: str = field("The coupon code assigned to the learner; a bearer credential.", sensitivity="secret")
    coupon_id: int = field("The id of the ecommerce coupon the code belongs to.")
    enterprise_customer_uuid: UUID = field("The uuid of the enterprise customer the learner belongs to.")
    user_email: str = field("The email address the code was assigned to.", sensitivity="pii")
    course_id: str | None = field(
        "The course the code was assigned for, as a course key such as edX+DemoX.", optional=True
    )
    assigned_at: datetime | None = field("When the code was assigned, in UTC.", optional=True)


COUPON_CODE_ASSIGNED: EventDefinition[CouponCodeAssignmentData] = EventDefinition(
    event_type="org.openedx.ecommerce.coupon-code.assigned.v1",
    data_key="coupon_code_assignment",
    payload_type=CouponCodeAssignmentData,
    producer="ecommerce",
    description=(
        "Ecommerce assigned a coupon code to a learner for an approved coupon-code request; "
        "the subsidy is granted. Enrollment is not part of this event."
    ),
)
"""Sent by ecommerce when it assigned a code for an approved request. Consumed by enterprise-access."""
