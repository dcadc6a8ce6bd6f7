"""Reference implementations of the three services' event handling: the ADR flow, small and readable.

They are the package's own test bed (its contract tests run on them exactly as a real service's
would) and the examples services copy: correlation by ``subsidy_request_uuid``, idempotent on
redelivery, unknown requests ignored safely, side effects recorded in a store: in memory by default
(:class:`MemoryEnterpriseAccessStore`, :class:`MemoryGrantStore`), in Django models in
:mod:`openedx_subsidy_events.reference.django_services`, the same logic either way.

* :class:`EnterpriseAccess` approves requests (sending *approved* events) and consumes *assigned* events.
* :class:`LicenseManager` and :class:`Ecommerce` consume *approved* events and answer with *assigned* ones.
* :func:`make_app` is enterprise-access's small OpenAPI-described HTTP API (WSGI, standard library only).
"""

from ._records import Coupon, Email, EnrollmentRequest, Ignored, SubscriptionPlan, SubsidyRequest
from ._stores import EnterpriseAccessStore, GrantStore, MemoryEnterpriseAccessStore, MemoryGrantStore
from .api import OPENAPI, make_app
from .ecommerce import Ecommerce
from .enterprise_access import EnterpriseAccess
from .license_manager import LicenseManager

__all__ = [
    "OPENAPI",
    "Coupon",
    "Ecommerce",
    "Email",
    "EnrollmentRequest",
    "EnterpriseAccess",
    "EnterpriseAccessStore",
    "GrantStore",
    "Ignored",
    "LicenseManager",
    "MemoryEnterpriseAccessStore",
    "MemoryGrantStore",
    "SubscriptionPlan",
    "SubsidyRequest",
    "make_app",
]
