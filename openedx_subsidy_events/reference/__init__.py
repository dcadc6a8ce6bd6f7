"""Reference implementations of the three services' event handling: the ADR flow, small and readable.

They are the package's own test bed (its contract tests run on them exactly as a real service's
would) and the examples services copy: correlation by ``subsidy_request_uuid``, idempotent on
redelivery, unknown requests ignored safely, side effects recorded in in-memory outboxes.

* :class:`EnterpriseAccess` approves requests (sending *approved* events) and consumes *assigned* events.
* :class:`LicenseManager` and :class:`Ecommerce` consume *approved* events and answer with *assigned* ones.
* :func:`make_app` is enterprise-access's small OpenAPI-described HTTP API (WSGI, standard library only).
"""

from ._outbox import Email, EnrollmentRequest, Ignored
from .api import OPENAPI, make_app
from .ecommerce import Coupon, Ecommerce
from .enterprise_access import EnterpriseAccess, SubsidyRequest
from .license_manager import LicenseManager, SubscriptionPlan

__all__ = [
    "OPENAPI",
    "Coupon",
    "Ecommerce",
    "Email",
    "EnrollmentRequest",
    "EnterpriseAccess",
    "Ignored",
    "LicenseManager",
    "SubscriptionPlan",
    "SubsidyRequest",
    "make_app",
]
