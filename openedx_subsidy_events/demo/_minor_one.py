"""A hypothetical minor 1 of LICENSE_ASSIGNED (one optional field appended), for the mixed-minor soak.

No ``from __future__ import annotations`` here: payload classes need real annotations.
"""

from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs

from .._payload import field, payload_fields
from ..avro._schema import dumps_schema
from ..avro._store import default_root
from ..events import LICENSE_ASSIGNED, EventDefinition

__all__ = ["license_assigned_minor_one"]


@attrs.frozen(kw_only=True, field_transformer=payload_fields)
class LicenseAssignmentData:
    """A subscription license assigned to a learner (a minor 1 that appends ``assigned_by``)."""

    subsidy_request_uuid: UUID = field("The uuid of the subsidy request this assignment answers.")
    license_uuid: UUID = field("The uuid of the license assigned to the learner.")
    subscription_plan_uuid: UUID = field("The uuid of the subscription plan the license belongs to.")
    enterprise_customer_uuid: UUID = field("The uuid of the enterprise customer the learner belongs to.")
    user_email: str = field("The email address the license was assigned to.", sensitivity="pii")
    lms_user_id: int | None = field("The LMS user id of the learner.", optional=True)
    course_id: str | None = field("The course the learner asked for.", optional=True)
    assigned_at: datetime | None = field("When the license was assigned, in UTC.", optional=True)
    assigned_by: str | None = field("Who assigned the license (appended in minor 1).", optional=True)


def license_assigned_minor_one(root: Path) -> EventDefinition[Any]:
    """LICENSE_ASSIGNED at minor 1, with its schemas folder (minor 0 as shipped, minor 1 generated) under ``root``."""
    folder = root / LICENSE_ASSIGNED.event_type
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "0.avsc").write_bytes((default_root() / LICENSE_ASSIGNED.event_type / "0.avsc").read_bytes())
    minor_one = LICENSE_ASSIGNED.replace(payload_type=LicenseAssignmentData, minor_version=1, schemas_root=root)
    (folder / "1.avsc").write_text(dumps_schema(minor_one.schema), encoding="utf-8")
    return minor_one
