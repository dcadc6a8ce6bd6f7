"""The ADR flow end to end through a bus: approve → assign → fulfilled + email, counted and reconciled.

Three reference services, each with its own consumer group: enterprise-access approves requests
(half license, half coupon code) and sends *approved* events; license-manager and ecommerce
consume them and answer with *assigned* events; enterprise-access consumes those, marks each
request ``fulfilled`` and records the email. A ledger of every event sent checks each delivery:
the payload and metadata received must be the ones sent (else *corrupted*), every event must
reach every group reading its topic (else *lost*), and no request may get two emails or two
grants (*duplicated* effects; a redelivery is normal and counted apart).
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import attrs

from ..envelope import EventMetadata
from ..events import (
    COUPON_CODE_ASSIGNED,
    COUPON_CODE_REQUEST_APPROVED,
    LICENSE_ASSIGNED,
    LICENSE_REQUEST_APPROVED,
    EventDefinition,
)
from ..integrations.bus import Bus, WireEvent
from ..reference import Ecommerce, EnterpriseAccess, LicenseManager
from ..reference._topology import (
    COUPON_ID,
    COUPONS_TOPIC,
    CUSTOMER,
    LICENSES_TOPIC,
    PLAN,
    READERS,
    REQUESTS_TOPIC,
    TOPIC_OF,
)
from ..states import SubsidyRequestState

__all__ = ["DemoResult", "run_flow"]


@attrs.frozen
class DemoResult:
    """The summary of one run (``--format json`` prints it).

    .. versionadded:: 0.1.0
    """

    bus: str
    requests: int
    events_per_type: dict[str, int]
    fulfilled: int
    emails: int
    lost: int
    duplicated: int
    corrupted: int
    redelivered: int
    latency_p50_ms: float
    latency_p99_ms: float
    seconds: float
    events_per_second: float

    @property
    def ok(self) -> bool:
        """Every request fulfilled, nothing lost, duplicated or corrupted."""
        return self.fulfilled == self.requests and not (self.lost or self.duplicated or self.corrupted)


class _Ledger:
    """Every event sent, and what each consumer group received of it."""

    def __init__(self) -> None:
        self.sent: dict[UUID, tuple[EventDefinition[Any], Any, EventMetadata]] = {}
        self.received: collections.Counter[tuple[str, UUID]] = collections.Counter()
        self.corrupted = 0

    def on_send(self, definition: EventDefinition[Any], payload: Any, metadata: EventMetadata) -> None:
        self.sent[metadata.id] = (definition, payload, metadata)

    def on_receive(self, group: str, definition: EventDefinition[Any], payload: Any, metadata: EventMetadata) -> bool:
        """Record a delivery; whether it is the first of this event to this group and intact."""
        original = self.sent.get(metadata.id)
        if original is None or original != (definition, payload, metadata):
            self.corrupted += 1
            return False
        self.received[(group, metadata.id)] += 1
        return self.received[(group, metadata.id)] == 1

    def lost(self) -> int:
        return sum(
            1
            for event_id, (definition, _, _) in self.sent.items()
            for group in READERS[TOPIC_OF[definition.event_type]]
            if not self.received[(group, event_id)]
        )

    def redelivered(self) -> int:
        return sum(count - 1 for count in self.received.values())


def percentile(values: list[float], fraction: float) -> float:
    """The value at ``fraction`` of the sorted values (nearest rank); 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


Trace = Callable[[UUID, float, str], None]
"""Called with (request uuid, milliseconds since the first approval, what happened) for the traced requests."""


def run_flow(
    bus: Bus,
    *,
    requests: int,
    trace: Trace | None = None,
    traced: int = 3,
    progress: Callable[[int, int], None] | None = None,
    timeout: float = 60.0,
) -> DemoResult:
    """Run ``requests`` subsidy requests through the flow on ``bus`` and reconcile every count."""
    ledger = _Ledger()
    approved_at: dict[UUID, float] = {}
    fulfilled_at: dict[UUID, float] = {}
    traced_uuids: list[UUID] = []

    def send(definition: EventDefinition[Any], payload: Any) -> None:
        metadata = EventMetadata(event_type=definition.event_type, minorversion=definition.minor_version)
        ledger.on_send(definition, payload, metadata)
        event = WireEvent.build(definition, payload, topic=TOPIC_OF[definition.event_type], metadata=metadata)
        result = bus.publish([event])
        if result.error is not None:
            raise ConnectionError(f"{bus.bus}: the event was not acknowledged: {result.error}")

    def note(request_uuid: UUID, when: float, text: str) -> None:
        if trace is not None and request_uuid in traced_uuids:
            trace(request_uuid, (when - start) * 1000, text)

    enterprise_access = EnterpriseAccess(send_approved=send)
    license_manager = LicenseManager(send_assigned=lambda payload: send(LICENSE_ASSIGNED, payload))
    ecommerce = Ecommerce(send_assigned=lambda payload: send(COUPON_CODE_ASSIGNED, payload))
    license_manager.add_plan(PLAN, CUSTOMER, licenses=requests)
    ecommerce.add_coupon(COUPON_ID, CUSTOMER, codes=requests)

    def observe(group: str, definition: EventDefinition[Any], request_uuid: UUID) -> None:
        """Trace a handled event, and stamp the request's fulfilment when it happens."""
        now = time.perf_counter()
        note(request_uuid, now, f"{group} handled {definition.event_type}")
        request = enterprise_access.requests.get(request_uuid)
        if group != "enterprise-access" or request is None or request_uuid in fulfilled_at:
            return
        if request.state is SubsidyRequestState.FULFILLED:
            fulfilled_at[request_uuid] = now
            note(request_uuid, now, "the request is fulfilled; the approval email is recorded")

    def receiver(group: str, handlers: dict[str, Callable[..., Any]]) -> Callable[..., None]:
        def deliver(definition: EventDefinition[Any], payload: Any, metadata: EventMetadata) -> None:
            if not ledger.on_receive(group, definition, payload, metadata):
                return  # a redelivery or a corrupted event: counted, not handled again
            handler = handlers.get(definition.event_type)
            if handler is not None:  # the other granting service's requests share the topic
                handler(**{definition.data_key: payload})
                observe(group, definition, payload.subsidy_request_uuid)

        return deliver

    license_requests: dict[str, Callable[..., Any]] = {
        LICENSE_REQUEST_APPROVED.event_type: license_manager.handle_license_request_approved
    }
    coupon_requests: dict[str, Callable[..., Any]] = {
        COUPON_CODE_REQUEST_APPROVED.event_type: ecommerce.handle_coupon_code_request_approved
    }
    assignments: dict[str, Callable[..., Any]] = {
        LICENSE_ASSIGNED.event_type: enterprise_access.handle_license_assigned,
        COUPON_CODE_ASSIGNED.event_type: enterprise_access.handle_coupon_code_assigned,
    }
    bus.subscribe("license-manager", [REQUESTS_TOPIC], receiver("license-manager", license_requests))
    bus.subscribe("ecommerce", [REQUESTS_TOPIC], receiver("ecommerce", coupon_requests))
    bus.subscribe("enterprise-access", [LICENSES_TOPIC, COUPONS_TOPIC], receiver("enterprise-access", assignments))

    uuids = []
    for index in range(requests):
        common = {
            "uuid": uuid4(),
            "lms_user_id": 1000 + index,
            "user_email": f"learner{index}@example.com",
            "enterprise_customer_uuid": CUSTOMER,
            "course_id": "edX+DemoX",
        }
        if index % 2 == 0:
            request = enterprise_access.add_request("license", subscription_plan_uuid=PLAN, **common)
        else:
            request = enterprise_access.add_request("coupon_code", coupon_id=COUPON_ID, **common)
        uuids.append(request.uuid)
    traced_uuids.extend(uuids[:traced])

    start = time.perf_counter()
    batch = 100
    for offset in range(0, requests, batch):
        for request_uuid in uuids[offset : offset + batch]:
            approved_at[request_uuid] = time.perf_counter()
            kind = enterprise_access.requests[request_uuid].kind.replace("_", "-")
            note(request_uuid, approved_at[request_uuid], f"an admin approves the {kind} request")
            enterprise_access.approve(request_uuid, reviewer_lms_user_id=7)
        bus.pump()
        if progress is not None:
            progress(len(fulfilled_at), requests)
    last_progress = time.monotonic()
    while len(fulfilled_at) < requests and time.monotonic() - last_progress < timeout:
        if bus.pump():
            last_progress = time.monotonic()
        if progress is not None:
            progress(len(fulfilled_at), requests)
    for _ in range(3):  # late redeliveries and stragglers still count
        bus.pump()
    seconds = time.perf_counter() - start
    if progress is not None:
        progress(len(fulfilled_at), requests)

    duplicated = _duplicated_effects(enterprise_access, license_manager, ecommerce, requests)
    per_type = collections.Counter(definition.event_type for definition, _, _ in ledger.sent.values())
    latencies = [(fulfilled_at[u] - approved_at[u]) * 1000 for u in fulfilled_at]
    events = len(ledger.sent)
    return DemoResult(
        bus=bus.bus,
        requests=requests,
        events_per_type=dict(sorted(per_type.items())),
        fulfilled=sum(1 for r in enterprise_access.requests.values() if r.state is SubsidyRequestState.FULFILLED),
        emails=len(enterprise_access.outbox),
        lost=ledger.lost(),
        duplicated=duplicated,
        corrupted=ledger.corrupted,
        redelivered=ledger.redelivered(),
        latency_p50_ms=round(percentile(latencies, 0.5), 2),
        latency_p99_ms=round(percentile(latencies, 0.99), 2),
        seconds=round(seconds, 3),
        events_per_second=round(events / seconds, 1) if seconds else 0.0,
    )


def _duplicated_effects(
    enterprise_access: EnterpriseAccess, license_manager: LicenseManager, ecommerce: Ecommerce, requests: int
) -> int:
    """Effects that happened more than once for one request: emails, enrollments, licenses or codes granted."""
    emails = collections.Counter(email.subsidy_request_uuid for email in enterprise_access.outbox)
    enrollments = collections.Counter(
        enrollment.subsidy_request_uuid for enrollment in [*license_manager.enrollments, *ecommerce.enrollments]
    )
    licenses_granted = requests - license_manager.plans[PLAN].licenses_left
    codes_granted = requests - ecommerce.coupons[COUPON_ID].codes_left
    repeats = sum(n - 1 for n in emails.values()) + sum(n - 1 for n in enrollments.values())
    return (
        repeats
        + max(0, licenses_granted - len(license_manager.assignments))
        + max(0, codes_granted - len(ecommerce.assignments))
    )
