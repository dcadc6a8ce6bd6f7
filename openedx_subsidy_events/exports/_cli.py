"""The ``export`` subcommands: ``export asyncapi`` and ``export jsonschema``; ``cli.py`` calls :func:`register`.

Each writes what the library builds, or with ``--check`` writes nothing and exits 1 when the files
on disk differ from it (a committed copy that drifted from the code). The exporters, the events and
the contracts are imported by the command that runs, not when the command line is built.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .._checkout import checkout_folder, folder_option

if TYPE_CHECKING:
    from ..events import EventDefinition

__all__ = ["register"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _topic(text: str) -> tuple[str, str]:
    event_type, equals, topic = text.partition("=")
    if not equals or not topic:
        raise argparse.ArgumentTypeError(f"{text!r} is not EVENT_TYPE=TOPIC")
    return event_type, topic


def register(commands: Any) -> None:
    """Add ``export asyncapi`` and ``export jsonschema`` to the command line."""
    export = commands.add_parser("export", help="describe the events for other tools: AsyncAPI 3.0, JSON Schema")
    kinds = export.add_subparsers(dest="kind", required=True, metavar="KIND")
    schemas_help = "published schemas (default: ./schemas in a checkout of this package, else the installed ones)"

    asyncapi = kinds.add_parser(
        "asyncapi", help="one AsyncAPI 3.0 document: servers, a channel per topic, a message per event and minor"
    )
    asyncapi.add_argument(
        "-o", "--output", metavar="FILE", help="write here (default: standard output; with --check: the committed copy)"
    )
    asyncapi.add_argument("--format", choices=["yaml", "json"], default="yaml", help="document format (default yaml)")
    asyncapi.add_argument("--schemas", metavar="DIR", help=schemas_help)
    asyncapi.add_argument(
        "--contracts",
        metavar="DIR",
        help="the contracts whose consumers receive (default: ./contracts in a checkout, else the installed ones)",
    )
    asyncapi.add_argument(
        "--topic",
        action="append",
        type=_topic,
        default=[],
        metavar="EVENT_TYPE=TOPIC",
        help="the topic of an event type (repeatable; default: the topics of the how-tos)",
    )
    asyncapi.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the file (default: docs/asyncapi.yaml in a checkout, else the installed "
        "copy) differs from the document",
    )
    asyncapi.set_defaults(run=_cmd_asyncapi)

    jsonschema = kinds.add_parser(
        "jsonschema", help="a JSON Schema (2020-12) per published event version: DIR/<event_type>/<minor>.schema.json"
    )
    jsonschema.add_argument("-o", "--output", metavar="DIR", required=True, help="the folder to write into")
    jsonschema.add_argument("--schemas", metavar="DIR", help=schemas_help)
    jsonschema.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the folder's schemas differ from the export"
    )
    jsonschema.add_argument(
        "--x-keywords",
        action="store_true",
        help="mark sensitive fields with an x-sensitivity keyword rather than a $comment (strict validators such "
        "as ajv then need it declared)",
    )
    jsonschema.set_defaults(run=_cmd_jsonschema)


def _definitions(args: argparse.Namespace) -> list[EventDefinition[Any]]:
    from ..events import all_events

    root = folder_option(args.schemas, "schemas")
    events = all_events()
    return list(events) if root is None else [definition.replace(schemas_root=root) for definition in events]


def _cmd_asyncapi(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from ..contracts import load_contracts
    from ..events import get_event
    from ._asyncapi import DEFAULT_TOPICS, asyncapi_document, dumps_asyncapi

    topics = dict(DEFAULT_TOPICS)
    for event_type, topic in args.topic:
        get_event(event_type)  # an unknown event type is a usage error, with close names
        topics[event_type] = topic
    contracts_root = folder_option(args.contracts, "contracts")
    document = asyncapi_document(_definitions(args), contracts=load_contracts(contracts_root), topics=topics)
    text = dumps_asyncapi(document, format=args.format)
    if args.check:
        committed = Path(args.output) if args.output else _committed_asyncapi()
        return _compare({committed: text}, stdout, stderr, f"subsidy-events export asyncapi -o {committed}")
    if args.output is None or args.output == "-":
        stdout.write(text)
        return EXIT_OK
    _write(Path(args.output), text)
    print(f"wrote {args.output}", file=stdout)
    return EXIT_OK


def _committed_asyncapi() -> Path:
    from ._asyncapi import asyncapi_path

    docs = checkout_folder("docs")
    return docs / "asyncapi.yaml" if docs is not None else asyncapi_path()


def _cmd_jsonschema(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from ._jsonschema import json_schema_files

    folder = Path(args.output)
    files = {
        folder / name: text for name, text in json_schema_files(_definitions(args), x_keywords=args.x_keywords).items()
    }
    if args.check:
        stray = {path: None for path in folder.glob("*/*.schema.json") if path not in files} if folder.is_dir() else {}
        return _compare({**files, **stray}, stdout, stderr, f"subsidy-events export jsonschema -o {folder}")
    for path, text in files.items():
        _write(path, text)
        print(f"wrote {path}", file=stdout)
    return EXIT_OK


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _compare(expected: Mapping[Path, str | None], stdout: TextIO, stderr: TextIO, command: str) -> int:
    """Print one line per file that differs from what is expected (``None``: should not exist); 1 if any."""
    stale = 0
    for path, text in sorted(expected.items()):
        try:
            found: str | None = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            found = None
        except (OSError, UnicodeDecodeError) as error:
            print(f"subsidy-events export: {path} cannot be read ({error})", file=stderr)
            return EXIT_USAGE
        if found == text:
            continue
        stale += 1
        state = "missing" if found is None else "not generated by this version" if text is None else "stale"
        print(f"{path}: {state}", file=stdout)
    if stale:
        print(f"{stale} file(s) differ from the export; run '{command}'", file=stderr)
        return EXIT_FINDINGS
    label = str(next(iter(expected))) if len(expected) == 1 else f"{len(expected)} file(s)"
    print(f"{label}: up to date", file=stdout)
    return EXIT_OK
