"""A granting service's store on its models (license-manager's plans and licenses, ecommerce's coupons and codes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar
from uuid import UUID

import attrs
from django.db import models, transaction

from .._records import EnrollmentRequest, Ignored
from . import _faults

__all__ = ["DjangoGrantStore"]

Pool = TypeVar("Pool")
Assignment = TypeVar("Assignment")


def _names(value_class: Any) -> list[str]:
    """The attribute names of an attrs class: the columns of its model."""
    return [field.name for field in attrs.fields(value_class)]


@attrs.frozen(kw_only=True)
class DjangoGrantStore(Generic[Pool, Assignment]):
    """A :class:`~openedx_subsidy_events.reference.GrantStore` on a service's models.

    The pool's and the assignment's model store their values' attributes under the same names;
    ``pool_key`` is the pool's id attribute.

    .. versionadded:: 0.2.0
    """

    pool_model: type[models.Model]
    pool_value: Callable[..., Pool]
    pool_key: str
    assignment_model: type[models.Model]
    assignment_value: Callable[..., Assignment]
    enrollment_model: type[models.Model]
    ignored_model: type[models.Model]

    def _pool(self, record: Any) -> Pool:
        return self.pool_value(**{name: getattr(record, name) for name in _names(self.pool_value)})

    def _assignment(self, record: Any) -> Assignment:
        return self.assignment_value(**{name: getattr(record, name) for name in _names(self.assignment_value)})

    @property
    def pools(self) -> dict[Any, Pool]:
        return {getattr(r, self.pool_key): self._pool(r) for r in self.pool_model.objects.order_by("id")}

    @property
    def assignments(self) -> dict[UUID, Assignment]:
        return {r.subsidy_request_uuid: self._assignment(r) for r in self.assignment_model.objects.order_by("-id")}

    @property
    def enrollments(self) -> list[EnrollmentRequest]:
        return [record.value() for record in self.enrollment_model.objects.order_by("id")]

    @property
    def ignored(self) -> list[Ignored]:
        return [record.value() for record in self.ignored_model.objects.order_by("id")]

    def add_pool(self, pool: Pool) -> None:
        self.pool_model.objects.create(**attrs.asdict(pool))  # type: ignore[arg-type]

    def pool_for_update(self, pool_id: Any) -> Pool | None:
        query = self.pool_model.objects.filter(**{self.pool_key: pool_id})
        if transaction.get_connection().in_atomic_block:  # without the inbox a handler runs in autocommit
            query = query.select_for_update()
        record = query.first()
        return None if record is None else self._pool(record)

    def save_pool(self, pool: Pool) -> None:
        values = attrs.asdict(pool)  # type: ignore[arg-type]
        self.pool_model.objects.filter(**{self.pool_key: values.pop(self.pool_key)}).update(**values)
        _faults.wrote()

    def assignment(self, request_uuid: UUID) -> Assignment | None:
        record = self.assignment_model.objects.filter(subsidy_request_uuid=request_uuid).order_by("id").first()
        return None if record is None else self._assignment(record)

    def add_assignment(self, assignment: Assignment) -> None:
        self.assignment_model.objects.create(**attrs.asdict(assignment))  # type: ignore[arg-type]
        _faults.wrote()

    def add_enrollment(self, enrollment: EnrollmentRequest) -> None:
        self.enrollment_model.record(enrollment)
        _faults.wrote()

    def add_ignored(self, ignored: Ignored) -> None:
        self.ignored_model.record(ignored)
        _faults.wrote()
