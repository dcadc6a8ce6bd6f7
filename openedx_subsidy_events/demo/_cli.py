"""The ``demo`` subcommand: run the flow, show a trace of the first requests and a summary.

The flow and the buses (the codec, the events) are imported when the demo runs, not when the
command line is built.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, TextIO
from uuid import UUID

import attrs

from ..exceptions import SubsidyEventsError

if TYPE_CHECKING:
    from ._flow import DemoResult

__all__ = ["register"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(commands: Any) -> None:
    """Add ``demo`` to the command line."""
    demo = commands.add_parser(
        "demo",
        help="run the ADR flow (approve, assign, fulfil, email) across the reference services through a bus",
    )
    demo.add_argument(
        "--bus",
        default="memory",
        metavar="BUS",
        help="memory (default, in process), redis://HOST:PORT/DB, kafka (starts librdkafka's mock cluster) "
        "or kafka://HOST:PORT (your brokers)",
    )
    demo.add_argument(
        "--registry",
        metavar="URL",
        help="schema registry URL for --bus kafka://... (default: an in-process mock registry)",
    )
    demo.add_argument("--requests", type=_positive, default=300, metavar="N", help="subsidy requests (default 300)")
    demo.add_argument("--trace", type=int, default=3, metavar="N", help="trace the first N requests (default 3)")
    demo.add_argument("--format", choices=["text", "json"], default="text", help="summary format (default text)")
    demo.set_defaults(run=_cmd_demo)


def _progress_bar(stream: TextIO) -> Any:
    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} fulfilled")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


def _cmd_demo(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from ..integrations.bus import open_bus
    from ._flow import run_flow

    if args.registry is not None and not args.bus.startswith("kafka"):
        print("subsidy-events demo: --registry is for a Kafka bus (--bus kafka or kafka://HOST:PORT)", file=stderr)
        return EXIT_USAGE
    try:
        bus = open_bus(args.bus, **({} if args.registry is None else {"registry_url": args.registry}))
    except (ValueError, SubsidyEventsError) as error:  # an unknown bus, a missing extra
        print(f"subsidy-events demo: {error}", file=stderr)
        return EXIT_USAGE
    except Exception as error:  # a server that does not answer: say which, in one line
        print(f"subsidy-events demo: cannot use the bus {args.bus}: {type(error).__name__}: {error}", file=stderr)
        return EXIT_USAGE
    text = args.format == "text"
    traces: dict[UUID, list[str]] = {}
    progress = _progress_bar(stderr) if stderr.isatty() else None
    try:
        result = run_flow(
            bus,
            requests=args.requests,
            trace=lambda request, ms, what: traces.setdefault(request, []).append(f"{ms:>9.1f} ms  {what}"),
            traced=args.trace,
            progress=progress,
        )
    finally:
        bus.close()
    if text:
        print(f"{args.requests} subsidy requests through {bus.bus}", file=stdout)
        for request, lines in traces.items():
            print(f"  request {request} (the correlation id of its events)", file=stdout)
            print("\n".join(f"    {line}" for line in lines), file=stdout)
        _print_summary(result, stdout)
    else:
        print(json.dumps(attrs.asdict(result), sort_keys=True), file=stdout)
    return EXIT_OK if result.ok else EXIT_FAILED


def _print_summary(result: DemoResult, stdout: TextIO) -> None:
    lines = [
        f"requests {result.requests}, fulfilled {result.fulfilled}, emails {result.emails}",
        *(f"  {count:>6} {event_type}" for event_type, count in result.events_per_type.items()),
        f"lost {result.lost}, duplicated {result.duplicated}, corrupted {result.corrupted}, "
        f"redelivered {result.redelivered}",
        f"end-to-end latency p50 {result.latency_p50_ms} ms, p99 {result.latency_p99_ms} ms; "
        f"{sum(result.events_per_type.values())} events in {result.seconds} s ({result.events_per_second} events/s)",
        "ok" if result.ok else "FAILED: every request must be fulfilled with nothing lost, duplicated or corrupted",
    ]
    print("\n".join(lines), file=stdout)
