"""Reading the published schemas: ``<root>/<event_type>/<minor>.avsc``.

The root is the ``schemas/`` folder shipped inside the wheel (``openedx_subsidy_events/_data``);
in a source checkout, where the wheel's data folder does not exist, it is the repository's own
``schemas/`` beside the package.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import fastavro

from .._files import MAX_SCHEMA_BYTES
from ..exceptions import SchemaError

if TYPE_CHECKING:
    from pathlib import Path

    PublishedStamp = tuple[str, Path, tuple[tuple[int, str, int, int, int, int], ...]]

__all__ = ["MAX_SCHEMA_BYTES", "default_root", "load_published", "read_schema_file"]


_MINOR_FILE = re.compile(r"(0|[1-9][0-9]{0,5})\.avsc\Z")


@functools.cache  # where the package is installed does not change while it runs
def default_root() -> Path:
    """The folder of published schemas this installation carries."""
    from importlib import resources  # imported here: it costs more than the rest of the package
    from pathlib import Path

    packaged = resources.files("openedx_subsidy_events") / "_data" / "schemas"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "schemas"


def read_schema_file(path: Path) -> dict[str, Any]:
    """Read one ``.avsc`` file and check that it is valid Avro; :class:`SchemaError` otherwise."""
    try:
        if path.stat().st_size > MAX_SCHEMA_BYTES:
            raise SchemaError(str(path), f"the file is larger than {MAX_SCHEMA_BYTES} bytes", rule="UNREADABLE")
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SchemaError(str(path), f"cannot be read ({error.strerror})", rule="UNREADABLE") from None
    except UnicodeDecodeError as error:
        raise SchemaError(str(path), f"is not UTF-8 text (byte {error.start})", rule="UNREADABLE") from None
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as error:
        reason = f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        raise SchemaError(str(path), reason, rule="INVALID_JSON", line=error.lineno, column=error.colno) from None
    except RecursionError:
        raise SchemaError(str(path), "the JSON is nested too deeply to read", rule="INVALID_JSON") from None
    except ValueError as error:  # e.g. an integer longer than Python converts
        raise SchemaError(str(path), f"invalid JSON: {error}", rule="INVALID_JSON") from None
    try:
        fastavro.parse_schema(schema, _write_hint=False)
    except RecursionError:
        raise SchemaError(str(path), "the schema is nested too deeply to check", rule="INVALID_SCHEMA") from None
    except Exception as error:  # fastavro raises several unrelated types for invalid schemas
        raise SchemaError(str(path), f"is not a valid Avro schema: {error}", rule="INVALID_SCHEMA") from None
    if not isinstance(schema, dict):
        raise SchemaError(str(path), "an event schema must be a record, not a bare type", rule="INVALID_SCHEMA")
    return schema


def _minor_files(folder: Path) -> dict[int, Path]:
    files = {}
    for path in sorted(folder.iterdir()):
        match = _MINOR_FILE.match(path.name)
        if match and path.is_file():
            files[int(match.group(1))] = path
    return files


def load_published(event_type: str, root: Path | None = None) -> Mapping[int, dict[str, Any]]:
    """Every published minor version of ``event_type``, by minor number (empty if none)."""
    return _load_cached(published_stamp(event_type, root))


def published_stamp(event_type: str, root: Path | None = None) -> PublishedStamp:
    """What identifies the published files of an event as they are now: a key for caches of them.

    The folder resolved (a relative root means another folder after ``chdir``) and each file's
    modification and change times, inode and size: an edited checkout is read again, even when a
    tool restored the modification time (the change time still moves) or replaced the file.
    """
    folder = (root or default_root()).resolve() / event_type
    files = []
    for minor, path in sorted(_minor_files(folder).items() if folder.is_dir() else ()):
        info = path.stat()
        files.append((minor, path.name, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_size))
    return event_type, folder, tuple(files)


@functools.lru_cache(maxsize=64)
def _load_cached(stamp: PublishedStamp) -> Mapping[int, dict[str, Any]]:
    _, folder, files = stamp
    return {minor: read_schema_file(folder / name) for minor, name, *_ in files}


def minor_files(root: Path, event_type: str) -> dict[int, Path]:
    """The ``<minor>.avsc`` files of an event type under ``root``, by minor number."""
    folder = root / event_type
    return _minor_files(folder) if folder.is_dir() else {}
