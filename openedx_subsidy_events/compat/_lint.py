"""What ``subsidy-events lint`` runs: read the PATHs and the baseline, build the subjects, check them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ._check import Readers, check_subjects
from ._config import Config
from ._load import build_subjects, gc_paused, read_baseline, read_paths
from ._model import Report

__all__ = ["lint_paths"]


def lint_paths(
    paths: Sequence[Path],
    baseline: str | None = None,
    *,
    config: Config,
    readers: Mapping[str, Readers] | None = None,
) -> Report:
    """:func:`load_paths` and :func:`load_baseline`, then :func:`check_subjects`, in this process.

    The cyclic garbage collector is paused throughout, and the schemas are freed (when
    :func:`_lint` returns) before it runs again: otherwise its first pass after the pause would look
    at every object of every schema (a tenth of a 5,000-pair run).
    """
    with gc_paused():
        return _lint(paths, baseline, config, readers)


def _lint(paths: Sequence[Path], baseline: str | None, config: Config, readers: Mapping[str, Readers] | None) -> Report:
    now = build_subjects(read_paths(paths))
    then = build_subjects(read_baseline(baseline, paths), like=now) if baseline is not None else None
    return check_subjects(now, then, config=config, readers=readers)
