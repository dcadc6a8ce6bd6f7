"""``can-i-deploy``: whether a service version was verified against every counterpart it will meet.

From a folder of verification reports (no broker server), for each contract the service takes
part in (as the producer of its event type, or as its consumer) the matrix pairs the service's own
result with the counterpart's, for the same contract text. The version is deployable when every
pair passed, or failed only on a pending contract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..events import get_event
from ..exceptions import UnknownEventType
from ._model import Contract
from ._report import ContractResult, VerificationReport

__all__ = ["DeployMatrix", "MatrixRow", "can_i_deploy", "known_services"]


@attrs.frozen(kw_only=True)
class MatrixRow:
    """One contract, seen from the service and from its counterpart.

    .. versionadded:: 0.1.0
    """

    role: str
    counterpart: str
    counterpart_version: str | None
    event_type: str
    contract_file: str
    contract_sha256: str
    own_outcome: str
    counterpart_outcome: str
    verdict: str
    reason: str

    @property
    def ok(self) -> bool:
        """Whether this pair lets the deployment go ahead."""
        return self.verdict in {"ok", "pending"}


@attrs.frozen(kw_only=True)
class DeployMatrix:
    """The answer of ``can-i-deploy`` and the rows behind it.

    .. versionadded:: 0.1.0
    """

    service: str
    version: str
    rows: tuple[MatrixRow, ...]

    @property
    def deployable(self) -> bool:
        """Every row passed (or failed only on a pending contract)."""
        return all(row.ok for row in self.rows)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "service": self.service,
            "version": self.version,
            "deployable": self.deployable,
            "rows": [attrs.asdict(row) for row in self.rows],
        }

    def to_markdown(self) -> str:
        """A Markdown table with a one-line verdict above it."""
        verdict = "**yes**" if self.deployable else "**no**"
        lines = [
            f"Can {_cell(self.service)} {_cell(self.version)} be deployed? {verdict}",
            "",
            "| role | counterpart | version | event type | contract | own | counterpart | verdict |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in self.rows:
            cells = (
                row.role, row.counterpart, row.counterpart_version or "—", f"`{row.event_type}`",
                f"`{row.contract_file}` ({row.contract_sha256[:8]})", row.own_outcome, row.counterpart_outcome,
                f"{row.verdict}: {row.reason}",
            )  # fmt: skip
            lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
        if not self.rows:
            lines.append("| — | — | — | — | — | — | — | no contract involves this service |")
        return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped (versions and names come from reports)."""
    return " ".join(text.split()).replace("|", "\\|")


def _producer_of(event_type: str) -> str | None:
    try:
        return get_event(event_type).producer
    except UnknownEventType:
        return None


def known_services(contracts: Sequence[Contract]) -> list[str]:
    """Every service the contracts name, as consumer or as producer of the event type, sorted."""
    names = {c.consumer for c in contracts}
    names.update(p for p in (_producer_of(c.event_type) for c in contracts) if p is not None)
    return sorted(names)


def _counterparts_of(service: str, contracts: Sequence[Contract]) -> set[str]:
    """The services ``service`` exchanges events with: its consumers, and the producers it consumes from."""
    met = set()
    for contract in contracts:
        producer = _producer_of(contract.event_type)
        if producer == service:
            met.add(contract.consumer)
        if contract.consumer == service and producer is not None:
            met.add(producer)
    return met


def _find(
    reports: Sequence[VerificationReport], service: str, version: str | None, role: str, contract_file: str
) -> tuple[VerificationReport, ContractResult] | None:
    """The newest result of ``service`` (at ``version`` when given) for a contract file in a role."""
    for report in reversed(reports):
        if report.service != service or (version is not None and report.version != version):
            continue
        for result in report.results.values():
            if result.role == role and result.contract_file == contract_file:
                return report, result
    return None


def _row(
    reports: Sequence[VerificationReport],
    service: str,
    version: str,
    role: str,
    counterpart: str,
    counterpart_version: str | None,
    contract: Contract,
) -> MatrixRow:
    other_role = "consumer" if role == "producer" else "producer"
    own = _find(reports, service, version, role, contract.path)
    other = _find(reports, counterpart, counterpart_version, other_role, contract.path)
    sha = own[1].contract_sha256 if own else contract.sha256
    verdict, reason = _verdict(
        own,
        other,
        contract,
        service=service,
        version=version,
        role=role,
        counterpart=counterpart,
        counterpart_version=counterpart_version,
    )
    return MatrixRow(
        role=role,
        counterpart=counterpart,
        counterpart_version=other[0].version if other else counterpart_version,
        event_type=contract.event_type,
        contract_file=contract.path,
        contract_sha256=sha,
        own_outcome=own[1].outcome if own else "missing",
        counterpart_outcome=other[1].outcome if other else "missing",
        verdict=verdict,
        reason=reason,
    )


Found = tuple[VerificationReport, ContractResult] | None


def _verdict(
    own: Found,
    other: Found,
    contract: Contract,
    *,
    service: str,
    version: str,
    role: str,
    counterpart: str,
    counterpart_version: str | None = None,
) -> tuple[str, str]:
    other_role = "consumer" if role == "producer" else "producer"
    if own is None:
        return "missing", f"{service} {version} has no {role} verification of this contract"
    if other is None:
        pinned = f" {counterpart_version}" if counterpart_version is not None else ""
        return "missing", f"{counterpart}{pinned} has no {other_role} verification of this contract"
    for side, (report, result) in ((service, own), (counterpart, other)):
        if result.contract_sha256 != contract.sha256:
            return "mismatch", (
                f"{side} {report.version} verified another text of the contract "
                f"(sha256 {result.contract_sha256[:8]}, now {contract.sha256[:8]}); verify again"
            )
    outcomes = {own[1].outcome, other[1].outcome}
    if outcomes == {"passed"}:
        return "ok", "both sides passed"
    if "failed" in outcomes:
        return "failed", "a side failed verification"
    return "pending", "failed on a pending contract only"


def can_i_deploy(
    reports: Sequence[VerificationReport],
    contracts: Sequence[Contract],
    *,
    service: str,
    version: str,
    counterparts: Mapping[str, str] | None = None,
) -> DeployMatrix:
    """Pair ``service`` ``version``'s results with each counterpart's, contract by contract.

    ``counterparts`` pins the versions the service will meet (e.g. what is deployed now); a
    counterpart not pinned is taken at its newest report. ``ValueError`` when no contract names
    ``service`` (a misspelt name would otherwise have nothing to check and be deployable).

    .. versionadded:: 0.1.0
    """
    known = known_services(contracts)
    if service not in known:
        raise ValueError(f"no contract names the service {service!r}; known services: {', '.join(known) or 'none'}")
    pinned = dict(counterparts or {})
    met = _counterparts_of(service, contracts)
    if unknown := sorted(set(pinned) - met):
        raise ValueError(
            f"--counterpart {', '.join(unknown)}: {service} meets no such service in the contracts; "
            f"its counterparts: {', '.join(sorted(met)) or 'none'}"
        )
    rows = []
    for contract in sorted(contracts, key=lambda c: (c.event_type, c.consumer)):
        producer = _producer_of(contract.event_type)
        if producer == service:
            rows.append(
                _row(reports, service, version, "producer", contract.consumer, pinned.get(contract.consumer), contract)
            )
        if contract.consumer == service and producer is not None:
            rows.append(_row(reports, service, version, "consumer", producer, pinned.get(producer), contract))
    return DeployMatrix(service=service, version=version, rows=tuple(rows))
