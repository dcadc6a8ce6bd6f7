"""The exported pacts under Pact's own verifier (pact-python's pact_ffi), with messages from the reference services."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pact_provider
import pytest

from openedx_subsidy_events.contracts import Contract, export_pacts, load_contracts, to_pact
from openedx_subsidy_events.contracts._pact import whole_value_regex


@pytest.fixture(scope="module")
def contracts() -> list[Contract]:
    return list(load_contracts())


@pytest.fixture(scope="module")
def pacts(contracts: list[Contract], tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return export_pacts(contracts, tmp_path_factory.mktemp("pacts"))


def _failed(outcome: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    return {name: [m.get("mismatch", str(m)) for m in found] for name, found in outcome.items() if found}


def test_every_interaction_passes_with_messages_from_the_reference_services(
    pacts: list[Path], contracts: list[Contract]
) -> None:
    """Messages the reference services send (their own times, uuids and codes) pass every exported interaction."""
    outcome = pact_provider.verify(pacts, contracts, build=pact_provider.from_reference_services)
    assert len(outcome) == sum(len(c.examples) for c in contracts) == 7
    assert _failed(outcome) == {}


def test_every_interaction_passes_with_messages_from_the_payload_classes(
    pacts: list[Path], contracts: list[Contract]
) -> None:
    """Each example, read into its payload class and written back, passes its interaction."""
    outcome = pact_provider.verify(pacts, contracts, build=pact_provider.from_payload_classes)
    assert len(outcome) == 7
    assert _failed(outcome) == {}


def test_an_upper_case_uuid_passes(pacts: list[Path], contracts: list[Contract]) -> None:
    """The package reads a UUID in either case, so the pacts take an upper-case one."""

    def upper(payload: dict[str, Any]) -> None:
        payload["subsidy_request_uuid"] = payload["subsidy_request_uuid"].upper()

    outcome = pact_provider.verify(pacts, contracts, build=pact_provider.from_reference_services, corrupt=upper)
    assert _failed(outcome) == {}


def _unhyphenated(payload: dict[str, Any]) -> None:
    payload["subsidy_request_uuid"] = uuid.UUID(payload["subsidy_request_uuid"]).hex


def _course_run_key(payload: dict[str, Any]) -> None:
    payload["course_id"] = "course-v1:edX+DemoX+2T2026"


def _string_lms_user_id(payload: dict[str, Any]) -> None:
    if "lms_user_id" in payload:
        payload["lms_user_id"] = "17"


@pytest.mark.parametrize(
    ("corrupt", "field", "failing"),
    [
        (_unhyphenated, "subsidy_request_uuid", 7),
        (_course_run_key, "course_id", 7),
        (_string_lms_user_id, "lms_user_id", 6),  # coupon-code assigned (one example) has no lms_user_id
    ],
    ids=["uuid-without-hyphens", "course-run-key-as-course-id", "string-lms-user-id"],
)
def test_a_wrong_value_fails_the_verifier(
    pacts: list[Path], contracts: list[Contract], corrupt: Any, field: str, failing: int
) -> None:
    """A message with one wrong value fails every interaction that carries the field, at that field."""
    outcome = pact_provider.verify(pacts, contracts, build=pact_provider.from_reference_services, corrupt=corrupt)
    failed = {name: found for name, found in outcome.items() if found}
    assert len(failed) == failing
    for found in failed.values():
        assert {m["path"].rsplit(".", 1)[-1] for m in found} == {field}


def test_every_schema_field_has_a_rule_and_no_metadata_is_required(contracts: list[Contract]) -> None:
    """No field is left to Pact's equality with the example; the pacts ask for no bus-specific metadata key."""
    for contract in contracts:
        pact = to_pact(contract)
        for interaction in pact["interactions"]:
            ((data_key, body),) = interaction["contents"]["content"].items()
            rules = interaction["matchingRules"]["body"]
            assert {f"$.{data_key}.{name}" for name in body} | {f"$.{data_key}"} == set(rules)
            assert interaction["metadata"] == {}
            assert any("ce_type" in line for line in interaction["comments"]["text"])


@pytest.mark.parametrize(
    ("pattern", "regex"),
    [
        ("^course-v1:", r"^course-v1:[\s\S]*$"),
        (r"^[A-Z0-9]{8,32}$", r"^[A-Z0-9]{8,32}$"),
        (r"\d+", r"^[\s\S]*?[[:digit:]]+[\s\S]*$"),
        ("^a|b$", r"^[\s\S]*?(?:^a|b\z)[\s\S]*$"),
    ],
)
def test_a_json_schema_pattern_becomes_a_whole_value_regex(pattern: str, regex: str) -> None:
    """A pattern that matches anywhere becomes a regex of the whole value, with ECMA's ASCII \\d."""
    assert whole_value_regex(pattern) == regex
