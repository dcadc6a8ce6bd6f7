"""Expectations: only keywords and formats the package checks, and what those checks mean."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openedx_subsidy_events import ContractError
from openedx_subsidy_events.contracts import Contract, check_event, contract_format_schema, parse_contract
from openedx_subsidy_events.contracts._expectations import KEYWORDS, expectation_validator, iter_expectation_violations
from openedx_subsidy_events.contracts._formats import FORMAT_CHECKER, is_email
from openedx_subsidy_events.contracts._patterns import compile_pattern

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


@pytest.mark.parametrize(
    ("expectation", "pointer"),
    [
        pytest.param("    $ref: 'http://example.com/x.json'\n", "/user_email/$ref", id="remote-ref"),
        pytest.param("    $ref: '#/$defs/e'\n", "/user_email/$ref", id="local-ref"),
        pytest.param("    $dynamicRef: '#e'\n", "/user_email/$dynamicRef", id="dynamic-ref"),
        pytest.param("    $id: 'http://example.com/e'\n", "/user_email/$id", id="id"),
        pytest.param(
            "    $schema: 'http://json-schema.org/draft-07/schema#'\n", "/user_email/$schema", id="meta-schema"
        ),
        pytest.param("    $defs: {e: {type: string}}\n", "/user_email/$defs", id="defs"),
        pytest.param("    items:\n      $ref: 'http://example.com/x.json'\n", "/user_email/items/$ref", id="nested"),
    ],
)
def test_references_are_refused_at_load(license_contract_text: str, expectation: str, pointer: str) -> None:
    """An expectation that would reference or fetch another schema is a located ContractError."""
    error = _error(_with_user_email(license_contract_text, expectation))
    assert error.pointer == "/expectations" + pointer
    assert "refers to other schemas: an expectation must say everything itself" in error.reason
    assert error.line is not None


def _approved_event() -> dict[str, Any]:
    contract = parse_contract((REPO / "contracts" / "license-manager" / f"{LICENSE_APPROVED}.yaml").read_text())
    return {"license_request": dict(contract.examples[0].event)}


def test_check_event_never_fetches_a_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    """A contract built in code with a remote $ref: check_event raises ContractError and fetches nothing."""

    def fetch(*_: object, **__: object) -> None:
        raise AssertionError("an expectation fetched a URL")

    monkeypatch.setattr("urllib.request.urlopen", fetch)
    contract = Contract(
        consumer="license-manager",
        event_type=LICENSE_APPROVED,
        status="active",
        purpose="p",
        reads=("user_email",),
        expectations={"user_email": {"$ref": "http://example.com/x.json"}},
        path="contracts/license-manager/x.yaml",
    )
    with pytest.raises(ContractError) as info:
        check_event(_approved_event(), event_type=LICENSE_APPROVED, contracts=[contract])
    assert info.value.path == "contracts/license-manager/x.yaml"
    assert info.value.pointer == "/expectations/user_email/$ref"
    assert "refers to other schemas" in info.value.reason


def _license_contract() -> Contract:
    return parse_contract((REPO / "contracts" / "license-manager" / f"{LICENSE_APPROVED}.yaml").read_text())


def _rules(field: str, value: Any) -> list[str]:
    return [v.rule for v in iter_expectation_violations(_license_contract(), {field: value})]


@pytest.mark.parametrize(
    "value",
    [
        "@",
        "a@",
        "@example.com",
        "not an email @ x",
        "a@b.c\nBcc: x@y",
        "learner@example.com\n",
        " learner@example.com",
        "learner@localhost",
        "a..b@example.com",
        ".a@example.com",
        "a.@example.com",
        "a@b@example.com",
        "a@-x.example.com",
        "a@x-.example.com",
        "a@example.com.",
        "a@example..com",
        "x@192.0.2.1",
        "x@[192.0.2.1]",
        '"quoted"@example.com',
        "é@example.com",
        "a\x00@example.com",
        "a" * 65 + "@example.com",
        "a@" + "b" * 64 + ".com",
    ],
)
def test_email_format_refuses_what_is_not_a_mailbox(value: str) -> None:
    """format: email is a real check: each of these passed jsonschema's default (it only wants an '@')."""
    assert _rules("user_email", value) == ["EXPECTATION_FORMAT"]


@pytest.mark.parametrize(
    "value",
    [
        "learner@example.com",
        "O'Brien+tag@Mail.Example.co.uk",
        "a!#$%&'*+/=?^_`{|}~-z@x-1.example",
        "first.last@sub.example.org",
        "a" * 64 + "@" + "b" * 63 + "." + "b" * 63 + "." + "c" * 61,
    ],
)
def test_email_format_accepts_mailboxes(value: str) -> None:
    """Ordinary addresses, every dot-atom character, and the length limits themselves pass."""
    assert is_email(value)
    assert len(value) <= 254
    assert _rules("user_email", value) == []


def test_email_length_limit() -> None:
    """254 characters in all: one more is refused even when each part is within its own limit."""
    value = "a" * 64 + "@" + "b" * 63 + "." + "b" * 63 + "." + "c" * 62
    assert len(value) == 255
    assert not is_email(value)


@given(st.emails())
def test_generated_emails_are_emails(value: str) -> None:
    """Hypothesis's emails (what generated events carry for format: email) meet the checker."""
    assert is_email(value)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2f9a0a5e-6a8f-4f1e-9d59-2d8f4c1c0a11", True),
        ("2F9A0A5E-6A8F-4F1E-9D59-2D8F4C1C0A11", True),
        ("2f9a0a5e-6a8f-4f1e-9d59-2d8f4c1c0a11}", False),
        ("{2f9a0a5e-6a8f-4f1e-9d59-2d8f4c1c0a11}", False),
        ("2f9a0a5e-6a8f-4f1e-9d59-2d8f4c1c-0a11", False),
        ("2f9a0a5e6a8f4f1e9d592d8f4c1c0a11", False),
        ("urn:uuid:2f9a0a5e-6a8f-4f1e-9d59-2d8f4c1c0a11", False),
        ("2f9a0a5e-6a8f-4f1e-9d59-2d8f4c1c0a11\n", False),
    ],
)
def test_uuid_format_is_canonical_text(value: str, valid: bool) -> None:
    """format: uuid accepts the canonical 8-4-4-4-12 hex text only (jsonschema's took stray braces and hyphens)."""
    assert FORMAT_CHECKER.conforms(value, "uuid") is valid


def test_one_format_checker_with_our_formats() -> None:
    """FORMAT_CHECKER carries exactly the asserted formats, and its email check is ours."""
    assert sorted(FORMAT_CHECKER.checkers) == ["date-time", "email", "uuid"]
    assert not FORMAT_CHECKER.conforms("a@", "email")
    assert not expectation_validator({"format": "email"}).is_valid("not an email @ x")


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("^[A-Za-z0-9_.-]+\\+[A-Za-z0-9_.-]+$", "edX+DemoX", True),
        ("^[A-Za-z0-9_.-]+\\+[A-Za-z0-9_.-]+$", "edX+DemoX\n", False),
        ("^[A-Z0-9]{8,32}$", "JMKQ3X7V\n", False),
        ("^a$|^b$", "a\n", False),
        ("x$", "x\n", False),
        ("^a.c$", "a\nc", False),
        ("^a.c$", "a\rc", False),
        ("^a.c$", "a\u2028c", False),
        ("^a.c$", "a-c", True),
        ("^\\d+$", "\u0661\u0662", False),
        ("^\\d+$", "12", True),
        ("^[\\d]+$", "\u0661\u0662", False),
        ("^\\w+$", "\u00e9t\u00e9", False),
        ("^[\\w-]+$", "a_b-c", True),
        ("^\\D$", "a", True),
        ("^\\W$", "-", True),
        ("^[$.]+$", "$.", True),
        ("^[$.]+$", "ab", False),
        ("^[]$]+$", "]$", False),  # ECMA: '[]' matches nothing, then ']' and '$' follow
        ("^a[]", "a", False),
        ("^a[^]c$", "a\nc", True),  # ECMA: '[^]' matches any character
        ("^[\\W]$", "\u00e9", True),  # ASCII \W inside a class too
        ("\\bx", "\u00e9x", True),  # \b is an ASCII word boundary: 'é' is not a word character
        ("^\\s$", "\ufeff", True),  # ECMA's \s includes U+FEFF
        ("^[\\s]$", "\u00a0", True),
        ("^\\S$", "\ufeff", False),
        ("^[[]$", "[", True),  # a literal '[' in a class, without Python's nested-set warning
        ("^[a&&b]+$", "&", True),
        ("^\\$$", "$", True),
        ("^\\.$", "x", False),
        ("\\\\$", "a\\", True),
        ("^course-v1:", "course-v1:edX+DemoX+2T2026", True),
        ("DemoX", "edX+DemoX+1", True),
    ],
)
def test_patterns_have_ecma_semantics(pattern: str, value: str, matches: bool) -> None:
    """'$' is the end of input, '.' no line terminator, \\d and \\w ASCII; unanchored like ECMA's search."""
    assert bool(compile_pattern(pattern).search(value)) is matches
    assert expectation_validator({"pattern": pattern}).is_valid(value) is matches


def test_negated_space_inside_a_class_is_refused() -> None:
    """\\S inside a class has no translation: an error, never a silently different meaning."""
    with pytest.raises(re.error, match="not supported"):
        compile_pattern("[\\S]")
    text = (REPO / "contracts" / "license-manager" / f"{LICENSE_APPROVED}.yaml").read_text()
    with pytest.raises(ContractError) as info:
        parse_contract(text.replace('pattern: "^course-v1:"', 'pattern: "^[\\\\S]course-v1:"'), path="c.yaml")
    assert info.value.pointer == "/expectations/course_run_key/pattern"
    assert "has a pattern that cannot be used: \\S inside a character class is not supported" in str(info.value)


def test_trailing_newline_breaks_a_pattern_expectation() -> None:
    """course_id 'edX+DemoX\\n' passed '^...$' (Python's '$'); now it is EXPECTATION_PATTERN, also nested."""
    assert _rules("course_id", "edX+DemoX\n") == ["EXPECTATION_PATTERN"]
    assert _rules("course_id", "edX+DemoX") == []
    assert not expectation_validator({"propertyNames": {"pattern": "^[a-z]+$"}}).is_valid({"ab\n": 1})


def test_check_event_uses_ecma_patterns() -> None:
    """A producer sending 'edX+DemoX\\n' fails license-manager's contract."""
    event = _approved_event()
    event["license_request"]["course_id"] = "edX+DemoX\n"
    check = check_event(event, event_type=LICENSE_APPROVED, contracts=[_license_contract()])
    assert [(v.field_path, v.rule) for v in check.violations] == [("course_id", "EXPECTATION_PATTERN")]


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2026-03-02T10:15:00+00:00", True),
        ("2026-03-02T10:15:00.123456Z", True),
        ("2026-03-02t10:15:00z", True),  # RFC 3339 allows lower case
        ("2026-W09-1T10:15:00+00:00", False),  # ISO 8601 week date
        ("20260302T101500Z", False),  # ISO 8601 basic form
        ("2026-03-02 10:15:00Z", False),
        ("2026-03-02T10+05:30", False),
        ("2026-03-02T10:15:00", False),  # no offset
        ("2026-13-02T10:15:00Z", False),  # the right shape, no such month
    ],
)
def test_date_time_format_is_rfc_3339(value: str, valid: bool) -> None:
    """JSON Schema's date-time is RFC 3339, not whatever datetime.fromisoformat reads."""
    assert FORMAT_CHECKER.conforms(value, "date-time") is valid


def test_every_failed_keyword_is_its_own_violation() -> None:
    """An empty email fails both format and minLength: two violations, not just the first."""
    contract = Contract(
        consumer="license-manager", event_type=LICENSE_APPROVED, status="active", purpose="p",
        reads=("user_email",), expectations={"user_email": {"format": "email", "minLength": 3}},
        path="contracts/license-manager/x.yaml",
    )  # fmt: skip
    rules = [v.rule for v in iter_expectation_violations(contract, {"user_email": ""})]
    assert rules == ["EXPECTATION_FORMAT", "EXPECTATION_MIN_LENGTH"]


@pytest.mark.parametrize(
    "pattern",
    [
        "\\Aabc", "abc\\Z", "(?P<x>a)", "(?i)abc", "(?#note)a", "a++", "a{2}*+", "x{,2}", "(?>a+)b",
        "(a)?(?(1)b|c)", "\\N{LATIN SMALL LETTER A}", "\\U00000041", "^\\a$", "[\\a]",
    ],
)  # fmt: skip
def test_python_only_pattern_syntax_is_refused(pattern: str) -> None:
    """Syntax ECMA-262 reads otherwise (or rejects) is an error, never a silently different check."""
    with pytest.raises(re.error, match="Python's syntax, not JSON Schema's"):
        compile_pattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "matching", "other"),
    [
        ("}+", "}}", "{"), ("\\*+", "**", "a"), ("a+?", "a", "b"), ("\\{2}+", "{2}{2}", "{{"),
        ("(?:a)+", "aa", "b"), ("(?=a)", "a", "b"), ("a{1,2}", "aa", "b"),
    ],
)  # fmt: skip
def test_shared_pattern_syntax_is_accepted(pattern: str, matching: str, other: str) -> None:
    """What both languages read alike compiles and means the same: literal braces, escaped quantifiers, lazy ones."""
    compiled = compile_pattern(pattern)
    assert compiled.search(matching) is not None
    assert compiled.search(other) is None
