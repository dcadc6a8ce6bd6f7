"""Writing the schemas of new minor versions, and checking what was published.

Every published file is recorded with its SHA-256 in ``<root>/SHA256SUMS`` (the format of
``sha256sum``, so ``sha256sum -c SHA256SUMS`` checks it too). A released file never changes:
:func:`check_published` reports any file edited, removed or added by hand, any drift between the
code's current schema and the highest published minor, and any file Avro parsers reject.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ._text import to_pointer
from .avro._schema import dumps_schema
from .avro._store import minor_files, read_schema_file
from .events import EventDefinition, all_events
from .exceptions import SchemaError

__all__ = ["MANIFEST_NAME", "check_published", "generate"]

MANIFEST_NAME = "SHA256SUMS"
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def _schema_path(root: Path, definition: EventDefinition[Any], minor: int) -> Path:
    return root / definition.event_type / f"{minor}.avsc"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(root: Path) -> dict[str, str]:
    """``{relative path: sha256}`` from the manifest; empty when there is none.

    :class:`SchemaError` (``INVALID_MANIFEST``) naming the first line that is not ``<sha256>  <path>``
    or records a path again.
    """
    manifest = root / MANIFEST_NAME
    if not manifest.is_file():
        return {}
    try:
        text = manifest.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SchemaError(str(manifest), f"cannot be read as UTF-8 text ({error})", rule="INVALID_MANIFEST") from None
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        digest, _, name = line.partition("  ")
        if not _SHA256.fullmatch(digest) or not name:
            raise SchemaError(str(manifest), f"line {number} is not '<sha256>  <path>'", rule="INVALID_MANIFEST")
        if name in entries:
            reason = f"line {number} records {name!r} again; each file has one line"
            raise SchemaError(str(manifest), reason, rule="INVALID_MANIFEST")
        entries[name] = digest.lower()
    return entries


def _write_manifest(root: Path, entries: dict[str, str]) -> None:
    lines = [f"{digest}  {name}\n" for name, digest in sorted(entries.items())]
    (root / MANIFEST_NAME).write_text("".join(lines), encoding="utf-8")


def generate(
    root: Path, definitions: Iterable[EventDefinition[Any]] | None = None
) -> tuple[list[Path], list[SchemaError]]:
    """Write the current minor's schema of every event that has no file for it yet.

    Never overwrites: a file that exists and differs from the code is reported as
    ``SCHEMA_DRIFT``. Never writes a minor that breaks an earlier one (``BREAKING_MINOR``: the
    linter's errors, FULL_TRANSITIVE, since consumers of any earlier minor may read it, and
    ``MINOR_NOT_APPEND_ONLY``, since consumers without a registry read newer minors as a prefix). Returns
    the files written and the problems found.
    """
    if root.exists() and not root.is_dir():
        raise SchemaError(str(root), "is not a folder", rule="UNREADABLE")
    written: list[Path] = []
    problems: list[SchemaError] = []
    manifest = read_manifest(root)
    for definition in definitions if definitions is not None else all_events():
        path = _schema_path(root, definition, definition.minor_version)
        if path.exists():
            problems.extend(_drift(path, definition))
            continue
        breaking = _breaks_earlier_minors(root, definition, path)
        if breaking is not None:
            problems.append(breaking)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps_schema(definition.schema), encoding="utf-8")
        manifest[path.relative_to(root).as_posix()] = _digest(path)
        written.append(path)
    if written:
        _write_manifest(root, manifest)
    return written, problems


def _breaks_earlier_minors(root: Path, definition: EventDefinition[Any], path: Path) -> SchemaError | None:
    """``BREAKING_MINOR`` when the code's schema breaks a published minor, naming the first error.

    Only the pairs the new minor takes part in are checked (FULL: both directions with each earlier
    minor); a break between minors already released is the linter's business, not this file's.
    An earlier minor that cannot be read is returned as its own problem.
    """
    try:
        earlier = [
            (minor, read_schema_file(file))
            for minor, file in sorted(minor_files(root, definition.event_type).items())
            if minor < definition.minor_version
        ]
    except SchemaError as error:
        return error
    if not earlier:
        return None
    from .compat import Config, Mode, Schema, check  # the linter is imported only when there is history to check
    from .compat._config import PUBLISHED_USE
    from .compat._schema import parse

    # versioned, as in the package layout, with the rules check runs on it (MINOR_NOT_APPEND_ONLY included)
    subject = definition.event_type
    new = Schema(subject, parse(definition.schema), version=definition.minor_version)
    config = Config(mode=Mode.FULL, use=PUBLISHED_USE)
    errors = [
        (minor, finding)
        for minor, schema in earlier
        for finding in check(
            Schema(subject, parse(schema), version=minor), new, mode=Mode.FULL, subject=subject, config=config
        ).errors
    ]
    if not errors:
        return None
    minor, first = errors[0]
    where = f" at {first.path}" if first.path else ""
    return SchemaError(
        str(path),
        f"minor {definition.minor_version} would break minor {minor} ({len(errors)} error(s); first: "
        f"{first.rule}{where}: {first.message}); nothing was written. A minor version must be readable by "
        "and read every earlier one, and may only append optional fields: add new fields last, as "
        '["null", T] with default null, or publish the change as a new .v2 event',
        rule="BREAKING_MINOR",
        pointer=first.new_pointer or "",
    )


def _drift(path: Path, definition: EventDefinition[Any]) -> Iterator[SchemaError]:
    try:
        published = read_schema_file(path)
    except SchemaError as error:
        yield error
        return
    if published != definition.schema:
        yield _drift_error(path, definition, published)


def _drift_error(path: Path, definition: EventDefinition[Any], published: Any) -> SchemaError:
    pointer = _first_difference(published, definition.schema)
    return SchemaError(
        str(path),
        f"the code's schema of {definition.event_type} differs from published minor "
        f"{definition.minor_version} at {pointer or '/'}; a released file never changes: bump minor_version for a "
        "compatible change (then run 'subsidy-events generate'), or add a new .v2 event for a breaking one "
        f"(if minor {definition.minor_version} was never released, delete its file and its line in "
        f"{MANIFEST_NAME}, then generate again)",
        rule="SCHEMA_DRIFT",
        pointer=pointer,
    )


def _first_difference(old: Any, new: Any, pointer: str = "") -> str:
    """The JSON pointer of the first place two JSON values differ (``""`` for the whole value)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            if old.get(key, _ABSENT) != new.get(key, _ABSENT):
                return _first_difference(old.get(key, _ABSENT), new.get(key, _ABSENT), pointer + to_pointer(key))
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                return _first_difference(a, b, pointer + to_pointer(index))
    return pointer


_ABSENT = object()


def check_published(root: Path, definitions: Iterable[EventDefinition[Any]] | None = None) -> list[SchemaError]:
    """Every problem with the published schemas under ``root``; an empty list means all is well.

    A ``root`` that is not a folder cannot be checked at all: :class:`SchemaError` (``UNREADABLE``).
    """
    if not root.is_dir():
        raise SchemaError(str(root), "is not a folder of published schemas", rule="UNREADABLE")
    definitions = list(definitions if definitions is not None else all_events())
    problems: list[SchemaError] = []
    try:
        manifest = read_manifest(root)
    except SchemaError as error:
        return [error]
    for definition in definitions:
        problems.extend(_check_event(root, definition, manifest))
    known = {d.event_type for d in definitions}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in known):
        problems.append(
            SchemaError(str(folder), "is not the folder of any event of this package", rule="UNKNOWN_EVENT_TYPE")
        )
    for name in sorted(manifest):
        if not (root / name).is_file():
            problems.append(
                SchemaError(str(root / name), "is recorded as published but is missing", rule="RELEASED_FILE_REMOVED")
            )
    return problems


def _check_event(root: Path, definition: EventDefinition[Any], manifest: dict[str, str]) -> Iterator[SchemaError]:
    files = minor_files(root, definition.event_type)
    current = definition.minor_version
    if current not in files:
        yield SchemaError(
            str(_schema_path(root, definition, current)),
            "the current minor version has no published schema; run 'subsidy-events generate'",
            rule="SCHEMA_MISSING",
        )
    for minor in sorted(set(range(max(files, default=-1) + 1)) - set(files)):
        yield SchemaError(
            str(_schema_path(root, definition, minor)), "a minor version is missing from the history", rule="MINOR_GAP"
        )
    for minor, path in sorted(files.items()):
        name = path.relative_to(root).as_posix()
        if name not in manifest:
            yield SchemaError(
                str(path),
                f"is not recorded in {MANIFEST_NAME}; write schemas with 'subsidy-events generate'",
                rule="UNRECORDED_FILE",
            )
        elif _digest(path) != manifest[name]:
            yield SchemaError(
                str(path), "a released schema file was edited; released files never change", rule="RELEASED_FILE_EDITED"
            )
        if minor > current:
            yield SchemaError(str(path), f"is newer than the code's minor_version {current}", rule="MINOR_AHEAD")
        try:
            schema = read_schema_file(path)
        except SchemaError as error:
            yield error
            continue
        yield from _apache_avro_rejects(path)
        if minor == current and schema != definition.schema:
            yield _drift_error(path, definition, schema)


def _apache_avro_rejects(path: Path) -> Iterator[SchemaError]:
    """The Apache ``avro`` parser is stricter about names than fastavro; use it when installed."""
    try:
        import avro.schema
    except ImportError:
        return
    try:
        avro.schema.parse(path.read_text(encoding="utf-8"))
    except Exception as error:  # the avro package raises several types for invalid schemas
        yield SchemaError(str(path), f"the Apache avro parser rejects it: {error}", rule="INVALID_SCHEMA")
