"""The app of reference enterprise-access."""

from __future__ import annotations

from typing import Any

from .._apps import ServiceConfig


class EnterpriseAccessConfig(ServiceConfig):
    """Reference enterprise-access: receives *assigned* events, fulfils the request, records the email."""

    name = "openedx_subsidy_events.reference.django_services.enterprise_access"
    label = "reference_enterprise_access"
    verbose_name = "Reference enterprise-access"
    service = "enterprise-access"
    default = True

    def make_service(self) -> Any:
        from ...enterprise_access import EnterpriseAccess
        from .store import DjangoEnterpriseAccessStore

        return EnterpriseAccess(store=DjangoEnterpriseAccessStore())
