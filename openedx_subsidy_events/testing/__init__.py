"""Test helpers for services that produce or consume subsidy events, and the pytest plugin.

Importing this package imports nothing beyond the standard library: the plugin loads it in every
test session. Its helpers (which need Hypothesis) are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "CAPTURE_HEADER",
    "ConsumerFailure",
    "ConsumerResult",
    "EventCapture",
    "FieldReads",
    "avro_values",
    "contract_events",
    "event_check",
    "event_records",
    "recording_payload",
    "replay",
    "verify_consumer",
    "write_reads",
]

_WHERE = {
    "CAPTURE_HEADER": "openapi",
    "EventCapture": "openapi",
    "event_check": "openapi",
    "ConsumerFailure": "consumer",
    "ConsumerResult": "consumer",
    "replay": "consumer",
    "verify_consumer": "consumer",
    "FieldReads": "recorder",
    "recording_payload": "recorder",
    "write_reads": "recorder",
    "avro_values": "strategies",
    "contract_events": "strategies",
    "event_records": "strategies",
}


def __getattr__(name: str) -> Any:
    """Import a helper's module when the helper is first used.

    .. versionadded:: 0.1.0
    """
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
