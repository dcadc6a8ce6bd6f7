"""Verification reports: one JSON file per verification run, the evidence ``can-i-deploy`` reads.

A report says which service, at which version, verified which contracts (by file and SHA-256 of
the contract text) in which role, with which outcome. A result counts only for the exact contract
text it ran against, so editing a contract invalidates old verifications of it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import attrs
import jsonschema

from .._files import FileRefused, read_bounded
from .._version import __version__
from ._model import Contract, Violation

__all__ = ["REPORT_FORMAT", "REPORT_SCHEMA", "ContractResult", "VerificationReport", "load_reports", "merge_outcomes"]

REPORT_FORMAT = 1
Role = Literal["producer", "consumer"]
Outcome = Literal["passed", "failed", "pending-failed"]
_RANK = {"passed": 0, "pending-failed": 1, "failed": 2}
_MAX_LISTED = 20
MAX_REPORT_BYTES = 16 * 1024 * 1024
"""A verification report larger than this is refused before it is read (one run's is a few KiB)."""

_TEXT = {"type": "string"}
_RESULT_KEYS = ["role", "consumer", "event_type", "contract_file", "contract_sha256", "status", "outcome"]
REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "openedx-subsidy-events verification report",
    "type": "object",
    "required": ["report_format", "service", "version", "created", "results"],
    "properties": {
        "report_format": {"const": REPORT_FORMAT},
        "service": {"type": "string", "minLength": 1},
        "version": {"type": "string", "minLength": 1},
        "created": {
            "type": "string",
            "description": "when the run ended: an RFC 3339 date-time with an offset (orders the reports)",
            "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$",
        },
        "package_version": _TEXT,
        "roles": {"type": "array", "items": {"enum": ["producer", "consumer"]}},
        "ok": {"type": "boolean"},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": _RESULT_KEYS,
                "additionalProperties": False,
                "properties": {
                    "role": {"enum": ["producer", "consumer"]},
                    "consumer": _TEXT,
                    "event_type": _TEXT,
                    "contract_file": _TEXT,
                    "contract_sha256": _TEXT,
                    "status": _TEXT,
                    "outcome": {"enum": sorted(_RANK)},
                    "checked": {"type": "integer", "minimum": 0},
                    "violations": {"type": "array", "items": {"type": "object"}},
                },
            },
        },
    },
}
"""The JSON Schema a report file must follow (what :func:`load_reports` checks)."""


def merge_outcomes(*outcomes: str) -> str:
    """The worst of several outcomes (``failed`` beats ``pending-failed`` beats ``passed``)."""
    return max(outcomes, key=lambda o: _RANK.get(o, 3), default="passed")


def outcome_of(contract: Contract, violations: Iterable[Violation]) -> Outcome:
    """``passed`` when there is no violation, else ``failed`` (``pending-failed`` for a pending contract)."""
    if not any(True for _ in violations):
        return "passed"
    return "pending-failed" if contract.is_pending else "failed"


@attrs.define(kw_only=True)
class ContractResult:
    """One contract verified in one role during a run.

    .. versionadded:: 0.1.0
    """

    role: Role
    consumer: str
    event_type: str
    contract_file: str
    contract_sha256: str
    status: str
    outcome: str = "passed"
    checked: int = 0
    violations: list[dict[str, Any]] = attrs.field(factory=list)

    def key(self) -> tuple[str, str, str]:
        """What identifies the result within a report."""
        return (self.role, self.contract_file, self.contract_sha256)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return attrs.asdict(self)


@attrs.define(kw_only=True)
class VerificationReport:
    """The results of one verification run of one service version; add to it, then :meth:`write` it.

    .. versionadded:: 0.1.0
    """

    service: str
    version: str
    created: str = attrs.field(factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    results: dict[tuple[str, str, str], ContractResult] = attrs.field(factory=dict)

    def add(self, role: Role, contract: Contract, violations: Iterable[Violation] = (), *, checked: int = 1) -> None:
        """Record that ``contract`` was verified ``checked`` times in ``role``, with these violations."""
        found = list(violations)
        result = ContractResult(
            role=role,
            consumer=contract.consumer,
            event_type=contract.event_type,
            contract_file=contract.path,
            contract_sha256=contract.sha256,
            status=contract.status,
        )
        result = self.results.setdefault(result.key(), result)
        result.outcome = merge_outcomes(result.outcome, outcome_of(contract, found))
        result.checked += checked
        room = _MAX_LISTED - len(result.violations)
        result.violations.extend(v.to_json() for v in found[: max(room, 0)])

    @property
    def ok(self) -> bool:
        """No active contract failed."""
        return all(r.outcome != "failed" for r in self.results.values())

    def to_json(self) -> dict[str, Any]:
        """The report as written to disk."""
        results = sorted(self.results.values(), key=lambda r: (r.role, r.contract_file))
        return {
            "report_format": REPORT_FORMAT,
            "service": self.service,
            "version": self.version,
            "created": self.created,
            "package_version": __version__,
            "roles": sorted({r.role for r in results}),
            "ok": self.ok,
            "results": [r.to_json() for r in results],
        }

    def write(self, path: Path) -> Path:
        """Write the report as JSON (creating parent folders); returns the path."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2, sort_keys=False) + "\n", encoding="utf-8")
        return path

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VerificationReport:
        """A report read back from its JSON form."""
        report = cls(service=str(data["service"]), version=str(data["version"]), created=str(data["created"]))
        for item in data["results"]:
            result = ContractResult(**item)
            report.results[result.key()] = result
        return report


@functools.cache
def _report_validator() -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(REPORT_SCHEMA)


def _report_problem(data: Any) -> str | None:
    """One sentence on why ``data`` is not a report, naming the field; ``None`` when it is one."""
    error = jsonschema.exceptions.best_match(_report_validator().iter_errors(data))
    if error is None:
        return None
    where = "/".join(str(part) for part in error.absolute_path)
    subject = f"the field '{where}'" if where else "the report"
    if error.validator == "required":
        return f"{subject} is missing the key {error.message.split(' is a required')[0]}"
    if error.validator == "additionalProperties":
        return f"{subject} has a key a report does not define ({error.message.split('(')[-1].rstrip(')')})"
    return f"{subject}: {error.message}"


def _read_report(path: Path) -> VerificationReport:
    try:
        data = json.loads(read_bounded(path, MAX_REPORT_BYTES).decode("utf-8"))
    except FileRefused as refused:
        raise ValueError(str(refused)) from None
    except OSError as error:
        raise ValueError(f"cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"is not UTF-8 text (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"is not JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    except RecursionError:
        raise ValueError("is nested too deeply to be a verification report") from None
    problem = _report_problem(data)
    if problem is not None:
        if "report_format" in problem and isinstance(data, dict) and "report_format" in data:
            problem = f"report_format is {data['report_format']!r}, expected {REPORT_FORMAT}"
        raise ValueError(f"is not a verification report: {problem}")
    try:
        datetime.fromisoformat(data["created"])
    except ValueError:
        raise ValueError(f"is not a verification report: created {data['created']!r} is not a date-time") from None
    first: dict[tuple[str, str, str], int] = {}
    for index, item in enumerate(data["results"]):
        # One result per contract text and role: read back into one, a later result would hide a failed one.
        seen = first.setdefault((item["role"], item["contract_file"], item["contract_sha256"]), index)
        if seen != index:
            reason = f"the field 'results/{index}' is the same contract and role as 'results/{seen}'"
            raise ValueError(f"is not a verification report: {reason}")
    return VerificationReport.from_json(data)


def load_reports(folder: Path) -> list[VerificationReport]:
    """Every ``*.json`` report under ``folder`` (recursively), oldest first.

    ``ValueError``, naming the file and the field, when ``folder`` is not a folder or a file is not
    a report (see ``REPORT_SCHEMA``).

    .. versionadded:: 0.1.0
    """
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such reports folder")
    reports = []
    for path in sorted(folder.rglob("*.json")):
        try:
            reports.append(_read_report(path))
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
    return sorted(reports, key=lambda r: datetime.fromisoformat(r.created))
