"""Per-event serialize/deserialize cost: raw fastavro (the floor), our codec, openedx-events.

Run: python benchmarks/bench_codec.py [--events N] [--repeats R]

All three run in this one process on the same payloads. The floor is fastavro's schemaless
writer/reader on an already-built record dict with an already-parsed schema: what any codec has to
pay. Ours adds building that dict from the payload object (UUID and datetime to strings) and back,
with validation. openedx-events is timed through the functions its event buses call per event.
A fourth figure, *text*, is the text conversion alone, with the codec's own functions and nothing
else: the payload's UUIDs and datetimes to their wire text (serialize), and that text back to UUID
and datetime objects (deserialize). floor + text is the least a codec between bytes and payload
objects can cost with this wire format, where UUIDs and datetimes travel as strings. Needs the
``openedx`` extra (Django, openedx-events). Prints medians and ratios to the floor.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import django
import fastavro
from django.conf import settings

from openedx_subsidy_events import EventDefinition, all_events
from openedx_subsidy_events.avro._compile import datetime_from_wire, uuid_from_wire, uuid_to_wire

settings.configure(INSTALLED_APPS=[], EVENTS_SERVICE_NAME="bench")
django.setup()

from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data  # noqa: E402
from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes  # noqa: E402

from openedx_subsidy_events.integrations.openedx import openedx_signal  # noqa: E402


def make_payloads(definition: EventDefinition[Any], count: int) -> list[Any]:
    """Distinct payloads with every field set, so no cache can help any contender."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    values = {
        str: lambda i: f"learner{i}@example.com",
        int: lambda i: 1000 + i,
        bool: lambda i: i % 2 == 0,
        uuid.UUID: lambda i: uuid.uuid4(),
        datetime: lambda i: start + timedelta(seconds=i, microseconds=i),
    }
    fields = attrs.fields(definition.payload_type)
    return [definition.payload_type(**{f.name: values[f.type](i) for f in fields}) for i in range(count)]


def interleaved_medians(
    contenders: dict[str, tuple[Callable[[Sequence[Any]], object], Sequence[Any]]], repeats: int
) -> dict[str, float]:
    """Median seconds per item of each contender; passes alternate between contenders, so a slow
    moment of a shared machine falls on all of them rather than on one."""
    timings: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, (run, items) in contenders.items():
            began = time.perf_counter()
            run(items)
            timings[name].append((time.perf_counter() - began) / len(items))
    return {name: statistics.median(values) for name, values in timings.items()}


def bench_event(definition: EventDefinition[Any], count: int, repeats: int) -> dict[str, float]:
    payloads = make_payloads(definition, count)
    records = [definition.to_record(p) for p in payloads]
    encoded = [definition.serialize(p) for p in payloads]
    parsed = fastavro.parse_schema(definition.schema)
    signal = openedx_signal(definition)
    key = definition.data_key

    def floor_write(items: Sequence[Any]) -> None:
        for record in items:
            out = io.BytesIO()
            fastavro.schemaless_writer(out, parsed, record)
            out.getvalue()

    def floor_read(items: Sequence[bytes]) -> None:
        for data in items:
            fastavro.schemaless_reader(io.BytesIO(data), parsed, None)

    converted = [f for f in attrs.fields(definition.payload_type) if f.type in (uuid.UUID, datetime)]
    formatters = [(f.name, uuid_to_wire if f.type is uuid.UUID else datetime.isoformat) for f in converted]
    parsers = [(f.name, uuid_from_wire if f.type is uuid.UUID else datetime_from_wire) for f in converted]
    texts = [[record[key][name] for name, _ in parsers] for record in records]

    def text_write(items: Sequence[Any]) -> None:
        for payload in items:
            for name, format_text in formatters:
                format_text(getattr(payload, name))

    def text_read(items: Sequence[list[str]]) -> None:
        for values in items:
            for (_, parse), text in zip(parsers, values, strict=True):
                parse(text)

    def ours_write(items: Sequence[Any]) -> None:
        for payload in items:
            definition.serialize(payload)

    def ours_read(items: Sequence[bytes]) -> None:
        for data in items:
            definition.deserialize(data, minorversion=0)

    def openedx_write(items: Sequence[Any]) -> None:
        for payload in items:
            serialize_event_data_to_bytes({key: payload}, signal)

    def openedx_read(items: Sequence[bytes]) -> None:
        for data in items:
            deserialize_bytes_to_event_data(data, signal)

    assert all(serialize_event_data_to_bytes({key: p}, signal) == e for p, e in zip(payloads, encoded, strict=True))
    return interleaved_medians(
        {
            "floor serialize": (floor_write, records),
            "text serialize": (text_write, payloads),
            "ours serialize": (ours_write, payloads),
            "openedx-events serialize": (openedx_write, payloads),
            "floor deserialize": (floor_read, encoded),
            "text deserialize": (text_read, texts),
            "ours deserialize": (ours_read, encoded),
            "openedx-events deserialize": (openedx_read, encoded),
        },
        repeats,
    )


def import_seconds(statement: str, runs: int) -> float:
    """Median wall time of a fresh interpreter running one import statement."""
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        timings.append(time.perf_counter() - began)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000, help="payloads per pass (default 1000)")
    parser.add_argument("--repeats", type=int, default=15, help="passes per contender (default 15)")
    parser.add_argument("--import-runs", type=int, default=15, help="interpreters per import figure (default 15)")
    args = parser.parse_args()

    print(f"{args.events} distinct payloads per pass, median of {args.repeats} passes, µs per event\n")
    header = f"{'event':<24}{'contender':<28}{'µs':>8}{'x floor':>10}"
    print(header)
    print("-" * len(header))
    for definition in all_events():
        figures = bench_event(definition, args.events, args.repeats)
        for direction in ("serialize", "deserialize"):
            floor = figures[f"floor {direction}"]
            for contender in ("floor", "text", "ours", "openedx-events"):
                seconds = figures[f"{contender} {direction}"]
                label = f"{contender} {direction}"
                print(f"{definition.data_key:<24}{label:<28}{seconds * 1e6:>8.2f}{seconds / floor:>10.2f}")
            least = floor + figures[f"text {direction}"]
            ours = figures[f"ours {direction}"]
            print(f"{definition.data_key:<24}{'ours / (floor + text)':<28}{'':>8}{ours / least:>10.2f}")
        print()

    baseline = import_seconds("pass", args.import_runs)
    libraries = import_seconds("import fastavro, attrs", args.import_runs)
    ours = import_seconds("import openedx_subsidy_events", args.import_runs)
    print(f"import cost, median of {args.import_runs} fresh interpreters (interpreter start-up subtracted):")
    print(f"  import fastavro, attrs         {1000 * (libraries - baseline):7.1f} ms")
    print(
        f"  import openedx_subsidy_events  {1000 * (ours - baseline):7.1f} ms "
        f"({(ours - baseline) / (libraries - baseline):.2f}x fastavro + attrs)"
    )


if __name__ == "__main__":
    main()
