"""The linter on this package's own schemas and contracts, through the command line."""

import io
import json
import shutil
from pathlib import Path

import pytest

from openedx_subsidy_events import LICENSE_ASSIGNED
from openedx_subsidy_events.cli import main


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def _publish_minor_without(root: Path, *removed: str) -> Path:
    """Publish LICENSE_ASSIGNED minor 1 without some fields (a hand-made evolution, for the linter)."""
    folder = root / LICENSE_ASSIGNED.event_type
    schema = json.loads((folder / "0.avsc").read_text())
    payload = schema["fields"][0]["type"]
    payload["fields"] = [f for f in payload["fields"] if f["name"] not in removed]
    path = folder / "1.avsc"
    path.write_text(json.dumps(schema, indent=2))
    return path


def test_lint_names_the_consumer_a_removal_breaks(repo_root: Path, tmp_path: Path) -> None:
    """Removing a field enterprise-access reads (or has in an example) is an error naming it; an unused one is safe."""
    schemas = tmp_path / "schemas"
    shutil.copytree(repo_root / "schemas", schemas)
    _publish_minor_without(schemas, "course_id", "assigned_at", "lms_user_id")
    code, out, _ = _run(
        "lint", str(schemas), "--contracts", str(repo_root / "contracts"), "--format", "json", "--show-info"
    )  # fmt: skip
    assert code == 1
    findings = {f["path"]: f for f in json.loads(out)["findings"] if f["rule"].startswith("FIELD_REMOVED")}
    course, assigned = findings["license_assignment.course_id"], findings["license_assignment.assigned_at"]
    unused = findings["license_assignment.lms_user_id"]
    assert (course["severity"], course["consumers"]) == ("error", ["enterprise-access"])
    assert (assigned["severity"], assigned["consumers"]) == ("error", ["enterprise-access"])  # in its examples
    assert (unused["severity"], unused["consumers"]) == ("info", [])
    assert "removal is safe" in unused["message"]


def test_check_lints_the_history_and_a_git_baseline(repo_root: Path) -> None:
    """check runs the linter over every event's history, and against git:HEAD when asked."""
    code, out, _ = _run("check", "--schemas", str(repo_root / "schemas"), "--against", "git:HEAD")
    assert code == 0
    assert "compatibility: FULL_TRANSITIVE over each event's history and against git:HEAD: ok" in out


def test_check_fails_on_a_breaking_minor(repo_root: Path, tmp_path: Path) -> None:
    """A new minor that drops a field a consumer reads fails check, through the linter."""
    schemas = tmp_path / "schemas"
    shutil.copytree(repo_root / "schemas", schemas)
    _publish_minor_without(schemas, "license_uuid")
    code, out, _ = _run("check", "--schemas", str(schemas), "--contracts", str(repo_root / "contracts"))
    assert code == 1
    assert "FIELD_REMOVED_WITHOUT_DEFAULT" in out
    assert "Read by: enterprise-access" in out


class _ClosedPipe(io.StringIO):
    """Standard output whose reader went away, as with `subsidy-events ... | head -1`."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_output_pipe_ends_quietly_with_the_sigpipe_code() -> None:
    """No 'unexpected BrokenPipeError, a bug' line: exit 141, as a tool ended by SIGPIPE, and nothing on stderr."""
    err = io.StringIO()
    assert main(["contracts", "verify", "--format", "json"], stdout=_ClosedPipe(), stderr=err) == 141
    assert err.getvalue() == ""


def test_lint_names_the_consumers_of_a_removed_event(repo_root: Path, tmp_path: Path) -> None:
    """Deleting an event's folder of released versions is an error naming the consumers its contracts register."""
    schemas, baseline = tmp_path / "schemas", tmp_path / "baseline"
    shutil.copytree(repo_root / "schemas", schemas)
    shutil.copytree(repo_root / "schemas", baseline)
    shutil.rmtree(schemas / LICENSE_ASSIGNED.event_type)
    argv = ["lint", str(schemas), "--against", str(baseline), "--contracts", str(repo_root / "contracts")]
    code, out, _ = _run(*argv, "--format", "json")
    assert code == 1
    (removed,) = [f for f in json.loads(out)["findings"] if f["severity"] == "error"]
    assert (removed["rule"], removed["subject"]) == ("RELEASED_VERSION_REMOVED", LICENSE_ASSIGNED.event_type)
    assert removed["consumers"] == ["enterprise-access"]
    assert "Read by: enterprise-access." in removed["message"]


def test_notes_are_computed_only_when_asked(repo_root: Path) -> None:
    """Without --show-info (or fail_on info) no note is computed, and every format says so, not "0 notes"."""
    schemas = str(repo_root / "schemas")
    code, out, _ = _run("lint", schemas)
    assert code == 0
    assert out == "0 error(s), 0 warning(s) in 4 subject(s) (--show-info for notes)\n"
    code, out, _ = _run("lint", schemas, "--format", "json")
    document = json.loads(out)
    assert (code, document["info_shown"], document["counts"]["info"], document["findings"]) == (0, False, 0, [])
    code, out, _ = _run("lint", schemas, "--format", "json", "--show-info")
    document = json.loads(out)
    assert (code, document["info_shown"], document["counts"]["info"]) == (0, True, 4)


def test_github_format_leaves_notes_out_unless_they_fail(repo_root: Path) -> None:
    """Our schemas' four exemption notes are no PR annotations, unless --fail-on info; text, junit, sarif keep them."""
    schemas = str(repo_root / "schemas")
    code, out, _ = _run("lint", schemas, "--format", "github", "--show-info")
    assert code == 0
    assert not [line for line in out.splitlines() if line.startswith("::")]
    assert out.splitlines()[-1].endswith(
        "4 note(s) in 4 subject(s) (4 note(s) not annotated; --fail-on info annotates them)"
    )
    code, out, _ = _run("lint", schemas, "--format", "github", "--fail-on", "info")
    assert code == 1
    notices = [line for line in out.splitlines() if line.startswith("::notice ")]
    assert len(notices) == 4
    assert all("EVENT_TYPE_NAMING_EXEMPT" in line for line in notices)
    assert out.splitlines()[-1].endswith("4 note(s) in 4 subject(s)")
    for fmt, marker in (("text", "info EVENT_TYPE_NAMING_EXEMPT"), ("junit", "EVENT_TYPE_NAMING_EXEMPT")):
        code, out, _ = _run("lint", schemas, "--format", fmt, "--show-info")
        assert (code, out.count(marker)) == (0, 4), fmt
    code, out, _ = _run("lint", schemas, "--format", "sarif", "--show-info")
    assert [r["level"] for r in json.loads(out)["runs"][0]["results"]] == ["note"] * 4


def test_a_services_own_schemas_and_contracts_folders_are_not_taken_for_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service repository's schemas/openapi.json and Pact contracts/ folder: the installed files are checked."""
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "openapi.json").write_text("{}")
    (tmp_path / "contracts" / "pacts").mkdir(parents=True)
    (tmp_path / "contracts" / "pacts" / "ui-api.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    for argv in (["check"], ["contracts", "verify"]):
        out, err = io.StringIO(), io.StringIO()
        assert main(argv, stdout=out, stderr=err) == 0, out.getvalue() + err.getvalue()
        assert "(4 contracts): ok" in out.getvalue()
        assert "contracts: contracts " not in out.getvalue()  # not the local folder
        assert "schemas: schemas " not in out.getvalue()


def test_the_installed_program_flushes_everything_and_keeps_the_exit_code(repo_root: Path, tmp_path: Path) -> None:
    """``subsidy-events``'s output is whole and its exit code kept."""
    import subprocess
    import sys

    program = Path(sys.executable).parent / "subsidy-events"
    argv = [str(program), "lint", str(repo_root / "schemas"), "--show-info", "--format", "json"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["counts"]["info"] == 4
    done = subprocess.run([str(program), "lint", str(tmp_path / "missing")], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip().endswith("does not exist")


def test_the_program_exits_normally_so_exit_handlers_run() -> None:
    """run() ends through sys.exit, not os._exit: atexit handlers (logging.shutdown, coverage) still run."""
    import subprocess
    import sys

    code = (
        "import atexit, sys; atexit.register(lambda: print('exit handler ran', file=sys.stderr)); "
        "from openedx_subsidy_events.cli import run; sys.argv[1:] = ['explain', 'NO_SUCH_RULE']; run()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd="/")
    assert done.returncode == 2
    assert done.stderr.endswith("exit handler ran\n")
