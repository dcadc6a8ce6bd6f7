"""Where a reference service keeps its state: one protocol per kind of service, and the in-memory stores.

The services' logic (:mod:`.enterprise_access`, :mod:`.license_manager`, :mod:`.ecommerce`) reads
and writes only through a store, so the one implementation runs both in memory (the quick demo,
the contract tests) and on Django models (:mod:`openedx_subsidy_events.reference.django_services`),
where every write of a handler joins the inbox's transaction. ``*_for_update`` reads lock what they
return until the transaction ends (``SELECT … FOR UPDATE``); in memory they return the live value.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from ._records import Email, EnrollmentRequest, Ignored, SubsidyRequest

__all__ = ["EnterpriseAccessStore", "GrantStore", "MemoryEnterpriseAccessStore", "MemoryGrantStore"]

Pool = TypeVar("Pool")
Assignment = TypeVar("Assignment")


class EnterpriseAccessStore(Protocol):
    """What enterprise-access keeps: requests, customers' configurations, emails, ignored events.

    .. versionadded:: 0.2.0
    """

    @property
    def requests(self) -> Mapping[UUID, SubsidyRequest]:
        """Every request by uuid."""

    @property
    def outbox(self) -> Sequence[Email]:
        """Every email recorded, in order."""

    @property
    def ignored(self) -> Sequence[Ignored]:
        """Every event deliberately not acted on, in order."""

    def add_request(self, request: SubsidyRequest) -> None:
        """Keep a new request."""

    def request_for_update(self, request_uuid: UUID) -> SubsidyRequest | None:
        """The request, locked until the transaction ends; ``None`` if there is none."""

    def save_request(self, request: SubsidyRequest) -> None:
        """Keep a request's new state."""

    def auto_enrollment(self, enterprise_customer_uuid: UUID) -> bool | None:
        """The customer's ``attempt_auto_enrollment`` configuration; ``None`` if it has none."""

    def add_email(self, email: Email) -> None:
        """Record an email to send."""

    def add_ignored(self, ignored: Ignored) -> None:
        """Record an event deliberately not acted on."""


class GrantStore(Protocol[Pool, Assignment]):
    """What a granting service keeps: pools (plans, coupons), assignments by request, enrollments.

    .. versionadded:: 0.2.0
    """

    @property
    def pools(self) -> Mapping[Any, Pool]:
        """Every pool by id."""

    @property
    def assignments(self) -> Mapping[UUID, Assignment]:
        """The assignment of each request granted, by ``subsidy_request_uuid``."""

    @property
    def enrollments(self) -> Sequence[EnrollmentRequest]:
        """Every enrollment requested, in order."""

    @property
    def ignored(self) -> Sequence[Ignored]:
        """Every event deliberately not acted on, in order."""

    def add_pool(self, pool: Pool) -> None:
        """Keep a new pool."""

    def pool_for_update(self, pool_id: Any) -> Pool | None:
        """The pool, locked until the transaction ends; ``None`` if there is none."""

    def save_pool(self, pool: Pool) -> None:
        """Keep a pool's new count."""

    def assignment(self, request_uuid: UUID) -> Assignment | None:
        """The assignment made for a request, or ``None``."""

    def add_assignment(self, assignment: Assignment) -> None:
        """Keep an assignment (one granted license or code)."""

    def add_enrollment(self, enrollment: EnrollmentRequest) -> None:
        """Record an enrollment to request."""

    def add_ignored(self, ignored: Ignored) -> None:
        """Record an event deliberately not acted on."""


class MemoryEnterpriseAccessStore:
    """An :class:`EnterpriseAccessStore` in dicts and lists (values are live: changes show at once).

    .. versionadded:: 0.2.0
    """

    def __init__(self) -> None:
        self.requests: dict[UUID, SubsidyRequest] = {}
        self.configurations: dict[UUID, bool] = {}
        self.outbox: list[Email] = []
        self.ignored: list[Ignored] = []

    def add_request(self, request: SubsidyRequest) -> None:
        self.requests[request.uuid] = request

    def request_for_update(self, request_uuid: UUID) -> SubsidyRequest | None:
        return self.requests.get(request_uuid)

    def save_request(self, request: SubsidyRequest) -> None:
        self.requests[request.uuid] = request

    def auto_enrollment(self, enterprise_customer_uuid: UUID) -> bool | None:
        return self.configurations.get(enterprise_customer_uuid)

    def add_email(self, email: Email) -> None:
        self.outbox.append(email)

    def add_ignored(self, ignored: Ignored) -> None:
        self.ignored.append(ignored)


class MemoryGrantStore(Generic[Pool, Assignment]):
    """A :class:`GrantStore` in dicts and lists; ``pool_key`` gives a pool's id.

    .. versionadded:: 0.2.0
    """

    def __init__(self, pool_key: str) -> None:
        self.pool_key = pool_key
        self.pools: dict[Hashable, Pool] = {}
        self.assignments: dict[UUID, Assignment] = {}
        self.enrollments: list[EnrollmentRequest] = []
        self.ignored: list[Ignored] = []

    def add_pool(self, pool: Pool) -> None:
        self.pools[getattr(pool, self.pool_key)] = pool

    def pool_for_update(self, pool_id: Any) -> Pool | None:
        return self.pools.get(pool_id)

    def save_pool(self, pool: Pool) -> None:
        self.add_pool(pool)

    def assignment(self, request_uuid: UUID) -> Assignment | None:
        return self.assignments.get(request_uuid)

    def add_assignment(self, assignment: Assignment) -> None:
        self.assignments[getattr(assignment, "subsidy_request_uuid")] = assignment  # noqa: B009 (generic)

    def add_enrollment(self, enrollment: EnrollmentRequest) -> None:
        self.enrollments.append(enrollment)

    def add_ignored(self, ignored: Ignored) -> None:
        self.ignored.append(ignored)
