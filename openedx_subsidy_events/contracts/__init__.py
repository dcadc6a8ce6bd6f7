"""Consumer-driven contracts: what each consuming service needs from each event, and checking it.

A contract lives in ``contracts/<consumer>/<event_type>.yaml`` (shipped in the wheel). Producers
check what they emit with :func:`check_event`; :func:`verify_all` checks every contract against
the published schemas; reports and :func:`can_i_deploy` say which versions were verified together.
The pytest plugin (:mod:`openedx_subsidy_events.testing`) runs all of this in a service's tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:
    from ._layout import default_root
    from ._loader import contract_format_schema, load_contract, load_contracts, parse_contract
    from ._matrix import DeployMatrix, MatrixRow, can_i_deploy
    from ._model import Contract, Example, Violation, ViolationGroup
    from ._pact import export_pacts, to_pact
    from ._producer import ANSWERS, EventCheck, answered_events, assert_event, check_event
    from ._reader import decode_with_reader, project, reader_schema, writer_window
    from ._report import ContractResult, VerificationReport, load_reports
    from ._static import StaticReport, readers_by_event, verify_all, verify_contract

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "contract_format_schema": "._loader",
        "default_root": "._layout",
        "load_contract": "._loader",
        "load_contracts": "._loader",
        "parse_contract": "._loader",
        "DeployMatrix": "._matrix",
        "MatrixRow": "._matrix",
        "can_i_deploy": "._matrix",
        "Contract": "._model",
        "Example": "._model",
        "Violation": "._model",
        "ViolationGroup": "._model",
        "export_pacts": "._pact",
        "to_pact": "._pact",
        "ANSWERS": "._producer",
        "EventCheck": "._producer",
        "answered_events": "._producer",
        "assert_event": "._producer",
        "check_event": "._producer",
        "decode_with_reader": "._reader",
        "project": "._reader",
        "reader_schema": "._reader",
        "writer_window": "._reader",
        "ContractResult": "._report",
        "VerificationReport": "._report",
        "load_reports": "._report",
        "StaticReport": "._static",
        "readers_by_event": "._static",
        "verify_all": "._static",
        "verify_contract": "._static",
    },
)

__all__ = [
    "ANSWERS",
    "Contract",
    "ContractResult",
    "DeployMatrix",
    "EventCheck",
    "Example",
    "MatrixRow",
    "StaticReport",
    "VerificationReport",
    "Violation",
    "ViolationGroup",
    "answered_events",
    "assert_event",
    "can_i_deploy",
    "check_event",
    "contract_format_schema",
    "decode_with_reader",
    "export_pacts",
    "default_root",
    "load_contract",
    "load_contracts",
    "load_reports",
    "parse_contract",
    "project",
    "reader_schema",
    "readers_by_event",
    "to_pact",
    "verify_all",
    "verify_contract",
    "writer_window",
]
