"""The event definitions: identity, lookup, and the event key."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import fastavro
import pytest
from subsidy_samples import full_payload

import openedx_subsidy_events as ose
from openedx_subsidy_events import LICENSE_ASSIGNED, EventDefinition, UnknownEventType, all_events, get_event

DESIGN_TABLE = [
    ("COUPON_CODE_REQUEST_APPROVED", "org.openedx.enterprise.access.coupon-code-request.approved.v1",
     "enterprise-access", "coupon_code_request", "CouponCodeRequestData"),
    ("LICENSE_REQUEST_APPROVED", "org.openedx.enterprise.access.license-request.approved.v1",
     "enterprise-access", "license_request", "LicenseRequestData"),
    ("COUPON_CODE_ASSIGNED", "org.openedx.ecommerce.coupon-code.assigned.v1",
     "ecommerce", "coupon_code_assignment", "CouponCodeAssignmentData"),
    ("LICENSE_ASSIGNED", "org.openedx.license-manager.license.assigned.v1",
     "license-manager", "license_assignment", "LicenseAssignmentData"),
]  # fmt: skip


@pytest.mark.parametrize(("constant", "event_type", "producer", "data_key", "payload"), DESIGN_TABLE)
def test_definitions_match_the_design_table(
    constant: str, event_type: str, producer: str, data_key: str, payload: str
) -> None:
    """Each constant has the ADR's event type, its producer, data key and payload class."""
    definition = getattr(ose, constant)
    assert (definition.event_type, definition.producer, definition.data_key) == (event_type, producer, data_key)
    assert definition.payload_type is getattr(ose, payload)
    assert definition.minor_version == 0
    assert get_event(event_type) is definition


def test_all_events_lists_the_four_in_flow_order() -> None:
    """all_events() returns the approved events first, then the assigned ones."""
    assert [d.event_type.rsplit(".", 2)[-2] for d in all_events()] == ["approved", "approved", "assigned", "assigned"]


def test_unknown_event_type_suggests_close_names() -> None:
    """A typo in an event type is an UnknownEventType that suggests the intended name."""
    with pytest.raises(UnknownEventType) as caught:
        get_event("org.openedx.license-manager.license.asigned.v1")
    assert caught.value.suggestions[0] == "org.openedx.license-manager.license.assigned.v1"
    assert "did you mean" in str(caught.value)
    assert isinstance(caught.value, LookupError)


@pytest.mark.parametrize("bad", ["", "nothing.like.it", None, 42])
def test_unknown_event_type_without_close_names(bad: Any) -> None:
    """Anything that is not a known event type, even a non-string, is UnknownEventType."""
    with pytest.raises(UnknownEventType) as caught:
        get_event(bad)
    assert caught.value.suggestions == ()
    assert "did you mean" not in str(caught.value)


def test_event_key_is_the_correlation_id(definition: EventDefinition[Any]) -> None:
    """The event key is subsidy_request_uuid, under the data key for openedx-events' producers."""
    payload = full_payload(definition)
    assert definition.event_key(payload) == payload.subsidy_request_uuid
    assert definition.event_key_field == f"{definition.data_key}.subsidy_request_uuid"


def test_schema_is_a_copy(definition: EventDefinition[Any]) -> None:
    """Mutating the returned schema does not change the definition's."""
    schema = definition.schema
    schema["fields"].clear()
    assert definition.schema["fields"]
    published = definition.schemas
    published[0]["fields"].clear()
    assert definition.schemas[0]["fields"]


def test_replace_copies_a_definition_with_changes(tmp_path: Path) -> None:
    """replace() keeps every attribute it is not given, and refuses a name the definition does not have."""
    copy = LICENSE_ASSIGNED.replace(schemas_root=tmp_path, minor_version=3)
    assert (copy.event_type, copy.data_key, copy.payload_type, copy.producer, copy.description) == (
        LICENSE_ASSIGNED.event_type, LICENSE_ASSIGNED.data_key, LICENSE_ASSIGNED.payload_type,
        LICENSE_ASSIGNED.producer, LICENSE_ASSIGNED.description,
    )  # fmt: skip
    assert (copy.schemas_root, copy.minor_version) == (tmp_path, 3)
    assert LICENSE_ASSIGNED.schemas_root is None
    with pytest.raises(TypeError, match="no attribute 'minor'"):
        LICENSE_ASSIGNED.replace(minor=1)


def test_deserialize_resolved_reads_a_registry_writer_schema_into_the_payload(definition: EventDefinition[Any]) -> None:
    """Bytes of the published schema, given as a writer (parsed or not), decode to the payload sent."""
    payload = full_payload(definition)
    data = definition.serialize(payload)
    writer = copy.deepcopy(definition.schema)
    assert definition.deserialize_resolved(data, writer=writer) == payload
    assert (
        definition.deserialize_resolved(data, writer=fastavro.parse_schema(writer), reader=definition.schema) == payload
    )
    with pytest.raises(ose.DecodeError):
        definition.deserialize_resolved(data[:3], writer=writer)
