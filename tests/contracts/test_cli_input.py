"""The contracts commands on bad input: one line on stderr and exit 2, never a traceback or a false yes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from openedx_subsidy_events.contracts import VerificationReport, can_i_deploy, load_contracts, load_reports

REPO = Path(__file__).resolve().parents[2]
LICENSE_APPROVED = "org.openedx.enterprise.access.license-request.approved.v1"
Run = Callable[..., tuple[int, str, str]]


def _usage_error(result: tuple[int, str, str]) -> str:
    code, _, err = result
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith("subsidy-events: ")
    return err.strip()


@pytest.fixture
def good_report() -> dict[str, object]:
    """A valid report of license-manager 2.0, as JSON data."""
    report = VerificationReport(service="license-manager", version="2.0", created="2026-03-01T00:00:00+00:00")
    report.add("consumer", next(c for c in load_contracts() if c.consumer == "license-manager"))
    data: dict[str, object] = report.to_json()
    return data


def _deploy(run: Run, folder: Path, service: str = "license-manager") -> tuple[int, str, str]:
    return run("can-i-deploy", "--reports", str(folder), "--service", service, "--version", "2.0")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        pytest.param(lambda d: [], "the report: [] is not of type 'object'", id="list"),
        pytest.param(
            lambda d: {k: v for k, v in d.items() if k != "created"},
            "the report is missing the key 'created'",
            id="missing-key",
        ),
        pytest.param(
            lambda d: {**d, "service": ["x"]}, "the field 'service': ['x'] is not of type 'string'", id="service"
        ),
        pytest.param(
            lambda d: {**d, "results": [{**d["results"][0], "violations": 7}]},
            "the field 'results/0/violations': 7 is not of type 'array'",
            id="violations",
        ),
        pytest.param(
            lambda d: {**d, "results": [{**d["results"][0], "colour": 1}]},
            "the field 'results/0' has a key a report does not define",
            id="extra-key",
        ),
        pytest.param(lambda d: {**d, "report_format": 2}, "report_format is 2, expected 1", id="format"),
        pytest.param(
            lambda d: {**d, "results": [{k: v for k, v in d["results"][0].items() if k != "outcome"}]},
            "the field 'results/0' is missing the key 'outcome'",
            id="no-outcome",
        ),
        pytest.param(
            lambda d: {**d, "created": "zzz-old"}, "the field 'created': 'zzz-old' does not match", id="created"
        ),
        pytest.param(
            lambda d: {**d, "created": "2026-13-01T00:00:00Z"},
            "created '2026-13-01T00:00:00Z' is not a date-time",
            id="created-month",
        ),
    ],
)
def test_invalid_report_names_file_and_field(
    run: Run, tmp_path: Path, good_report: dict[str, object], change: Callable[[dict], object], words: str
) -> None:
    """A report that does not follow the report schema is exit 2, naming the file and the field."""
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(change(good_report)))
    message = _usage_error(_deploy(run, tmp_path))
    assert message.startswith(f"subsidy-events: {path}: is not a verification report: ")
    assert words in message


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "{", "\xff"])
def test_unreadable_report(run: Run, tmp_path: Path, text: str) -> None:
    """Deeply nested JSON, broken JSON and non-UTF-8 bytes are one line each, not a traceback."""
    (tmp_path / "bad.json").write_bytes(text.encode("latin-1"))
    assert f"{tmp_path / 'bad.json'}: is " in _usage_error(_deploy(run, tmp_path))


def test_valid_report_still_loads(run: Run, tmp_path: Path, good_report: dict[str, object]) -> None:
    """The schema accepts what VerificationReport writes."""
    (tmp_path / "ok.json").write_text(json.dumps(good_report))
    code, out, _ = _deploy(run, tmp_path)
    assert code == 1  # enterprise-access has no reports here
    assert out.startswith("Can license-manager 2.0 be deployed? **no**")


def test_unknown_service_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    """A service no contract names is exit 2 with the known names, not a vacuous yes."""
    message = _usage_error(_deploy(run, tmp_path, service="nope"))
    assert message == (
        "subsidy-events: no contract names the service 'nope'; "
        "known services: ecommerce, enterprise-access, license-manager"
    )


def test_missing_reports_folder(run: Run, tmp_path: Path) -> None:
    """A reports folder that does not exist is exit 2."""
    assert _usage_error(_deploy(run, tmp_path / "nope")).endswith("nope: no such reports folder")


@pytest.mark.parametrize("command", ["verify", "export-pact", "can-i-deploy"])
def test_contracts_folder_that_does_not_exist(run: Run, tmp_path: Path, command: str) -> None:
    """Every contracts command refuses a contracts folder that does not exist instead of checking nothing."""
    nope = str(tmp_path / "nope")
    argv = {
        "verify": ["contracts", "verify", "--contracts", nope],
        "export-pact": ["contracts", "export-pact", "--contracts", nope, "--out", str(tmp_path / "out")],
        "can-i-deploy": [
            "can-i-deploy",
            "--reports",
            str(tmp_path),
            "--service",
            "x",
            "--version",
            "1",
            "--contracts",
            nope,
        ],
    }[command]
    assert _usage_error(run(*argv)) == f"subsidy-events: {nope}: is not a folder (No such file or directory)"


def test_verify_with_missing_schemas_folder(run: Run, tmp_path: Path) -> None:
    """contracts verify --schemas <missing> is one line and exit 2, not a bogus problem per contract."""
    message = _usage_error(run("contracts", "verify", "--schemas", str(tmp_path / "nope")))
    assert (
        message == f"subsidy-events: {tmp_path / 'nope'}: SCHEMAS_FOLDER_MISSING: no such folder of published schemas"
    )


def test_export_pact_to_an_existing_file(run: Run, tmp_path: Path) -> None:
    """export-pact --out <a file> is one line and exit 2."""
    (tmp_path / "out").write_text("x")
    assert _usage_error(run("contracts", "export-pact", "--out", str(tmp_path / "out"))).endswith(
        "out: --out is not a folder"
    )


def test_loading_error_names_the_real_file(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--contracts c: a broken contract is named under c/, where it is, not under contracts/."""
    shutil.copytree(REPO / "contracts", tmp_path / "c")
    monkeypatch.chdir(tmp_path)
    path = Path("c", "license-manager", f"{LICENSE_APPROVED}.yaml")
    path.write_text(path.read_text().replace("status: active", "status: retired"))
    message = _usage_error(run("contracts", "export-pact", "--contracts", "c", "--out", "out"))
    assert message.startswith(f"subsidy-events: c/license-manager/{LICENSE_APPROVED}.yaml:5:9 (/status): ")
    code, out, _ = run("contracts", "verify", "--contracts", "c")
    assert code == 1
    assert out.startswith(f"c/license-manager/{LICENSE_APPROVED}.yaml:5:9")


def test_pin_that_names_no_counterpart_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    """A misspelt --counterpart would silently pin nothing: exit 2 with the real counterparts."""
    message = _usage_error(
        run("can-i-deploy", "--reports", str(tmp_path), "--service", "license-manager", "--version", "2.0",
            "--counterpart", "enterprse-access=6.0")
    )  # fmt: skip
    assert message == (
        "subsidy-events: --counterpart enterprse-access: license-manager meets no such service in the contracts; "
        "its counterparts: enterprise-access"
    )


def test_reports_are_ordered_by_time_not_by_text(tmp_path: Path, good_report: dict[str, object]) -> None:
    """Offsets are compared as times: 01:00+02:00 is earlier than 00:00Z."""
    for name, created in [("a", "2026-03-01T00:00:00Z"), ("b", "2026-03-01T01:00:00+02:00")]:
        (tmp_path / f"{name}.json").write_text(json.dumps({**good_report, "created": created, "version": name}))
    assert [r.version for r in load_reports(tmp_path)] == ["b", "a"]


def test_markdown_cells_cannot_break_the_table(tmp_path: Path, good_report: dict[str, object]) -> None:
    """A version with a pipe and a newline stays inside its cell."""
    version = "5.1 | ok | x\n## Yes"
    (tmp_path / "r.json").write_text(json.dumps({**good_report, "version": version}))
    matrix = can_i_deploy(load_reports(tmp_path), load_contracts(), service="license-manager", version=version)
    lines = matrix.to_markdown().splitlines()
    assert lines[0] == "Can license-manager 5.1 \\| ok \\| x ## Yes be deployed? **no**"
    assert all(line.count(" | ") == 7 for line in lines[2:] if not line.startswith("|---"))
