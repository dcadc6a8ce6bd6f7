"""``lint --jobs N``: the subjects checked in N processes give exactly the output of one process."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from openedx_subsidy_events.compat import Config, Mode, _jobs, check_subjects, load_baseline, load_paths
from openedx_subsidy_events.compat._load import read_baseline, read_paths

from .conftest import run_cli

TYPES = ["int", "long", "float", "double", "string", "bytes", "boolean"]


@pytest.fixture(autouse=True)
def _forking_allowed() -> None:
    """lint never forks a process with other threads: with one left by another test, --jobs 3 would be 1."""
    assert threading.active_count() == 1, "a thread is running: these tests would compare one process with itself"


def _write(path: Path, schema: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schema, indent=2) + "\n")


def _record(name: str, fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "record", "name": name, "namespace": "org.example", "doc": "A record.", "fields": fields}


def _evolve(rng: random.Random, fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One random change, safe or breaking: what a history of real schemas goes through."""
    fields = [dict(f) for f in fields]
    change = rng.randrange(6)
    if change == 0:
        fields.append({"name": f"o{rng.randrange(10**6)}", "type": ["null", "string"], "default": None, "doc": "O."})
    elif change == 1:
        fields.append({"name": f"r{rng.randrange(10**6)}", "type": rng.choice(TYPES), "doc": "R."})
    elif change == 2 and len(fields) > 1:
        fields.pop(rng.randrange(len(fields)))
    elif change == 3:
        field = rng.choice(fields)
        field["type"] = rng.choice(TYPES)
    elif change == 4:
        field = rng.choice(fields)
        field["aliases"], field["name"] = [field["name"]], field["name"] + "_renamed"
    else:
        fields.append({"name": f"d{rng.randrange(10**6)}", "type": "int", "default": 0})  # no doc: a warning
    return fields


def _history(rng: random.Random, versions: int) -> list[dict[str, Any]]:
    fields = [{"name": f"f{i}", "type": rng.choice(TYPES), "doc": "F."} for i in range(rng.randrange(1, 6))]
    history = [fields]
    for _ in range(versions - 1):
        history.append(_evolve(rng, history[-1]))
    return [_record("R", f) for f in history]


def _flat(root: Path, seed: int) -> list[str]:
    """A flat folder against another: subjects changed, added, removed, unchanged."""
    rng = random.Random(seed)
    for index in range(rng.randrange(6, 16)):
        old, new = _history(rng, 2)
        if rng.random() > 0.1:
            _write(root / "old" / f"s{index}.avsc", old)
        if rng.random() > 0.1:
            _write(root / "new" / f"s{index}.avsc", new if rng.random() > 0.2 else old)
    (root / "new").mkdir(exist_ok=True)
    (root / "old").mkdir(exist_ok=True)
    return [str(root / "new"), "--against", str(root / "old"), "--mode", "FULL"]


def _layout(root: Path, seed: int) -> list[str]:
    """The package layout: each subject's versions, checked FULL_TRANSITIVE."""
    rng = random.Random(seed)
    for index in range(rng.randrange(4, 10)):
        for number, schema in enumerate(_history(rng, rng.randrange(1, 5))):
            _write(root / "schemas" / f"org.example.thing{index}.v1" / f"{number}.avsc", schema)
    return [str(root / "schemas")]


def _both(argv: list[str]) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    return run_cli([*argv, "--jobs", "1"]), run_cli([*argv, "--jobs", "3"])


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("layout", [_flat, _layout], ids=["flat", "layout"])
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_three_processes_print_what_one_prints(tmp_path: Path, seed: int, layout: Any, fmt: str) -> None:
    """Random histories, flat and versioned: the same exit code, output and errors with --jobs 3 and 1."""
    argv = ["lint", *layout(tmp_path, seed), "--format", fmt, "--show-info"]
    one, three = _both(argv)
    assert one[0] in (0, 1), one[2]
    assert three == one


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=cwd, check=True,
                   capture_output=True)  # fmt: skip


def test_a_git_baseline_and_version_files(tmp_path: Path) -> None:
    """Against git:HEAD, an edited and a removed release and new versions; then only some version files named."""
    _layout(tmp_path, seed=3)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "released")
    schemas = tmp_path / "schemas"
    subjects = sorted(schemas.iterdir())
    shutil.rmtree(subjects[0])
    (subjects[1] / "0.avsc").write_text((subjects[1] / "0.avsc").read_text().replace('"F."', '"Edited."'))
    rng = random.Random(5)
    for subject in subjects[2:]:
        latest = max(subject.glob("*.avsc"), key=lambda p: int(p.stem))
        schema = json.loads(latest.read_text())
        _write(subject / f"{int(latest.stem) + 1}.avsc", _record("R", _evolve(rng, schema["fields"])))
    one, three = _both(["lint", str(schemas), "--against", "git:HEAD", "--format", "json"])
    assert one[0] == 1
    rules = {f["rule"] for f in json.loads(one[1])["findings"]}
    assert {"RELEASED_VERSION_REMOVED", "RELEASED_FILE_EDITED"} <= rules
    assert three == one
    named = [str(max(s.glob("*.avsc"), key=lambda p: int(p.stem))) for s in subjects[2:]]
    one, three = _both(["lint", *named, "--against", "git:HEAD", "--format", "json"])
    assert "RELEASED_VERSION_REMOVED" not in one[1]  # files were named, not folders: nothing is removed
    assert three == one


def test_contracts_name_their_consumers_in_every_process(repo_root: Path, tmp_path: Path) -> None:
    """Removing fields the contracts read: the consumers are named the same way from a forked process."""
    schemas = tmp_path / "schemas"
    shutil.copytree(repo_root / "schemas", schemas)
    for folder in schemas.iterdir():
        if folder.is_dir():
            latest = max(folder.glob("*.avsc"), key=lambda p: int(p.stem))
            envelope = json.loads(latest.read_text())
            envelope["fields"][0]["type"]["fields"].pop(0)
            _write(folder / f"{int(latest.stem) + 1}.avsc", envelope)
    argv = ["lint", str(schemas), "--contracts", str(repo_root / "contracts"), "--format", "json"]
    one, three = _both(argv)
    assert one[0] == 1
    assert any(f["consumers"] for f in json.loads(one[1])["findings"])
    assert three == one


def test_a_type_from_another_file_or_a_bad_file_is_checked_in_one_process(tmp_path: Path) -> None:
    """Files using each other's named types, or a broken file, leave the shares; the output is still the same."""
    addr = {"type": "record", "name": "Addr", "namespace": "c", "fields": [{"name": "x", "type": "int"}]}
    user = {"type": "record", "name": "Ev", "namespace": "c", "fields": [{"name": "a", "type": "Addr"}]}
    _flat(tmp_path, seed=1)
    for side, x in (("old", "int"), ("new", "long")):
        _write(tmp_path / side / "addr.avsc", dict(addr, fields=[{"name": "x", "type": x}]))
        _write(tmp_path / side / "user.avsc", user)
    config = Config(mode=Mode.FULL)
    current = read_paths([tmp_path / "new"], defer=True)
    base = read_baseline(str(tmp_path / "old"), [tmp_path / "new"], defer=True)
    assert _jobs._parallel(current, base, config, None, 3) is None
    one, three = _both(["lint", str(tmp_path / "new"), "--against", str(tmp_path / "old"), "--format", "json"])
    assert ("user", "TYPE_CHANGED") in {(f["subject"], f["rule"]) for f in json.loads(one[1])["findings"]}
    assert three == one
    (tmp_path / "new" / "s2.avsc").write_text('{"type": "record", "name": "R", "fields": [}')
    one, three = _both(["lint", str(tmp_path / "new"), "--against", str(tmp_path / "old")])
    assert one[0] == 2
    assert "INVALID_JSON" in one[2]
    assert three == one


def test_the_shares_really_run_apart_and_agree_with_the_library(tmp_path: Path) -> None:
    """Independent subjects are checked in the shares (no silent fallback), with the report check_subjects gives."""
    _flat(tmp_path, seed=2)
    config = Config(mode=Mode.FULL, show_info=True)
    current = read_paths([tmp_path / "new"], defer=True)
    base = read_baseline(str(tmp_path / "old"), [tmp_path / "new"], defer=True)
    report = _jobs._parallel(current, base, config, None, 3)
    expected = check_subjects(
        load_paths([tmp_path / "new"]), load_baseline(str(tmp_path / "old"), [tmp_path / "new"]), config=config
    )
    assert report is not None
    assert report == expected
    assert report.findings


def test_a_process_that_dies_leaves_the_check_to_this_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked process killed (out of memory, say) costs time, not findings: the check runs in one process."""
    _flat(tmp_path, seed=4)
    argv = ["lint", str(tmp_path / "new"), "--against", str(tmp_path / "old"), "--format", "json", "--show-info"]
    expected = run_cli([*argv, "--jobs", "1"])
    parent, share = os.getpid(), _jobs._check_share

    def dies_when_forked(job: Any, names: Any) -> Any:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return share(job, names)

    monkeypatch.setattr(_jobs, "_check_share", dies_when_forked)
    assert run_cli([*argv, "--jobs", "2"]) == expected


@pytest.mark.parametrize("value", ["0", "-1", "two", ""])
def test_jobs_must_be_a_positive_number(value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--jobs 0, a negative or a word is a usage error (exit 2), never a silent default."""
    _write(tmp_path / "s.avsc", _record("R", [{"name": "a", "type": "int", "doc": "A."}]))
    code, _, _ = run_cli(["lint", str(tmp_path / "s.avsc"), "--jobs", value])
    assert code == 2
    assert "argument --jobs:" in capsys.readouterr().err


def test_a_process_running_other_threads_is_not_forked() -> None:
    """A copy of a process whose other threads hold locks could hang: with one running, one process checks."""
    assert _jobs._processes(3, 10) == 3
    assert _jobs._processes(None, _jobs.AUTO_JOBS_FROM) == _jobs.available_cores()  # on Linux, as here
    assert _jobs._processes(None, _jobs.AUTO_JOBS_FROM - 1) == 1
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert _jobs._processes(3, 10) == 1
    finally:
        release.set()
        other.join()
