"""The ``subsidy-events`` command line. Subcommands are thin: each calls the library and prints.

Exit codes: 0 clean, 1 problems found, 2 usage or unreadable input. Building the command line
imports no library part: each command imports what it runs, so ``lint`` starts without the
contracts' YAML and JSON Schema libraries and ``rules`` without the codec.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, TextIO

from ._checkout import folder_option
from ._text import one_line
from ._version import __version__
from .compat._cli import register as register_compat
from .contracts._cli import register as register_contracts
from .contracts._cli import report_static
from .demo._cli import register as register_demo
from .exceptions import ContractError, SchemaError, SubsidyEventsError
from .exports._cli import register as register_exports

__all__ = ["main", "run"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
DEBUG_VARIABLE = "SUBSIDY_EVENTS_DEBUG"
"""Set to show the traceback of an unexpected error instead of its one-line summary."""

Command = Callable[[argparse.Namespace, TextIO, TextIO], int]


def _report(problems: Sequence[SchemaError], stdout: TextIO) -> None:
    for problem in problems:
        print(problem, file=stdout)


def _cmd_generate(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .avro._store import default_root
    from .publishing import check_published, generate

    root = folder_option(args.schemas, "schemas") or default_root()
    if args.check:
        problems = check_published(root)
        _report(problems, stdout)
        if problems:
            print(f"{len(problems)} problem(s) in {root}; see above", file=stderr)
            return EXIT_FINDINGS
        print(f"{root}: the published schemas match the code", file=stdout)
        return EXIT_OK
    written, problems = generate(root)
    for path in written:
        print(f"wrote {path}", file=stdout)
    _report(problems, stdout)
    if not written and not problems:
        print(f"{root}: nothing to write; every current schema is published", file=stdout)
    return EXIT_FINDINGS if problems else EXIT_OK


def _cmd_check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """The published schemas, every contract against them, then their compatibility; a summary line each."""
    from .avro._store import default_root
    from .compat import Severity, lint_published
    from .contracts import readers_by_event
    from .events import all_events
    from .publishing import check_published

    root = folder_option(args.schemas, "schemas") or default_root()
    contracts_root = folder_option(args.contracts, "contracts")
    if contracts_root is not None and not contracts_root.is_dir():  # before any output: nothing can be checked
        raise ContractError(str(contracts_root), "is not a folder of contracts")
    problems = check_published(root)
    _report(problems, stdout)
    events = len(all_events())
    files = sum(1 for _ in root.glob("*/*.avsc")) if root.is_dir() else 0
    verdict = f"{len(problems)} problem(s)" if problems else "ok"
    print(f"schemas: {root} ({events} events, {files} published files): {verdict}", file=stdout)
    failing_contracts = report_static(stdout, contracts_root, schemas_root=root)
    report = lint_published(root, baseline=args.against, readers=readers_by_event(contracts_root))
    for finding in report.at_least(Severity.WARNING):
        print(finding, file=stdout)
    against = f" and against {args.against}" if args.against else ""
    verdict = f"{len(report.errors)} error(s)" if report.errors else "ok"
    print(f"compatibility: FULL_TRANSITIVE over each event's history{against}: {verdict}", file=stdout)
    return EXIT_FINDINGS if problems or failing_contracts or report.errors else EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="subsidy-events",
        description="Publish, check and verify the Open edX subsidy events: schemas, contracts, compatibility.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    schemas_help = "published schemas (default: ./schemas in a checkout of this package, else the installed ones)"
    check = commands.add_parser("check", help="run every check this package's CI needs")
    check.add_argument("--schemas", metavar="DIR", help=schemas_help)
    check.add_argument(
        "--contracts",
        metavar="DIR",
        help="the contracts folder (default: ./contracts in a checkout of this package, else the installed ones)",
    )
    check.add_argument(
        "--against", metavar="BASELINE", help="also lint against this baseline: git:<ref>, a folder or a file"
    )
    check.set_defaults(run=_cmd_check)

    gen = commands.add_parser("generate", help="write the schema of each event's current minor version")
    gen.add_argument("--schemas", metavar="DIR", help=schemas_help)
    gen.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the code and the published schemas disagree"
    )
    gen.set_defaults(run=_cmd_generate)

    register_compat(commands)
    register_contracts(commands)
    register_demo(commands)
    register_exports(commands)
    return parser


EXIT_BROKEN_PIPE = 128 + 13
"""The exit code when the output's reader closes it early: a shell's code for a process ended by SIGPIPE."""


def _discard_further_output(stdout: TextIO) -> None:
    """Point the real standard output at /dev/null, so the interpreter's flush at exit cannot fail again."""
    try:
        fileno = stdout.fileno()
    except (OSError, ValueError, AttributeError):  # not a real file (a StringIO in tests)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = _parser()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits on --help, --version and usage errors
        return int(exit_.code or 0)
    run: Command = args.run
    try:
        return run(args, stdout, stderr)
    except SubsidyEventsError as error:  # an input that cannot be read or used: one line, exit 2
        print(f"subsidy-events {args.command}: {one_line(str(error))}", file=stderr)
        return EXIT_USAGE
    except RecursionError:
        print(f"subsidy-events {args.command}: an input is nested too deeply to read", file=stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as a tool killed by SIGPIPE does
        _discard_further_output(stdout)
        return EXIT_BROKEN_PIPE
    except Exception as error:
        if os.environ.get(DEBUG_VARIABLE):
            raise
        print(
            f"subsidy-events {args.command}: unexpected {type(error).__name__}: {error} (a bug: please report it; "
            f"set {DEBUG_VARIABLE}=1 for the traceback)",
            file=stderr,
        )
        return EXIT_USAGE


def run() -> NoReturn:
    """The ``subsidy-events`` program: :func:`main`, then an ordinary exit (exit handlers run)."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away after the last write
        _discard_further_output(sys.stdout)
        code = EXIT_BROKEN_PIPE
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
