"""Schemas written to hurt the linter finish quickly, with the verdicts the docs promise.

Each case runs the command line in a child process with a generous timeout: a guard against a hang
(or a blow-up), not a speed assertion; ``benchmarks/bench_hostile.py`` prints the figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

GUARD = 120


def _lint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "openedx_subsidy_events.cli", "lint", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=GUARD, check=False)


def _union(branches: int, extra: list[str]) -> dict[str, object]:
    fixed = [{"type": "fixed", "name": f"R{i}", "size": 1} for i in range(branches)]
    return {"type": "record", "name": "U", "namespace": "x", "doc": "A union.",
            "fields": [{"name": "u", "doc": "Many branches.", "type": [*extra, *fixed]}]}  # fmt: skip


def test_twenty_five_thousand_undocumented_fields(tmp_path: Path) -> None:
    """864 KB, 25,000 fields without docs: 25,000 MISSING_DOC warnings, each at its own line, exit 0."""
    fields = [{"name": f"f{i}", "type": "long"} for i in range(25_000)]
    schema = {"type": "record", "name": "Big", "namespace": "x", "doc": "Big.", "fields": fields}
    (tmp_path / "big.avsc").write_text(json.dumps(schema).replace("}, {", "},\n{"))  # a field a line
    result = _lint("big.avsc", cwd=tmp_path)
    assert result.returncode == 0
    warnings = [line for line in result.stdout.splitlines() if "MISSING_DOC" in line]
    assert len(warnings) == 25_000
    assert warnings[-1].startswith("big.avsc:25000:1: warning MISSING_DOC [NONE] f24999 (/fields/24999)")


def test_a_union_of_twenty_five_thousand_branches(tmp_path: Path) -> None:
    """Two branches added to a 25,000-branch union: two UNION_BRANCH_ADDED errors, short messages, exit 1."""
    compact = {"separators": (",", ":")}
    (tmp_path / "old.avsc").write_text(json.dumps(_union(25_000, []), **compact))  # type: ignore[arg-type]
    (tmp_path / "new.avsc").write_text(json.dumps(_union(25_000, ["int", "long"]), **compact))  # type: ignore[arg-type]
    result = _lint("new.avsc", "--against", "old.avsc", "--mode", "FULL", cwd=tmp_path)
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if " error " in line]
    assert [line.split()[2] for line in errors] == ["UNION_BRANCH_ADDED", "UNION_BRANCH_ADDED"]
    assert all("and 24992 more]" in line and len(line) < 600 for line in errors)


def test_a_huge_blob_at_a_git_baseline_is_refused_by_its_size(tmp_path: Path) -> None:
    """A 300 MB schema committed at the baseline: refused from git's listing, without reading it."""

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, timeout=GUARD)

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    with (tmp_path / "s.avsc").open("wb") as handle:  # sparse: this process allocates nothing for it
        handle.truncate(300 * 1024 * 1024)
    git("add", "s.avsc")
    git("commit", "-qm", "huge")
    (tmp_path / "s.avsc").write_text('{"type": "string"}')
    code = (
        "import io, json, re\n"
        "from openedx_subsidy_events.cli import main\n"
        "err = io.StringIO()\n"
        "status = main(['lint', 's.avsc', '--against', 'git:HEAD'], stdout=io.StringIO(), stderr=err)\n"
        # VmHWM: this process image's peak (ru_maxrss would carry over the forking test runner's)
        "peak = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)) // 1024\n"
        "print(json.dumps([status, err.getvalue(), peak]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          timeout=GUARD, check=True)  # fmt: skip
    status, stderr, peak_mib = json.loads(done.stdout)
    assert status == 2
    assert stderr.strip() == "subsidy-events lint: HEAD:s.avsc: UNREADABLE: the file is larger than 1048576 bytes"
    assert peak_mib < 250  # reading the blob would need 300+ MiB


def test_a_named_type_used_by_fifteen_thousand_fields_read_as_a_prefix(tmp_path: Path) -> None:
    """A 15,000-field record used by 15,000 fields, version 1 appending one: --rule prefix reads it once, exit 0."""
    big = {"type": "record", "name": "Big", "fields": [{"name": f"b{i}", "type": "long"} for i in range(15_000)]}
    fields = [{"name": "f0", "type": big}, *({"name": f"f{i}", "type": "x.Big"} for i in range(1, 15_000))]
    schema = {"type": "record", "name": "Many", "namespace": "x", "fields": fields}
    appended = {"name": "z", "type": ["null", "string"], "default": None}
    folder = tmp_path / "many"
    folder.mkdir()
    for number, version in enumerate([schema, {**schema, "fields": [*fields, appended]}]):
        (folder / f"{number}.avsc").write_text(json.dumps(version, separators=(",", ":")))
    result = _lint("many", "--rule", "prefix", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "0 error(s), 0 warning(s) in 1 subject(s) (--show-info for notes)"
