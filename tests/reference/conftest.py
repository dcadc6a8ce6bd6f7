from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from uuid import UUID

import pytest
import subsidy_samples as samples
from subsidy_samples import COUPON, CUSTOMER, PLAN

from openedx_subsidy_events.reference import Ecommerce, EnterpriseAccess, LicenseManager

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


AddRequest = Callable[..., UUID]


@pytest.fixture
def add_license_request() -> AddRequest:
    """``add_license_request(service, **overrides)``: store a license request in state requested."""
    return samples.add_license_request


@pytest.fixture
def add_coupon_code_request() -> AddRequest:
    """``add_coupon_code_request(service, **overrides)``: store a coupon-code request in state requested."""
    return samples.add_coupon_code_request
