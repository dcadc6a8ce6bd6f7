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
    django = demo.add_argument_group(
        "the Django services (--services django)",
        "enterprise-access, license-manager and ecommerce as Django services in separate processes, "
        "each with its database, outbox, relay, consumers and inbox",
    )
    django.add_argument(
        "--services",
        choices=["memory", "django"],
        default="memory",
        help="memory (default: the reference services in this process) or django (the services as processes)",
    )
    django.add_argument(
        "--database",
        default="sqlite",
        metavar="URL",
        help="sqlite (default: files in a temporary folder), postgres://USER@HOST:PORT or mysql://USER@HOST:PORT "
        "(the run creates a database per service there and drops them after)",
    )
    django.add_argument(
        "--chaos",
        action="store_true",
        help="SIGKILL random processes at random moments, take the broker away for seconds, roll back approvals",
    )
    django.add_argument("--seed", type=int, default=1, help="the seed of the requests and of the chaos (default 1)")
    django.add_argument(
        "--rollback-share",
        type=_share,
        metavar="F",
        help="share of approvals rolled back after their send (default 0.05 with --chaos, else 0)",
    )
    django.add_argument(
        "--rate", type=_positive_float, metavar="N", help="approvals a second at most (default: no limit)"
    )
    django.add_argument(
        "--timeout", type=_positive_float, default=60.0, metavar="S", help="stop after S seconds without progress (60)"
    )
    django.add_argument(
        "--without",
        action="append",
        choices=["outbox", "inbox"],
        default=[],
        help="a negative control: run without the outbox (on-commit mode) or the inbox; the run must then fail",
    )
    django.add_argument("--logs", metavar="DIR", help="keep each process's log in DIR (default: deleted)")
    demo.set_defaults(run=_cmd_demo)


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError("must be at least 0 and less than 1")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


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
    if args.services == "django":
        return _cmd_django(args, stdout, stderr)
    django_only = [flag for flag, given in (("--database", args.database != "sqlite"), ("--chaos", args.chaos),
                   ("--without", args.without), ("--rollback-share", args.rollback_share is not None),
                   ("--rate", args.rate is not None), ("--logs", args.logs)) if given]  # fmt: skip
    if django_only:
        print(f"subsidy-events demo: {', '.join(django_only)} need --services django", file=stderr)
        return EXIT_USAGE
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


def _cmd_django(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathlib import Path

    try:
        from ._services import DemoSetupError, ServicesRun, run_services
    except ImportError as error:  # Django or openedx-events missing
        print(f"subsidy-events demo: --services django needs the [openedx] extra: {error}", file=stderr)
        return EXIT_USAGE
    if args.registry is not None:
        print("subsidy-events demo: --registry is for the in-process demo (--services memory)", file=stderr)
        return EXIT_USAGE
    bus = "redis://127.0.0.1:6379/0" if args.bus == "memory" else args.bus
    run = ServicesRun(
        requests=args.requests, bus=bus, database=args.database, chaos=args.chaos, seed=args.seed,
        rollback_share=args.rollback_share, rate=args.rate, timeout=args.timeout,
        outbox="outbox" not in args.without, inbox="inbox" not in args.without, traced=args.trace,
    )  # fmt: skip
    progress = _progress_bar(stderr) if stderr.isatty() else None
    try:
        result, traces = run_services(run, progress=progress, logs=Path(args.logs) if args.logs else None)
    except (DemoSetupError, ImportError) as error:
        print(f"subsidy-events demo: {error}", file=stderr)
        return EXIT_USAGE
    if args.format == "json":
        print(json.dumps(attrs.asdict(result), sort_keys=True), file=stdout)
        return EXIT_OK if result.ok else EXIT_FAILED
    print(f"{args.requests} subsidy requests across three Django services ({result.database}) through {result.bus}",
          file=stdout)  # fmt: skip
    for request, steps in traces.items():
        print(f"  request {request} (the correlation id of its events)", file=stdout)
        print("\n".join(f"    {ms:>9.1f} ms  {what}" for ms, what in steps), file=stdout)
    summary = [
        f"approved {result.approved}, rolled back {result.rolled_back}, fulfilled {result.fulfilled}; "
        f"granted {result.granted}, emails {result.emails}, enrollments {result.enrollments}",
        f"lost {result.lost}, duplicated {result.duplicated}, counterfactual {result.counterfactual}, "
        f"corrupted {result.corrupted}"
        + (" (timed out: nothing moved for --timeout seconds)" if result.timed_out else ""),
        f"kills {result.kills} ({result.restarts_under_new_name} restarted under a new name), "
        f"broker outages {result.broker_outages}",
        f"approve → fulfilled p50 {result.p50_ms} ms, p99 {result.p99_ms} ms; "
        f"{result.events} events in {result.seconds} s ({result.events_per_s} events/s)",
        "ok"
        if result.ok
        else "FAILED: every committed approval must be fulfilled once, with nothing lost, duplicated, "
        "counterfactual or corrupted",
    ]
    print("\n".join(summary), file=stdout)
    return EXIT_OK if result.ok else EXIT_FAILED
