"""The flow's topics, who reads each, and the demo customer's plan and coupon."""

from uuid import UUID

from ..events import COUPON_CODE_ASSIGNED, COUPON_CODE_REQUEST_APPROVED, LICENSE_ASSIGNED, LICENSE_REQUEST_APPROVED

REQUESTS_TOPIC = "enterprise-access-subsidy-requests"
LICENSES_TOPIC = "license-manager-assignments"
COUPONS_TOPIC = "ecommerce-coupon-code-assignments"
TOPIC_OF = {
    LICENSE_REQUEST_APPROVED.event_type: REQUESTS_TOPIC,
    COUPON_CODE_REQUEST_APPROVED.event_type: REQUESTS_TOPIC,
    LICENSE_ASSIGNED.event_type: LICENSES_TOPIC,
    COUPON_CODE_ASSIGNED.event_type: COUPONS_TOPIC,
}
READERS = {
    REQUESTS_TOPIC: ("license-manager", "ecommerce"),
    LICENSES_TOPIC: ("enterprise-access",),
    COUPONS_TOPIC: ("enterprise-access",),
}
CUSTOMER = UUID("8d1f6f0e-1b7c-4f4e-8a43-0f3c2f5b9c22")
PLAN = UUID("0b8e7c2a-3d4f-4a9b-8c1d-5e6f7a8b9c33")
COUPON_ID = 42
