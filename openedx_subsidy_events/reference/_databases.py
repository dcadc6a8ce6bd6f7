"""A Django ``DATABASES`` entry from a URL, set as ``docs/howto-nothing-lost.rst`` says.

The demo's services, the delivery tests and the outbox benchmark run on SQLite, PostgreSQL or
MariaDB/MySQL chosen by one URL: ``sqlite:///path/to/file``, ``postgres://user@host:port/name``,
``mysql://user@host:port/name``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

__all__ = ["ENGINES", "SQLITE_OPTIONS", "create_database", "database_settings", "drop_database"]

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


def create_database(server: str, name: str, *, folder: Path) -> str:
    """Create database ``name`` on a server (``postgres://…``, ``mysql://…``; ``sqlite`` a file in ``folder``); its URL.

    The server URL's own path, if any, is ignored: the new database is named ``name``.
    """
    parts = urlparse(server)
    if parts.scheme == "sqlite" or server == "sqlite":
        return f"sqlite://{folder / (name + '.sqlite3')}"
    if parts.scheme not in ENGINES:
        raise ValueError(f"{server!r}: the database URL's scheme must be one of {', '.join(ENGINES)}")
    with _server_connection(parts) as cursor:
        cursor.execute(
            f'CREATE DATABASE "{name}"'
            if parts.scheme == "postgres"
            else f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"
        )
    return urlunparse(parts._replace(path=f"/{name}"))


def drop_database(url: str) -> None:
    """Drop the database a ``postgres://`` or ``mysql://`` URL names (a SQLite file goes with its folder)."""
    parts = urlparse(url)
    if parts.scheme == "sqlite":
        return
    name = parts.path.lstrip("/")
    with _server_connection(parts) as cursor:
        cursor.execute(
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
            if parts.scheme == "postgres"
            else f"DROP DATABASE IF EXISTS `{name}`"
        )


class _server_connection:
    """A cursor on the server's administrative database, in autocommit."""

    def __init__(self, parts: Any) -> None:
        self.parts = parts

    def __enter__(self) -> Any:
        parts = self.parts
        if parts.scheme == "postgres":
            import psycopg

            self.connection = psycopg.connect(
                host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                password=parts.password or "", dbname="postgres", autocommit=True,
            )  # fmt: skip
        else:
            import MySQLdb  # type: ignore[import-untyped]

            self.connection = MySQLdb.connect(
                host=parts.hostname, port=parts.port or 3306, user=parts.username or "root", passwd=parts.password or ""
            )
        return self.connection.cursor()

    def __exit__(self, *_: object) -> None:
        self.connection.close()
