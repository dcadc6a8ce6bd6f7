"""The ``lint``, ``rules`` and ``explain`` subcommands; :func:`register` adds them to a parser.

Thin on purpose: parse, call the library, print. Exit codes: 0 clean, 1 findings at the failing
severity, 2 usage or unreadable input (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TextIO

import attrs

from .._checkout import folder_option
from ..contracts._layout import check_root
from ..exceptions import SchemaError
from ._config import Config, load_config, unknown_names
from ._formats import FORMATS, render
from ._lint import lint_paths
from ._model import Mode, Severity
from ._rules import RULES, get_rule

__all__ = ["register"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _default_paths() -> list[Path]:
    """``./schemas`` when it exists (a checkout of a schema repository), else the installed ones."""
    local = Path("schemas")
    if local.is_dir():
        return [local]
    from ..avro._store import default_root  # the codec's module: imported only when it is needed

    return [default_root()]


class _ContractReaders(Mapping[str, Mapping[str, Sequence[str]]]):
    """Who reads which field of each event, from the contracts, read the first time a finding asks.

    A contract of an event is ``<consumer>/<event_type>.yaml``, so the listing says which subjects
    have one: the contracts (with their YAML and JSON Schema libraries, most of a small run's time)
    are read only for a finding on a subject that some contract is named after.
    """

    def __init__(self, root: Path | None) -> None:
        if root is not None:  # a wrong path must fail whether or not it is needed
            check_root(root)
        self._root = root
        self._named: frozenset[str] | None = None
        self._loaded: Mapping[str, Mapping[str, Sequence[str]]] | None = None

    def _readers(self) -> Mapping[str, Mapping[str, Sequence[str]]]:
        if self._loaded is None:
            from ..contracts import readers_by_event

            self._loaded = readers_by_event(self._root)
        return self._loaded

    def __getitem__(self, event_type: str) -> Mapping[str, Sequence[str]]:
        if self._named is None:
            from ..contracts._layout import default_root, iter_contract_files

            root = self._root if self._root is not None else default_root()
            self._named = frozenset(path.stem for path in iter_contract_files(root))
        if event_type not in self._named:
            raise KeyError(event_type)
        return self._readers()[event_type]

    def __iter__(self) -> Iterator[str]:
        return iter(self._readers())

    def __len__(self) -> int:
        return len(self._readers())


def _usage(stderr: TextIO, command: str, message: str) -> int:
    print(f"subsidy-events {command}: error: {message}", file=stderr)
    return EXIT_USAGE


def _config(args: argparse.Namespace) -> Config:
    config = load_config(Path(args.config) if args.config is not None else None)
    if args.rule:  # --rule overrides the configuration's use and except for the rules it names
        config = config.only(args.rule)
    return attrs.evolve(
        config,
        mode=Mode.parse(args.mode) if args.mode is not None else config.mode,
        fail_on=Severity.parse(args.fail_on) if args.fail_on is not None else config.fail_on,
        except_=(*config.except_, *(args.except_ or ())),
        show_info=args.show_info or config.show_info,
    )


def _empty_argument(args: argparse.Namespace) -> str | None:
    """The name of the first argument given as an empty string, or ``None``."""
    if "" in args.paths:
        return "PATH"
    for option, value in (("--against", args.against), ("--config", args.config), ("--contracts", args.contracts)):
        if value == "":
            return option
    return None


def run_lint(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``subsidy-events lint``."""
    empty = _empty_argument(args)
    if empty is not None:  # Path("") is the current folder: never what was meant
        return _usage(stderr, "lint", f"{empty} must not be an empty string")
    bad = unknown_names([*(args.rule or []), *(args.except_ or [])])
    if bad:
        return _usage(stderr, "lint", f"unknown rule or category {bad[0]!r} (see 'subsidy-events rules')")
    try:
        config = _config(args)
    except SchemaError as error:  # the configuration file is bad
        print(f"subsidy-events lint: {error}", file=stderr)
        return EXIT_USAGE
    except ValueError as error:  # --mode or --fail-on is
        return _usage(stderr, "lint", str(error))
    if not config.enabled():
        return _usage(
            stderr,
            "lint",
            "no rule is left to run: --rule, --except and the configuration's use and except leave out every one",
        )
    paths = [Path(p) for p in args.paths] or _default_paths()
    try:
        readers = _ContractReaders(folder_option(args.contracts, "contracts"))
        report = lint_paths(paths, args.against, config=config, readers=readers)
        if not report.subjects:
            where = ", ".join(str(p) for p in paths)
            return _usage(stderr, "lint", f"no .avsc schema found under {where}")
    except SchemaError as error:
        print(f"subsidy-events lint: {error}", file=stderr)
        return EXIT_USAGE
    except RecursionError:
        print("subsidy-events lint: a schema is nested too deeply to check", file=stderr)
        return EXIT_USAGE
    stdout.write(render(report, args.format, fail_on=config.fail_on))
    return report.exit_code(config.fail_on)


def run_rules(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``subsidy-events rules``: the rule table."""
    if args.format == "json":
        rows = [
            {
                "id": r.id,
                "category": r.category.value,
                "severity": str(r.severity),
                "directional": r.directional,
                "purpose": r.purpose,
                "why": r.why,
                "reader": r.reader,
                "fix": r.fix,
            }
            for r in RULES.values()
        ]
        stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    width = max(len(r.id) for r in RULES.values())
    for rule in RULES.values():
        stdout.write(f"{rule.id:<{width}}  {rule.category.value:<8}  {rule.severity!s:<7}  {rule.purpose}\n")
    return EXIT_OK


def run_explain(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``subsidy-events explain RULE_ID``."""
    try:
        rule = get_rule(args.rule_id)
    except KeyError as error:
        return _usage(stderr, "explain", str(error.args[0]))
    stdout.write(rule.explain())
    return EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``lint``, ``rules`` and ``explain`` to the ``subsidy-events`` parser's subcommands.

    .. versionadded:: 0.1.0
    """
    lint = commands.add_parser(
        "lint",
        help="check Avro schemas for breaking changes",
        description="Check Avro schemas for changes that break readers, per the Avro 1.12 "
        "specification and Confluent's compatibility modes.",
    )
    lint.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="a .avsc file, a folder of <subject>.avsc, the layout <subject>/<n>.avsc, one subject's folder of "
        "<n>.avsc, or one <n>.avsc of it (version n of that subject) (default: ./schemas)",
    )
    lint.add_argument("--against", metavar="BASELINE", help="git:<ref>, a folder or a file to compare with")
    lint.add_argument(
        "--mode", metavar="MODE", help=f"one of {', '.join(m.value for m in Mode)} (default FULL_TRANSITIVE)"
    )
    lint.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format (default text)")
    lint.add_argument(
        "--config", metavar="FILE", help="a TOML file with [tool.subsidy-events] (default ./pyproject.toml)"
    )
    lint.add_argument(
        "--rule",
        metavar="ID",
        nargs="+",
        action="extend",
        help="run only these rules or categories (even if the configuration's except leaves them out)",
    )
    lint.add_argument(
        "--except", dest="except_", metavar="ID", nargs="+", action="extend", help="leave out these rules or categories"
    )
    lint.add_argument(
        "--fail-on",
        choices=[str(s) for s in reversed(Severity)],
        help="lowest severity that fails: error, warning or info (default error, or fail_on in the configuration)",
    )
    lint.add_argument(
        "--show-info",
        action="store_true",
        help="also report info findings (safe changes, such as a field added with a default), which are not "
        "computed otherwise (or show_info = true in the configuration; --fail-on info implies it)",
    )
    lint.add_argument(
        "--contracts",
        metavar="DIR",
        help="consumer contracts, to name the consumers a change breaks (default: ./contracts in a checkout of "
        "this package, else the installed ones)",
    )
    lint.set_defaults(run=run_lint)

    rules = commands.add_parser("rules", help="print the linter's rule table")
    rules.add_argument("--format", choices=["text", "json"], default="text")
    rules.set_defaults(run=run_rules)

    explain = commands.add_parser("explain", help="why a rule's change breaks, who fails, and how to fix it")
    explain.add_argument("rule_id", metavar="RULE_ID")
    explain.set_defaults(run=run_explain)
