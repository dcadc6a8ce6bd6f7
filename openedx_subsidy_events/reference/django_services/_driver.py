"""What the demo asks of a service beyond its own commands: set itself up, and approve as an admin would.

``setup`` migrates the service's database and creates what the flow needs: the requests and the
customer's configuration in enterprise-access, the plan in license-manager, the coupon in
ecommerce. ``approve`` is enterprise-access's admin: it approves every request still
``requested``, one transaction each, through the reference logic (so the *approved* event is
sent as the service sends it), and rolls back the approvals :func:`rolls_back` names *after*
the send. Killed and started again, it goes on with the requests still ``requested``.
"""

from __future__ import annotations

import hashlib
import random
import time
from typing import Any
from uuid import UUID

REVIEWER_LMS_USER_ID = 7
COURSE_ID = "edX+DemoX"
COURSE_RUN_KEY = "course-v1:edX+DemoX+2T2026"

__all__ = ["approve", "rolls_back", "setup"]


def rolls_back(request_uuid: UUID, share: float) -> bool:
    """Whether the approval of this request is rolled back after its send: a stable ``share`` of requests."""
    digest = hashlib.sha256(request_uuid.bytes).digest()
    return int.from_bytes(digest[:8], "big") < share * 2**64


def request_uuids(requests: int, seed: int) -> list[UUID]:
    """The uuids of a run's requests: the same for the same seed."""
    rng = random.Random(seed)
    return [UUID(int=rng.getrandbits(128), version=4) for _ in range(requests)]


def setup(service: str, *, requests: int, seed: int) -> None:
    """Migrate this service's database and create what a run of ``requests`` needs."""
    from django.core.management import call_command
    from django.db import transaction

    from .._topology import COUPON_ID, CUSTOMER, PLAN

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        if service == "enterprise-access":
            _add_requests(requests, seed, customer=CUSTOMER, plan=PLAN, coupon_id=COUPON_ID)
        elif service == "license-manager":
            from ..license_manager import LicenseManager
            from .license_manager.store import store

            LicenseManager(store=store()).add_plan(PLAN, CUSTOMER, licenses=requests)
        else:
            from ..ecommerce import Ecommerce
            from .ecommerce.store import store as coupon_store

            Ecommerce(store=coupon_store()).add_coupon(COUPON_ID, CUSTOMER, codes=requests)


def _add_requests(requests: int, seed: int, *, customer: UUID, plan: UUID, coupon_id: int) -> None:
    from .._records import SubsidyRequest
    from .enterprise_access.models import CustomerConfiguration, SubsidyRequestRecord
    from .enterprise_access.store import columns

    CustomerConfiguration.objects.create(enterprise_customer_uuid=customer, attempt_auto_enrollment=True)
    records = []
    for index, request_uuid in enumerate(request_uuids(requests, seed)):
        kind: dict[str, Any] = (
            {"kind": "license", "subscription_plan_uuid": plan}
            if index % 2 == 0
            else {"kind": "coupon_code", "coupon_id": coupon_id}
        )
        request = SubsidyRequest(
            uuid=request_uuid,
            lms_user_id=1000 + index,
            user_email=f"learner{index}@example.com",
            enterprise_customer_uuid=customer,
            course_id=COURSE_ID,
            course_run_key=COURSE_RUN_KEY,
            **kind,
        )
        records.append(SubsidyRequestRecord(**columns(request)))
    SubsidyRequestRecord.objects.bulk_create(records, batch_size=500)


class _RollBack(Exception):
    """Raised inside an approval's transaction, after its send, to roll it back."""


def approve(*, rollback_share: float, rate: float | None, warm_up: int = 0) -> int:
    """Approve every request still ``requested`` (at most ``rate`` a second); the number approved or rolled back.

    The first ``warm_up`` requests are approved alone, and the rest only once they are fulfilled:
    every process of the flow is then running (a Kafka consumer group takes seconds to form).
    """
    from django.db import transaction

    from ..enterprise_access import EnterpriseAccess
    from .enterprise_access.models import SubsidyRequestRecord
    from .enterprise_access.store import DjangoEnterpriseAccessStore

    service = EnterpriseAccess(store=DjangoEnterpriseAccessStore())
    pending = list(SubsidyRequestRecord.objects.filter(state="requested").order_by("id").values_list("uuid", flat=True))
    interval = 1 / rate if rate else 0.0
    due = time.monotonic()
    for index, request_uuid in enumerate(pending):
        if index == warm_up > 0:
            _wait_until_fulfilled(pending[:warm_up], rollback_share)
            due = time.monotonic()
        if interval:
            time.sleep(max(0.0, due - time.monotonic()))
            due += interval
        try:
            with transaction.atomic():
                service.approve(request_uuid, reviewer_lms_user_id=REVIEWER_LMS_USER_ID)
                if rolls_back(request_uuid, rollback_share):
                    raise _RollBack
        except _RollBack:
            pass
    return len(pending)


def _wait_until_fulfilled(uuids: list[UUID], rollback_share: float, timeout: float = 300.0) -> None:
    from .enterprise_access.models import SubsidyRequestRecord

    committed = [u for u in uuids if not rolls_back(u, rollback_share)]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if SubsidyRequestRecord.objects.filter(uuid__in=committed, state="fulfilled").count() == len(committed):
            return
        time.sleep(0.05)
