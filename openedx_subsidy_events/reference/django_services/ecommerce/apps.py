"""The app of reference ecommerce."""

from __future__ import annotations

from typing import Any

from .._apps import ServiceConfig


class EcommerceConfig(ServiceConfig):
    """Reference ecommerce: receives *coupon-code request approved*, assigns a code, answers."""

    name = "openedx_subsidy_events.reference.django_services.ecommerce"
    label = "reference_ecommerce"
    verbose_name = "Reference ecommerce"
    service = "ecommerce"
    default = True

    def make_service(self) -> Any:
        from ...ecommerce import Ecommerce
        from .store import store

        return Ecommerce(store=store())
