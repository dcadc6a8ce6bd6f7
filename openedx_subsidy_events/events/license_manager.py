"""Events produced by license-manager: a license was assigned to a learner for a subsidy request."""

from datetime import datetime
from uuid import UUID

import attrs

from .._payload import field, payload_fields
from ._definition import EventDefinition

__all__ = ["LICENSE_ASSIGNED", "LicenseAssignmentData"]


@attrs.frozen(kw_only=True, field_transformer=payload_fields)
class LicenseAssignmentData:
    """A subscription license assigned to a learner in answer to an approved license request.

    Attributes:
        subsidy_request_uuid (UUID): the uuid of the request this assignment answers (correlation id).
        license_uuid (UUID): the assigned license.
        subscription_plan_uuid (UUID): the plan the license belongs to.
        enterprise_customer_uuid (UUID): the learner's enterprise customer.
        user_email (str): the email the license was assigned to (PII).
        lms_user_id (int | None): the learner's LMS user id; ``None`` until the license is activated.
        course_id (str | None): the course the learner asked for, when the request named one.
        assigned_at (datetime | None): when the license was assigned (UTC).

    .. versionadded:: 0.1.0

    """

    subsidy_request_uuid: UUID = field(
        "The uuid of the subsidy request this assignment answers, echoed from the approved event."
    )
    license_uuid: UUID = field("The uuid of the license assigned to the learner.")
    subscription_plan_uuid: UUID = field("The uuid of the subscription plan the license belongs to.")
    enterprise_customer_uuid: UUID = field("The uuid of the enterprise customer the learner belongs to.")
    user_email: str = field("The email address the license was assigned to.", sensitivity="pii")
    lms_user_id: int | None = field(
        "The LMS user id of the learner; null until the learner activates the license.", optional=True
    )
    course_id: str | None = field("The course the learner asked for, as a course key such as edX+DemoX.", optional=True)
    assigned_at: datetime | None = field("When the license was assigned, in UTC.", optional=True)


LICENSE_ASSIGNED: EventDefinition[LicenseAssignmentData] = EventDefinition(
    event_type="org.openedx.license-manager.license.assigned.v1",
    data_key="license_assignment",
    payload_type=LicenseAssignmentData,
    producer="license-manager",
    description=(
        "License-manager assigned a subscription license to a learner for an approved license request; "
        "the subsidy is granted. Enrollment is not part of this event."
    ),
)
"""Sent by license-manager when it assigned a license for an approved request. Consumed by enterprise-access."""
