"""The subsidy-request events of Open edX: typed payloads, published Avro schemas, and their codec.

Importing this package imports attrs, fastavro and the standard library only: never Django, Redis
or Kafka clients (those live in :mod:`openedx_subsidy_events.integrations`, imported on demand).
"""

from ._version import __version__
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
    ContractError,
    ContractViolation,
    DecodeError,
    InvalidTransition,
    MessageNotProcessed,
    MissingExtra,
    PayloadError,
    SchemaError,
    SubsidyEventsError,
    UnknownEventType,
    UnknownSchemaVersion,
    UnknownState,
)
from .signals import CapturedEvent, CapturedEvents, capture_events
from .states import TRANSITIONS, SubsidyRequestState, assert_transition, can_transition

__all__ = [
    "COUPON_CODE_ASSIGNED",
    "COUPON_CODE_REQUEST_APPROVED",
    "CORRELATION_FIELD",
    "LICENSE_ASSIGNED",
    "LICENSE_REQUEST_APPROVED",
    "NO_VALUE",
    "TRANSITIONS",
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
