"""The app of reference license-manager."""

from __future__ import annotations

from typing import Any

from .._apps import ServiceConfig


class LicenseManagerConfig(ServiceConfig):
    """Reference license-manager: receives *license request approved*, assigns a license, answers."""

    name = "openedx_subsidy_events.reference.django_services.license_manager"
    label = "reference_license_manager"
    verbose_name = "Reference license-manager"
    service = "license-manager"
    default = True

    def make_service(self) -> Any:
        from ...license_manager import LicenseManager
        from .store import store

        return LicenseManager(store=store())
