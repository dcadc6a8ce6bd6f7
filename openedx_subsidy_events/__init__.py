"""The subsidy-request events of Open edX: typed payloads, published Avro schemas, and their codec.

Using the events imports attrs, fastavro and the standard library only: never Django, Redis or
Kafka clients (those live in :mod:`openedx_subsidy_events.integrations`, imported on demand). Each
name below is imported on first use, so that importing the package costs nothing and a command
that needs one part (the linter, say) does not pay for the others when it starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_names
from ._version import __version__

if TYPE_CHECKING:
    from .envelope import EventMetadata
    from .events import (
        CORRELATION_FIELD,
        COUPON_CODE_ASSIGNED,
        COUPON_CODE_REQUEST_APPROVED,
        LICENSE_ASSIGNED,
        LICENSE_REQUEST_APPROVED,
        CouponCodeAssignmentData,
        CouponCodeRequestData,
        EventDefinition,
        LicenseAssignmentData,
        LicenseRequestData,
        SingleObjectEvent,
        all_events,
        decode_single_object,
        encode_single_object,
        get_event,
    )
    from .exceptions import (
        NO_VALUE,
        BrokerUnavailable,
        ContractError,
        ContractViolation,
        DecodeError,
        InvalidTransition,
        MessageNotProcessed,
        MissingExtra,
        OutboxError,
        PayloadError,
        SchemaError,
        SubsidyEventsError,
        UnknownEventType,
        UnknownSchemaVersion,
        UnknownState,
    )
    from .signals import CapturedEvent, CapturedEvents, capture_events
    from .states import TRANSITIONS, SubsidyRequestState, assert_transition, can_transition

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "BrokerUnavailable": ".exceptions",
        "CORRELATION_FIELD": ".events",
        "COUPON_CODE_ASSIGNED": ".events",
        "COUPON_CODE_REQUEST_APPROVED": ".events",
        "CapturedEvent": ".signals",
        "CapturedEvents": ".signals",
        "ContractError": ".exceptions",
        "ContractViolation": ".exceptions",
        "CouponCodeAssignmentData": ".events",
        "CouponCodeRequestData": ".events",
        "DecodeError": ".exceptions",
        "EventDefinition": ".events",
        "EventMetadata": ".envelope",
        "InvalidTransition": ".exceptions",
        "LICENSE_ASSIGNED": ".events",
        "LICENSE_REQUEST_APPROVED": ".events",
        "LicenseAssignmentData": ".events",
        "LicenseRequestData": ".events",
        "MessageNotProcessed": ".exceptions",
        "MissingExtra": ".exceptions",
        "NO_VALUE": ".exceptions",
        "OutboxError": ".exceptions",
        "PayloadError": ".exceptions",
        "SchemaError": ".exceptions",
        "SingleObjectEvent": ".events",
        "SubsidyEventsError": ".exceptions",
        "SubsidyRequestState": ".states",
        "TRANSITIONS": ".states",
        "UnknownEventType": ".exceptions",
        "UnknownSchemaVersion": ".exceptions",
        "UnknownState": ".exceptions",
        "all_events": ".events",
        "assert_transition": ".states",
        "can_transition": ".states",
        "capture_events": ".signals",
        "decode_single_object": ".events",
        "encode_single_object": ".events",
        "get_event": ".events",
    },
)


__all__ = [
    "COUPON_CODE_ASSIGNED",
    "COUPON_CODE_REQUEST_APPROVED",
    "CORRELATION_FIELD",
    "LICENSE_ASSIGNED",
    "LICENSE_REQUEST_APPROVED",
    "NO_VALUE",
    "TRANSITIONS",
    "BrokerUnavailable",
    "CapturedEvent",
    "CapturedEvents",
    "ContractError",
    "ContractViolation",
    "CouponCodeAssignmentData",
    "CouponCodeRequestData",
    "DecodeError",
    "EventDefinition",
    "EventMetadata",
    "InvalidTransition",
    "LicenseAssignmentData",
    "LicenseRequestData",
    "MessageNotProcessed",
    "MissingExtra",
    "OutboxError",
    "PayloadError",
    "SchemaError",
    "SingleObjectEvent",
    "SubsidyEventsError",
    "SubsidyRequestState",
    "UnknownEventType",
    "UnknownSchemaVersion",
    "UnknownState",
    "__version__",
    "all_events",
    "assert_transition",
    "can_transition",
    "capture_events",
    "decode_single_object",
    "encode_single_object",
    "get_event",
]
