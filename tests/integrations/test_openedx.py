"""Wire compatibility with openedx-events, proven with the real library, and the Django integration."""

import io
from typing import Any

import attrs
import fastavro
import pytest
from fastavro.schema import to_parsing_canonical_form
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from subsidy_django import ensure_django
from subsidy_samples import full_payload, minimal_payload, payloads

from openedx_subsidy_events import LICENSE_ASSIGNED, EventDefinition, EventMetadata, all_events, capture_events
from openedx_subsidy_events.avro import avro_namespace
from openedx_subsidy_events.contracts._producer import to_wire

ensure_django()

from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data  # noqa: E402
from openedx_events.event_bus.avro.schema import schema_from_signal  # noqa: E402
from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes  # noqa: E402
from openedx_events.tooling import OpenEdxPublicSignal  # noqa: E402

from openedx_subsidy_events.integrations.openedx import openedx_signal  # noqa: E402

BUILDS = pytest.mark.parametrize("build", [full_payload, minimal_payload], ids=["all-optional-set", "none-set"])


@BUILDS
def test_openedx_events_writes_the_same_bytes(definition: EventDefinition[Any], build: Any) -> None:
    """(a) openedx-events' serializer and ours give identical bytes for the same payload."""
    payload = build(definition)
    theirs = serialize_event_data_to_bytes({definition.data_key: payload}, openedx_signal(definition))
    assert definition.serialize(payload) == theirs


@BUILDS
def test_each_side_decodes_the_other(definition: EventDefinition[Any], build: Any) -> None:
    """(b) our published schema decodes their bytes; their deserializer decodes ours."""
    payload = build(definition)
    signal = openedx_signal(definition)
    theirs = serialize_event_data_to_bytes({definition.data_key: payload}, signal)
    assert definition.deserialize(theirs, minorversion=0) == payload
    assert deserialize_bytes_to_event_data(definition.serialize(payload), signal) == {definition.data_key: payload}


def test_sample_payloads_tell_every_field_apart(definition: EventDefinition[Any]) -> None:
    """No two fields of the full sample share a value, so a codec swapping two fields cannot pass the tests above."""
    values = [to_wire(value) for value in attrs.astuple(full_payload(definition))]
    assert len({repr(v) for v in values if not isinstance(v, bool)}) == len(
        [v for v in values if not isinstance(v, bool)]
    )


def _read_by_openedx_events(payload: Any) -> Any:
    """openedx-events' deserializer leaves out every falsy value of a field with a default ('' or 0 of an
    optional field), so the consumer gets the default, None, instead (documented in docs/concepts.rst)."""
    optional = attrs.fields(type(payload))
    return attrs.evolve(
        payload, **{f.name: None for f in optional if f.default is None and not getattr(payload, f.name)}
    )


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_same_bytes_and_values_on_any_payload(definition: EventDefinition[Any], data: st.DataObject) -> None:
    """On any valid payload: identical bytes, and each side reads the other's bytes as it is designed to."""
    payload = data.draw(payloads(definition))
    signal = openedx_signal(definition)
    theirs = serialize_event_data_to_bytes({definition.data_key: payload}, signal)
    assert definition.serialize(payload) == theirs
    assert definition.deserialize(theirs, minorversion=0) == payload
    assert deserialize_bytes_to_event_data(theirs, signal) == {definition.data_key: _read_by_openedx_events(payload)}


def test_openedx_events_reads_falsy_optional_values_as_none() -> None:
    """The one difference, shown plainly: lms_user_id=0 and course_id='' arrive as None through openedx-events."""
    payload = attrs.evolve(full_payload(LICENSE_ASSIGNED), lms_user_id=0, course_id="")
    signal = openedx_signal(LICENSE_ASSIGNED)
    received = deserialize_bytes_to_event_data(LICENSE_ASSIGNED.serialize(payload), signal)["license_assignment"]
    assert (received.lms_user_id, received.course_id) == (None, None)
    assert LICENSE_ASSIGNED.deserialize(LICENSE_ASSIGNED.serialize(payload), minorversion=0) == payload


def test_schemas_differ_only_in_namespace_and_annotations(definition: EventDefinition[Any]) -> None:
    """Parsing canonical forms are equal once openedx-events' hyphenated namespace is swapped for ours."""
    theirs = schema_from_signal(openedx_signal(definition))
    assert theirs["namespace"] == definition.event_type
    theirs["namespace"] = avro_namespace(definition.event_type)
    assert to_parsing_canonical_form(theirs) == to_parsing_canonical_form(definition.schema)


def test_schemas_resolve_across_namespaces(definition: EventDefinition[Any]) -> None:
    """Records match by unqualified name: fastavro resolves their schema to ours and back."""
    payload = full_payload(definition)
    theirs = fastavro.parse_schema(schema_from_signal(openedx_signal(definition)))
    ours = fastavro.parse_schema(definition.schema)
    data = definition.serialize(payload)
    for writer, reader in ((theirs, ours), (ours, theirs)):
        record = fastavro.schemaless_reader(io.BytesIO(data), writer, reader)
        assert definition.from_record(record) == payload


def test_signals_are_registered_with_openedx_events(definition: EventDefinition[Any]) -> None:
    """Each event has its OpenEdxPublicSignal, mapping the data key to our class, before apps are ready."""
    signal = OpenEdxPublicSignal.get_signal_by_type(definition.event_type)
    assert signal is openedx_signal(definition)
    assert signal.init_data == {definition.data_key: definition.payload_type}
    assert signal.minor_version == definition.minor_version


def test_capture_records_events_sent_the_open_edx_way() -> None:
    """A service's real send_event call is recorded, with its metadata converted."""
    payload = full_payload(LICENSE_ASSIGNED)
    with capture_events() as captured:
        openedx_signal(LICENSE_ASSIGNED).send_event(license_assignment=payload)
        openedx_signal(LICENSE_ASSIGNED).send_event_with_custom_metadata(
            LICENSE_ASSIGNED.metadata().to_openedx(), license_assignment=payload
        )
    (event,) = captured  # the event re-sent from the bus is another service's, not recorded
    assert event.definition is LICENSE_ASSIGNED
    assert event.payload is payload
    assert event.metadata.event_type == LICENSE_ASSIGNED.event_type
    assert event.metadata.source == "openedx/tests/web"


def test_metadata_converts_both_ways() -> None:
    """EventMetadata ↔ openedx-events' EventsMetadata keeps every field."""
    ours = LICENSE_ASSIGNED.metadata()
    theirs = ours.to_openedx()
    assert attrs.asdict(EventMetadata.from_openedx(theirs)) == attrs.asdict(ours)
    assert theirs.event_type == LICENSE_ASSIGNED.event_type


def test_a_conflicting_hand_made_signal_is_refused() -> None:
    """If a service already defined the signal with other data, we refuse rather than serialize other bytes."""
    definition = EventDefinition(
        event_type="org.openedx.test.conflict.created.v1",
        data_key="license_assignment",
        payload_type=LICENSE_ASSIGNED.payload_type,
        producer="tests",
        description="A test event.",
    )
    OpenEdxPublicSignal(event_type=definition.event_type, data={"other": str})
    with pytest.raises(ValueError, match="already exists with data"):
        openedx_signal(definition)


def test_a_hand_made_signal_of_another_minor_is_refused() -> None:
    """Same data, another minor version: its metadata would name a writer schema we did not write with."""
    definition = EventDefinition(
        event_type="org.openedx.test.minor.created.v1",
        data_key="license_assignment",
        payload_type=LICENSE_ASSIGNED.payload_type,
        producer="tests",
        description="A test event.",
    )
    OpenEdxPublicSignal(event_type=definition.event_type, data={"license_assignment": LICENSE_ASSIGNED.payload_type},
                        minor_version=1)  # fmt: skip
    with pytest.raises(ValueError, match=r"\(minor 1\); expected .* \(minor 0\)"):
        openedx_signal(definition)


def test_every_event_is_covered() -> None:
    """The proof above runs for all four events (the fixture's parameters)."""
    assert len(all_events()) == 4
