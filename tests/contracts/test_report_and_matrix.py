"""Verification reports and the can-i-deploy matrix, through the library and the command line."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from openedx_subsidy_events.avro import load_published
from openedx_subsidy_events.contracts import (
    VerificationReport,
    Violation,
    can_i_deploy,
    load_contracts,
    load_reports,
)

LICENSE_APPROVED = "org.openedx.enterprise.access.license-request.approved.v1"


def _contract(consumer: str, event_type: str = LICENSE_APPROVED):
    return next(c for c in load_contracts() if c.consumer == consumer and c.event_type == event_type)


def _violation(consumer: str, event_type: str = LICENSE_APPROVED) -> Violation:
    contract = _contract(consumer, event_type)
    return Violation(consumer=consumer, event_type=event_type, contract_file=contract.path, field_path="user_email",
                     rule="EXPECTATION_FORMAT", reason="is not a valid email", value="")  # fmt: skip


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    """license-manager 2.0 verified as consumer and producer; enterprise-access 5.1 likewise; 5.2 broke one."""
    folder = tmp_path / "reports"
    lm = next(c for c in load_contracts() if c.consumer == "license-manager")
    ea_license = _contract("enterprise-access", "org.openedx.license-manager.license.assigned.v1")
    for service, version, created, failed in [
        ("enterprise-access", "5.1", "2026-03-01T00:00:00+00:00", False),
        ("enterprise-access", "5.2", "2026-03-02T00:00:00+00:00", True),
    ]:
        report = VerificationReport(service=service, version=version, created=created)
        report.add("producer", lm, [_violation("license-manager")] if failed else [])
        report.add("consumer", ea_license)
        report.write(folder / f"{service}-{version}.json")
    report = VerificationReport(service="license-manager", version="2.0", created="2026-03-01T00:00:00+00:00")
    report.add("consumer", lm, checked=52)
    report.add("producer", ea_license, checked=3)
    report.write(folder / "license-manager-2.0.json")
    return folder


def test_report_json_shape(reports: Path) -> None:
    """A report records service, version, role, contract file and hash, and outcome."""
    data = json.loads((reports / "license-manager-2.0.json").read_text())
    assert (data["service"], data["version"], data["roles"], data["ok"]) == (
        "license-manager",
        "2.0",
        ["consumer", "producer"],
        True,
    )
    consumer = data["results"][0]
    assert consumer["role"] == "consumer"
    assert consumer["contract_file"] == f"contracts/license-manager/{LICENSE_APPROVED}.yaml"
    assert consumer["contract_sha256"] == _contract("license-manager").sha256
    assert (consumer["outcome"], consumer["checked"]) == ("passed", 52)


def test_report_round_trip(reports: Path) -> None:
    """Reports read back equal what was written, oldest first."""
    loaded = load_reports(reports)
    assert [(r.service, r.version) for r in loaded] == [
        ("enterprise-access", "5.1"),
        ("license-manager", "2.0"),
        ("enterprise-access", "5.2"),
    ]
    assert not loaded[2].ok


def test_consumer_can_deploy_against_newest_producer_only_if_it_passed(reports: Path) -> None:
    """license-manager 2.0 meets enterprise-access 5.2 (newest), whose producer run failed: not deployable."""
    matrix = can_i_deploy(load_reports(reports), load_contracts(), service="license-manager", version="2.0")
    assert not matrix.deployable
    verdicts = {(row.role, row.counterpart, row.counterpart_version): row.verdict for row in matrix.rows}
    assert verdicts[("consumer", "enterprise-access", "5.2")] == "failed"
    assert verdicts[("producer", "enterprise-access", "5.2")] == "ok"


def test_pinned_counterpart_version(reports: Path) -> None:
    """Pinned to the deployed enterprise-access 5.1, license-manager 2.0 is deployable."""
    matrix = can_i_deploy(load_reports(reports), load_contracts(), service="license-manager", version="2.0",
                          counterparts={"enterprise-access": "5.1"})  # fmt: skip
    assert matrix.deployable
    assert {row.verdict for row in matrix.rows} == {"ok"}


def test_a_pinned_version_without_a_report_is_named(reports: Path) -> None:
    """--counterpart enterprise-access=9.9, for which no report exists: 'missing', and the reason names 9.9."""
    matrix = can_i_deploy(load_reports(reports), load_contracts(), service="license-manager", version="2.0",
                          counterparts={"enterprise-access": "9.9"})  # fmt: skip
    assert not matrix.deployable
    reasons = {row.reason for row in matrix.rows}
    assert reasons == {
        "enterprise-access 9.9 has no consumer verification of this contract",
        "enterprise-access 9.9 has no producer verification of this contract",
    }


def test_missing_verification(reports: Path) -> None:
    """ecommerce never verified anything: every row it takes part in is missing."""
    matrix = can_i_deploy(load_reports(reports), load_contracts(), service="ecommerce", version="1.0")
    assert not matrix.deployable
    assert {row.verdict for row in matrix.rows} == {"missing"}
    assert len(matrix.rows) == 2


def test_edited_contract_invalidates_old_verifications(reports: Path, tmp_path: Path) -> None:
    """A counterpart verified against other contract text is a mismatch, not a pass."""
    path = reports / "license-manager-2.0.json"
    data = json.loads(path.read_text())
    data["results"][0]["contract_sha256"] = "0" * 64
    path.write_text(json.dumps(data))
    matrix = can_i_deploy(load_reports(reports), load_contracts(), service="enterprise-access", version="5.1")
    assert "mismatch" in {row.verdict for row in matrix.rows}


def test_contract_edited_after_both_sides_verified_is_a_mismatch(reports: Path, contracts_copy: Path) -> None:
    """Both sides passed on the old text; the contract as it is now was verified by neither."""
    pins = {"enterprise-access": "5.1"}
    assert can_i_deploy(load_reports(reports), load_contracts(contracts_copy), service="license-manager",
                        version="2.0", counterparts=pins).deployable  # fmt: skip
    path = contracts_copy / "license-manager" / f"{LICENSE_APPROVED}.yaml"
    path.write_text(path.read_text().replace("maxLength: 254", "maxLength: 100"))
    matrix = can_i_deploy(load_reports(reports), load_contracts(contracts_copy), service="license-manager",
                          version="2.0", counterparts=pins)  # fmt: skip
    assert not matrix.deployable
    row = next(row for row in matrix.rows if row.contract_file.endswith(f"{LICENSE_APPROVED}.yaml"))
    edited = next(c for c in load_contracts(contracts_copy) if c.path == row.contract_file)
    assert (row.verdict, row.reason) == (
        "mismatch",
        f"license-manager 2.0 verified another text of the contract (sha256 {row.contract_sha256[:8]}, "
        f"now {edited.sha256[:8]}); verify again",
    )


Run = Callable[..., tuple[int, str, str]]


def test_cli_can_i_deploy_markdown(run: Run, reports: Path) -> None:
    """can-i-deploy prints a Markdown matrix and exits 1 when a pair failed."""
    code, out, _ = run("can-i-deploy", "--reports", str(reports), "--service", "license-manager", "--version", "2.0")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "Can license-manager 2.0 be deployed? **no**"
    assert lines[2].startswith("| role | counterpart | version |")
    assert any("| consumer | enterprise-access | 5.2 |" in line and "failed" in line for line in lines)


def test_cli_can_i_deploy_json_with_pin(run: Run, reports: Path) -> None:
    """With the counterpart pinned, the JSON answer is deployable and the exit code 0."""
    code, out, _ = run("can-i-deploy", "--reports", str(reports), "--service", "license-manager", "--version",
                       "2.0", "--counterpart", "enterprise-access=5.1", "--format", "json")  # fmt: skip
    assert code == 0
    assert json.loads(out)["deployable"] is True


def test_cli_can_i_deploy_usage_errors(run: Run, tmp_path: Path) -> None:
    """A bad pin or a file that is not a report exits 2 with one line on stderr."""
    code, _, err = run("can-i-deploy", "--reports", str(tmp_path), "--service", "x", "--version", "1",
                       "--counterpart", "nope")  # fmt: skip
    assert (code, err.strip()) == (2, "subsidy-events: --counterpart 'nope': expected NAME=VERSION")
    (tmp_path / "junk.json").write_text("{}")
    code, _, err = run("can-i-deploy", "--reports", str(tmp_path), "--service", "x", "--version", "1")
    assert code == 2
    assert "not a verification report" in err


def test_cli_contracts_verify(run: Run, contracts_copy: Path) -> None:
    """contracts verify is clean on the shipped contracts and exits 1 on a broken one."""
    code, out, _ = run("contracts", "verify", "--contracts", str(contracts_copy))
    assert (code, out.splitlines()[-1]) == (0, f"contracts: {contracts_copy} (4 contracts): ok")
    path = contracts_copy / "license-manager" / f"{LICENSE_APPROVED}.yaml"
    path.write_text(path.read_text().replace("lms_user_id: 17", "lms_user_id: x"))
    code, out, _ = run("contracts", "verify", "--contracts", str(contracts_copy), "--format", "json")
    assert code == 1
    assert json.loads(out)["violations"][0]["rule"] == "EXAMPLE_INVALID"


def test_cli_contracts_verify_reads_the_checkouts_schemas(
    run: Run, repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a checkout, ./schemas is what contracts are verified against (as for check), not the installed copy."""
    shutil.copytree(repo_root / "contracts", tmp_path / "contracts")
    shutil.copytree(repo_root / "schemas", tmp_path / "schemas")
    schema = tmp_path / "schemas" / LICENSE_APPROVED / "0.avsc"
    schema.write_text(schema.read_text().replace('"name": "course_id"', '"name": "course_key"'))
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("contracts", "verify")
    assert code == 1
    assert "course_id: READ_FIELD_UNKNOWN" in out


def test_cli_contracts_verify_missing_folder(run: Run, tmp_path: Path) -> None:
    """A contracts folder that does not exist is a usage error (2)."""
    code, _, err = run("contracts", "verify", "--contracts", str(tmp_path / "nope"))
    assert code == 2
    assert err.count("\n") == 1
    assert "nope: is not a folder" in err


def test_cli_export_pact(run: Run, tmp_path: Path) -> None:
    """contracts export-pact writes one Pact V4 message pact per contract."""
    code, out, _ = run("contracts", "export-pact", "--out", str(tmp_path / "pacts"))
    assert code == 0
    assert len(out.splitlines()) == 4
    pact = json.loads((tmp_path / "pacts" / f"license-manager-enterprise-access-{LICENSE_APPROVED}.json").read_text())
    assert pact["metadata"]["pactSpecification"] == {"version": "4.0"}
    (first, second) = pact["interactions"]
    assert first["type"] == "Asynchronous/Messages"
    assert first["description"] == f"{LICENSE_APPROVED}: auto-enroll-in-course"
    assert first["contents"]["content"]["license_request"]["lms_user_id"] == 17
    assert first["pending"] is False
    rules = first["matchingRules"]["body"]
    assert rules["$.license_request.course_id"]["matchers"][1]["match"] == "regex"
    assert rules["$.license_request.attempt_auto_enrollment"]["matchers"] == [{"match": "boolean"}]
    assert any("user_email" in line for line in first["comments"]["text"])
    assert first["key"] != second["key"]


def test_a_result_in_the_other_role_does_not_count(tmp_path: Path) -> None:
    """license-manager verified its contract as a consumer only: nothing says it produced anything for it."""
    folder = tmp_path / "reports"
    lm = _contract("license-manager")
    ea_license = _contract("enterprise-access", "org.openedx.license-manager.license.assigned.v1")
    mine = VerificationReport(service="license-manager", version="2.0", created="2026-03-01T00:00:00+00:00")
    mine.add("consumer", lm)
    mine.add("consumer", ea_license)  # the wrong role: license-manager produces this event
    mine.write(folder / "lm.json")
    theirs = VerificationReport(service="enterprise-access", version="5.1", created="2026-03-01T00:00:00+00:00")
    theirs.add("producer", lm)
    theirs.add("consumer", ea_license)
    theirs.write(folder / "ea.json")
    matrix = can_i_deploy(load_reports(folder), load_contracts(), service="license-manager", version="2.0")
    verdicts = {(row.role, row.event_type): (row.verdict, row.reason) for row in matrix.rows}
    assert verdicts[("producer", ea_license.event_type)] == (
        "missing",
        "license-manager 2.0 has no producer verification of this contract",
    )
    assert verdicts[("consumer", lm.event_type)][0] == "ok"


def test_an_edit_that_keeps_size_and_modification_time_is_seen(
    repo_root: Path, contracts_copy: Path, tmp_path: Path
) -> None:
    """A tool that restores the modification time (or a coarse file system) cannot make the caches stale."""
    schemas = tmp_path / "schemas"
    shutil.copytree(repo_root / "schemas", schemas)
    schema = schemas / LICENSE_APPROVED / "0.avsc"
    contract = contracts_copy / "license-manager" / f"{LICENSE_APPROVED}.yaml"
    assert load_published(LICENSE_APPROVED, schemas)  # cached now
    assert load_contracts(contracts_copy)
    for path, old, new in [(schema, "The uuid of", "THE UUID OF"), (contract, "maxLength: 254", "maxLength: 253")]:
        before = path.stat()
        path.write_text(path.read_text().replace(old, new, 1))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert "THE UUID OF" in json.dumps(load_published(LICENSE_APPROVED, schemas))
    edited = next(
        c for c in load_contracts(contracts_copy) if c.path == f"contracts/license-manager/{LICENSE_APPROVED}.yaml"
    )
    assert edited.expectations["user_email"]["maxLength"] == 253
