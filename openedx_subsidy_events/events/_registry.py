"""The four events of the package, and looking them up by event type."""

from __future__ import annotations

from typing import Any

import attrs

from .. import redaction
from .._payload import SENSITIVITY
from ..exceptions import UnknownEventType
from ._definition import EventDefinition
from .ecommerce import COUPON_CODE_ASSIGNED
from .enterprise_access import COUPON_CODE_REQUEST_APPROVED, LICENSE_REQUEST_APPROVED
from .license_manager import LICENSE_ASSIGNED

__all__ = ["all_events", "get_event", "secret_fields", "sensitive_fields"]

_EVENTS: tuple[EventDefinition[Any], ...] = (
    COUPON_CODE_REQUEST_APPROVED,
    LICENSE_REQUEST_APPROVED,
    COUPON_CODE_ASSIGNED,
    LICENSE_ASSIGNED,
)
_BY_TYPE = {definition.event_type: definition for definition in _EVENTS}
_SENSITIVE: dict[str, dict[str, str]] = {
    definition.event_type: {
        a.name: a.metadata[SENSITIVITY] for a in attrs.fields(definition.payload_type) if a.metadata.get(SENSITIVITY)
    }
    for definition in _EVENTS
}
for _event_type, _marks in _SENSITIVE.items():  # the rule that hides them sits below the events
    redaction.declare_sensitive_fields(_event_type, _marks)


def sensitive_fields(event_type: str) -> dict[str, str]:
    """The payload fields of an event type with a sensitivity mark, and the mark (none for an unknown type)."""
    return _SENSITIVE.get(event_type, {})


def secret_fields(event_type: str) -> frozenset[str]:
    """The payload fields of an event type marked ``sensitivity="secret"`` (none for an unknown type)."""
    return frozenset(name for name, mark in sensitive_fields(event_type).items() if mark == "secret")


def all_events() -> tuple[EventDefinition[Any], ...]:
    """Every event of the package, in the order of the flow (approved events first).

    .. versionadded:: 0.1.0
    """
    return _EVENTS


def get_event(event_type: str) -> EventDefinition[Any]:
    """The definition of ``event_type``; :class:`UnknownEventType` (with close names) if none.

    .. versionadded:: 0.1.0
    """
    try:
        return _BY_TYPE[event_type]
    except (KeyError, TypeError):
        import difflib

        close = difflib.get_close_matches(str(event_type), list(_BY_TYPE), n=3, cutoff=0.6)
        raise UnknownEventType(str(event_type), close) from None
