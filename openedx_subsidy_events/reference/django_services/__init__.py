"""The three reference services as Django services: models, migrations, the outbox and the inbox.

Each of ``enterprise_access``, ``license_manager`` and ``ecommerce`` is a Django app whose store
(``store.py``) keeps the service's state in its models, so the logic is the one of
:mod:`openedx_subsidy_events.reference`, the quick demo's, run on a database. A process of a
service is ``python -m openedx_subsidy_events.reference.django_services`` (its ``manage.py``)
with the service, its database and the bus in environment variables (``django_services.settings``); its
settings are the ones ``docs/howto-nothing-lost.rst`` gives a real service. ``subsidy-events demo
--services django`` runs them as separate processes and kills them (:mod:`openedx_subsidy_events.demo`).

Needs the ``[openedx]`` extra and a bus's (``[redis]`` or ``[kafka]``).
"""

from __future__ import annotations

from ._topology import SERVICES, Service

__all__ = ["SERVICES", "Service"]
