"""Contracts from other teams, written to hurt: they finish quickly with the verdicts the docs promise.

The work must not grow faster than the input. The hostile cases run in a child process with a
generous timeout, a guard against a hang rather than a speed assertion (figures are in
``benchmarks/bench_hostile.py``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openedx_subsidy_events import ContractError
from openedx_subsidy_events.contracts import parse_contract
from openedx_subsidy_events.contracts._patterns import compile_pattern, pattern_matcher

REPO = Path(__file__).resolve().parents[2]
APPROVED = "org.openedx.enterprise.access.license-request.approved.v1"
CONTRACT = REPO / "contracts" / "license-manager" / f"{APPROVED}.yaml"
GUARD = 120  # seconds: only a hang reaches it


def _run(code: str) -> dict[str, object]:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            timeout=GUARD, check=True)  # fmt: skip
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_catastrophically_backtracking_pattern_is_matched_in_linear_time() -> None:
    """'^(a+)+$' against 10,000 'a's and a '!': backtracking engines take ages; the verdict comes at once."""
    outcome = _run(
        f"""
        import json
        from pathlib import Path
        from openedx_subsidy_events.contracts import check_event, parse_contract
        text = Path({str(CONTRACT)!r}).read_text().replace('pattern: "^course-v1:"', 'pattern: "^(a+)+$"')
        contract = parse_contract(text, path="c.yaml")
        event = {{"license_request": {{
            "subsidy_request_uuid": "2f9a0a5e-6a8f-4f1e-9d59-2d8f4c1c0a11", "lms_user_id": 17,
            "user_email": "learner@example.com", "enterprise_customer_uuid": "8d1f6f0e-1b7c-4f4e-8a43-0f3c2f5b9c22",
            "subscription_plan_uuid": "0b8e7c2a-3d4f-4a9b-8c1d-5e6f7a8b9c33", "attempt_auto_enrollment": True,
            "reviewed_at": "2026-03-02T10:15:00+00:00", "course_run_key": "a" * 10000 + "!"}}}}
        check = check_event(event, event_type={APPROVED!r}, contracts=[contract])
        matching = dict(event)
        matching["license_request"] = {{**event["license_request"], "course_run_key": "a" * 10000}}
        good = check_event(matching, event_type={APPROVED!r}, contracts=[contract])
        print(json.dumps({{"bad": [(v.field_path, v.rule) for v in check.violations], "good": len(good.violations)}}))
        """
    )
    assert outcome == {"bad": [["course_run_key", "EXPECTATION_PATTERN"]], "good": 0}


@pytest.mark.parametrize("pattern", ["^(?=course)", "(?!x)y", "(?<=a)b", "(a)\\\\1"])
def test_patterns_no_linear_engine_can_match_are_refused_when_loaded(pattern: str) -> None:
    """Lookarounds and backreferences: a ContractError at the pattern's place, before any event is checked."""
    text = CONTRACT.read_text().replace('pattern: "^course-v1:"', f'pattern: "{pattern}"')
    with pytest.raises(ContractError) as info:
        parse_contract(text, path="c.yaml")
    assert info.value.pointer == "/expectations/course_run_key/pattern"
    assert "cannot be matched in linear time" in str(info.value)
    assert info.value.line == 36


def test_twenty_thousand_unknown_reads_are_each_placed_in_linear_time(tmp_path: Path) -> None:
    """contracts verify on 20,000 unknown reads: 20,000 READ_FIELD_UNKNOWN, each at its own line, exit 1."""
    import shutil

    shutil.copytree(REPO / "contracts", tmp_path / "contracts")
    path = tmp_path / "contracts" / "license-manager" / f"{APPROVED}.yaml"
    extra = "".join(f"  - u{index}\n" for index in range(20_000))
    path.write_text(path.read_text().replace("  - course_run_key\n", "  - course_run_key\n" + extra))
    result = subprocess.run(
        [sys.executable, "-m", "openedx_subsidy_events.cli", "contracts", "verify", "--contracts",
         str(tmp_path / "contracts")],
        capture_output=True, text=True, timeout=GUARD, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    unknown = [line for line in result.stdout.splitlines() if "READ_FIELD_UNKNOWN" in line]
    assert len(unknown) == 20_000
    lines = sorted(int(re.search(r"\.yaml:(\d+):", line).group(1)) for line in unknown)  # type: ignore[union-attr]
    assert lines == list(range(20, 20_020))


SUBJECTS = st.lists(st.text("ab0,:\n\r \t-\u00a0\u2028é[]$.", max_size=10), max_size=6)
PATTERNS = st.lists(
    st.sampled_from(["a", "b", "(", ")", "|", "*", "+", "?", "{1,2}", "^", "$", ".", "[", "]", "^", "-", "\\d",
                     "\\w", "\\s", "\\S", "\\b", "[]", "[^]", "\\u00e9", "\\\\", "\\.", "0"]),
    max_size=10,
).map("".join)  # fmt: skip


@settings(max_examples=600, derandomize=True, deadline=None)
@given(PATTERNS, SUBJECTS)
def test_the_linear_matcher_agrees_with_the_translation(pattern: str, subjects: list[str]) -> None:
    """Wherever RE2 runs a pattern, it finds a match exactly where Python's re (same translation) does."""
    try:
        compiled = compile_pattern(pattern)
    except re.error:
        return
    try:
        matcher = pattern_matcher(pattern)
    except re.error as error:
        refusal = str(error)
    else:
        for subject in subjects:
            assert bool(matcher.search(subject)) is bool(compiled.search(subject)), (pattern, subject)
        return
    assert "cannot be matched in linear time" in refusal


def test_a_huge_report_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """can-i-deploy with a 300 MB report: refused by its size (exit 2, one line), the process stays small."""
    reports = tmp_path / "reports"
    reports.mkdir()
    with (reports / "huge.json").open("wb") as handle:
        handle.truncate(300 * 1024 * 1024)  # sparse: nothing is written to disk
    code = f"""
        import io, json, re, sys
        from openedx_subsidy_events.cli import main
        err = io.StringIO()
        status = main(["can-i-deploy", "--reports", {str(reports)!r}, "--service", "license-manager",
                       "--version", "1"], stdout=io.StringIO(), stderr=err)
        # VmHWM: this process image's peak (ru_maxrss would carry over the forking test runner's)
        peak = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024
        print(json.dumps({{"status": status, "stderr": err.getvalue(), "peak_mib": peak}}))
    """
    outcome = _run(code)
    assert outcome["status"] == 2
    assert "huge.json" in str(outcome["stderr"])
    assert "the file is larger than 16777216 bytes" in str(outcome["stderr"])
    assert len(str(outcome["stderr"]).strip().splitlines()) == 1
    assert int(outcome["peak_mib"]) < 250  # a read of the file would need 300+ MiB
