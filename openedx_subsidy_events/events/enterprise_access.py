"""Events produced by enterprise-access: a subsidy request was approved by an admin.

*Approved* means "an admin approved the request; the grant is pending". The service that grants
the subsidy (ecommerce for coupon codes, license-manager for licenses) consumes the event, grants
it, and answers with an *assigned* event carrying the same ``subsidy_request_uuid``.
"""

from datetime import datetime
from uuid import UUID

import attrs

from .._payload import field, payload_fields
from ._definition import EventDefinition

__all__ = ["COUPON_CODE_REQUEST_APPROVED", "LICENSE_REQUEST_APPROVED", "CouponCodeRequestData", "LicenseRequestData"]

PRODUCER = "enterprise-access"

_REQUEST_UUID_DOC = "The uuid of the subsidy request; the correlation id of every event about this request."
_LMS_USER_ID_DOC = "The LMS user id of the learner who made the request."
_EMAIL_DOC = "The email address of the learner who made the request."
_CUSTOMER_DOC = "The uuid of the enterprise customer the learner belongs to."
_AUTO_ENROLL_DOC = (
    "Whether the granting service should try to enroll the learner after granting the subsidy "
    "(the customer's attempt_auto_enrollment setting at approval time)."
)
_REVIEWED_AT_DOC = "When the admin approved the request, in UTC."
_REVIEWER_DOC = "The LMS user id of the admin who approved the request, when known."
_RUN_DOC = "The course run the learner asked for (e.g. course-v1:edX+DemoX+2T2026), when known."


@attrs.frozen(kw_only=True, field_transformer=payload_fields)
class CouponCodeRequestData:
    """A learner's request for a coupon code, approved by an enterprise admin.

    Attributes:
        subsidy_request_uuid (UUID): the request's uuid; the event key and correlation id.
        lms_user_id (int): the learner's LMS user id.
        user_email (str): the learner's email (PII).
        enterprise_customer_uuid (UUID): the learner's enterprise customer.
        course_id (str): the course the code is for, as a course key such as ``edX+DemoX``.
        coupon_id (int): the ecommerce coupon to assign a code from.
        attempt_auto_enrollment (bool): whether ecommerce should try to enroll the learner.
        reviewed_at (datetime): when the request was approved (UTC).
        reviewer_lms_user_id (int | None): the approving admin's LMS user id.
        course_run_key (str | None): the course run the learner asked for.

    .. versionadded:: 0.1.0

    """

    subsidy_request_uuid: UUID = field(_REQUEST_UUID_DOC)
    lms_user_id: int = field(_LMS_USER_ID_DOC)
    user_email: str = field(_EMAIL_DOC, sensitivity="pii")
    enterprise_customer_uuid: UUID = field(_CUSTOMER_DOC)
    course_id: str = field(
        "The course the learner asked for, as a course key such as edX+DemoX (not a course run key)."
    )
    coupon_id: int = field("The id of the ecommerce coupon a code is to be assigned from.")
    attempt_auto_enrollment: bool = field(_AUTO_ENROLL_DOC)
    reviewed_at: datetime = field(_REVIEWED_AT_DOC)
    reviewer_lms_user_id: int | None = field(_REVIEWER_DOC, optional=True)
    course_run_key: str | None = field(_RUN_DOC, optional=True)


@attrs.frozen(kw_only=True, field_transformer=payload_fields)
class LicenseRequestData:
    """A learner's request for a subscription license, approved by an enterprise admin.

    Attributes:
        subsidy_request_uuid (UUID): the request's uuid; the event key and correlation id.
        lms_user_id (int): the learner's LMS user id.
        user_email (str): the learner's email (PII).
        enterprise_customer_uuid (UUID): the learner's enterprise customer.
        subscription_plan_uuid (UUID): the plan to assign a license from.
        attempt_auto_enrollment (bool): whether license-manager should try to enroll the learner.
        reviewed_at (datetime): when the request was approved (UTC).
        course_id (str | None): the course the learner asked for, if the request named one.
        reviewer_lms_user_id (int | None): the approving admin's LMS user id.
        course_run_key (str | None): the course run the learner asked for.

    .. versionadded:: 0.1.0

    """

    subsidy_request_uuid: UUID = field(_REQUEST_UUID_DOC)
    lms_user_id: int = field(_LMS_USER_ID_DOC)
    user_email: str = field(_EMAIL_DOC, sensitivity="pii")
    enterprise_customer_uuid: UUID = field(_CUSTOMER_DOC)
    subscription_plan_uuid: UUID = field("The uuid of the subscription plan a license is to be assigned from.")
    attempt_auto_enrollment: bool = field(_AUTO_ENROLL_DOC)
    reviewed_at: datetime = field(_REVIEWED_AT_DOC)
    course_id: str | None = field(
        "The course the learner asked for, as a course key such as edX+DemoX; a license request may name none.",
        optional=True,
    )
    reviewer_lms_user_id: int | None = field(_REVIEWER_DOC, optional=True)
    course_run_key: str | None = field(_RUN_DOC, optional=True)


COUPON_CODE_REQUEST_APPROVED: EventDefinition[CouponCodeRequestData] = EventDefinition(
    event_type="org.openedx.enterprise.access.coupon-code-request.approved.v1",
    data_key="coupon_code_request",
    payload_type=CouponCodeRequestData,
    producer=PRODUCER,
    description=(
        "An enterprise admin approved a learner's coupon-code request; ecommerce is to assign a code. "
        "The grant is pending until a coupon-code assigned event with the same subsidy_request_uuid."
    ),
)
"""Sent by enterprise-access when an admin approves a coupon-code request. Consumed by ecommerce."""

LICENSE_REQUEST_APPROVED: EventDefinition[LicenseRequestData] = EventDefinition(
    event_type="org.openedx.enterprise.access.license-request.approved.v1",
    data_key="license_request",
    payload_type=LicenseRequestData,
    producer=PRODUCER,
    description=(
        "An enterprise admin approved a learner's license request; license-manager is to assign a license. "
        "The grant is pending until a license assigned event with the same subsidy_request_uuid."
    ),
)
"""Sent by enterprise-access when an admin approves a license request. Consumed by license-manager."""
