"""Expectations: only keywords and formats the package checks, and what those checks mean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from openedx_subsidy_events import ContractError
from openedx_subsidy_events.contracts import contract_format_schema, parse_contract
from openedx_subsidy_events.contracts._expectations import FORMAT_CHECKER, KEYWORDS

REPO = Path(__file__).resolve().parents[2]
LICENSE_APPROVED = "org.openedx.enterprise.access.license-request.approved.v1"
USER_EMAIL = "    type: string\n    format: email\n    maxLength: 254\n"


def _error(text: str) -> ContractError:
    with pytest.raises(ContractError) as info:
        parse_contract(text, path="contracts/x/y.yaml")
    assert "\n" not in str(info.value)
    return info.value


def _with_user_email(text: str, expectation: str) -> str:
    """The license-manager contract with the expectation on user_email replaced (indented 4)."""
    assert USER_EMAIL in text
    return text.replace(USER_EMAIL, expectation)


@pytest.mark.parametrize(
    ("expectation", "pointer", "words"),
    [
        pytest.param(
            "    fromat: email\n",
            "/user_email/fromat",
            "uses 'fromat', which is not a keyword this package checks (did you mean 'format'?)",
            id="keyword-typo",
        ),
        pytest.param("    minlength: 3\n", "/user_email/minlength", "(did you mean 'minLength'?)", id="keyword-case"),
        pytest.param(
            "    format: emial\n",
            "/user_email/format",
            "names the format 'emial', which this package does not check (did you mean 'email'?)",
            id="format-typo",
        ),
        pytest.param(
            "    format: hostname\n",
            "/user_email/format",
            "does not check (it checks date-time, email, uuid)",
            id="format-not-asserted",
        ),
        pytest.param(
            "    anyOf:\n      - type: string\n      - fromat: email\n",
            "/user_email/anyOf/1/fromat",
            "did you mean 'format'?",
            id="nested-in-list",
        ),
        pytest.param(
            "    not:\n      format: e-mail\n",
            "/user_email/not/format",
            "names the format 'e-mail'",
            id="nested-in-schema",
        ),
        pytest.param(
            "    properties:\n      a:\n        maxlen: 3\n",
            "/user_email/properties/a/maxlen",
            "uses 'maxlen'",
            id="nested-in-map",
        ),
        pytest.param("    default: x@example.com\n", "/user_email/default", "only annotates", id="annotation"),
        pytest.param(
            "    contentMediaType: text/plain\n", "/user_email/contentMediaType", "only annotates", id="content"
        ),
        pytest.param(
            "    patternProperties: {}\n", "/user_email/patternProperties", "does not support", id="pattern-properties"
        ),
    ],
)
def test_unchecked_keyword_or_format_is_a_located_error(
    license_contract_text: str, expectation: str, pointer: str, words: str
) -> None:
    """A keyword or format the package would not check is refused where it is, with the close name."""
    error = _error(_with_user_email(license_contract_text, expectation))
    assert error.pointer == "/expectations" + pointer
    assert words in error.reason
    assert error.reason.startswith("the expectation on 'user_email' ")
    assert (error.line, error.column) != (None, None)


def test_keyword_typo_position(license_contract_text: str) -> None:
    """The error points at the misspelt keyword's value: line and column in the file."""
    error = _error(_with_user_email(license_contract_text, "    type: string\n    fromat: email\n"))
    assert (error.line, error.column) == (24, 13)
    assert str(error).startswith("contracts/x/y.yaml:24:13 (/expectations/user_email/fromat): ")


def test_property_names_are_not_keywords(license_contract_text: str) -> None:
    """Names under 'properties' are the checked value's keys, not keywords: 'fromat' is fine there."""
    text = _with_user_email(license_contract_text, "    properties:\n      fromat: {type: string}\n")
    assert parse_contract(text).expectations["user_email"] == {"properties": {"fromat": {"type": "string"}}}


def test_format_schema_knows_the_same_keywords_and_formats() -> None:
    """The format's JSON Schema lists exactly the keywords and formats the loader accepts, with their shapes."""
    expectation = contract_format_schema()["$defs"]["expectation"]
    assert expectation["propertyNames"]["enum"] == list(KEYWORDS)
    assert expectation["properties"]["format"]["enum"] == sorted(FORMAT_CHECKER.checkers)
    ref = {"$ref": "#/$defs/expectation"}
    wanted: dict[str, Any] = {"schema": ref, "schemas": {"type": "array", "items": ref}}
    wanted["schema-map"] = {"type": "object", "additionalProperties": ref}
    shapes = {k: wanted[shape] for k, shape in KEYWORDS.items() if shape in wanted}
    assert {k: v for k, v in expectation["properties"].items() if k != "format"} == shapes


@pytest.mark.parametrize("expectation", [{"fromat": "email"}, {"format": "emial"}, {"items": {"$ref": "#"}}])
def test_format_schema_refuses_what_the_loader_refuses(expectation: dict[str, Any]) -> None:
    """An editor validating with the format's JSON Schema sees the same typos."""
    contract = {
        "contract": 1,
        "consumer": "c",
        "event_type": "a.v1",
        "status": "active",
        "purpose": "p",
        "reads": ["f"],
        "expectations": {"f": expectation},
    }
    assert not jsonschema.Draft202012Validator(contract_format_schema()).is_valid(contract)
    contract["expectations"] = {"f": {"type": "string", "format": "email", "anyOf": [{"maxLength": 3}]}}
    jsonschema.validate(contract, contract_format_schema())
