"""The four subsidy events: payload classes, their definitions, and looking them up.

The definitions sit on the Avro floor (:mod:`openedx_subsidy_events.avro`: schema generation, the
published store and the codec, which know payload classes but none of these events) and below
everything that uses the events: signals, contracts, the linter's knowledge of consumers, the
exports and the command line.
"""

from .._payload import field, payload_fields
from ._definition import CORRELATION_FIELD, EventDefinition
from ._registry import all_events, get_event
from ._single_object import SingleObjectEvent, decode_single_object, encode_single_object
from .ecommerce import COUPON_CODE_ASSIGNED, CouponCodeAssignmentData
from .enterprise_access import (
    COUPON_CODE_REQUEST_APPROVED,
    LICENSE_REQUEST_APPROVED,
    CouponCodeRequestData,
    LicenseRequestData,
)
from .license_manager import LICENSE_ASSIGNED, LicenseAssignmentData

__all__ = [
    "COUPON_CODE_ASSIGNED",
    "COUPON_CODE_REQUEST_APPROVED",
    "CORRELATION_FIELD",
    "LICENSE_ASSIGNED",
    "LICENSE_REQUEST_APPROVED",
    "CouponCodeAssignmentData",
    "CouponCodeRequestData",
    "EventDefinition",
    "LicenseAssignmentData",
    "LicenseRequestData",
    "SingleObjectEvent",
    "all_events",
    "decode_single_object",
    "encode_single_object",
    "field",
    "get_event",
    "payload_fields",
]
