"""The ``contracts verify`` and ``can-i-deploy`` subcommands; the lead's ``cli.py`` calls :func:`register`.

Each command is ``fn(args, stdout, stderr) -> int``: 0 clean, 1 problems found, 2 usage or input error.
The contract modules (YAML, JSON Schema, the codec) are imported by the command that runs, not when
the command line is built: every other command starts without them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from .._checkout import folder_option
from ..exceptions import ContractError, SchemaError

__all__ = ["register", "report_static"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _contracts_root(args: argparse.Namespace) -> Path:
    """``--contracts``, else ``./contracts`` in a checkout of this package, else the installed ones."""
    from ._layout import default_root

    return folder_option(args.contracts, "contracts") or default_root()


def _run_verify(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from ._static import verify_all

    root = _contracts_root(args)
    schemas = folder_option(args.schemas, "schemas")
    try:
        if args.format == "json":
            report = verify_all(root, schemas_root=schemas)
            print(json.dumps(report.to_json(), indent=2), file=stdout)
            return EXIT_OK if report.ok else EXIT_FINDINGS
        return EXIT_FINDINGS if report_static(stdout, root, schemas_root=schemas) else EXIT_OK
    except (ContractError, SchemaError) as error:
        print(f"subsidy-events: {error}", file=stderr)
        return EXIT_USAGE


def report_static(stdout: TextIO, contracts_root: Path | None = None, *, schemas_root: Path | None = None) -> int:
    """Verify every contract statically, print one line per problem and a summary; returns the failing count.

    This is what ``subsidy-events check`` calls for its contracts part. Before printing anything it
    raises :class:`~openedx_subsidy_events.ContractError` when ``contracts_root`` is not a folder and
    :class:`~openedx_subsidy_events.SchemaError` when ``schemas_root`` is not one (usage errors: exit 2).

    .. versionadded:: 0.1.0
    """
    from ._layout import default_root
    from ._static import verify_all

    root = contracts_root if contracts_root is not None else default_root()
    report = verify_all(root, schemas_root=schemas_root)
    for error in report.errors:
        print(error, file=stdout)
    for violation in report.violations:
        print(violation, file=stdout)
    failing = len(report.errors) + sum(1 for v in report.violations if not v.pending)
    verdict = "ok" if report.ok else f"{failing} problem(s)"
    print(f"contracts: {root} ({len(report.contracts)} contracts): {verdict}", file=stdout)
    return failing


def _run_export_pact(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from ._loader import load_contracts
    from ._pact import export_pacts

    out = Path(args.out)
    try:
        contracts = load_contracts(_contracts_root(args))
        if out.exists() and not out.is_dir():
            raise ValueError(f"{out}: --out is not a folder")
        written = export_pacts(contracts, out)
    except (ContractError, ValueError) as error:
        print(f"subsidy-events: {error}", file=stderr)
        return EXIT_USAGE
    except OSError as error:
        print(
            f"subsidy-events: {error.filename or out}: cannot write the pacts ({error.strerror or error})", file=stderr
        )
        return EXIT_USAGE
    for path in written:
        print(f"wrote {path}", file=stdout)
    return EXIT_OK


def _parse_pins(pins: list[str]) -> dict[str, str]:
    result = {}
    for pin in pins:
        name, sep, version = pin.partition("=")
        if not sep or not name or not version:
            raise ValueError(f"--counterpart {pin!r}: expected NAME=VERSION")
        result[name] = version
    return result


def _run_can_i_deploy(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from ._loader import load_contracts
    from ._matrix import can_i_deploy
    from ._report import load_reports

    try:
        pins = _parse_pins(args.counterpart)
        reports = load_reports(Path(args.reports))
        contracts = load_contracts(_contracts_root(args))
        matrix = can_i_deploy(reports, contracts, service=args.service, version=args.version, counterparts=pins)
    except ValueError as error:  # ContractError is a ValueError too
        print(f"subsidy-events: {error}", file=stderr)
        return EXIT_USAGE
    if args.format == "json":
        print(json.dumps(matrix.to_json(), indent=2), file=stdout)
    else:
        print(matrix.to_markdown(), end="", file=stdout)
    return EXIT_OK if matrix.deployable else EXIT_FINDINGS


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``contracts verify`` and ``can-i-deploy`` to the ``subsidy-events`` command line.

    .. versionadded:: 0.1.0
    """
    contracts_help = "contracts folder (default: ./contracts in a checkout of this package, else the installed ones)"
    contracts = commands.add_parser("contracts", help="consumer contracts of the events")
    sub = contracts.add_subparsers(dest="contracts_command", required=True, metavar="COMMAND")
    verify = sub.add_parser("verify", help="check every contract against the published schemas (no service code)")
    verify.add_argument("--contracts", metavar="DIR", help=contracts_help)
    schemas_help = "published schemas (default: ./schemas in a checkout of this package, else the installed ones)"
    verify.add_argument("--schemas", metavar="DIR", help=schemas_help)
    verify.add_argument("--format", choices=("text", "json"), default="text")
    verify.set_defaults(run=_run_verify)
    pact = sub.add_parser("export-pact", help="write each contract as a Pact V4 message pact (for a Pact Broker)")
    pact.add_argument("--contracts", metavar="DIR", help=contracts_help)
    pact.add_argument("--out", metavar="DIR", required=True, help="the folder to write the pact files to")
    pact.set_defaults(run=_run_export_pact)

    deploy = commands.add_parser(
        "can-i-deploy", help="was a service version verified against every counterpart it will meet?"
    )
    deploy.add_argument("--reports", metavar="DIR", required=True, help="a folder of verification reports (JSON)")
    deploy.add_argument("--service", required=True, help="the service to deploy, e.g. license-manager")
    deploy.add_argument("--version", required=True, help="its version, as its reports name it")
    deploy.add_argument(
        "--counterpart",
        metavar="NAME=VERSION",
        action="append",
        default=[],
        help="pin a counterpart's version (e.g. what is deployed); default: its newest report",
    )
    deploy.add_argument("--contracts", metavar="DIR", help=contracts_help)
    deploy.add_argument("--format", choices=("markdown", "json"), default="markdown")
    deploy.set_defaults(run=_run_can_i_deploy)
