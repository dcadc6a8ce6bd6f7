"""Reference enterprise-access: approve requests, then fulfil them when the grant comes back.

Approval moves a request to ``approved`` and sends the *approved* event for its kind (it no longer
calls the granting service, and sends no email yet). An *assigned* event moves the matching
request to ``fulfilled``, stores what was granted, and records the generic approval email with a
link to the course. Events for unknown requests, for another customer, or for a request that is
not awaiting a grant (a redelivery) are ignored and noted, never an error: a bus delivers at
least once, and a consumer that raises on a duplicate blocks its partition.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from ..events import (
    COUPON_CODE_ASSIGNED,
    COUPON_CODE_REQUEST_APPROVED,
    LICENSE_ASSIGNED,
    LICENSE_REQUEST_APPROVED,
    CouponCodeAssignmentData,
    CouponCodeRequestData,
    EventDefinition,
    LicenseAssignmentData,
    LicenseRequestData,
)
from ..states import SubsidyRequestState, assert_transition
from ._records import Email, Ignored, Kind, SubsidyRequest
from ._stores import EnterpriseAccessStore, MemoryEnterpriseAccessStore

__all__ = ["EnterpriseAccess", "SubsidyRequest"]


def _send_in_process(definition: EventDefinition[Any], payload: Any) -> None:
    definition.send(payload)


LEARNER_PORTAL = "https://learner-portal.example.com"


class EnterpriseAccess:
    """The reference enterprise-access service: requests, reviews, fulfilment and the approval emails.

    Arguments:
        auto_enroll: ``attempt_auto_enrollment`` for customers the store has no configuration of.
        clock: the time of a review and of a fulfilment (default: now, UTC).
        send_approved: how an *approved* event is sent (default: the definition's ``send``).
        store: where requests and emails are kept (default: in memory).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``store``; customers' own ``attempt_auto_enrollment``.

    """

    def __init__(
        self,
        *,
        auto_enroll: bool = True,
        clock: Callable[[], datetime] | None = None,
        send_approved: Callable[[EventDefinition[Any], Any], Any] | None = None,
        store: EnterpriseAccessStore | None = None,
    ) -> None:
        self.auto_enroll = auto_enroll
        """``attempt_auto_enrollment`` for a customer whose configuration the store does not have."""
        self.clock = clock or (lambda: datetime.now(UTC))
        self.send_approved = send_approved or _send_in_process
        """How an *approved* event is sent: in process by default; a service on a bus passes its producer."""
        self.store: EnterpriseAccessStore = store if store is not None else MemoryEnterpriseAccessStore()

    @property
    def requests(self) -> Mapping[UUID, SubsidyRequest]:
        """Every request, by uuid."""
        return self.store.requests

    @property
    def outbox(self) -> Sequence[Email]:
        """Every approval email recorded."""
        return self.store.outbox

    @property
    def ignored(self) -> Sequence[Ignored]:
        """Every assignment deliberately not acted on, and why."""
        return self.store.ignored

    # -- requests -------------------------------------------------------------------------

    def add_request(self, kind: Kind, **fields: Any) -> SubsidyRequest:
        """Store a new request in state ``requested`` (the learner asked)."""
        fields.setdefault("uuid", uuid4())
        request = SubsidyRequest(kind=kind, **fields)
        self.store.add_request(request)
        return request

    def approve(self, request_uuid: UUID, *, reviewer_lms_user_id: int) -> SubsidyRequest:
        """An admin approves: state ``approved``, and the *approved* event goes out; no email yet."""
        request = self._request(request_uuid)
        assert_transition(request.state, SubsidyRequestState.APPROVED)
        request.state = SubsidyRequestState.APPROVED
        request.reviewer_lms_user_id = reviewer_lms_user_id
        request.reviewed_at = self.clock()
        self.store.save_request(request)
        self._send_approved(request)
        return request

    def decline(self, request_uuid: UUID, *, reviewer_lms_user_id: int) -> SubsidyRequest:
        """An admin declines: state ``declined``; nobody else needs to know."""
        request = self._request(request_uuid)
        assert_transition(request.state, SubsidyRequestState.DECLINED)
        request.state = SubsidyRequestState.DECLINED
        request.reviewer_lms_user_id = reviewer_lms_user_id
        self.store.save_request(request)
        return request

    def _request(self, request_uuid: UUID) -> SubsidyRequest:
        """The request, locked for the review; :class:`KeyError` if there is none."""
        request = self.store.request_for_update(request_uuid)
        if request is None:
            raise KeyError(request_uuid)
        return request

    def _send_approved(self, request: SubsidyRequest) -> None:
        assert request.reviewed_at is not None
        common: dict[str, Any] = {
            "subsidy_request_uuid": request.uuid,
            "lms_user_id": request.lms_user_id,
            "user_email": request.user_email,
            "enterprise_customer_uuid": request.enterprise_customer_uuid,
            "attempt_auto_enrollment": self._auto_enrollment(request.enterprise_customer_uuid),
            "reviewed_at": request.reviewed_at,
            "reviewer_lms_user_id": request.reviewer_lms_user_id,
            "course_run_key": request.course_run_key,
        }
        if request.kind == "license":
            assert request.subscription_plan_uuid is not None
            self.send_approved(
                LICENSE_REQUEST_APPROVED,
                LicenseRequestData(
                    **common, subscription_plan_uuid=request.subscription_plan_uuid, course_id=request.course_id
                ),
            )
        else:
            assert request.coupon_id is not None
            assert request.course_id is not None
            self.send_approved(
                COUPON_CODE_REQUEST_APPROVED,
                CouponCodeRequestData(**common, coupon_id=request.coupon_id, course_id=request.course_id),
            )

    def _auto_enrollment(self, enterprise_customer_uuid: UUID) -> bool:
        configured = self.store.auto_enrollment(enterprise_customer_uuid)
        return self.auto_enroll if configured is None else configured

    # -- consuming *assigned* events --------------------------------------------------------

    def handle_license_assigned(self, *, license_assignment: LicenseAssignmentData, **_: Any) -> None:
        """Receiver of license-manager's *license assigned* event."""
        request = self._awaiting_grant(LICENSE_ASSIGNED.event_type, license_assignment, "license")
        if request is not None:
            request.license_uuid = license_assignment.license_uuid
            self._fulfil(request, license_assignment.course_id)

    def handle_coupon_code_assigned(self, *, coupon_code_assignment: CouponCodeAssignmentData, **_: Any) -> None:
        """Receiver of ecommerce's *coupon code assigned* event."""
        request = self._awaiting_grant(COUPON_CODE_ASSIGNED.event_type, coupon_code_assignment, "coupon_code")
        if request is not None:
            request.coupon_code = coupon_code_assignment.coupon_code
            self._fulfil(request, coupon_code_assignment.course_id)

    def _awaiting_grant(self, event_type: str, assignment: Any, kind: Kind) -> SubsidyRequest | None:
        """The request an assignment answers, or ``None`` (noted in :attr:`ignored`) if it answers none."""
        request_uuid: UUID = assignment.subsidy_request_uuid
        request = self.store.request_for_update(request_uuid)
        reason = None
        if request is None or request.kind != kind:
            reason = f"no {kind.replace('_', '-')} request has this uuid"
        elif request.enterprise_customer_uuid != assignment.enterprise_customer_uuid:
            reason = "the assignment is for another enterprise customer"
        elif request.state is not SubsidyRequestState.APPROVED:
            reason = f"the request is {request.state.value}, not awaiting a grant (a redelivery?)"
        if reason is not None:
            self.store.add_ignored(Ignored(event_type=event_type, subsidy_request_uuid=request_uuid, reason=reason))
            return None
        return request

    def _fulfil(self, request: SubsidyRequest, course_id: str | None) -> None:
        assert_transition(request.state, SubsidyRequestState.FULFILLED)
        request.state = SubsidyRequestState.FULFILLED
        request.fulfilled_at = self.clock()
        self.store.save_request(request)
        course = course_id or request.course_id
        url = f"{LEARNER_PORTAL}/{request.enterprise_customer_uuid}/course/{course}" if course else LEARNER_PORTAL
        body = "You have been approved for " + (f"the course {course}" if course else "a subscription") + f": {url}"
        self.store.add_email(
            Email(
                to=request.user_email,
                subject="Your request was approved",
                body=body,
                course_url=url,
                subsidy_request_uuid=request.uuid,
            )
        )

    # -- wiring -----------------------------------------------------------------------------

    def connect(self) -> None:
        """Receive *assigned* events sent in process."""
        LICENSE_ASSIGNED.connect(self.handle_license_assigned)
        COUPON_CODE_ASSIGNED.connect(self.handle_coupon_code_assigned)

    def disconnect(self) -> None:
        """Stop receiving events."""
        LICENSE_ASSIGNED.disconnect(self.handle_license_assigned)
        COUPON_CODE_ASSIGNED.disconnect(self.handle_coupon_code_assigned)
