"""What the bus tests share: a client of the test Redis server that cleans up after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from subsidy_django import REDIS_URL, TOPIC_PREFIX


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    """A client of the test Redis server; the streams a test made are deleted after it."""
    connection = redis.Redis.from_url(REDIS_URL)
    before = set(connection.keys(f"{TOPIC_PREFIX}-*"))
    yield connection
    made = set(connection.keys(f"{TOPIC_PREFIX}-*")) - before
    if made:
        connection.delete(*made)
    connection.close()
