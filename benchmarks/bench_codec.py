"""Per-event serialize/deserialize cost: our codec against raw fastavro, openedx-events and Apache avro.

Run: python benchmarks/bench_codec.py [--events N] [--repeats R] [--seed S]

Every contender runs in this one process on the same random payloads (optional fields null or set
at random, emails of varying length), interleaved: in each round the contenders of an event take
turns on slices of the payloads, so a busy moment of a shared machine falls on all of them alike.
Medians of the rounds per event, as ratios to the floor:

- **floor**: fastavro's ``schemaless_writer``/``schemaless_reader`` with a parsed schema, on record
  dicts already in wire form (UUIDs and datetimes as strings): what any codec built on fastavro pays;
- **ours**: ``definition.serialize(payload)`` and ``definition.deserialize(data, minorversion=0)``,
  from and to validated payload objects;
- **openedx-events**: ``serialize_event_data_to_bytes`` and ``deserialize_bytes_to_event_data``, the
  functions its event buses call per event;
- **Apache avro**: ``avro.io.DatumWriter``/``DatumReader`` on the same wire-form dicts as the floor.

Before timing, every payload's bytes are checked to be identical from ours, fastavro and
openedx-events. Needs the ``openedx`` extra (Django, openedx-events) and ``avro``. Run it from outside
the checkout against an installed wheel to measure what users get (the first line says which copy
of the package it imported).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from importlib import metadata
from typing import Any

import attrs
import avro.io
import avro.schema
import django
import fastavro
from django.conf import settings

import openedx_subsidy_events
from openedx_subsidy_events import EventDefinition, all_events

settings.configure(INSTALLED_APPS=[], EVENTS_SERVICE_NAME="bench")
django.setup()

from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data  # noqa: E402
from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes  # noqa: E402

from openedx_subsidy_events.integrations.openedx import openedx_signal  # noqa: E402

CONTENDERS = ("floor", "ours", "openedx-events", "Apache avro")
DIRECTIONS = ("serialize", "deserialize")


def make_payloads(definition: EventDefinition[Any], count: int, rng: random.Random) -> list[Any]:
    """Distinct random payloads: optional fields null or set at random, so no cache can help any contender."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    values = {
        str: lambda i: f"{'learner' * rng.randint(1, 4)}{i}@example.com",
        int: lambda i: rng.randint(1, 10**7),
        bool: lambda i: rng.random() < 0.5,
        uuid.UUID: lambda i: uuid.UUID(int=rng.getrandbits(128), version=4),
        datetime: lambda i: start + timedelta(seconds=rng.randint(0, 10**8), microseconds=rng.randint(0, 999_999)),
    }
    fields = attrs.fields(definition.payload_type)
    return [
        definition.payload_type(
            **{f.name: None if f.default is None and rng.random() < 0.5 else values[f.type](i) for f in fields}
        )
        for i in range(count)
    ]


def contenders(definition: EventDefinition[Any], payloads: list[Any]) -> dict[str, tuple[Callable[..., Any], list]]:
    """``{"<contender> <direction>": (run, items)}`` for one event, after checking that the bytes agree."""
    records = [definition.to_record(p) for p in payloads]
    encoded = [definition.serialize(p) for p in payloads]
    parsed = fastavro.parse_schema(definition.schema)
    apache_schema = avro.schema.parse(json.dumps(definition.schema))
    signal = openedx_signal(definition)
    key = definition.data_key

    for payload, record, data in zip(payloads, records, encoded, strict=True):
        out = io.BytesIO()
        fastavro.schemaless_writer(out, parsed, record)
        assert out.getvalue() == data, "ours and fastavro wrote different bytes"
        assert serialize_event_data_to_bytes({key: payload}, signal) == data, "ours and openedx-events differ"
        assert definition.deserialize(data, minorversion=0) == payload

    def floor_write(items: Sequence[Any]) -> None:
        for record in items:
            out = io.BytesIO()
            fastavro.schemaless_writer(out, parsed, record)
            out.getvalue()

    def floor_read(items: Sequence[bytes]) -> None:
        for data in items:
            fastavro.schemaless_reader(io.BytesIO(data), parsed, None)

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

    apache_writer, apache_reader = avro.io.DatumWriter(apache_schema), avro.io.DatumReader(apache_schema)

    def apache_write(items: Sequence[Any]) -> None:
        for record in items:
            out = io.BytesIO()
            apache_writer.write(record, avro.io.BinaryEncoder(out))
            out.getvalue()

    def apache_read(items: Sequence[bytes]) -> None:
        for data in items:
            apache_reader.read(avro.io.BinaryDecoder(io.BytesIO(data)))

    return {
        "floor serialize": (floor_write, records),
        "ours serialize": (ours_write, payloads),
        "openedx-events serialize": (openedx_write, payloads),
        "Apache avro serialize": (apache_write, records),
        "floor deserialize": (floor_read, encoded),
        "ours deserialize": (ours_read, encoded),
        "openedx-events deserialize": (openedx_read, encoded),
        "Apache avro deserialize": (apache_read, encoded),
    }


def interleaved_medians(
    groups: list[dict[str, tuple[Callable[..., Any], list]]], repeats: int, chunk: int
) -> dict[str, float]:
    """Median over rounds of the seconds per item of each run.

    In each round, the runs of a group (one event and direction) take turns on slices of ``chunk``
    items, so that a busy moment of a shared machine falls on all of them alike.
    """
    timings: dict[str, list[float]] = {name: [] for group in groups for name in group}
    for _ in range(repeats):
        for group in groups:
            spent = dict.fromkeys(group, 0.0)
            count = len(next(iter(group.values()))[1])
            for start in range(0, count, chunk):
                for name, (run, items) in group.items():
                    part = items[start : start + chunk]
                    began = time.perf_counter()
                    run(part)
                    spent[name] += time.perf_counter() - began
            for name, seconds in spent.items():
                timings[name].append(seconds / count)
    return {name: statistics.median(values) for name, values in timings.items()}


def import_seconds(statement: str, runs: int) -> float:
    """Median wall time of a fresh interpreter running one import statement."""
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        timings.append(time.perf_counter() - began)
    return statistics.median(timings)


def machine() -> str:
    """The CPU, cores and interpreter, for the figures' caption."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("fastavro", "avro", "openedx-events"))
    return f"{cpu}, {os.cpu_count()} cores; {platform.python_implementation()} {platform.python_version()}, {versions}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="payloads per event and pass (default 5000)")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved rounds, the median is taken (default 7)")
    parser.add_argument("--seed", type=int, default=10, help="seed of the random payloads (default 10)")
    parser.add_argument("--chunk", type=int, default=250, help="payloads per turn of a contender (default 250)")
    parser.add_argument("--import-runs", type=int, default=15, help="interpreters per import figure (0: skip)")
    args = parser.parse_args()

    print(f"openedx_subsidy_events {openedx_subsidy_events.__version__} from {openedx_subsidy_events.__file__}")
    print(machine())
    rng = random.Random(args.seed)
    groups = []
    for definition in all_events():
        runs = contenders(definition, make_payloads(definition, args.events, rng))
        for direction in DIRECTIONS:
            groups.append({f"{definition.data_key} {c} {direction}": runs[f"{c} {direction}"] for c in CONTENDERS})
    print(f"bytes identical (ours, fastavro, openedx-events) on all {args.events} payloads of each event")
    print(
        f"{args.events} random payloads per event and pass, median of {args.repeats} rounds "
        f"(contenders taking turns on {args.chunk} payloads at a time)\n"
    )
    figures = interleaved_medians(groups, args.repeats, args.chunk)

    for direction in DIRECTIONS:
        header = f"{direction:<24}{'floor µs':>10}" + "".join(f"{c:>16}" for c in CONTENDERS[1:])
        print(header)
        print("-" * len(header))
        for definition in all_events():
            floor = figures[f"{definition.data_key} floor {direction}"]
            ratios = "".join(
                f"{figures[f'{definition.data_key} {c} {direction}'] / floor:>15.2f}x" for c in CONTENDERS[1:]
            )
            print(f"{definition.data_key:<24}{floor * 1e6:>10.2f}{ratios}")
        print()

    if args.import_runs:
        baseline = import_seconds("pass", args.import_runs)
        libraries = import_seconds("import fastavro, attrs", args.import_runs)
        ours = import_seconds("import openedx_subsidy_events", args.import_runs)
        used = import_seconds("from openedx_subsidy_events import LICENSE_ASSIGNED", args.import_runs)
        print(f"import cost, median of {args.import_runs} fresh interpreters (interpreter start-up subtracted):")
        print(f"  import fastavro, attrs                                {1000 * (libraries - baseline):7.1f} ms")
        for label, seconds in (
            ("import openedx_subsidy_events", ours),
            ("from openedx_subsidy_events import LICENSE_ASSIGNED", used),
        ):
            print(
                f"  {label:<52}  {1000 * (seconds - baseline):7.1f} ms "
                f"({(seconds - baseline) / (libraries - baseline):.2f}x fastavro + attrs)"
            )


if __name__ == "__main__":
    main()
