"""A minor 1 of LICENSE_ASSIGNED, as a producer that upgraded first would have it: one optional field appended."""

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs

from openedx_subsidy_events import LICENSE_ASSIGNED, EventDefinition
from openedx_subsidy_events._payload import field, payload_fields
from openedx_subsidy_events.avro._schema import dumps_schema
from openedx_subsidy_events.avro._store import default_root


@attrs.frozen(kw_only=True, field_transformer=payload_fields)
class LicenseAssignmentData:
    """A subscription license assigned to a learner (minor 1: adds ``assigned_by``)."""

    subsidy_request_uuid: UUID = field("The uuid of the subsidy request this assignment answers.")
    license_uuid: UUID = field("The uuid of the license assigned to the learner.")
    subscription_plan_uuid: UUID = field("The uuid of the subscription plan the license belongs to.")
    enterprise_customer_uuid: UUID = field("The uuid of the enterprise customer the learner belongs to.")
    user_email: str = field("The email address the license was assigned to.", sensitivity="pii")
    lms_user_id: int | None = field("The LMS user id of the learner.", optional=True)
    course_id: str | None = field("The course the learner asked for.", optional=True)
    assigned_at: datetime | None = field("When the license was assigned, in UTC.", optional=True)
    assigned_by: str | None = field("Who assigned the license (new in minor 1).", optional=True)


def license_assigned_minor_1(root: Path) -> EventDefinition[Any]:
    """LICENSE_ASSIGNED at minor 1, its schemas (0 as published, 1 generated) written under ``root``."""
    folder = root / LICENSE_ASSIGNED.event_type
    folder.mkdir(parents=True)
    shutil.copy(default_root() / LICENSE_ASSIGNED.event_type / "0.avsc", folder / "0.avsc")
    minor_1 = LICENSE_ASSIGNED.replace(payload_type=LicenseAssignmentData, minor_version=1, schemas_root=root)
    (folder / "1.avsc").write_text(dumps_schema(minor_1.schema), encoding="utf-8")
    return minor_1
