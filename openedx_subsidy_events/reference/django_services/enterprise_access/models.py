"""Enterprise-access's tables: requests with their states, customers' configurations, emails, ignored events."""

from __future__ import annotations

from django.db import models

from ....states import SubsidyRequestState
from .._models import IgnoredEvent

__all__ = ["CustomerConfiguration", "EmailRecord", "IgnoredAssignment", "SubsidyRequestRecord"]


class CustomerConfiguration(models.Model):  # type: ignore[misc]
    """An enterprise customer's subsidy configuration: whether approvals ask for auto-enrollment."""

    enterprise_customer_uuid = models.UUIDField(unique=True)
    attempt_auto_enrollment = models.BooleanField(default=True)


class SubsidyRequestRecord(models.Model):  # type: ignore[misc]
    """A learner's license or coupon-code request and its state (requested → approved → fulfilled)."""

    uuid = models.UUIDField(unique=True)
    kind = models.CharField(max_length=16, choices=[("license", "license"), ("coupon_code", "coupon code")])
    lms_user_id = models.IntegerField()
    user_email = models.EmailField(max_length=254)
    enterprise_customer_uuid = models.UUIDField()
    course_id = models.CharField(max_length=255, null=True)
    course_run_key = models.CharField(max_length=255, null=True)
    subscription_plan_uuid = models.UUIDField(null=True)
    coupon_id = models.IntegerField(null=True)
    state = models.CharField(
        max_length=32, choices=[(state.value, state.value) for state in SubsidyRequestState], db_index=True
    )
    reviewer_lms_user_id = models.IntegerField(null=True)
    reviewed_at = models.DateTimeField(null=True)
    fulfilled_at = models.DateTimeField(null=True)
    license_uuid = models.UUIDField(null=True)
    coupon_code = models.CharField(max_length=64, null=True)


class EmailRecord(models.Model):  # type: ignore[misc]
    """An approval email to send; one per request (a second is a duplicated effect, counted)."""

    subsidy_request_uuid = models.UUIDField(db_index=True)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    course_url = models.CharField(max_length=512)


class IgnoredAssignment(IgnoredEvent):
    """An *assigned* event enterprise-access did nothing with."""
