"""A Pact message provider for the tests (on ``pythonpath``): the official verifier over exported pacts.

Messages are built the way a producer's provider test builds them: by running the reference services
(:mod:`openedx_subsidy_events.reference`) on a request made from the interaction's example, so that
every value the service chooses itself (times, license uuids, coupon codes) differs from the example;
or straight from the payload classes (the example read into a payload and written back).
"""

from __future__ import annotations

import contextlib
import gc
import json
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from pact import Verifier

from openedx_subsidy_events import (
    COUPON_CODE_ASSIGNED,
    COUPON_CODE_REQUEST_APPROVED,
    LICENSE_ASSIGNED,
    LICENSE_REQUEST_APPROVED,
    EventDefinition,
    get_event,
)
from openedx_subsidy_events.contracts import Contract
from openedx_subsidy_events.reference import Ecommerce, EnterpriseAccess, LicenseManager

Record = dict[str, Any]
Build = Callable[[EventDefinition[Any], Mapping[str, Any]], Record]


def _request(service: EnterpriseAccess, kind: str, event: Mapping[str, Any], plan: UUID, coupon: int) -> UUID:
    request = service.add_request(
        kind,  # type: ignore[arg-type]
        uuid=UUID(event["subsidy_request_uuid"]),
        lms_user_id=event.get("lms_user_id") or 17,
        user_email=event["user_email"],
        enterprise_customer_uuid=UUID(event["enterprise_customer_uuid"]),
        course_id=event.get("course_id"),
        course_run_key=event.get("course_run_key"),
        subscription_plan_uuid=plan if kind == "license" else None,
        coupon_id=coupon if kind == "coupon_code" else None,
    )
    return request.uuid


def from_reference_services(definition: EventDefinition[Any], event: Mapping[str, Any]) -> Record:
    """The event of ``definition`` that the reference services send for a request made from ``event``."""
    sent: list[tuple[EventDefinition[Any], Any]] = []
    kind = "license" if definition in (LICENSE_REQUEST_APPROVED, LICENSE_ASSIGNED) else "coupon_code"
    plan = UUID(event.get("subscription_plan_uuid") or "0b8e7c2a-3d4f-4a9b-8c1d-5e6f7a8b9c33")
    coupon = event.get("coupon_id") or 42
    access = EnterpriseAccess(
        auto_enroll=event.get("attempt_auto_enrollment", True), send_approved=lambda d, p: sent.append((d, p))
    )
    request = _request(access, kind, event, plan, coupon)
    access.approve(request, reviewer_lms_user_id=event.get("reviewer_lms_user_id") or 3)
    (approved,) = (payload for _, payload in sent)
    customer = UUID(event["enterprise_customer_uuid"])
    if definition is LICENSE_ASSIGNED:
        manager = LicenseManager(send_assigned=lambda p: sent.append((LICENSE_ASSIGNED, p)))
        manager.add_plan(plan, customer)
        manager.handle_license_request_approved(license_request=approved)
    elif definition is COUPON_CODE_ASSIGNED:
        ecommerce = Ecommerce(send_assigned=lambda p: sent.append((COUPON_CODE_ASSIGNED, p)))
        ecommerce.add_coupon(coupon, customer)
        ecommerce.handle_coupon_code_request_approved(coupon_code_request=approved)
    else:
        assert definition in (LICENSE_REQUEST_APPROVED, COUPON_CODE_REQUEST_APPROVED)
    (payload,) = (payload for sender, payload in sent if sender is definition)
    return definition.to_record(payload)


def from_payload_classes(definition: EventDefinition[Any], event: Mapping[str, Any]) -> Record:
    """The example read into the payload class and written back as its record."""
    return definition.to_record(definition.from_record({definition.data_key: dict(event)}))


def verify(
    pacts: Iterable[Path],
    contracts: Iterable[Contract],
    *,
    build: Build,
    corrupt: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Run the official verifier (pact_ffi) over each pact file; the mismatches of each interaction by description.

    ``corrupt`` changes the payload of each message before it is sent (to check that the pacts refuse it).
    """
    examples = {f"{c.event_type}: {e.name}": (c.event_type, e.event) for c in contracts for e in c.examples}
    outcome: dict[str, list[dict[str, Any]]] = {}

    def produce(name: str, metadata: dict[str, Any] | None) -> dict[str, Any]:
        event_type, event = examples[name]
        definition = get_event(event_type)
        record = build(definition, event)
        if corrupt is not None:
            corrupt(record[definition.data_key])
        return {"contents": json.dumps(record).encode(), "metadata": None, "content_type": "application/json"}

    for path in pacts:
        pact = json.loads(path.read_text())
        with warnings.catch_warnings():
            # pact-python 4.2.0 shuts its message server down without closing its socket.
            warnings.simplefilter("ignore", ResourceWarning)
            verifier = Verifier(pact["provider"]["name"]).set_coloured_output(enabled=False)
            verifier.message_handler(produce).add_source(path)
            with contextlib.suppress(RuntimeError):  # a failed verification: its failures are in the results
                verifier.verify()
            results = verifier.results
            del verifier
            gc.collect()
        if len(results.get("interactionResults", [])) != len(pact["interactions"]):
            pytest.fail(f"the verifier did not verify every interaction of {path.name}: {results}")
        for result in results["interactionResults"]:
            mismatches = result.get("mismatch", {}).get("mismatches", [])
            if result["result"].upper() != "OK" and not mismatches:
                mismatches = [{"mismatch": json.dumps(result), "path": ""}]
            outcome[result["description"]] = mismatches
    return outcome
