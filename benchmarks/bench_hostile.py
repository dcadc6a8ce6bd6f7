"""How the work grows with hostile inputs: time per 1,000 fields, branches or reads, at three sizes.

Run: python benchmarks/bench_hostile.py

Each case is the command line a user runs, in this process (``main``), on inputs made here:

- *fields*: a schema of N fields without docs (N MISSING_DOC findings, each located in the file);
- *branches*: a union of N named branches, two branches added against a baseline;
- *reads*: a contract reading N fields the schema does not have (``contracts verify``);
- *pattern*: a contract pattern ``^(a+)+$`` checked against a value of N characters.

Linear work shows as a flat time per 1,000; quadratic work as a column that grows with N.
"""

from __future__ import annotations

import io
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from openedx_subsidy_events.cli import main
from openedx_subsidy_events.contracts import check_event, parse_contract

REPO = Path(__file__).resolve().parents[1]
APPROVED = "org.openedx.enterprise.access.license-request.approved.v1"
CONTRACT = REPO / "contracts" / "license-manager" / f"{APPROVED}.yaml"
SIZES = (5_000, 10_000, 20_000)


def _run(*argv: str) -> None:
    main(list(argv), stdout=io.StringIO(), stderr=io.StringIO())


def _fields(folder: Path, n: int) -> Callable[[], None]:
    fields = [{"name": f"f{i}", "type": "long"} for i in range(n)]
    path = folder / f"fields-{n}.avsc"
    path.write_text(json.dumps({"type": "record", "name": "Big", "namespace": "x", "fields": fields}))
    return lambda: _run("lint", str(path))


def _branches(folder: Path, n: int) -> Callable[[], None]:
    def union(extra: list[str]) -> dict[str, object]:
        fixed = [{"type": "fixed", "name": f"R{i}", "size": 1} for i in range(n)]
        return {"type": "record", "name": "U", "namespace": "x", "fields": [{"name": "u", "type": [*extra, *fixed]}]}

    old, new = folder / f"old-{n}.avsc", folder / f"new-{n}.avsc"
    old.write_text(json.dumps(union([]), separators=(",", ":")))
    new.write_text(json.dumps(union(["int", "long"]), separators=(",", ":")))
    return lambda: _run("lint", str(new), "--against", str(old), "--mode", "FULL")


def _reads(folder: Path, n: int) -> Callable[[], None]:
    root = folder / f"contracts-{n}"
    shutil.copytree(REPO / "contracts", root)
    path = root / "license-manager" / f"{APPROVED}.yaml"
    extra = "".join(f"  - u{i}\n" for i in range(n))
    path.write_text(path.read_text().replace("  - course_run_key\n", "  - course_run_key\n" + extra))
    return lambda: _run("contracts", "verify", "--contracts", str(root))


def _pattern(_folder: Path, n: int) -> Callable[[], None]:
    contract = parse_contract(CONTRACT.read_text().replace('pattern: "^course-v1:"', 'pattern: "^(a+)+$"'), path="c")
    record = {
        "subsidy_request_uuid": "2f9a0a5e-6a8f-4f1e-9d59-2d8f4c1c0a11", "lms_user_id": 17,
        "user_email": "learner@example.com", "enterprise_customer_uuid": "8d1f6f0e-1b7c-4f4e-8a43-0f3c2f5b9c22",
        "subscription_plan_uuid": "0b8e7c2a-3d4f-4a9b-8c1d-5e6f7a8b9c33", "attempt_auto_enrollment": True,
        "reviewed_at": "2026-03-02T10:15:00+00:00", "course_run_key": "a" * n + "!",
    }  # fmt: skip
    return lambda: check_event({"license_request": record}, event_type=APPROVED, contracts=[contract])


def main_() -> None:
    cases = {"fields": _fields, "branches": _branches, "reads": _reads, "pattern (per 1,000 characters)": _pattern}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        print(f"{'case':<32}" + "".join(f"{n:>14,}" for n in SIZES) + "   (ms per 1,000, median of 3)")
        for label, make in cases.items():
            row = []
            for n in SIZES:
                run = make(folder, n)
                times = []
                for _ in range(3):
                    start = time.perf_counter()
                    run()
                    times.append(time.perf_counter() - start)
                row.append(statistics.median(times) * 1000 / (n / 1000))
            print(f"{label:<32}" + "".join(f"{value:>14.2f}" for value in row))


if __name__ == "__main__":
    main_()
