"""License-manager's store on its models."""

from __future__ import annotations

from ....events import LicenseAssignmentData
from ..._records import SubscriptionPlan
from .._grant_store import DjangoGrantStore
from .models import IgnoredApproval, LicenseEnrollment, LicenseRecord, SubscriptionPlanRecord

__all__ = ["store"]


def store() -> DjangoGrantStore[SubscriptionPlan, LicenseAssignmentData]:
    """Plans and licenses in license-manager's tables."""
    return DjangoGrantStore(
        pool_model=SubscriptionPlanRecord,
        pool_value=SubscriptionPlan,
        pool_key="uuid",
        assignment_model=LicenseRecord,
        assignment_value=LicenseAssignmentData,
        enrollment_model=LicenseEnrollment,
        ignored_model=IgnoredApproval,
    )
