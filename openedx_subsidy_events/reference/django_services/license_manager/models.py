"""License-manager's tables: plans, the licenses assigned by request, enrollment requests, ignored events."""

from __future__ import annotations

from django.db import models

from .._models import EnrollmentRecord, IgnoredEvent

__all__ = ["IgnoredApproval", "LicenseEnrollment", "LicenseRecord", "SubscriptionPlanRecord"]


class SubscriptionPlanRecord(models.Model):  # type: ignore[misc]
    """A customer's plan and how many licenses it has left."""

    uuid = models.UUIDField(unique=True)
    enterprise_customer_uuid = models.UUIDField()
    licenses_left = models.IntegerField()


class LicenseRecord(models.Model):  # type: ignore[misc]
    """A license assigned to a learner for a request; one per request (a second is a duplicated grant, counted)."""

    subsidy_request_uuid = models.UUIDField(db_index=True)
    license_uuid = models.UUIDField(unique=True)
    subscription_plan_uuid = models.UUIDField()
    enterprise_customer_uuid = models.UUIDField()
    user_email = models.EmailField(max_length=254)
    lms_user_id = models.IntegerField(null=True)
    course_id = models.CharField(max_length=255, null=True)
    assigned_at = models.DateTimeField(null=True)


class LicenseEnrollment(EnrollmentRecord):
    """An enrollment requested after a license was assigned with ``attempt_auto_enrollment``."""


class IgnoredApproval(IgnoredEvent):
    """An *approved* event license-manager did nothing with."""
