"""Ecommerce's tables: coupons, the codes assigned by request, enrollment requests, ignored events."""

from __future__ import annotations

from django.db import models

from .._models import EnrollmentRecord, IgnoredEvent

__all__ = ["CouponCodeRecord", "CouponEnrollment", "CouponRecord", "IgnoredApproval"]


class CouponRecord(models.Model):  # type: ignore[misc]
    """A customer's coupon (its id is ecommerce's coupon id) and how many codes it has left."""

    id = models.IntegerField(primary_key=True)
    enterprise_customer_uuid = models.UUIDField()
    codes_left = models.IntegerField()


class CouponCodeRecord(models.Model):  # type: ignore[misc]
    """A code assigned to a learner for a request; one per request (a second is a duplicated grant, counted)."""

    subsidy_request_uuid = models.UUIDField(db_index=True)
    coupon_code = models.CharField(max_length=64, unique=True)
    coupon_id = models.IntegerField()
    enterprise_customer_uuid = models.UUIDField()
    user_email = models.EmailField(max_length=254)
    course_id = models.CharField(max_length=255, null=True)
    assigned_at = models.DateTimeField(null=True)


class CouponEnrollment(EnrollmentRecord):
    """An enrollment requested (the code redeemed for the course) with ``attempt_auto_enrollment``."""


class IgnoredApproval(IgnoredEvent):
    """An *approved* event ecommerce did nothing with."""
