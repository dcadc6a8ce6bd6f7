"""What the reference services record instead of acting on the world: emails, enrollments, ignored events."""

from __future__ import annotations

from uuid import UUID

import attrs

__all__ = ["Email", "EnrollmentRequest", "Ignored"]


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
