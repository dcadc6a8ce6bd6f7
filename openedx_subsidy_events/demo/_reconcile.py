"""Counting a Django services run from the three databases: what happened, and what must not have.

Run in the demo's own process with :func:`~openedx_subsidy_events.reference.django_services._settings.monitor_settings`
(each service's database under its app label). Every figure comes from the services' tables, the
outbox and the inbox, not from what the processes said: a process killed mid-way says nothing.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

__all__ = ["Progress", "Tally", "progress", "tally"]

EA, LM, EC = "reference_enterprise_access", "reference_license_manager", "reference_ecommerce"
ALIASES = (EA, LM, EC)


@attrs.frozen
class Progress:
    """Where a run is: requests by state, and outbox rows not yet published in each database."""

    states: dict[str, int]
    unsent: int

    @property
    def fulfilled(self) -> int:
        return self.states.get("fulfilled", 0)

    @property
    def awaiting(self) -> int:
        """Approvals committed, not yet fulfilled."""
        return self.states.get("approved", 0)


def progress() -> Progress:
    """The run's progress now (a few cheap queries)."""
    from django.db.models import Count

    from ..integrations.django_app.models import OutboxEvent
    from ..reference.django_services.enterprise_access.models import SubsidyRequestRecord

    rows = SubsidyRequestRecord.objects.using(EA).values("state").annotate(n=Count("id"))
    unsent = sum(OutboxEvent.objects.using(alias).filter(sent_at__isnull=True).count() for alias in ALIASES)
    return Progress(states={row["state"]: row["n"] for row in rows}, unsent=unsent)


@attrs.frozen(kw_only=True)
class Tally:
    """The reconciled counts of a run (see :class:`~openedx_subsidy_events.demo.ServicesResult`)."""

    approved: int
    rolled_back: int
    fulfilled: int
    granted: int
    emails: int
    enrollments: int
    lost: int
    duplicated: int
    counterfactual: int
    corrupted: int
    events: int
    latencies_ms: list[float]
    first_approval: datetime | None
    last_fulfilment: datetime | None
    traces: dict[UUID, list[tuple[datetime, str]]]


def _by_request(rows: Iterable[dict[str, Any]]) -> dict[UUID, list[dict[str, Any]]]:
    grouped: dict[UUID, list[dict[str, Any]]] = collections.defaultdict(list)
    for row in rows:
        grouped[row["subsidy_request_uuid"]].append(row)
    return grouped


def tally(*, rolled_back: set[UUID], traced: int) -> Tally:
    """Reconcile the three databases; ``rolled_back`` are the requests whose approval was rolled back."""
    from ..integrations.django_app.models import OutboxEvent
    from ..reference.django_services.ecommerce.models import CouponCodeRecord, CouponEnrollment, CouponRecord
    from ..reference.django_services.enterprise_access.models import (
        CustomerConfiguration,
        EmailRecord,
        SubsidyRequestRecord,
    )
    from ..reference.django_services.license_manager.models import (
        LicenseEnrollment,
        LicenseRecord,
        SubscriptionPlanRecord,
    )

    requests = {row["uuid"]: row for row in SubsidyRequestRecord.objects.using(EA).order_by("id").values()}
    configurations = CustomerConfiguration.objects.using(EA)
    auto_enroll = {row.enterprise_customer_uuid: row.attempt_auto_enrollment for row in configurations}
    emails = _by_request(EmailRecord.objects.using(EA).values())
    grants = _by_request([*LicenseRecord.objects.using(LM).values(), *CouponCodeRecord.objects.using(EC).values()])
    enrollments = _by_request(
        [*LicenseEnrollment.objects.using(LM).values(), *CouponEnrollment.objects.using(EC).values()]
    )
    sent_for = collections.Counter(
        UUID(key) for key in OutboxEvent.objects.using(EA).values_list("key", flat=True)
    )  # the approved events in the outbox, by request
    size = len(requests)  # the set-up gives each pool one license or code per request
    taken = sum(size - plan.licenses_left for plan in SubscriptionPlanRecord.objects.using(LM))
    taken += sum(size - coupon.codes_left for coupon in CouponRecord.objects.using(EC))

    committed = {u: r for u, r in requests.items() if r["state"] in ("approved", "fulfilled")}
    lost = duplicated = counterfactual = corrupted = 0
    for request_uuid, request in committed.items():
        expects_enrollment = bool(auto_enroll.get(request["enterprise_customer_uuid"], True) and request["course_id"])
        effects = (grants[request_uuid], emails[request_uuid], enrollments[request_uuid] if expects_enrollment else [0])
        lost += request["state"] != "fulfilled" or not all(effects)
        copies = (grants[request_uuid], emails[request_uuid], enrollments[request_uuid])
        duplicated += sum(max(0, len(rows) - 1) for rows in copies)
        corrupted += _disagreements(request, grants[request_uuid], emails[request_uuid], enrollments[request_uuid])
    duplicated += max(0, taken - sum(len(rows) for rows in grants.values()))  # a pool used without a grant row
    for request_uuid in rolled_back:
        request = requests.get(request_uuid)
        approved = request is not None and request["state"] != "requested"
        sent = sent_for[request_uuid]
        counterfactual += approved or bool(
            sent or grants[request_uuid] or emails[request_uuid] or enrollments[request_uuid]
        )
    strangers = (set(grants) | set(emails) | set(enrollments)) - set(requests)
    corrupted += len(strangers)  # effects for no request at all

    latencies = [
        (r["fulfilled_at"] - r["reviewed_at"]).total_seconds() * 1000
        for r in committed.values()
        if r["fulfilled_at"] is not None and r["reviewed_at"] is not None
    ]
    reviewed = [r["reviewed_at"] for r in committed.values() if r["reviewed_at"] is not None]
    fulfilled_at = [r["fulfilled_at"] for r in committed.values() if r["fulfilled_at"] is not None]
    granted_requests = sum(1 for rows in grants.values() if rows)
    return Tally(
        approved=len(committed) + len(rolled_back),
        rolled_back=len(rolled_back),
        fulfilled=sum(1 for r in committed.values() if r["state"] == "fulfilled"),
        granted=sum(len(rows) for rows in grants.values()),
        emails=sum(len(rows) for rows in emails.values()),
        enrollments=sum(len(rows) for rows in enrollments.values()),
        lost=lost,
        duplicated=duplicated,
        counterfactual=counterfactual,
        corrupted=corrupted,
        events=len(committed) + granted_requests,
        latencies_ms=latencies,
        first_approval=min(reviewed, default=None),
        last_fulfilment=max(fulfilled_at, default=None),
        traces=_traces([u for u in requests if u in committed][:traced], requests, grants),
    )


def _disagreements(
    request: dict[str, Any],
    grants: list[dict[str, Any]],
    emails: list[dict[str, Any]],
    enrollments: list[dict[str, Any]],
) -> int:
    """Effects whose data are not the request's: another learner, customer or course, or a grant not stored."""
    learner, customer = request["user_email"], request["enterprise_customer_uuid"]
    wrong = sum(g["user_email"] != learner or g["enterprise_customer_uuid"] != customer for g in grants)
    wrong += sum(e["to"] != request["user_email"] for e in emails)
    course = request["course_run_key"] or request["course_id"]
    wrong += sum(e["lms_user_id"] != request["lms_user_id"] or e["course"] != course for e in enrollments)
    if request["state"] == "fulfilled" and grants:
        stored = request["license_uuid"] if request["kind"] == "license" else request["coupon_code"]
        wrong += stored not in {g.get("license_uuid", g.get("coupon_code")) for g in grants}
    return int(wrong)


def _traces(
    uuids: list[UUID], requests: dict[UUID, dict[str, Any]], grants: dict[UUID, list[dict[str, Any]]]
) -> dict[UUID, list[tuple[datetime, str]]]:
    """What happened to each traced request, from the timestamps the services and the outboxes kept."""
    from ..integrations.django_app.models import OutboxEvent

    traces: dict[UUID, list[tuple[datetime, str]]] = {}
    for request_uuid in uuids:
        request = requests[request_uuid]
        granter, alias = ("license-manager", LM) if request["kind"] == "license" else ("ecommerce", EC)
        kind = request["kind"].replace("_", "-")
        approval = f"enterprise-access: an admin approves the {kind} request (one transaction with its outbox row)"
        steps = [(request["reviewed_at"], approval)]
        for owner, db in (("enterprise-access", EA), (granter, alias)):
            for row in OutboxEvent.objects.using(db).filter(key=str(request_uuid)).order_by("id"):
                if row.sent_at is not None:
                    steps.append((row.sent_at, f"{owner}'s relay publishes {row.event_type}"))
        for grant in grants[request_uuid][:1]:
            what = "a license" if request["kind"] == "license" else "a coupon code"
            steps.append(
                (grant["assigned_at"], f"{granter}: assigns {what} (inbox entry, grant, outbox row: one transaction)")
            )
        if request["fulfilled_at"] is not None:
            steps.append(
                (request["fulfilled_at"], "enterprise-access: the request is fulfilled; the email is recorded")
            )
        traces[request_uuid] = sorted((when, text) for when, text in steps if when is not None)
    return traces
