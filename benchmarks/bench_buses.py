"""The buses under load and faults: the ADR flow, a killed consumer, and our consumer against the raw client.

Run: python benchmarks/bench_buses.py [--requests N] [--events N] [--redis URL]

1. Load: ``run_flow`` (what ``subsidy-events demo`` runs) with N requests, two events each, on the
   in-memory bus, Redis Streams and Kafka (librdkafka's mock cluster); every count reconciled.
2. Faults: the soak harness, a consumer process killed with SIGKILL a third of the way through and
   restarted, with one event in ten from a producer on minor 1, on Redis and Kafka.
3. Overhead: the same pre-written messages consumed by the raw client (redis-py XREADGROUP + XACK;
   confluent-kafka consume + commit), doing nothing with them, and by our consumer (headers,
   writer schema, decode, validation, delivery to a no-op handler, acknowledgement), interleaved.
   Printed as a ratio: ours / raw.

Needs the ``kafka`` and ``redis`` extras and a Redis server (default 127.0.0.1:6379).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from typing import Any

import attrs

from openedx_subsidy_events import LICENSE_ASSIGNED
from openedx_subsidy_events.demo import open_bus, run_flow
from openedx_subsidy_events.demo.soak import expected_payload, soak
from openedx_subsidy_events.integrations import kafka, redis

GROUP_JOIN_WAIT = 60.0


def load(buses: list[str], requests: int) -> None:
    print(f"== load: {requests} requests ({2 * requests} events) through the ADR flow")
    for spec in buses:
        bus = open_bus(spec)
        try:
            result = run_flow(bus, requests=requests, traced=0, timeout=120)
        finally:
            bus.close()
        print(
            f"{result.bus:>7}: {result.events_per_second:>8.0f} events/s, p50 {result.latency_p50_ms} ms, "
            f"p99 {result.latency_p99_ms} ms; fulfilled {result.fulfilled}/{result.requests}, lost {result.lost}, "
            f"duplicated {result.duplicated}, corrupted {result.corrupted}"
        )


def faults(buses: list[str], events: int) -> None:
    print(f"== faults: {events} events, the consumer process killed with SIGKILL once, 1 in 10 from minor 1")
    for spec in buses:
        result = soak(spec, events=events, kill=True, minor_one_every=10)
        print(json.dumps(attrs.asdict(result), sort_keys=True))


# -- overhead against the raw clients -----------------------------------------------------------


def _redis_round(url: str, events: int) -> tuple[float, float]:
    client = redis.redis.Redis.from_url(url)
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    producer = redis.RedisStreamProducer(client=client, topic_prefix=prefix)
    with client.pipeline(transaction=False) as pipe:
        producer.client = pipe
        for index in range(events):
            producer.send(LICENSE_ASSIGNED, expected_payload(index), topic="t")
        pipe.execute()
    stream = f"{prefix}-t"
    client.xgroup_create(stream, "raw", id="0")
    start = time.perf_counter()
    done = 0
    while done < events:
        answer = client.xreadgroup("raw", "raw-1", {stream: ">"}, count=200)
        entry_ids = [entry_id for entry_id, _fields in answer[0][1]]
        client.xack(stream, "raw", *entry_ids)  # one acknowledgement per batch, as our consumer does
        done += len(entry_ids)
    raw = time.perf_counter() - start
    ours = redis.RedisStreamConsumer("t", "ours", "ours-1", client=client, topic_prefix=prefix, from_beginning=True,
                                     deliver=lambda *_: None)  # fmt: skip
    start = time.perf_counter()
    while ours.stats.processed < events:
        ours.poll(count=200, block_ms=None)
    mine = time.perf_counter() - start
    client.delete(stream)
    client.close()
    return raw, mine


def _kafka_round(cluster: Any, registry: Any, events: int) -> tuple[float, float]:
    topic = f"bench-{uuid.uuid4().hex[:8]}"
    producer = kafka.KafkaEventProducer(bootstrap_servers=cluster.bootstrap_servers, registry=registry,
                                        config={"linger.ms": 5})  # fmt: skip
    for index in range(events):
        producer.send(LICENSE_ASSIGNED, expected_payload(index), topic=topic)
    producer.flush()
    settings = {"bootstrap.servers": cluster.bootstrap_servers, "enable.auto.commit": False,
                "auto.offset.reset": "earliest"}  # fmt: skip
    raw_consumer = kafka.confluent_kafka.Consumer({**settings, "group.id": f"{topic}-raw"})
    raw_consumer.subscribe([topic])
    done, start = 0, None
    while done < events:
        messages = raw_consumer.consume(500, 0.2)
        if messages and start is None:
            start = time.perf_counter()  # from the first message: the group join is not the client's cost
        done += sum(1 for message in messages if message.error() is None)
        if messages:
            raw_consumer.commit(asynchronous=False)
    raw = time.perf_counter() - (start or 0)
    raw_consumer.close()
    ours = kafka.KafkaEventConsumer(topic, f"{topic}-ours", bootstrap_servers=cluster.bootstrap_servers,
                                    registry=registry, deliver=lambda *_: None)  # fmt: skip
    start = None
    while ours.stats.processed < events:
        handled = ours.poll(timeout=0.2)
        if handled and start is None:
            start = time.perf_counter()
            first = handled
    mine = (time.perf_counter() - (start or 0)) * events / max(1, events - first)
    ours.close()
    return raw, mine


def overhead(redis_url: str, events: int, rounds: int) -> None:
    print(f"== overhead: {events} messages consumed, raw client vs our consumer, median of {rounds} rounds")
    redis_pairs = [_redis_round(redis_url, events) for _ in range(rounds)]
    raw, mine = statistics.median(p[0] for p in redis_pairs), statistics.median(p[1] for p in redis_pairs)
    print(f"  redis: raw {events / raw:>8.0f} msg/s, ours {events / mine:>8.0f} msg/s, ours/raw time {mine / raw:.2f}x")
    with kafka.MockCluster() as cluster:
        registry = kafka.seeded_mock_registry({})
        kafka_pairs = [_kafka_round(cluster, registry, events) for _ in range(rounds)]
    raw, mine = statistics.median(p[0] for p in kafka_pairs), statistics.median(p[1] for p in kafka_pairs)
    print(f"  kafka: raw {events / raw:>8.0f} msg/s, ours {events / mine:>8.0f} msg/s, ours/raw time {mine / raw:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000, help="ADR flow requests per bus (2 events each)")
    parser.add_argument("--events", type=int, default=20_000, help="events in the kill test and the overhead test")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    options = parser.parse_args()
    load(["memory", options.redis, "kafka"], options.requests)
    faults([options.redis, "kafka"], options.events)
    overhead(options.redis, options.events, options.rounds)


if __name__ == "__main__":
    main()
