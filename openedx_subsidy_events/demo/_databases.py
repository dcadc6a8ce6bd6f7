"""A Django ``DATABASES`` entry from a URL, set as ``docs/howto-nothing-lost.rst`` says.

The demo's services, the delivery tests and the outbox benchmark run on SQLite, PostgreSQL or
MariaDB/MySQL chosen by one URL: ``sqlite:///path/to/file``, ``postgres://user@host:port/name``,
``mysql://user@host:port/name``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

__all__ = ["ENGINES", "SQLITE_OPTIONS", "database_settings"]

ENGINES = {
    "sqlite": "django.db.backends.sqlite3",
    "postgres": "django.db.backends.postgresql",
    "mysql": "django.db.backends.mysql",
}

SQLITE_OPTIONS = {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 30}
"""Write-ahead logging (reading the outbox never waits for a writer) and writers that queue, not fail."""


def database_settings(url: str) -> dict[str, Any]:
    """The ``DATABASES`` entry a database URL names; ``ValueError`` for a scheme none of the three."""
    parts = urlparse(url)
    if parts.scheme not in ENGINES:
        raise ValueError(f"{url!r}: the database URL's scheme must be one of {', '.join(ENGINES)}")
    if parts.scheme == "sqlite":
        return {"ENGINE": ENGINES["sqlite"], "NAME": parts.path, "OPTIONS": dict(SQLITE_OPTIONS)}
    return {
        "ENGINE": ENGINES[parts.scheme],
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username or "root",
        "PASSWORD": parts.password or "",
        "HOST": parts.hostname,
        "PORT": str(parts.port or ""),
    }
