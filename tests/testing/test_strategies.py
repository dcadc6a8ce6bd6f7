"""Hypothesis strategies generating Avro data from schemas and events for a consumer's contract."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any
from uuid import UUID

import fastavro
from fastavro.validation import validate
from hypothesis import given, settings
from hypothesis import strategies as st

from openedx_subsidy_events import all_events, get_event
from openedx_subsidy_events.contracts import check_event, load_contracts
from openedx_subsidy_events.testing import avro_values, contract_events, event_records

SETTINGS = settings(max_examples=30, deadline=None, database=None)
ANY_SCHEMA = {
    "type": "record",
    "name": "Everything",
    "fields": [
        {"name": "i", "type": "int"},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "b", "type": "bytes"},
        {"name": "e", "type": {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN"]}},
        {"name": "a", "type": {"type": "array", "items": "long"}},
        {"name": "m", "type": {"type": "map", "values": ["null", "string"]}},
        {"name": "x", "type": {"type": "fixed", "name": "Four", "size": 4}},
        {"name": "again", "type": ["null", "Colour"]},
    ],
}


@SETTINGS
@given(st.data())
def test_generated_records_are_valid_for_every_published_schema(data: st.DataObject) -> None:
    """Every generated event is valid Avro for its writer schema, with uuid and date-time strings in format."""
    definition = data.draw(st.sampled_from(all_events()))
    schema = data.draw(st.sampled_from(list(definition.schemas.values())))
    record = data.draw(event_records(schema))
    assert validate(record, schema)
    payload = record[definition.data_key]
    UUID(payload["subsidy_request_uuid"])
    for name, value in payload.items():
        if name.endswith("_at") and value is not None:
            assert datetime.fromisoformat(value).utcoffset() is not None


@SETTINGS
@given(st.data())
def test_contract_events_meet_the_contract(data: st.DataObject) -> None:
    """Events generated for a consumer pass producer verification against that consumer's contract."""
    contract = data.draw(st.sampled_from(load_contracts()))
    record = data.draw(contract_events(contract, 0))
    assert check_event(record, event_type=contract.event_type).ok


@SETTINGS
@given(avro_values(ANY_SCHEMA))
def test_every_avro_type_round_trips(value: Any) -> None:
    """Values of every Avro type kind are written and read back by fastavro."""
    parsed = fastavro.parse_schema(ANY_SCHEMA)
    out = io.BytesIO()
    fastavro.schemaless_writer(out, parsed, value)
    assert fastavro.schemaless_reader(io.BytesIO(out.getvalue()), parsed, None)["e"] == value["e"]


def test_generated_events_decode_into_payloads() -> None:
    """A generated event's bytes decode into the payload class (so handlers get real payloads)."""
    definition = get_event("org.openedx.ecommerce.coupon-code.assigned.v1")

    @SETTINGS
    @given(event_records(definition.schemas[0]))
    def check(record: dict[str, Any]) -> None:
        out = io.BytesIO()
        fastavro.schemaless_writer(out, fastavro.parse_schema(definition.schemas[0]), record)
        assert type(definition.deserialize(out.getvalue(), minorversion=0)) is definition.payload_type

    check()


@settings(max_examples=100, deadline=None, database=None)
@given(
    event_records(
        get_event("org.openedx.ecommerce.coupon-code.assigned.v1").schemas[0],
        expectations={"coupon_code": {"type": "string", "pattern": "^[A-Z]{2}$"}},
    )
)
def test_patterns_are_generated_as_verification_reads_them(record: dict[str, Any]) -> None:
    """A pattern is ECMA-262, where '$' is the very end: no generated value ends with a newline '$' lets by."""
    assert re.fullmatch("[A-Z]{2}", record["coupon_code_assignment"]["coupon_code"])
