"""The generated converters: same results as the plain stdlib conversions, and as strict."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openedx_subsidy_events.avro._compile import datetime_from_wire, uuid_from_wire, uuid_to_wire


@settings(max_examples=300, deadline=None)
@given(value=st.uuids())
def test_uuid_text_round_trip_matches_the_stdlib(value: uuid.UUID) -> None:
    """uuid_to_wire is str(); uuid_from_wire builds a UUID equal in every way to uuid.UUID(text)."""
    text = uuid_to_wire(value)
    assert text == str(value)
    parsed = uuid_from_wire(text)
    assert parsed == value
    assert (parsed.int, parsed.is_safe, parsed.version, hash(parsed)) == (
        value.int,
        uuid.SafeUUID.unknown,
        value.version,
        hash(value),
    )
    assert uuid_from_wire(text.upper()) == value


@pytest.mark.parametrize(
    "text",
    [
        "5b8f0c5e8f7a4a579a543c0e6f2d1a10",  # no hyphens
        "{5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d1a10}",  # braces
        "urn:uuid:5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d1a10",  # URN
        "5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d_a10",  # int(…, 16) accepts the underscore
        "5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d+a10",
        "5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d a10",
        "5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d\u0661a10",  # an Arabic-Indic digit, which int() reads as 1
        "5b8f0c5e-8f7a4-a57-9a54-3c0e6f2d1a10",  # a hyphen out of place
        "5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d1a1g",  # not hex
        "0x8f0c5e-8f7a-4a57-9a54-3c0e6f2d1a10",  # int(…, 16) accepts a 0x prefix, uuid.UUID() too
        "0X8f0c5e-8f7a-4a57-9a54-3c0e6f2d1a10",
        " 5b8f0c5e-8f7a-4a57-9a54-3c0e6f2d1a1",  # int() strips surrounding whitespace
        "",
    ],
)
def test_uuid_from_wire_accepts_only_the_canonical_form(text: str) -> None:
    """Every form but 8-4-4-4-12 hex is refused, including what uuid.UUID() would accept."""
    with pytest.raises(ValueError, match="canonical 8-4-4-4-12"):
        uuid_from_wire(text)


_NEAR_UUID_CHARACTERS = "0123456789abcdefABCDEFxX_+ -g\u0661"


@settings(max_examples=2000, deadline=None)
@given(
    groups=st.tuples(
        *(st.text(_NEAR_UUID_CHARACTERS, min_size=size - 1, max_size=size + 1) for size in (8, 4, 4, 4, 12))
    )
)
def test_uuid_from_wire_accepts_exactly_the_canonical_texts(groups: tuple[str, ...]) -> None:
    """Near-canonical texts: accepted exactly when the stdlib's canonical text of the UUID is the text."""
    text = "-".join(groups)
    try:
        canonical = len(text) == 36 and str(uuid.UUID(text)) == text.lower()
    except ValueError:
        canonical = False
    if canonical:
        assert uuid_from_wire(text) == uuid.UUID(text)
    else:
        with pytest.raises(ValueError, match="canonical 8-4-4-4-12"):
            uuid_from_wire(text)


@pytest.mark.parametrize("text", ["2026-01-01T00:00:00", "2026-01-01T00:00:00+02:00", "yesterday"])
def test_datetime_from_wire_requires_utc(text: str) -> None:
    """A naive or non-UTC datetime, or no datetime at all, is refused."""
    with pytest.raises(ValueError):  # noqa: PT011 - the message comes from datetime or from us
        datetime_from_wire(text)


def test_datetime_from_wire_accepts_z_and_offset_forms() -> None:
    """'Z' and '+00:00' both mean UTC."""
    expected = datetime(2026, 1, 1, tzinfo=UTC)
    assert datetime_from_wire("2026-01-01T00:00:00Z") == expected
    assert datetime_from_wire("2026-01-01T00:00:00+00:00") == expected
    assert datetime_from_wire("2026-01-01T00:00:00-00:00") == expected
    assert datetime_from_wire("2026-01-01T00:00:00+00:00").tzinfo is UTC


@settings(max_examples=500, deadline=None)
@given(moment=st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(0), "Z")])))
def test_datetime_text_round_trips(moment: datetime) -> None:
    """Every UTC datetime comes back equal from the isoformat() text the codec writes."""
    assert datetime_from_wire(moment.isoformat()) == moment
