"""Fuzzing the contract-side parsers: any input gives a valid result or the package's own error, nothing else.

Each test starts from the real inputs (the shipped contracts, a report the package wrote) and mutates
them with the syntax that breaks parsers: YAML anchors, aliases, merge keys, tags, tabs, flow
brackets, stray colons; JSON brackets, huge numbers, NaN. Derandomized, so the suite cannot flake.
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from openedx_subsidy_events.contracts import (
    Contract,
    VerificationReport,
    load_contract,
    load_contracts,
    load_reports,
    parse_contract,
)
from openedx_subsidy_events.contracts._patterns import compile_pattern
from openedx_subsidy_events.exceptions import ContractError
from openedx_subsidy_events.testing import write_reads

REPO = Path(__file__).resolve().parents[2]
CONTRACT_FILES = sorted((REPO / "contracts").glob("*/*.yaml"))
CONTRACT_TEXTS = [path.read_text(encoding="utf-8") for path in CONTRACT_FILES]
LICENSE_MANAGER_TEXT = next(
    t for p, t in zip(CONTRACT_FILES, CONTRACT_TEXTS, strict=True) if "license-manager/" in str(p)
)

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What breaks YAML parsers, and what the contract loader refuses by name.
YAML_SYNTAX = (
    "&a ", "*a", "&a [1, 2]\n", "<<: *a\n", "<<: {x: 1}\n", "<<: ", "!!python/object:os.system ",
    "!!python/name:os.system ", "!!binary aGk=", "!!set ", "!!float ", "!!int ", "!!str ", "!custom ", "\t",
    "{", "}", "[", "]", ":", ": ", "- ", "? ", "#", ",", "'", '"', "|", ">", "|-\n", "---\n", "...\n",
    "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "@", "`", "\\", "\r", "\r\n", "\n", "\x00", "\x85", "\ufeff",
    "\u2028", "~", "null", ".nan", "-.inf", "0x1F", "0o17", "1e999", "2026-03-01", "2026-03-01T10:00:00Z",
    "yes", "=", "reads:\n", "  - x\n", " ", "9" * 5000, "[" * 200, "- " * 100,
)  # fmt: skip


T = TypeVar("T")


def _outcome(call: Callable[[], T], errors: type[Exception]) -> T | Exception:
    """What ``call()`` returns, or the error of type ``errors`` it raises (any other error fails the test)."""
    try:
        return call()
    except errors as error:
        return error


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


@st.composite
def mutated(draw: st.DrawFn, text: str, syntax: tuple[str, ...] = YAML_SYNTAX) -> str:
    """``text`` after one to five edits: lines deleted, duplicated or re-indented, characters changed, syntax put in."""
    for _ in range(draw(st.integers(1, 5))):
        lines = _lines(text)
        line = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "flip", "insert", "value"]))
        if edit == "value":  # where anchors, aliases and tags mean something: before a value or an item
            places = [m.end() for m in re.finditer(r"(?::|^ *-) ", text, re.MULTILINE)] or [0]
            at = draw(st.sampled_from(places))
            text = text[:at] + draw(st.sampled_from(syntax)) + text[at:]
            continue
        if edit == "delete":
            del lines[line]
        elif edit == "duplicate":
            lines.insert(draw(st.integers(0, len(lines))), lines[line])
        elif edit == "indent":
            lines[line] = draw(st.sampled_from([" ", "  ", "\t"])) + lines[line]
        elif edit == "dedent":
            lines[line] = lines[line].lstrip(" ")
        else:
            text = "".join(lines)
            at = draw(st.integers(0, len(text)))
            if edit == "flip":
                new = draw(st.characters(exclude_categories=["Cs"]))
                text = text[:at] + new + text[at + 1 :]
            else:
                text = text[:at] + draw(st.sampled_from(syntax)) + text[at:]
            continue
        text = "".join(lines)
    return text


contract_texts = st.sampled_from(CONTRACT_TEXTS).flatmap(mutated)
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=200) | st.text(
    st.sampled_from("abc:-[]{}&*!<>|#'\"\t\n ?,%@`0.9"), max_size=200
)


def _yaml_lines(text: str) -> int:
    """How many lines PyYAML sees in ``text`` (it also breaks lines at CR, NEL, LS and PS)."""
    return len(re.split(r"\r\n|[\n\r\x85\u2028\u2029]", text))


def _assert_clear(error: ContractError, path: str, text: str | None) -> None:
    """A ContractError names the file and a line (inside ``text``, when given), and says what is wrong in one line."""
    assert error.path == path
    assert isinstance(error.line, int), f"no line in {error!s}"
    assert 1 <= error.line <= (_yaml_lines(text) if text is not None else error.line), str(error)
    assert error.column is None or error.column >= 1
    assert str(error).startswith(f"{path}:{error.line}")
    assert error.reason.strip(), str(error)
    assert "\n" not in str(error), str(error)


def _check_parse(text: str, path: str = "contracts/fuzz/event.yaml") -> None:
    outcome = _outcome(lambda: parse_contract(text, path=path), ContractError)
    if isinstance(outcome, ContractError):
        _assert_clear(outcome, path, text)
    else:
        assert isinstance(outcome, Contract)
        assert outcome.reads
        assert all(isinstance(name, str) for name in outcome.reads)


@settings(FUZZ, max_examples=500)
@given(any_text)
def test_parse_contract_random_text(text: str) -> None:
    """Random text is a Contract or a ContractError naming the file and a line: never another exception."""
    _check_parse(text)


@settings(FUZZ, max_examples=400)
@given(contract_texts)
def test_parse_contract_mutated(text: str) -> None:
    """A shipped contract after random YAML-syntax edits is a Contract or a ContractError with the file and line."""
    _check_parse(text)


contract_files = st.sampled_from(CONTRACT_FILES).flatmap(
    lambda path: st.tuples(st.just(path), mutated(path.read_text(encoding="utf-8")))
)


@settings(FUZZ, max_examples=300)
@given(contract_files, st.booleans())
def test_load_contract_mutated_file(tmp_path: Path, file: tuple[Path, str], utf8: bool) -> None:
    """load_contract of a mutated file in a contracts tree (its place is checked too): a Contract or a ContractError."""
    shipped, text = file
    path = tmp_path / shipped.parent.name / shipped.name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(text.encode("utf-8") + (b"" if utf8 else b"\xff"))
    outcome = _outcome(lambda: load_contract(path, root=tmp_path), ContractError)
    if isinstance(outcome, ContractError) and utf8:
        _assert_clear(outcome, str(path), text)
    elif isinstance(outcome, ContractError):
        assert str(outcome) == f"{path}: is not UTF-8 text (byte {len(text.encode())})"
    else:
        assert utf8
        assert outcome.path == f"contracts/{shipped.parent.name}/{shipped.name}"
        assert outcome.consumer == shipped.parent.name


# --- verification reports ------------------------------------------------------------------------


def _good_report() -> dict[str, Any]:
    report = VerificationReport(service="license-manager", version="2.0", created="2026-03-01T00:00:00+00:00")
    report.add("consumer", next(c for c in load_contracts() if c.consumer == "license-manager"))
    data: dict[str, Any] = report.to_json()
    return data


GOOD_REPORT = _good_report()
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["2026-03-01T00:00:00Z", "2026-13-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00\n"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
JSON_SYNTAX = ("{", "}", "[", "]", ",", ":", '"', "\\", "\\u", "NaN", "-Infinity", "1e999", "null", "\x00", "[" * 5000)


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path of keys and indexes into a JSON value (the value itself is ``()``)."""
    found = [at]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*at, index))
    return found


@st.composite
def mutated_report(draw: st.DrawFn) -> str:
    """The good report with values replaced, keys removed or added, then now and then its JSON text edited."""
    data = copy.deepcopy(GOOD_REPORT)
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.sampled_from(_paths(data)))
        if not where:
            continue
        parent = data
        for step in where[:-1]:
            parent = parent[step]
        edit = draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
        if edit == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[where[-1]]))
        elif edit == "replace":
            parent[where[-1]] = draw(JSON_VALUES)
        elif edit == "delete":
            del parent[where[-1]]
        elif isinstance(parent, dict):  # add, or duplicate a key's value: the key must be new
            parent[draw(st.text(max_size=8))] = draw(JSON_VALUES)
        else:
            parent.append(draw(JSON_VALUES))
    text = json.dumps(data, indent=2)
    if draw(st.booleans()):
        text = draw(mutated(text, JSON_SYNTAX))
    return text


def _failure_hidden_by_a_pass() -> str:
    """A report whose one verification is recorded twice: failed, then passed."""
    [result] = GOOD_REPORT["results"]
    return json.dumps({**GOOD_REPORT, "results": [{**result, "outcome": "failed"}, result]})


@settings(FUZZ, max_examples=300)
@given(mutated_report() | st.text(max_size=100))
@example(_failure_hidden_by_a_pass())
def test_load_reports_mutated(tmp_path: Path, text: str) -> None:
    """A folder with one mutated report: the report it says, or a ValueError naming the file, in one line."""
    path = tmp_path / "reports" / "license-manager-2.0.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    outcome = _outcome(lambda: load_reports(path.parent), ValueError)
    if isinstance(outcome, ValueError):
        assert type(outcome) is ValueError
        assert str(outcome).startswith(f"{path}: "), str(outcome)
        assert "\n" not in str(outcome), str(outcome)
        return
    [report] = outcome
    assert isinstance(report, VerificationReport)
    data = json.loads(text)
    assert (report.service, report.version, report.created) == (data["service"], data["version"], data["created"])
    assert [r.to_json() for r in report.results.values()] == [
        {"checked": 0, "violations": [], **r} for r in data["results"]
    ]


# --- patterns --------------------------------------------------------------------------------------

REGEX_ALPHABET = "[]^$\\.|()*+?{}-dDwWsSbB" + "ab0,:&~"
# Characters of that alphabet, and the pieces a random string of them rarely holds (escapes, classes, ranges).
REGEX_TOKENS = [
    *REGEX_ALPHABET,
    "[",
    "[^",
    "]",
    "--",
    "a-b",
    "\\d",
    "\\s",
    "\\S",
    "\\b",
    "\\-",
    "{1,2}",
    "(?:",
    "&&",
    "||",
]
patterns = st.text(st.sampled_from(REGEX_ALPHABET), max_size=16) | st.lists(
    st.sampled_from(REGEX_TOKENS), max_size=10
).map("".join)
TRANSLATED = re.compile(r"[$.\[\]]|\\[sSdDwWbB]")


@settings(FUZZ, max_examples=1000)
@given(patterns)
def test_compile_pattern_random(pattern: str) -> None:
    """A random pattern compiles to a re.Pattern or raises re.error, without a warning."""
    compile_pattern.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as the suite runs; said here, so that the property holds anywhere
        compiled = _outcome(lambda: compile_pattern(pattern), re.error)
    assert isinstance(compiled, re.Pattern | re.error)


@settings(FUZZ, max_examples=500)
@given(patterns, st.lists(st.text("ab0,:\n\r \t-", max_size=8)))
def test_compile_pattern_agrees_with_python(pattern: str, subjects: list[str]) -> None:
    """Without a construct it translates, a pattern means what Python's re makes of it: same errors, same matches."""
    while TRANSLATED.search(pattern) is not None:
        pattern = TRANSLATED.sub("", pattern)
    expected = _outcome(lambda: re.compile(pattern), re.error)
    compiled = _outcome(lambda: compile_pattern(pattern), re.error)
    if isinstance(compiled, re.error) and "not JSON Schema's (ECMA-262)" in str(compiled):
        return  # Python-only syntax (a possessive quantifier, {,n}, ...) is refused on purpose
    assert type(compiled) is type(expected)
    if not isinstance(compiled, re.Pattern) or not isinstance(expected, re.Pattern):
        return
    for subject in subjects:
        found, wanted = compiled.search(subject), expected.search(subject)
        assert (found and found.span()) == (wanted and wanted.span())


# --- rewriting reads --------------------------------------------------------------------------------

FIELD_NAMES = st.lists(st.sampled_from(["subsidy_request_uuid", "lms_user_id", "course_id", "user_email", "x.y"]))
# A double-quoted string may go on over lines that start at column 0, so a line "reads:" can be text.
QUOTED_LINES = st.lists(
    st.sampled_from(["reads:", "  - course_id", "  - lms_user_id", "  # note", "", "text"]), max_size=6
)


def _without_reads(text: str) -> Any:
    """The YAML data of ``text`` less its top-level reads key; ``None`` when YAML cannot read it."""
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    return {k: v for k, v in data.items() if k != "reads"} if isinstance(data, dict) else data


def _check_write_reads(path: Path, text: str, reads: list[str]) -> None:
    """write_reads changes the reads list only, or raises ValueError (ContractError with a line) and writes nothing."""
    path.write_bytes(text.encode("utf-8"))
    outcome = _outcome(lambda: write_reads(path, reads), ValueError)
    if isinstance(outcome, ValueError):
        assert path.read_bytes() == text.encode("utf-8")
        if isinstance(outcome, ContractError):
            _assert_clear(outcome, str(path), None)  # the error is in the rewritten text, which was not written
        else:
            assert type(outcome) is ValueError
            assert str(outcome).startswith(f"{path}"), str(outcome)
        return
    after = path.read_bytes().decode("utf-8")
    assert load_contract(path).reads == tuple(reads)
    before = _without_reads(text)
    if before is not None:  # else the rewrite mended the YAML, which was broken inside the list
        assert _without_reads(after) == before


@settings(FUZZ, max_examples=300)
@given(contract_texts, FIELD_NAMES)
def test_write_reads_mutated(tmp_path: Path, text: str, reads: list[str]) -> None:
    """write_reads of a mutated contract rewrites the reads list only, or raises ValueError and writes nothing."""
    _check_write_reads(tmp_path / "contract.yaml", text, reads)


@FUZZ
@given(QUOTED_LINES, FIELD_NAMES)
def test_write_reads_leaves_quoted_text_alone(tmp_path: Path, lines: list[str], reads: list[str]) -> None:
    """A line 'reads:' inside a quoted string before the list is text: write_reads rewrites the real list only."""
    owner = '"' + "\n".join(["the license-manager team", *lines]) + '"'
    text = re.sub("^owner: .*$", lambda _: f"owner: {owner}", LICENSE_MANAGER_TEXT, count=1, flags=re.MULTILINE)
    assert text.index("owner:") < text.index("\nreads:")
    _check_write_reads(tmp_path / "contract.yaml", text, reads)
