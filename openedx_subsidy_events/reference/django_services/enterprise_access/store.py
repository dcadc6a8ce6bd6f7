"""Enterprise-access's store on its models: the reference logic's reads and writes, in the caller's transaction."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import attrs
from django.db import transaction

from ....states import SubsidyRequestState
from ..._records import Email, Ignored, SubsidyRequest
from .. import _faults
from .models import CustomerConfiguration, EmailRecord, IgnoredAssignment, SubsidyRequestRecord

__all__ = ["DjangoEnterpriseAccessStore", "columns", "value"]

_FIELDS = [field.name for field in attrs.fields(SubsidyRequest)]


def value(record: SubsidyRequestRecord) -> SubsidyRequest:
    """A row as the reference logic's request."""
    fields: dict[str, Any] = {name: getattr(record, name) for name in _FIELDS}
    fields["state"] = SubsidyRequestState(record.state)
    return SubsidyRequest(**fields)


def columns(request: SubsidyRequest) -> dict[str, Any]:
    """A request as a row's columns."""
    row = {name: getattr(request, name) for name in _FIELDS}
    row["state"] = request.state.value
    return row


class DjangoEnterpriseAccessStore:
    """An :class:`~openedx_subsidy_events.reference.EnterpriseAccessStore` on enterprise-access's models.

    .. versionadded:: 0.2.0
    """

    @property
    def requests(self) -> dict[UUID, SubsidyRequest]:
        return {record.uuid: value(record) for record in SubsidyRequestRecord.objects.order_by("id")}

    @property
    def outbox(self) -> list[Email]:
        return [
            Email(to=r.to, subject=r.subject, body=r.body, course_url=r.course_url,
                  subsidy_request_uuid=r.subsidy_request_uuid)
            for r in EmailRecord.objects.order_by("id")
        ]  # fmt: skip

    @property
    def ignored(self) -> list[Ignored]:
        return [record.value() for record in IgnoredAssignment.objects.order_by("id")]

    def add_request(self, request: SubsidyRequest) -> None:
        SubsidyRequestRecord.objects.create(**columns(request))
        _faults.wrote()

    def request_for_update(self, request_uuid: UUID) -> SubsidyRequest | None:
        query = SubsidyRequestRecord.objects.filter(uuid=request_uuid)
        if transaction.get_connection().in_atomic_block:  # without the inbox a handler runs in autocommit
            query = query.select_for_update()
        record = query.first()
        return None if record is None else value(record)

    def save_request(self, request: SubsidyRequest) -> None:
        SubsidyRequestRecord.objects.filter(uuid=request.uuid).update(**columns(request))
        _faults.wrote()

    def auto_enrollment(self, enterprise_customer_uuid: UUID) -> bool | None:
        configuration = CustomerConfiguration.objects.filter(enterprise_customer_uuid=enterprise_customer_uuid).first()
        return None if configuration is None else bool(configuration.attempt_auto_enrollment)

    def add_email(self, email: Email) -> None:
        EmailRecord.objects.create(**attrs.asdict(email))
        _faults.wrote()

    def add_ignored(self, ignored: Ignored) -> None:
        IgnoredAssignment.record(ignored)
        _faults.wrote()
