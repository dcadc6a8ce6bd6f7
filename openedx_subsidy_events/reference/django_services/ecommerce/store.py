"""Ecommerce's store on its models."""

from __future__ import annotations

from ....events import CouponCodeAssignmentData
from ..._records import Coupon
from .._grant_store import DjangoGrantStore
from .models import CouponCodeRecord, CouponEnrollment, CouponRecord, IgnoredApproval

__all__ = ["store"]


def store() -> DjangoGrantStore[Coupon, CouponCodeAssignmentData]:
    """Coupons and codes in ecommerce's tables."""
    return DjangoGrantStore(
        pool_model=CouponRecord,
        pool_value=Coupon,
        pool_key="id",
        assignment_model=CouponCodeRecord,
        assignment_value=CouponCodeAssignmentData,
        enrollment_model=CouponEnrollment,
        ignored_model=IgnoredApproval,
    )
