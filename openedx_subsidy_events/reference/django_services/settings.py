"""``DJANGO_SETTINGS_MODULE`` of a reference service's processes, from environment variables.

``SUBSIDY_REFERENCE_SERVICE`` (``enterprise-access``, ``license-manager``, ``ecommerce``),
``SUBSIDY_REFERENCE_DATABASE`` (a URL: ``sqlite:///…``, ``postgres://…``, ``mysql://…``),
``SUBSIDY_REFERENCE_BUS`` (``redis://…`` or ``kafka://HOST:PORT``), ``SUBSIDY_REFERENCE_PREFIX``
(``EVENT_BUS_TOPIC_PREFIX``); for negative controls only, ``SUBSIDY_REFERENCE_OUTBOX=0`` and
``SUBSIDY_REFERENCE_INBOX=0``.
"""

import os

from ._settings import service_settings

globals().update(
    service_settings(
        os.environ["SUBSIDY_REFERENCE_SERVICE"],
        database=os.environ["SUBSIDY_REFERENCE_DATABASE"],
        bus=os.environ["SUBSIDY_REFERENCE_BUS"],
        prefix=os.environ.get("SUBSIDY_REFERENCE_PREFIX", "reference"),
        outbox=os.environ.get("SUBSIDY_REFERENCE_OUTBOX", "1") == "1",
        inbox=os.environ.get("SUBSIDY_REFERENCE_INBOX", "1") == "1",
    )
)
