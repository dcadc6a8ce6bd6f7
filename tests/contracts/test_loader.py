"""Loading contracts: the shipped ones, the format's JSON Schema, and malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from openedx_subsidy_events import ContractError
from openedx_subsidy_events.contracts import contract_format_schema, load_contract, load_contracts, parse_contract

REPO = Path(__file__).resolve().parents[2]


def test_shipped_contracts_load() -> None:
    """The four reference contracts load, each named after its folder and file."""
    pairs = {(c.consumer, c.event_type) for c in load_contracts(REPO / "contracts")}
    assert pairs == {
        ("enterprise-access", "org.openedx.ecommerce.coupon-code.assigned.v1"),
        ("enterprise-access", "org.openedx.license-manager.license.assigned.v1"),
        ("license-manager", "org.openedx.enterprise.access.license-request.approved.v1"),
        ("ecommerce", "org.openedx.enterprise.access.coupon-code-request.approved.v1"),
    }


def test_default_root_finds_the_checkout_contracts() -> None:
    """Without a root, the installed (here: the checkout's) contracts are loaded."""
    assert {c.path for c in load_contracts()} == {c.path for c in load_contracts(REPO / "contracts")}


def test_contract_paths_and_hashes() -> None:
    """A contract shows its path as shipped and records the SHA-256 of its text."""
    contract = next(c for c in load_contracts(REPO / "contracts") if c.consumer == "ecommerce")
    assert contract.path == "contracts/ecommerce/org.openedx.enterprise.access.coupon-code-request.approved.v1.yaml"
    assert len(contract.sha256) == 64
    assert contract.status == "active"


def test_format_schema_is_valid_and_matches_shipped_contracts() -> None:
    """The format's JSON Schema is valid draft 2020-12, and every shipped contract follows it."""
    schema = contract_format_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in sorted((REPO / "contracts").glob("*/*.yaml")):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


def test_format_schema_is_in_the_docs() -> None:
    """docs/contracts.rst includes the shipped JSON Schema file verbatim."""
    docs = (REPO / "docs" / "contracts.rst").read_text(encoding="utf-8")
    assert "literalinclude:: ../openedx_subsidy_events/contracts/contract.schema.json" in docs
    assert json.loads((REPO / "openedx_subsidy_events" / "contracts" / "contract.schema.json").read_text())


def _error(text: str) -> ContractError:
    with pytest.raises(ContractError) as info:
        parse_contract(text, path="contracts/x/y.yaml")
    return info.value


@pytest.mark.parametrize(
    ("change", "line", "column", "pointer", "words"),
    [
        pytest.param(("status: active", "status: retired"), 5, 9, "/status", "'retired' is not one of", id="enum"),
        pytest.param(("  - user_email\n", "  - user email\n"), 14, 5, "/reads/2", "does not match", id="read-path"),
        pytest.param(("contract: 1\n", ""), 2, 1, "", "missing a required key: 'contract'", id="missing-key"),
        pytest.param(
            ("owner:", "colour: blue\nowner:"), 6, 9, "/colour", "key the format does not define", id="extra-key"
        ),
        pytest.param(
            ("    maxLength: 254\n", "    maxLength: -1\n", 1),
            25,
            16,
            "/expectations/user_email/maxLength",
            "not a valid JSON Schema",
            id="bad-expectation",
        ),
        pytest.param(
            ("  course_id:\n", "  reviewed_at:\n    type: string\n  course_id:\n", 1),
            32,
            5,
            "/expectations/reviewed_at",
            "not in 'reads'",
            id="expectation-not-read",
        ),
        pytest.param(
            ("status: active\n", "status: active\nstatus: pending\n"),
            6,
            1,
            "/status",
            "appears twice",
            id="duplicate-key",
        ),
        pytest.param(("reads:\n", "reads: [\n"), 12, 3, "", "invalid YAML", id="yaml-syntax"),
    ],
)
def test_malformed_contract_names_file_line_and_place(
    license_contract_text: str, change: tuple[str, ...], line: int, column: int, pointer: str, words: str
) -> None:
    """A malformed contract raises ContractError with the file, line, column, pointer and one sentence."""
    old, new, *count = change
    text = license_contract_text.replace(old, new, *(count or [-1]))
    assert text != license_contract_text
    error = _error(text)
    assert (error.path, error.line, error.column, error.pointer) == ("contracts/x/y.yaml", line, column, pointer)
    assert words in error.reason
    assert str(error).startswith(f"contracts/x/y.yaml:{line}:{column}")
    assert "\n" not in str(error)


def test_misplaced_contract_is_an_error(tmp_path: Path, license_contract_text: str) -> None:
    """A contract in another consumer's folder says so, pointing at the consumer key."""
    folder = tmp_path / "ecommerce"
    folder.mkdir()
    path = folder / "org.openedx.enterprise.access.license-request.approved.v1.yaml"
    path.write_text(license_contract_text, encoding="utf-8")
    with pytest.raises(
        ContractError, match="in the folder of 'ecommerce' but names consumer 'license-manager'"
    ) as info:
        load_contract(path, root=tmp_path)
    assert info.value.pointer == "/consumer"
    assert info.value.line == 3


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "the file is empty"), ("- a\n- b\n", "a contract must be a YAML mapping")],
)
def test_empty_or_non_mapping_contract(text: str, reason: str) -> None:
    """Files that are not a mapping at all get one clear sentence."""
    assert _error(text).reason == reason


def test_unreadable_file(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are refused with the byte offset."""
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"consumer: \xff\n")
    with pytest.raises(ContractError, match="not UTF-8 text"):
        load_contract(path)
