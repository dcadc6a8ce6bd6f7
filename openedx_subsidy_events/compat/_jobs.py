"""Checking many subjects on every core: the subjects are shared out among forked processes.

Each process reads, parses and checks the files of its own share of the subjects and sends back
only their findings, so the work that grows with the number of schemas runs in parallel and
nothing large is copied between processes: a forked process inherits the listing. This process
checks a share too. Subjects are independent, with one exception: a file may use a named type
that another file defines. A process that finds one (or any bad input, or that dies) gives up, and
the whole check runs again in this process, so that the report and the first error are always
exactly those of the sequential check.

Forking is safe because the command line runs no other thread (a process that does is checked in
one process); :func:`lint_paths` is the command line's, not a library function.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs

from ..exceptions import SchemaError
from ._check import Readers, check_subjects, subjects_findings
from ._config import Config
from ._load import TypesShared, _Entry, build_subjects, gc_paused, read_baseline, read_paths
from ._model import Finding, Report

__all__ = ["AUTO_JOBS_FROM", "available_cores", "lint_paths"]

AUTO_JOBS_FROM = 500
"""Schema files from which ``jobs=None`` uses every core: on two cores, 500 files (250 pairs) check
in 0.11 s on both and 0.12 s on one, and fewer gain nothing from forking."""


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@attrs.frozen
class _Job:
    """What every share needs; a forked process inherits it (it is never pickled)."""

    current: Mapping[str, Sequence[_Entry]]
    baseline: Mapping[str, Sequence[_Entry]] | None
    config: Config
    readers: Mapping[str, Readers] | None
    removals: bool


def lint_paths(
    paths: Sequence[Path],
    baseline: str | None = None,
    *,
    config: Config,
    readers: Mapping[str, Readers] | None = None,
    jobs: int | None = None,
) -> Report:
    """:func:`load_paths` and :func:`load_baseline`, then :func:`check_subjects`, in ``jobs`` processes.

    ``jobs``: how many processes (1: this one only); ``None`` uses every available core when there
    are at least :data:`AUTO_JOBS_FROM` files. The report is the same whatever the number.

    The cyclic garbage collector is paused throughout, and the schemas are freed before it runs
    again: otherwise every pause would end in a collection that looks at each of their objects.
    """
    with gc_paused():
        return _lint(paths, baseline, config, readers, jobs)


def _lint(
    paths: Sequence[Path],
    baseline: str | None,
    config: Config,
    readers: Mapping[str, Readers] | None,
    jobs: int | None,
) -> Report:
    current = read_paths(paths, defer=True)
    base = read_baseline(baseline, paths, defer=True) if baseline is not None else None
    processes = _processes(jobs, len(current) + len(base or ()))
    if processes > 1:
        report = _parallel(current, base, config, readers, processes)
        if report is not None:
            return report
    now = build_subjects(current)
    then = build_subjects(base, like=now) if base is not None else None
    return check_subjects(now, then, config=config, readers=readers)


def _processes(jobs: int | None, files: int) -> int:
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return 1  # forking a process that runs other threads could leave the copy stuck on their locks
    if jobs is None:  # macOS's system libraries may start threads of their own: fork there only when asked
        return available_cores() if files >= AUTO_JOBS_FROM and sys.platform.startswith("linux") else 1
    return jobs


def _by_subject(entries: Sequence[_Entry]) -> dict[str, list[_Entry]]:
    grouped: dict[str, list[_Entry]] = {}
    for entry in entries:
        grouped.setdefault(entry.subject, []).append(entry)
    return grouped


def _parallel(
    current: Sequence[_Entry],
    baseline: Sequence[_Entry] | None,
    config: Config,
    readers: Mapping[str, Readers] | None,
    processes: int,
) -> Report | None:
    """The report from ``processes`` processes (this one included), or ``None`` when a share failed."""
    now = _by_subject(current)
    base = _by_subject(baseline) if baseline is not None else None
    names = sorted({*now, *(base or {})})
    if len(now) < 2 or len(names) < processes:
        return None  # one subject against one is paired whatever their names: left to the sequential check
    named = {entry.subject for entry in current if entry.partial or entry.named}
    job = _Job(now, base, config, readers, removals=not all(name in named for name in now))
    shares = [names[i::processes] for i in range(processes)]
    sys.stdout.flush()  # nothing buffered may be written twice
    sys.stderr.flush()
    children = [_fork(job, share) for share in shares[1:]]
    try:
        mine = _check_share(job, shares[0])
    finally:  # whatever happens here, no forked process is left behind
        results = [_collect(*child) for child in children]
    results.append(mine)
    if any(result is None for result in results):
        return None
    findings = [finding for result in results for finding in result or ()]
    return Report.of(findings, names, info_shown=config.reports_info)


def _fork(job: _Job, share: Sequence[str]) -> tuple[int, int]:
    """Check ``share`` in a forked process; its pid and the pipe its pickled findings come through."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    # the forked process: it leaves through os._exit, so it never runs the parent's exit handlers
    status = 1
    try:
        os.close(read_end)
        data = pickle.dumps(_check_share(job, share), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        status = 0
    finally:
        os._exit(status)


def _collect(pid: int, read_end: int) -> list[Finding] | None:
    """What the process ``pid`` sent, once it has ended; ``None`` if it failed or was killed."""
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    result: list[Finding] | None = pickle.loads(data)
    return result


def _check_share(job: _Job, names: Sequence[str]) -> list[Finding] | None:
    """The findings of the subjects ``names``, or ``None`` if they cannot be checked apart from the others."""
    current = [entry for name in names for entry in job.current.get(name, ())]
    base = [entry for name in names for entry in job.baseline.get(name, ())] if job.baseline is not None else None
    try:
        now = build_subjects(current, apart=True)
        then = build_subjects(base, apart=True, like=now) if base is not None else None
        return subjects_findings(now, then, job.config, job.readers, removals=job.removals)
    except (SchemaError, TypesShared, RecursionError):
        return None  # the sequential check reports it (or resolves the type another share defines)
