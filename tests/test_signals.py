"""In-process sending: receivers, metadata, and capturing what was sent."""

import threading
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from subsidy_samples import full_payload

from openedx_subsidy_events import (
    LICENSE_ASSIGNED,
    LICENSE_REQUEST_APPROVED,
    EventMetadata,
    PayloadError,
    __version__,
    capture_events,
)


@pytest.fixture(autouse=True)
def in_process() -> Any:
    """Sending without Django, as this module tests it, even when an earlier test set up the Django app.

    (With the app ready, ``send`` goes through openedx-events: tests/integrations/test_openedx.py.)
    """
    from openedx_subsidy_events.events import _dispatch

    saved = _dispatch._transport
    _dispatch.set_transport(None)
    yield
    _dispatch.set_transport(saved)


@pytest.fixture
def received() -> Any:
    """A receiver connected to LICENSE_ASSIGNED for the test, and the calls it got."""
    calls: list[dict[str, Any]] = []

    def receiver(**kwargs: Any) -> str:
        calls.append(kwargs)
        return "handled"

    LICENSE_ASSIGNED.connect(receiver)
    yield calls, receiver
    LICENSE_ASSIGNED.disconnect(receiver)


def test_receivers_are_called_like_django_signal_receivers(received: Any) -> None:
    """A receiver gets signal, sender, metadata and the payload under the data key; its answer comes back."""
    calls, receiver = received
    payload = full_payload(LICENSE_ASSIGNED)
    responses = LICENSE_ASSIGNED.send(payload)
    assert responses == [(receiver, "handled")]
    (call,) = calls
    assert set(call) == {"signal", "sender", "metadata", "license_assignment"}
    assert call["signal"] is LICENSE_ASSIGNED
    assert call["sender"] is None
    assert call["license_assignment"] is payload
    assert call["metadata"].event_type == LICENSE_ASSIGNED.event_type


def test_receivers_of_other_events_are_not_called(received: Any) -> None:
    """Sending one event does not reach another event's receivers."""
    calls, _ = received
    LICENSE_REQUEST_APPROVED.send(full_payload(LICENSE_REQUEST_APPROVED))
    assert calls == []


def test_connect_twice_calls_once_and_disconnect_reports(received: Any) -> None:
    """Connecting the same receiver again is a no-op; disconnecting tells whether it was connected."""
    calls, receiver = received
    LICENSE_ASSIGNED.connect(receiver)
    LICENSE_ASSIGNED.send(full_payload(LICENSE_ASSIGNED))
    assert len(calls) == 1
    assert LICENSE_ASSIGNED.disconnect(receiver) is True
    assert LICENSE_ASSIGNED.disconnect(receiver) is False
    LICENSE_ASSIGNED.connect(receiver)  # the fixture disconnects it again


def test_a_receiver_error_reaches_the_sender() -> None:
    """In process, a failing receiver is loud: its exception propagates to send()."""

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("handler failed")

    LICENSE_ASSIGNED.connect(broken)
    try:
        with pytest.raises(RuntimeError, match="handler failed"):
            LICENSE_ASSIGNED.send(full_payload(LICENSE_ASSIGNED))
    finally:
        LICENSE_ASSIGNED.disconnect(broken)


def test_send_refuses_another_payload_class() -> None:
    """Sending an approved payload as an assigned event is a PayloadError."""
    with pytest.raises(PayloadError, match="expected a LicenseAssignmentData instance"):
        LICENSE_ASSIGNED.send(full_payload(LICENSE_REQUEST_APPROVED))


def test_send_refuses_metadata_of_another_event() -> None:
    """Metadata made for one event type cannot travel with another."""
    with pytest.raises(PayloadError, match=r"EventMetadata\.event_type: must be 'org\.openedx\.license-manager"):
        LICENSE_ASSIGNED.send(full_payload(LICENSE_ASSIGNED), metadata=LICENSE_REQUEST_APPROVED.metadata())


@pytest.mark.parametrize("minor", [1, 7])
def test_send_refuses_a_minor_version_the_payload_is_not_written_with(minor: int) -> None:
    """Metadata claiming another minor version would make consumers read with the wrong writer schema."""
    metadata = EventMetadata(event_type=LICENSE_ASSIGNED.event_type, minorversion=minor)
    with capture_events() as captured, pytest.raises(PayloadError, match="minorversion: must be 0"):
        LICENSE_ASSIGNED.send(full_payload(LICENSE_ASSIGNED), metadata=metadata)
    assert captured == []


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("minorversion", True, "non-negative int"),
        ("minorversion", -1, "non-negative int"),
        ("sourcelib", "abc", "tuple of ints"),
        ("id", "5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d1a10", "expected uuid.UUID"),
        ("source", None, "expected str"),
    ],
)
def test_bad_metadata_fields_are_payload_errors(field: str, value: Any, reason: str) -> None:
    """Every metadata field is validated, with the package's error naming it."""
    with pytest.raises(PayloadError, match=reason) as caught:
        EventMetadata(event_type=LICENSE_ASSIGNED.event_type, **{field: value})
    assert (caught.value.payload, caught.value.field) == ("EventMetadata", field)


def test_sourcelib_from_json_lists_becomes_a_tuple() -> None:
    """A sourcelib read from JSON (a list) is kept, as a tuple."""
    assert EventMetadata(event_type="x", sourcelib=[1, 2, 3]).sourcelib == (1, 2, 3)


def test_default_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    """Metadata defaults follow openedx-events: uuid1 id, now in UTC, source from EVENTS_SERVICE_NAME."""
    monkeypatch.setenv("EVENTS_SERVICE_NAME", "license-manager")
    before = datetime.now(UTC)
    metadata = LICENSE_ASSIGNED.metadata()
    assert metadata.id.version == 1
    assert before <= metadata.time <= datetime.now(UTC)
    assert metadata.source == "openedx/license-manager/web"
    assert metadata.minorversion == LICENSE_ASSIGNED.minor_version
    assert metadata.sourcelib == tuple(int(p) for p in __version__.split("."))
    monkeypatch.delenv("EVENTS_SERVICE_NAME")
    assert LICENSE_ASSIGNED.metadata().source == "openedx/SERVICE_NAME_UNSET/web"


def test_metadata_time_must_be_utc() -> None:
    """A naive time is refused, as openedx-events refuses it."""
    with pytest.raises(PayloadError, match="timezone-aware UTC"):
        EventMetadata(event_type="x", time=datetime(2026, 1, 1))


def test_capture_records_what_was_sent_in_order() -> None:
    """capture_events() records definition, payload and metadata of every send, in order."""
    assigned = full_payload(LICENSE_ASSIGNED)
    approved = full_payload(LICENSE_REQUEST_APPROVED)
    metadata = LICENSE_ASSIGNED.metadata(id=UUID(int=1))
    with capture_events() as captured:
        LICENSE_REQUEST_APPROVED.send(approved)
        LICENSE_ASSIGNED.send(assigned, metadata=metadata)
    LICENSE_ASSIGNED.send(assigned)  # after the block: not recorded
    assert [e.definition for e in captured] == [LICENSE_REQUEST_APPROVED, LICENSE_ASSIGNED]
    assert captured.payloads(LICENSE_ASSIGNED) == [assigned]
    assert captured.of(LICENSE_ASSIGNED)[0].metadata is metadata


def test_captures_nest_and_see_other_threads() -> None:
    """An inner capture and the outer one both record; sends from another thread are recorded too."""
    payload = full_payload(LICENSE_ASSIGNED)
    with capture_events() as outer:
        with capture_events() as inner:
            worker = threading.Thread(target=LICENSE_ASSIGNED.send, args=(payload,))
            worker.start()
            worker.join()
        LICENSE_ASSIGNED.send(payload)
    assert len(inner) == 1
    assert len(outer) == 2
