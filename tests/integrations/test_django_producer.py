"""Our EVENT_BUS_PRODUCER with an event this package does not define: sent as the Open edX producer sends it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
import redis
from subsidy_django import TOPIC_PREFIX, ensure_django

ensure_django()

from edx_event_bus_redis.internal.producer import create_producer as create_redis_producer  # noqa: E402
from openedx_events.data import EventsMetadata  # noqa: E402
from openedx_events.tooling import OpenEdxPublicSignal  # noqa: E402

from openedx_subsidy_events.integrations.django_app.producer import create_producer  # noqa: E402


@attrs.frozen
class CourseNote:
    """A payload of another team's event (types as objects: openedx-events reads them, not annotations)."""

    note_uuid = attrs.field(type=str)
    text = attrs.field(type=str)


@pytest.fixture
def foreign_signal() -> Iterator[Any]:
    """An Open edX event of another team's, registered while the test runs."""
    mapping, instances = dict(OpenEdxPublicSignal._mapping), list(OpenEdxPublicSignal.instances)
    signal = OpenEdxPublicSignal(event_type="org.openedx.learning.course.note.added.v1", data={"note": CourseNote})
    yield signal
    OpenEdxPublicSignal._mapping.clear()
    OpenEdxPublicSignal._mapping.update(mapping)
    OpenEdxPublicSignal.instances[:] = instances


def test_an_event_we_do_not_define_is_sent_as_edx_event_bus_redis_sends_it(foreign_signal: Any,
                                                                          client: redis.Redis) -> None:  # fmt: skip
    """The same entry on the stream as edx-event-bus-redis's own producer writes; no UnknownEventType."""
    note = CourseNote(note_uuid=str(uuid.uuid4()), text="remember the deadline")
    metadata = EventsMetadata(event_type=foreign_signal.event_type, minorversion=0)
    topics = {"ours": f"notes-{uuid.uuid4().hex[:8]}", "theirs": f"notes-{uuid.uuid4().hex[:8]}"}
    for producer, topic in ((create_producer(), topics["ours"]), (create_redis_producer(), topics["theirs"])):
        producer.send(signal=foreign_signal, topic=topic, event_key_field="note.note_uuid",
                      event_data={"note": note}, event_metadata=metadata)  # fmt: skip
    (ours,), (theirs,) = (client.xrange(f"{TOPIC_PREFIX}-{topic}") for topic in topics.values())
    assert ours[1] == theirs[1]
    assert ours[1][b"event_data"]  # the note's Avro bytes, not an empty entry
