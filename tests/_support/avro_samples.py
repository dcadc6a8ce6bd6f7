"""A test event whose payload has every wire type, required and optional, in orders the four events do not have."""

from datetime import datetime
from uuid import UUID

import attrs

from openedx_subsidy_events import EventDefinition
from openedx_subsidy_events.events import field, payload_fields


@attrs.frozen(kw_only=True, field_transformer=payload_fields)
class Everything:
    """Every wire type, required and optional, in orders the four events do not have."""

    first: str = field("Two strings in a row: a length prefix alone between them.")
    second: str = field("The second.")
    maybe_flag: bool | None = field("An optional boolean.", optional=True)
    maybe_id: UUID | None = field("An optional UUID.", optional=True)
    flag: bool = field("A boolean.")
    count: int = field("A long.")
    at: datetime = field("A datetime.")
    maybe_text: str | None = field("An optional string.", optional=True)
    maybe_count: int | None = field("An optional long.", optional=True)
    subsidy_request_uuid: UUID = field("A UUID.")
    maybe_at: datetime | None = field("An optional datetime.", optional=True)
    last: str = field("A string at the end.")


EVERYTHING = EventDefinition(
    event_type="org.openedx.test.everything.made.v1",
    data_key="everything",
    payload_type=Everything,
    producer="tests",
    description="Every wire type was made.",
)
"""Not published: encode with ``serialize``, decode with ``_codec.decode_resolved(data, schema, None)``."""
