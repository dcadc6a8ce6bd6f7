"""Abstract models the three services share the shape of (each service keeps its own tables)."""

from __future__ import annotations

from django.db import models

from .._records import EnrollmentRequest, Ignored

__all__ = ["EnrollmentRecord", "IgnoredEvent"]


class IgnoredEvent(models.Model):  # type: ignore[misc]
    """An event the service received and deliberately did nothing with, and why."""

    event_type = models.CharField(max_length=255)
    subsidy_request_uuid = models.UUIDField(db_index=True)
    reason = models.TextField()

    class Meta:
        abstract = True

    @classmethod
    def record(cls, ignored: Ignored) -> None:
        """Keep one."""
        cls.objects.create(
            event_type=ignored.event_type, subsidy_request_uuid=ignored.subsidy_request_uuid, reason=ignored.reason
        )

    def value(self) -> Ignored:
        """As the reference services' value."""
        return Ignored(event_type=self.event_type, subsidy_request_uuid=self.subsidy_request_uuid, reason=self.reason)


class EnrollmentRecord(models.Model):  # type: ignore[misc]
    """An enrollment the granting service asks the LMS for; one row per request (a second is a duplicate)."""

    subsidy_request_uuid = models.UUIDField(db_index=True)  # not unique: a second enrollment is counted, not hidden
    lms_user_id = models.IntegerField()
    course = models.CharField(max_length=255)

    class Meta:
        abstract = True

    @classmethod
    def record(cls, enrollment: EnrollmentRequest) -> None:
        """Keep one."""
        cls.objects.create(
            subsidy_request_uuid=enrollment.subsidy_request_uuid,
            lms_user_id=enrollment.lms_user_id,
            course=enrollment.course,
        )

    def value(self) -> EnrollmentRequest:
        """As the reference services' value."""
        return EnrollmentRequest(
            subsidy_request_uuid=self.subsidy_request_uuid, lms_user_id=self.lms_user_id, course=self.course
        )
