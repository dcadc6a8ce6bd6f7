"""What license-manager and ecommerce share: an approval becomes one assignment from a pool, answered.

The pool (a subscription plan, a coupon) is locked first, so two deliveries of one approval
queue behind each other and the second finds the first's assignment. A redelivered approval
assigns nothing new: it sends the same answer again (the first may have been lost), which
enterprise-access ignores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from ._records import EnrollmentRequest, Ignored
from ._stores import GrantStore

__all__ = ["GrantingService"]

Pool = TypeVar("Pool")
Assignment = TypeVar("Assignment")


class GrantingService(Generic[Pool, Assignment]):
    """The logic of a service that grants from pools; subclasses name the pool and build the assignment."""

    pool_left: str
    """The pool's attribute counting what is left to grant."""
    no_pool: str
    """Why an approval naming no pool of its customer is ignored."""
    none_left: str
    """Why an approval is ignored when its pool is used up."""

    def __init__(
        self,
        *,
        store: GrantStore[Pool, Assignment],
        clock: Callable[[], datetime] | None,
        send_assigned: Callable[[Assignment], Any],
    ) -> None:
        self.store = store
        self.clock = clock or (lambda: datetime.now(UTC))
        self.send_assigned = send_assigned
        """How the answer is sent: in process by default; a Django service sends it through its producer."""

    @property
    def assignments(self) -> Mapping[UUID, Assignment]:
        """The assignment of each request granted, by ``subsidy_request_uuid``."""
        return self.store.assignments

    @property
    def enrollments(self) -> Sequence[EnrollmentRequest]:
        """Every enrollment requested."""
        return self.store.enrollments

    @property
    def ignored(self) -> Sequence[Ignored]:
        """Every approval deliberately not acted on, and why."""
        return self.store.ignored

    def _grant(
        self,
        approval: Any,
        *,
        event_type: str,
        pool_id: Any,
        assign: Callable[[Pool], Assignment],
        enroll_in: str | None,
    ) -> None:
        """Grant what ``approval`` asks from pool ``pool_id`` once, answer, and request the enrollment."""
        request_uuid = approval.subsidy_request_uuid
        pool = self.store.pool_for_update(pool_id)
        previous = self.store.assignment(request_uuid)
        if previous is not None:
            self.send_assigned(previous)
            return
        customer_uuid = None if pool is None else getattr(pool, "enterprise_customer_uuid")  # noqa: B009
        reason = None
        if pool is None or customer_uuid != approval.enterprise_customer_uuid:
            reason = self.no_pool
        elif getattr(pool, self.pool_left) <= 0:
            reason = self.none_left
        if reason is not None or pool is None:
            self.store.add_ignored(
                Ignored(event_type=event_type, subsidy_request_uuid=request_uuid, reason=reason or "")
            )
            return
        left: int = getattr(pool, self.pool_left)
        setattr(pool, self.pool_left, left - 1)
        self.store.save_pool(pool)
        assignment = assign(pool)
        self.store.add_assignment(assignment)
        self.send_assigned(assignment)
        if enroll_in is not None:
            self.store.add_enrollment(
                EnrollmentRequest(subsidy_request_uuid=request_uuid, lms_user_id=approval.lms_user_id, course=enroll_in)
            )
