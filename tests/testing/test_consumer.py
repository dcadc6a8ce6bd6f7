"""replay(): one event, handed to the handler as consumer verification hands it."""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from fastavro.read import SchemaResolutionError

from openedx_subsidy_events import UnknownEventType
from openedx_subsidy_events.avro._schema import dumps_schema
from openedx_subsidy_events.contracts import load_contracts
from openedx_subsidy_events.redaction import show_pii
from openedx_subsidy_events.testing import ConsumerFailure, replay, verify_consumer
from openedx_subsidy_events.testing.consumer import find_contract
from openedx_subsidy_events.testing.strategies import describe

REPO = Path(__file__).resolve().parents[2]
APPROVED = "org.openedx.enterprise.access.license-request.approved.v1"
EVENT = {
    "license_request": {
        "subsidy_request_uuid": "2f9a0a5e-6a8f-4f1e-9d59-2d8f4c1c0a11",
        "lms_user_id": 17,
        "user_email": "learner@example.com",
        "enterprise_customer_uuid": "8d1f6f0e-1b7c-4f4e-8a43-0f3c2f5b9c22",
        "subscription_plan_uuid": "0b8e7c2a-3d4f-4a9b-8c1d-5e6f7a8b9c33",
        "attempt_auto_enrollment": True,
        "reviewed_at": "2026-03-02T10:15:00+00:00",
        "course_id": None,
        "reviewer_lms_user_id": None,
        "course_run_key": None,
    }
}


@pytest.mark.parametrize("event", [EVENT, json.dumps(EVENT)], ids=["mapping", "json-text"])
def test_replay_runs_prepare_then_the_handler(event: Mapping[str, Any] | str) -> None:
    """prepare gets the payload record before the handler gets the decoded payload; JSON text is accepted."""
    calls: list[tuple[str, Any]] = []

    def prepare(record: Mapping[str, Any]) -> None:
        calls.append(("prepare", record["subsidy_request_uuid"]))

    def handler(*, license_request: Any, **_: Any) -> str:
        calls.append(("handler", str(license_request.subsidy_request_uuid)))
        return "done"

    assert replay(handler, "license-manager", APPROVED, event, prepare=prepare) == "done"
    uuid = EVENT["license_request"]["subsidy_request_uuid"]
    assert calls == [("prepare", uuid), ("handler", uuid)]


def test_replay_call_names_only_what_can_be_written() -> None:
    """Plain functions are named; a lambda, a bound method or a partial is a placeholder to fill in."""
    contract = find_contract("license-manager", APPROVED)

    def store(record: Mapping[str, Any]) -> None:
        """A prepare callback."""

    failure = ConsumerFailure(
        contract, event=EVENT, minorversion=1, source="generated event", error=KeyError("x"), handler=store
    )
    assert failure.replay_call().startswith("openedx_subsidy_events.testing.replay(store, 'license-manager', ")
    assert failure.replay_call().endswith("', minorversion=1)")
    for handler, prepare in [(lambda **_: None, functools.partial(store)), ("text".upper, lambda record: None)]:
        failure = ConsumerFailure(
            contract,
            event=EVENT,
            minorversion=0,
            source="generated event",
            error=KeyError("x"),
            handler=handler,
            prepare=prepare,
            contracts_root=REPO / "contracts",
        )
        call = failure.replay_call()
        assert call.startswith("openedx_subsidy_events.testing.replay(handler, ")
        assert call.endswith(f", prepare=prepare, contracts_root={str(REPO / 'contracts')!r})")


def test_printed_call_evaluates_to_the_same_event() -> None:
    """The event in the replay call is a Python string literal of JSON that loads back to the event."""
    contract = find_contract("license-manager", APPROVED)
    tricky = {"license_request": {**EVENT["license_request"], "user_email": "o'neil\"\\é@example.com"}}
    failure = ConsumerFailure(contract, event=tricky, minorversion=0, source="example 'x'", error=KeyError("x"))
    seen: list[Any] = []
    namespace = {"openedx_subsidy_events": _Recorder(seen), "handler": None}
    with show_pii():  # the tricky value is in the pii field, hidden by default
        eval(failure.replay_call(), namespace)  # the expression the failure prints
    assert json.loads(seen[0][3]) == tricky


def test_a_failure_prints_no_secret_and_pii_only_when_shown() -> None:
    """The event and the replay line of a failure: the email is a placeholder unless pii is shown."""
    contract = find_contract("license-manager", APPROVED)
    failure = ConsumerFailure(contract, event=EVENT, minorversion=0, source="example 'x'", error=KeyError("x"))
    assert "learner@example.com" not in str(failure)
    assert str(failure).count("<hidden: pii field>") == 2  # the event line and the replay line
    with show_pii():
        assert str(failure).count("learner@example.com") == 2


class _Recorder:
    """Stands in for the package in the printed expression, recording the arguments of replay()."""

    def __init__(self, seen: list[Any]) -> None:
        self.testing = self
        self._seen = seen

    def replay(self, *args: Any, **kwargs: Any) -> None:
        self._seen.append(args)


def test_an_example_the_codec_refuses_is_not_blamed_on_the_handler(tmp_path: Path) -> None:
    """An example whose datetime is not in UTC cannot be decoded: EVENT_UNDECODABLE, and the handler never runs."""
    contracts = tmp_path / "contracts"
    shutil.copytree(REPO / "contracts", contracts)
    path = contracts / "license-manager" / f"{APPROVED}.yaml"
    utc, other_offset = 'reviewed_at: "2026-03-02T10:15:00+00:00"', 'reviewed_at: "2026-03-02T12:15:00+02:00"'
    path.write_text(path.read_text().replace(utc, other_offset))
    called = []
    with pytest.raises(ConsumerFailure) as failure:
        verify_consumer(
            lambda **kwargs: called.append(kwargs), consumer="license-manager", event_type=APPROVED,
            contracts=load_contracts(contracts), max_examples=1,
        )  # fmt: skip
    assert failure.value.rule == "EVENT_UNDECODABLE"
    assert "the event cannot be decoded, so no handler could take it (DecodeError: " in failure.value.reason
    assert called == []


def test_a_misspelt_event_type_suggests_the_real_one() -> None:
    """Not 'no contract for this event': the event type itself is unknown, and the close name is offered."""
    with pytest.raises(UnknownEventType) as unknown:
        find_contract("license-manager", "org.openedx.enterprise.access.license-request.aproved.v1")
    assert unknown.value.suggestions[0] == APPROVED


def _publish_minor_1(root: Path, change: Callable[[list[dict[str, Any]]], None]) -> Path:
    """A copy of the published schemas where the approved event has a minor 1: minor 0 with ``change`` made.

    Written as the publishing module writes a minor: the canonical file text, and its SHA-256 in the manifest.
    """
    schemas = root / "schemas"
    shutil.copytree(REPO / "schemas", schemas)
    schema = json.loads((schemas / APPROVED / "0.avsc").read_text(encoding="utf-8"))
    change(schema["fields"][0]["type"]["fields"])
    path = schemas / APPROVED / "1.avsc"
    path.write_text(dumps_schema(schema), encoding="utf-8")
    manifest = schemas / "SHA256SUMS"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {APPROVED}/1.avsc\n")
    manifest.write_text("".join(sorted(lines, key=lambda line: line.partition("  ")[2])), encoding="utf-8")
    return schemas


def _counting_handler() -> tuple[list[str], Callable[..., None]]:
    calls: list[str] = []

    def handle(*, license_request: Any, **_: Any) -> None:
        calls.append(str(license_request.subsidy_request_uuid))

    return calls, handle


def test_every_minor_of_the_schemas_root_is_a_writer(tmp_path: Path) -> None:
    """With schemas_root, a compatible minor 1 there (a new optional field) is written, decoded and handled too."""

    def add_note(fields: list[dict[str, Any]]) -> None:
        fields.append({"name": "note", "type": ["null", "string"], "default": None, "doc": "A note."})

    schemas = _publish_minor_1(tmp_path, add_note)
    calls, handle = _counting_handler()
    result = verify_consumer(
        handle, consumer="license-manager", event_type=APPROVED, max_examples=4, schemas_root=schemas
    )
    assert (result.minors, result.examples, result.generated) == ((0, 1), 2, 8)
    assert len(calls) == 10


def test_the_handler_gets_the_writers_minor_in_its_metadata(tmp_path: Path) -> None:
    """Events written with minor 1 reach the handler with metadata.minorversion 1, as the buses pass it."""

    def add_note(fields: list[dict[str, Any]]) -> None:
        fields.append({"name": "note", "type": ["null", "string"], "default": None, "doc": "A note."})

    schemas = _publish_minor_1(tmp_path, add_note)
    seen: list[int] = []

    def handle(*, license_request: Any, metadata: Any, **_: Any) -> None:
        seen.append(metadata.minorversion)

    verify_consumer(handle, consumer="license-manager", event_type=APPROVED, max_examples=4, schemas_root=schemas)
    assert seen == [0, 0] + [0] * 4 + [1] * 4  # the two examples (minor 0), then generated events of each minor
    event = {"license_request": {**EVENT["license_request"], "note": None}}
    replay(handle, "license-manager", APPROVED, event, minorversion=1, schemas_root=schemas)
    assert seen[-1] == 1


def test_a_minor_the_consumers_reader_cannot_resolve_is_undecodable(tmp_path: Path) -> None:
    """A minor 1 without a field the reader (pinned to minor 0) reads: EVENT_UNDECODABLE by the reader schema.

    The consumer's reader schema, not the codec, refuses it: the error is fastavro's, and no minor 1
    event reaches the handler (it got the two examples and the minor 0 events only).
    """
    contracts = tmp_path / "contracts"
    shutil.copytree(REPO / "contracts", contracts)
    path = contracts / "license-manager" / f"{APPROVED}.yaml"
    path.write_text(path.read_text().replace("\nstatus: ", "\nschema_minor: 0\nstatus: ", 1))

    def drop_lms_user_id(fields: list[dict[str, Any]]) -> None:
        fields[:] = [field for field in fields if field["name"] != "lms_user_id"]

    schemas = _publish_minor_1(tmp_path, drop_lms_user_id)
    calls, handle = _counting_handler()
    with pytest.raises(ConsumerFailure) as caught:
        verify_consumer(
            handle, consumer="license-manager", event_type=APPROVED, contracts_root=contracts, max_examples=4,
            schemas_root=schemas,
        )  # fmt: skip
    failure = caught.value
    assert (failure.rule, failure.minorversion, failure.source) == ("EVENT_UNDECODABLE", 1, "generated event")
    assert type(failure.error) is SchemaResolutionError
    assert "lms_user_id" in str(failure.error)
    assert "lms_user_id" not in failure.event["license_request"]
    assert len(calls) == 2 + 4
    assert failure.replay_call().endswith(
        f"minorversion=1, contracts_root={str(contracts)!r}, schemas_root={str(schemas)!r})"
    )
    with pytest.raises(SchemaResolutionError):
        replay(
            handle, "license-manager", APPROVED, describe(failure.event), minorversion=1, contracts_root=contracts,
            schemas_root=schemas,
        )  # fmt: skip
    assert len(calls) == 2 + 4
