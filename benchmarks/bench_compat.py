"""Benchmark of the compatibility linter (not a test: it prints figures, it asserts nothing).

1. Whole process, as a user runs it: ``subsidy-events lint NEW --against OLD --mode FULL --format
   json`` on N flat subject pairs (5,000; 50,000 with ``--large``), against Apache avro's
   ``ReaderWriterCompatibilityChecker`` reading, parsing and checking the same files both ways in
   its own in-process loop (its interpreter start-up and imports not counted). Every pair adds a
   field; one in 100 (``--break-every N``) adds it without a default, which breaks BACKWARD. The
   subjects each side calls incompatible are compared before any figure is printed. Rounds
   interleave the contenders; medians and ratios.
2. The same reader/writer pairs, checked in one process by our checker (every finding, as
   values) and by the Apache checker (yes/no): pairs per second and the ratio. Both get schemas
   parsed once beforehand, as a linter holding them would.
3. A FULL_TRANSITIVE check of 100 subjects x 20 versions in the package layout, from disk, in
   process and as a whole ``subsidy-events lint`` process.

Run: ``python benchmarks/bench_compat.py`` (``--quick`` for a smaller run, ``--large`` to add the
50,000-pair run, ``--break-every 10`` for more findings). Run it against an installed wheel to
measure what users get.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker

from openedx_subsidy_events.compat import Config, Mode, check_subjects, load_paths
from openedx_subsidy_events.compat._check import _Context, iter_history
from openedx_subsidy_events.compat._load import Schema
from openedx_subsidy_events.compat._schema import parse

PRIMITIVES = ["int", "long", "string", "boolean", "double", "bytes"]


def event_schema(rng: random.Random, version: int, *, fields: int = 12) -> dict[str, Any]:
    """An event-like record: scalar fields, an optional nested record, an enum, a map; ``version`` fields added."""
    payload = [{"name": f"f{i}", "type": PRIMITIVES[i % len(PRIMITIVES)], "doc": f"Field {i}."} for i in range(fields)]
    payload.append(
        {
            "name": "address",
            "type": [
                "null",
                {
                    "type": "record",
                    "name": "Address",
                    "doc": "An address.",
                    "fields": [{"name": n, "type": "string", "doc": n} for n in ("street", "city", "country")],
                },
            ],
            "default": None,
            "doc": "Where.",
        }
    )
    payload.append(
        {
            "name": "state",
            "type": {"type": "enum", "name": "State", "symbols": ["A", "B", "C"], "default": "A", "doc": "S."},
            "doc": "State.",
        }
    )
    payload.append({"name": "tags", "type": {"type": "map", "values": "string"}, "default": {}, "doc": "Tags."})
    for added in range(version):
        payload.append({"name": f"added{added}", "type": ["null", "string"], "default": None, "doc": "Added."})
    return {
        "type": "record",
        "name": "Event",
        "namespace": "org.example.bench",
        "doc": "An event.",
        "fields": [
            {
                "name": "payload",
                "type": {"type": "record", "name": "Payload", "doc": "P.", "fields": payload},
                "doc": "P.",
            }
        ],
    }


def rewritten(schema: dict[str, Any]) -> dict[str, Any]:
    """The worst case for skipping: every payload field's type changes, so every field is walked."""
    swapped = json.loads(json.dumps(schema))
    for field in swapped["fields"][0]["type"]["fields"]:
        if field["type"] in PRIMITIVES:
            field["type"] = "long" if field["type"] == "int" else "string"
    return swapped


def pairs(kind: str, count: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    rng = random.Random(7)
    made = []
    for i in range(count):
        version = i % 10
        old = event_schema(rng, version)
        new = event_schema(rng, version + 1) if kind == "evolution" else rewritten(old)
        made.append((old, new))
    return made


def rate(label: str, func: Callable[[], int], seconds: float = 2.0) -> float:
    """Pairs per second: the best of five rounds of ``seconds / 5`` (like ``timeit``: noise only slows)."""
    best = 0.0
    for _ in range(5):
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 5:
            done += func()
        best = max(best, done / (time.perf_counter() - start))
    print(f"  {label:<44} {best:>10,.0f} pairs/s  ({1e6 / best:7.1f} us/pair)")
    return best


def compare(kind: str, count: int, seconds: float) -> float:
    print(f"{kind}: {count} schema pairs, both directions of each pair")
    raw = pairs(kind, count)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        apache = [(avro.schema.parse(json.dumps(o)), avro.schema.parse(json.dumps(n))) for o, n in raw]
    ours = [(Schema("s", parse(o)), Schema("s", parse(n))) for o, n in raw]
    config = Config(mode=Mode.FULL)
    context = _Context("s", {}, config, None)

    def run_ours() -> int:
        for old, new in ours:
            for _ in iter_history([old, new], mode=Mode.FULL, context=context):
                pass
        return 2 * len(ours)

    def run_apache() -> int:
        for old, new in apache:
            ReaderWriterCompatibilityChecker().get_compatibility(new, old)
            ReaderWriterCompatibilityChecker().get_compatibility(old, new)
        return 2 * len(apache)

    def run_ours_parsing() -> int:
        for old, new in raw:
            for _ in iter_history([Schema("s", parse(old)), Schema("s", parse(new))], mode=Mode.FULL, context=context):
                pass
        return 2 * len(raw)

    def run_apache_parsing() -> int:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for old, new in raw:
                a, b = avro.schema.parse(json.dumps(old)), avro.schema.parse(json.dumps(new))
                ReaderWriterCompatibilityChecker().get_compatibility(b, a)
                ReaderWriterCompatibilityChecker().get_compatibility(a, b)
        return 2 * len(raw)

    mine = rate("ours (every finding, as values)", run_ours, seconds)
    theirs = rate("Apache ReaderWriterCompatibilityChecker", run_apache, seconds)
    print(f"  ratio: ours is {mine / theirs:.1f}x the Apache checker's speed (parsed once)")
    mine_p = rate("ours, parsing each pair too", run_ours_parsing, seconds)
    theirs_p = rate("Apache, parsing each pair too", run_apache_parsing, seconds)
    print(f"  ratio with parsing: {mine_p / theirs_p:.1f}x")
    return mine / theirs


def transitive(subjects: int, versions: int) -> float:
    print(f"transitive: {subjects} subjects x {versions} versions, FULL_TRANSITIVE, package layout on disk")
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for s in range(subjects):
            for v in range(versions):
                path = root / f"org.openedx.bench.thing{s}.created.v1" / f"{v}.avsc"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(event_schema(rng, v), indent=2))
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            current = load_paths([root])
            loaded = time.perf_counter()
            report = check_subjects(current, config=Config(mode=Mode.FULL_TRANSITIVE))
            done = time.perf_counter()
            timings.append((done - start, loaded - start, done - loaded))
            del current
    total, load, check = min(timings)
    print(f"  best of 3: load {load:.2f} s + check {check:.2f} s = {total:.2f} s total")
    pairs_checked = subjects * versions * (versions - 1) // 2
    print(f"  {pairs_checked} version pairs x 2 directions; {len(report)} findings, {len(report.errors)} errors")
    return total


APACHE_LOOP = """
import json, sys, time, warnings
from pathlib import Path
warnings.simplefilter("ignore")
import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

root = Path(sys.argv[1])
start = time.perf_counter()
incompatible = []
for new_file in sorted((root / "new").glob("*.avsc")):
    new = avro.schema.parse(new_file.read_text())
    old = avro.schema.parse((root / "old" / new_file.name).read_text())
    verdicts = [
        ReaderWriterCompatibilityChecker().get_compatibility(new, old).compatibility,
        ReaderWriterCompatibilityChecker().get_compatibility(old, new).compatibility,
    ]
    if any(v is not SchemaCompatibilityType.compatible for v in verdicts):
        incompatible.append(new_file.stem)
print(json.dumps({"seconds": time.perf_counter() - start, "incompatible": sorted(incompatible)}))
"""
"""Apache's checker in its own loop: a fresh checker per check (one shared checker memoises every
pair it has seen and slows down as it grows), the time measured inside the loop."""


def flat_pairs(root: Path, count: int, break_every: int = 100) -> None:
    """``count`` subjects as ``old/`` and ``new/`` folders of ``s<i>.avsc``; one in ``break_every`` breaks BACKWARD."""
    rng = random.Random(5)
    types = ["int", "long", "string", "boolean", "double", "bytes", "float"]
    for side in ("old", "new"):
        (root / side).mkdir(parents=True)
    for i in range(count):
        fields = [{"name": f"f{j}", "type": rng.choice(types), "doc": f"Field {j}."} for j in range(8)]
        old = {"type": "record", "name": f"R{i}", "namespace": "org.example", "doc": "A record.", "fields": fields}
        added = {"name": "x0", "type": ["null", "string"], "default": None, "doc": "Added."}
        if i % break_every == 0:
            added = {"name": "x0", "type": "string", "doc": "Added without a default."}
        new = dict(old, fields=[*fields, added])
        (root / "old" / f"s{i}.avsc").write_text(json.dumps(old, indent=2))
        (root / "new" / f"s{i}.avsc").write_text(json.dumps(new, indent=2))


def _subsidy_events() -> list[str]:
    """The installed ``subsidy-events`` command of this interpreter's environment."""
    script = Path(sys.executable).parent / "subsidy-events"
    return [str(script)] if script.exists() else [sys.executable, "-m", "openedx_subsidy_events.cli"]


def _ours(argv: list[str], cwd: Path) -> tuple[float, set[str]]:
    """Wall time of a whole ``subsidy-events`` process, and the subjects with an error."""
    start = time.perf_counter()
    done = subprocess.run([*_subsidy_events(), *argv], cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"subsidy-events failed: {done.stderr}")
    return seconds, {f["subject"] for f in json.loads(done.stdout)["findings"] if f["severity"] == "error"}


def _apache(script: Path, root: Path) -> tuple[float, set[str]]:
    done = subprocess.run([sys.executable, str(script), str(root)], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    return result["seconds"], set(result["incompatible"])


def whole_process(count: int, rounds: int, break_every: int) -> float:
    """Median seconds of each contender over interleaved rounds; the ratio of Apache's to ours."""
    print(
        f"whole process: {count:,} flat subject pairs (1 in {break_every} breaking), "
        f"lint --mode FULL --format json, {rounds} rounds"
    )
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        flat_pairs(root, count, break_every)
        script = root / "apache_loop.py"
        script.write_text(APACHE_LOOP)
        argv = ["lint", "new", "--against", "old", "--mode", "FULL", "--format", "json"]
        contenders: dict[str, Callable[[], tuple[float, set[str]]]] = {
            "Apache checker, in-process loop": lambda: _apache(script, root),
            "subsidy-events lint": lambda: _ours(argv, root),
        }
        times: dict[str, list[float]] = {name: [] for name in contenders}
        verdicts: dict[str, set[str]] = {}
        for round_ in range(rounds):
            names = list(contenders)
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                seconds, broken = contenders[name]()
                times[name].append(seconds)
                verdicts.setdefault(name, broken)
    if len({frozenset(v) for v in verdicts.values()}) != 1:
        raise SystemExit(f"the verdicts differ: { ({k: len(v) for k, v in verdicts.items()}) }")
    apache = statistics.median(times["Apache checker, in-process loop"])
    for name, measured in times.items():
        median = statistics.median(measured)
        print(f"  {name:<40} {median:6.2f} s  (min {min(measured):.2f}, max {max(measured):.2f})  "
              f"{apache / median:4.2f}x Apache")  # fmt: skip
    print(f"  the same {len(next(iter(verdicts.values()))):,} subjects incompatible on every side")
    return apache / statistics.median(times["subsidy-events lint"])


def transitive_process(subjects: int, versions: int, rounds: int) -> None:
    """``subsidy-events lint`` on the package layout, FULL_TRANSITIVE, as a whole process."""
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for s in range(subjects):
            for v in range(versions):
                path = root / "schemas" / f"org.openedx.bench.thing{s}.created.v1" / f"{v}.avsc"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(event_schema(rng, v), indent=2))
        measured = [_ours(["lint", "schemas", "--format", "json"], root)[0] for _ in range(rounds)]
    print(f"  whole process (subsidy-events lint): median {statistics.median(measured):.2f} s of {rounds}")


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    seconds = 0.5 if quick else 2.0
    print(f"python {sys.version.split()[0]}, {platform.machine()}, {os.cpu_count()} cores")
    import openedx_subsidy_events

    print(f"package: {Path(openedx_subsidy_events.__file__).parent}")
    break_every = int(argv[argv.index("--break-every") + 1]) if "--break-every" in argv else 100
    whole_process(500 if quick else 5000, 3 if quick else 7, break_every)
    if "--large" in argv:
        whole_process(50_000, 3, break_every)
    compare("evolution", 50, seconds)
    compare("rewrite", 50, seconds)
    transitive(20 if quick else 100, 20)
    transitive_process(20 if quick else 100, 20, 3 if quick else 5)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
