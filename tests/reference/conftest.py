from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from uuid import UUID

import pytest

from openedx_subsidy_events.reference import Ecommerce, EnterpriseAccess, LicenseManager

CUSTOMER = UUID("8d1f6f0e-1b7c-4f4e-8a43-0f3c2f5b9c22")
PLAN = UUID("0b8e7c2a-3d4f-4a9b-8c1d-5e6f7a8b9c33")
COUPON = 42
NOW = datetime(2026, 3, 2, 10, 15, tzinfo=UTC)


def _clock() -> datetime:
    return NOW


@pytest.fixture
def enterprise_access() -> Iterator[EnterpriseAccess]:
    service = EnterpriseAccess(clock=_clock)
    service.connect()
    yield service
    service.disconnect()


@pytest.fixture
def license_manager() -> Iterator[LicenseManager]:
    service = LicenseManager(clock=_clock)
    service.add_plan(PLAN, CUSTOMER)
    service.connect()
    yield service
    service.disconnect()


@pytest.fixture
def ecommerce() -> Iterator[Ecommerce]:
    service = Ecommerce(clock=_clock)
    service.add_coupon(COUPON, CUSTOMER)
    service.connect()
    yield service
    service.disconnect()


def _add_license_request(service: EnterpriseAccess, **overrides: object) -> UUID:
    fields: dict[str, object] = {
        "lms_user_id": 17,
        "user_email": "learner@example.com",
        "enterprise_customer_uuid": CUSTOMER,
        "subscription_plan_uuid": PLAN,
        "course_id": "edX+DemoX",
        "course_run_key": "course-v1:edX+DemoX+2T2026",
    }
    fields.update(overrides)
    return service.add_request("license", **fields).uuid


def _add_coupon_code_request(service: EnterpriseAccess, **overrides: object) -> UUID:
    fields: dict[str, object] = {
        "lms_user_id": 17,
        "user_email": "learner@example.com",
        "enterprise_customer_uuid": CUSTOMER,
        "coupon_id": COUPON,
        "course_id": "edX+DemoX",
    }
    fields.update(overrides)
    return service.add_request("coupon_code", **fields).uuid


AddRequest = Callable[..., UUID]


@pytest.fixture
def add_license_request() -> AddRequest:
    """``add_license_request(service, **overrides)``: store a license request in state requested."""
    return _add_license_request


@pytest.fixture
def add_coupon_code_request() -> AddRequest:
    """``add_coupon_code_request(service, **overrides)``: store a coupon-code request in state requested."""
    return _add_coupon_code_request
