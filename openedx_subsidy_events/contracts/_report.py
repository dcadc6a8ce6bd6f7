"""Verification reports: one JSON file per verification run, the evidence ``can-i-deploy`` reads.

A report says which service, at which version, verified which contracts (by file and SHA-256 of
the contract text) in which role, with which outcome. A result counts only for the exact contract
text it ran against, so editing a contract invalidates old verifications of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import attrs

from .._version import __version__
from ._model import Contract, Violation

__all__ = ["REPORT_FORMAT", "ContractResult", "VerificationReport", "load_reports", "merge_outcomes"]

REPORT_FORMAT = 1
Role = Literal["producer", "consumer"]
Outcome = Literal["passed", "failed", "pending-failed"]
_RANK = {"passed": 0, "pending-failed": 1, "failed": 2}
_MAX_LISTED = 20


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


def load_reports(folder: Path) -> list[VerificationReport]:
    """Every ``*.json`` report under ``folder`` (recursively), oldest first; ``ValueError`` on a bad file.

    .. versionadded:: 0.1.0
    """
    reports = []
    for path in sorted(folder.rglob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("report_format") != REPORT_FORMAT:
                raise ValueError(f"report_format is {data.get('report_format')!r}, expected {REPORT_FORMAT}")
            reports.append(VerificationReport.from_json(data))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}: not a verification report ({error})") from None
    return sorted(reports, key=lambda r: r.created)
