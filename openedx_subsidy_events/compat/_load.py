"""Reading what the linter checks: files, folders, the package layout, and git baselines.

Layouts: a single ``.avsc`` file (the subject is its stem); a folder of ``<subject>.avsc`` files;
the package layout ``<subject>/<n>.avsc`` (every stored version, oldest first); one subject's
folder of ``<n>.avsc`` files; and one ``<n>.avsc`` file of such a folder, which is version n of the
subject named after the folder (a *partial* subject: the versions not named were not read). Files
read together may use each other's named types. A baseline ``git:<ref>`` is read from the repository's
object store (``git ls-tree`` and ``git cat-file``), never by checking anything out.

Every way a file can be bad ends in one :class:`SchemaError` naming the file and the place.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath

import attrs

from .._files import MAX_SCHEMA_BYTES, FileRefused, read_bounded
from ..exceptions import SchemaError
from ._node import JsonConstant, Node
from ._position import locate
from ._schema import SchemaSet

__all__ = [
    "Schema",
    "Subject",
    "TypesShared",
    "build_subjects",
    "gc_paused",
    "load_baseline",
    "load_json",
    "load_paths",
    "locate_error",
    "read_baseline",
    "read_entries",
    "read_paths",
]

_VERSION = re.compile(r"(0|[1-9][0-9]{0,8})\.avsc\Z")
GIT_TIMEOUT = 60
"""Seconds a git command may take before the baseline counts as unreadable."""


@attrs.frozen(eq=False)
class Schema:
    """One schema as read: its subject, the parsed graph, and where it came from.

    Attributes:
        subject: the subject it belongs to.
        root: the parsed schema.
        file: the file it was read from (``<ref>:<path>`` for git), or ``None``.
        text: the file's text, for positions and for telling edited files apart.
        version: the stored version number in the package layout, else ``None``.
        self_contained: whether every named type it uses is defined in its own file (read with
            other files, it may use theirs).

    .. versionadded:: 0.1.0

    """

    subject: str
    root: Node
    file: str | None = None
    text: str | None = None
    version: int | None = None
    self_contained: bool = True


@attrs.frozen(eq=False)
class Subject:
    """Every version of one subject that was read, oldest first.

    Attributes:
        name: the subject (file stem or folder name).
        versions: the schemas, oldest first.
        versioned: whether it was read from the package layout ``<subject>/<n>.avsc``.
        texts: the text of every file read with it, by file name (for positions).
        partial: whether PATHs named some of its ``<n>.avsc`` files rather than its folder: the
            versions not named were not read, so their absence says nothing (no removal), and a
            baseline supplies the earlier ones.
        named: whether a PATH named this subject itself (its folder of ``<n>.avsc`` files, or some
            of them) rather than a folder holding subjects: other subjects were not read, so their
            absence from the PATHs says nothing either.

    .. versionadded:: 0.1.0

    """

    name: str
    versions: tuple[Schema, ...]
    versioned: bool = False
    texts: Mapping[str, str] = attrs.field(factory=dict)
    partial: bool = False
    named: bool = False

    @property
    def latest(self) -> Schema:
        """The newest version."""
        return self.versions[-1]


@attrs.frozen
class _File:
    """A file listed but not read yet: where it is, and what reading it must refuse."""

    path: str
    root: Path | None
    linked: bool | None
    regular: bool = False

    def read(self, display: str) -> bytes:
        return _read_file(self.path, display, self.root, linked=self.linked, regular=self.regular)


@attrs.frozen
class _Entry:
    """One file found under a PATH: its display name, its place in the layout, and its bytes.

    ``data`` is the bytes, or the file to read them from when the listing deferred reading (so
    that the processes checking a share of the subjects read only their own files).
    ``partial`` when the PATH was the file itself, a version of a subject whose folder was not read;
    ``named`` when the PATH was the subject's own folder or file.
    """

    name: str
    subject: str
    version: int | None
    data: bytes | _File
    partial: bool = False
    named: bool = False

    def content(self) -> bytes:
        """The file's bytes; :class:`SchemaError` when a deferred file cannot be read."""
        return self.data if isinstance(self.data, bytes) else self.data.read(self.name)


def _decode(name: str, data: bytes) -> str:
    """The text of one file, or the :class:`SchemaError` that explains why it is not JSON text."""
    if len(data) > MAX_SCHEMA_BYTES:
        raise SchemaError(name, f"the file is larger than {MAX_SCHEMA_BYTES} bytes", rule="UNREADABLE")
    if b"\x00" in data:
        raise SchemaError(name, "is a binary file, not JSON text", rule="UNREADABLE")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SchemaError(name, f"is not UTF-8 text (byte {error.start})", rule="UNREADABLE") from None
    return text


def _long_number(text: str, limit: int) -> tuple[int, int] | None:
    """1-based ``(line, column)`` of the first JSON number (not inside a string) with over ``limit`` digits."""
    tokens = re.compile(r'"(?:[^"\\]|\\.)*"|-?[0-9]{' + str(limit + 1) + ",}")
    for match in tokens.finditer(text):
        if not match.group().startswith('"'):
            start = match.start()
            return text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1
    return None


_JSON = json.JSONDecoder(parse_constant=JsonConstant)
"""One decoder for every file (``json.loads`` with an argument builds a new one per call)."""


def load_json(text: str, name: str | None = None) -> object:
    """The JSON document in ``text``, or the :class:`SchemaError` that explains why not (``name`` is the file).

    ``NaN`` and ``Infinity``, which Python's reader accepts but JSON does not have, come back as
    :class:`JsonConstant` so that the default rules report them.
    """
    try:
        return _JSON.decode(text)
    except json.JSONDecodeError as error:
        raise SchemaError(
            name, f"invalid JSON: {error.msg}", rule="INVALID_JSON", line=error.lineno, column=error.colno
        ) from None
    except RecursionError:
        raise SchemaError(name, "the JSON is nested too deeply", rule="INVALID_JSON") from None
    except ValueError:  # an integer longer than the interpreter converts (sys.get_int_max_str_digits)
        limit = sys.get_int_max_str_digits()
        line, column = _long_number(text, limit) or (None, None)
        raise SchemaError(
            name, f"a number has more than {limit} digits", rule="INVALID_JSON", line=line, column=column
        ) from None


def _build(
    entries: Iterable[_Entry], *, apart: bool = False, like: Mapping[str, Subject] | None = None
) -> dict[str, Subject]:
    """Parse every entry in one schema set and group the results into subjects.

    The cyclic garbage collector is paused meanwhile: parsing thousands of files allocates
    hundreds of thousands of acyclic objects, and collections triggered by them cost a third of
    the time while finding nothing to free.
    """
    with gc_paused():
        return _build_all(list(entries), apart, _twins(like))


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a burst of acyclic allocations; restore it after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _twins(like: Mapping[str, Subject] | None) -> dict[tuple[str, int | None], Schema]:
    """The self-contained schemas of ``like`` by subject and version: models a file with the same text can take."""
    if not like:
        return {}
    return {
        (schema.subject, schema.version): schema
        for subject in like.values()
        for schema in subject.versions
        if schema.self_contained and schema.text is not None
    }


def _build_all(
    entries: list[_Entry], apart: bool, twins: Mapping[tuple[str, int | None], Schema]
) -> dict[str, Subject]:
    entries = sorted(entries, key=lambda e: (e.subject, -1 if e.version is None else e.version, e.name))
    _refuse_two_files_per_version(entries)
    texts: dict[str, str] = {}
    parsed = _parse(entries, twins, texts) or _parse(entries, {}, texts)  # (None: parse every file)
    assert parsed is not None, "without twins a parse is never given up"
    roots, borrowers = parsed
    if borrowers and apart:
        raise TypesShared
    grouped: dict[str, list[Schema]] = {}
    versioned: dict[str, bool] = {}
    partial: set[str] = {entry.subject for entry in entries if entry.partial}
    named: set[str] = {entry.subject for entry in entries if entry.partial or entry.named}
    for entry in entries:
        if versioned.setdefault(entry.subject, entry.version is not None) != (entry.version is not None):
            raise SchemaError(
                entry.name, f"the subject {entry.subject!r} is both a file and a folder of versions", rule="UNREADABLE"
            )
        alone = entry.name not in borrowers
        schema = Schema(entry.subject, roots[entry.name], entry.name, texts[entry.name], entry.version, alone)
        grouped.setdefault(entry.subject, []).append(schema)
    return {
        name: Subject(name, tuple(versions), versioned[name], texts, partial=name in partial, named=name in named)
        for name, versions in sorted(grouped.items())
    }


def _refuse_two_files_per_version(entries: Sequence[_Entry]) -> None:
    stored: dict[tuple[str, int], str] = {}
    for entry in entries:
        if entry.version is not None and stored.setdefault((entry.subject, entry.version), entry.name) != entry.name:
            where = stored[(entry.subject, entry.version)]
            reason = f"the subject {entry.subject!r} has a version {entry.version} in {where} too"
            raise SchemaError(entry.name, reason, rule="UNREADABLE")


def _parse(
    entries: Sequence[_Entry], twins: Mapping[tuple[str, int | None], Schema], texts: dict[str, str]
) -> tuple[dict[str | None, Node], set[str | None]] | None:
    """Every file's model, and the files that use another's types; each text goes to ``texts``.

    A file with the same text as its twin takes the twin's model instead of being parsed. ``None``
    when one was taken and another file then used a type from another file, or failed to find one:
    it may be defined in a file that was not parsed.
    """
    schemas = SchemaSet()
    taken: dict[str | None, Node] = {}
    with _located(texts):
        for entry in entries:
            text = texts[entry.name] = _decode(entry.name, entry.content())
            twin = twins.get((entry.subject, entry.version))
            if twin is not None and twin.text == text:
                taken[entry.name] = twin.root
            else:
                schemas.add(load_json(text, entry.name), entry.name, subject=entry.subject, version=entry.version)
        try:
            roots = schemas.resolve()
        except SchemaError:
            if taken:
                return None
            raise
    if taken and schemas.borrowers:
        return None
    return {**roots, **taken}, schemas.borrowers


@contextlib.contextmanager
def _located(texts: Mapping[str, str]) -> Iterator[None]:
    """Give a :class:`SchemaError` raised inside the line and column of its pointer in its file."""
    try:
        yield
    except SchemaError as error:
        locate_error(error, texts.get(error.path) if error.path is not None else None)
        raise


def locate_error(error: SchemaError, text: str | None) -> None:
    """Set ``error``'s line and column from its JSON pointer, when ``text`` (its file's) has that place."""
    if error.line is None and text is not None:
        found = locate(text, error.pointer)
        if found is not None:
            error.line, error.column = found


def _read_file(
    path: str, display: str, root: Path | None, *, linked: bool | None = None, regular: bool = False
) -> bytes:
    """The bytes of one regular file, refusing symlinks out of ``root``, FIFOs and huge files.

    ``linked``: whether the file or its folder is a symlink, when the caller's directory listing
    already knows (else it is asked); only then is the real path worked out. ``regular``: the
    listing says it is a regular file (see :func:`read_bounded`).
    """
    try:
        if root is not None:
            if linked is None:
                linked = os.path.islink(path) or os.path.islink(os.path.dirname(path) or ".")
            if linked and not Path(os.path.realpath(path)).is_relative_to(Path(os.path.realpath(root))):
                raise SchemaError(display, f"is a symlink out of {root}", rule="UNREADABLE")
        return read_bounded(path, MAX_SCHEMA_BYTES, regular=regular)
    except FileRefused as refused:
        raise SchemaError(display, str(refused), rule="UNREADABLE") from None
    except OSError as error:
        raise SchemaError(display, f"cannot be read ({error.strerror})", rule="UNREADABLE") from None


Parts = tuple[str, ...]
"""A path relative to a folder PATH, as its names (``("thing", "1.avsc")``): cheaper than pathlib's."""


def _avsc_stem(name: str) -> str | None:
    """The stem of a file named ``<stem>.avsc`` (split as pathlib splits it), else ``None``."""
    dot = name.rfind(".")
    return name[:dot] if dot > 0 and name[dot:] == ".avsc" else None


def _layout(parts: Parts) -> tuple[str, int | None] | None:
    """``(subject, version)`` of a file at ``parts`` under a folder PATH, or ``None`` to skip it."""
    if len(parts) == 1:
        stem = _avsc_stem(parts[0])
        return (stem, None) if stem is not None else None
    if len(parts) == 2:
        match = _VERSION.match(parts[1])
        if match:
            return parts[0], int(match.group(1))
    return None


def _places(relatives: Sequence[Parts], folder: str) -> list[tuple[str, int | None] | None]:
    """``(subject, version)`` of each file under the folder PATH named ``folder``, or ``None`` to skip it.

    A folder whose own ``.avsc`` files are all named ``<n>.avsc`` is one subject's folder (PATH
    points into the package layout): those files are the versions of the subject ``folder``.
    """
    own = [parts[0] for parts in relatives if len(parts) == 1 and _avsc_stem(parts[0]) is not None]
    versions = bool(own) and all(_VERSION.match(name) for name in own)
    places: list[tuple[str, int | None] | None] = []
    for parts in relatives:
        match = _VERSION.match(parts[0]) if versions and len(parts) == 1 else None
        places.append((folder, int(match.group(1))) if match else _layout(parts))
    return places


def _folder_name(path: Path) -> str:
    """The name of the folder ``path`` (``.`` and ``..`` by the folder they stand for)."""
    return path.name if path.name not in ("", ".", "..") else Path(os.path.realpath(path)).name


def _version_of_file(path: Path) -> tuple[str, int] | None:
    """``(subject, n)`` when the file PATH ``path`` is version n of its folder's subject, else ``None``.

    It is when it is named ``<n>.avsc`` and its folder reads as one subject's folder: every
    ``.avsc`` file in it is named ``<n>.avsc``, as :func:`_places` reads a folder PATH.
    """
    match = _VERSION.match(path.name)
    if match is None:
        return None
    folder = path.parent
    own = [child.name for child in folder.iterdir() if child.suffix == ".avsc" and not child.is_dir()]
    if not all(_VERSION.match(name) for name in own):
        return None
    return _folder_name(folder), int(match.group(1))


def read_entries(path: Path, *, defer: bool = False) -> list[_Entry]:
    """The schema files under ``path`` (a file or a folder), with their place in the layout.

    ``defer``: list the files of a folder without reading them yet (:meth:`_Entry.content` reads).
    """
    display = str(path)
    try:
        return _walk(path, display, defer)
    except OSError as error:  # a name too long, a folder that cannot be listed, ...
        raise SchemaError(display, f"cannot be read ({error.strerror or error})", rule="UNREADABLE") from None


def _walk(path: Path, display: str, defer: bool) -> list[_Entry]:
    if not path.exists() and not path.is_symlink():
        raise SchemaError(display, "does not exist", rule="UNREADABLE")
    if not path.is_dir():
        versioned = _version_of_file(path)
        if versioned is not None:
            return [_Entry(display, *versioned, _read_file(display, display, None), partial=True)]
        return [_Entry(display, path.stem, None, _read_file(display, display, None))]
    # os.scandir, not pathlib: the listing says which entries are folders and symlinks without a
    # system call per file, which is most of the cost of reading thousands of small schemas
    found: list[tuple[Parts, str, bool, bool]] = []
    # names as pathlib writes them (x.avsc, not ./x.avsc), joined without os.path.join's checks
    prefix = "" if display == "." else display.rstrip("/") + "/"
    for child in _listing(display):
        if _is_folder(child):
            folder_path = prefix + child.name
            found.extend(
                (
                    (child.name, grandchild.name),
                    f"{folder_path}/{grandchild.name}",
                    child.is_symlink() or grandchild.is_symlink(),
                    grandchild.is_file(follow_symlinks=False),
                )
                for grandchild in _listing(folder_path)
            )
        else:
            found.append(((child.name,), prefix + child.name, child.is_symlink(), child.is_file(follow_symlinks=False)))
    folder = _folder_name(path)
    places = _places([relative for relative, _, _, _ in found], folder)
    return [
        _Entry(
            file,
            *place,
            _File(file, path, linked, regular)
            if defer
            else _read_file(file, file, path, linked=linked, regular=regular),
            named=_names_its_folder(relative, place, folder),
        )
        for (relative, file, linked, regular), place in zip(found, places, strict=True)
        if place is not None
    ]


def _listing(folder: str) -> list[os.DirEntry[str]]:
    """The entries of ``folder``, by name; a folder that cannot be listed is an error naming it."""
    try:
        with os.scandir(folder if folder else ".") as entries:
            return sorted(entries, key=_name)
    except OSError as error:
        raise SchemaError(folder, f"cannot be read ({error.strerror or error})", rule="UNREADABLE") from None


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether an entry is a folder (through a symlink too); a symlink that leads nowhere is not.

    A symlink loop is a file whose target cannot be found, like a dangling symlink: skipped unless
    it is named ``*.avsc``, and then an error naming it when it is read, as for every other entry
    that cannot be read. (``DirEntry.is_dir`` raises for a loop where pathlib says ``False``.)
    """
    try:
        return entry.is_dir()
    except OSError:
        return False


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _names_its_folder(relative: Parts, place: tuple[str, int | None], folder: str) -> bool:
    """A file right in the PATH folder placed as a version of that folder: the PATH names the subject."""
    return len(relative) == 1 and place == (folder, place[1]) and place[1] is not None


def load_paths(paths: Sequence[Path]) -> dict[str, Subject]:
    """Every subject under ``paths``; a subject found under two of them is an error.

    Several PATHs may name version files of one subject (``ev/1.avsc ev/2.avsc``); a PATH given
    twice is read once.

    .. versionadded:: 0.1.0
    """
    return build_subjects(read_paths(paths))


class TypesShared(Exception):
    """Files parsed apart from the others use named types that other files define."""


def build_subjects(
    entries: Iterable[_Entry], *, apart: bool = False, like: Mapping[str, Subject] | None = None
) -> dict[str, Subject]:
    """The subjects of files read together (:func:`read_paths`, :func:`read_baseline`), parsed as one set.

    ``apart``: these are some of the files read together, parsed on their own (a worker's share);
    :class:`TypesShared` if one of them uses a named type from another file, which may be in
    another share. ``like``: subjects already built (the current ones, when these are the
    baseline's): a file with the same subject, version and text as a self-contained schema there is
    not parsed again but takes its model, so that a baseline costs only the files that changed.
    """
    return _build(entries, apart=apart, like=like)


def read_paths(paths: Sequence[Path], *, defer: bool = False) -> list[_Entry]:
    """The files under ``paths``, each with its subject and version, not parsed yet (see :func:`load_paths`).

    ``defer``: list the files of folders without reading them yet (see :func:`read_entries`).
    """
    entries: list[_Entry] = []
    seen: dict[str, tuple[str, bool]] = {}
    for path in dict.fromkeys(paths):
        found = read_entries(path, defer=defer)
        for entry in found:
            where, partial = seen.setdefault(entry.subject, (str(path), entry.partial))
            if where != str(path) and not (partial and entry.partial):
                raise SchemaError(entry.name, f"the subject {entry.subject!r} is also under {where}", rule="UNREADABLE")
        entries.extend(found)
    return entries


def _git(args: Sequence[str], cwd: Path, what: str, stdin: bytes | None = None) -> bytes:
    import subprocess  # only for a git baseline

    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, timeout=GIT_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise SchemaError(what, "git is not installed", rule="UNREADABLE") from None
    except subprocess.TimeoutExpired:
        raise SchemaError(what, f"git did not answer within {GIT_TIMEOUT} seconds", rule="UNREADABLE") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SchemaError(what, reason[-1] if reason else f"git {args[0]} failed", rule="UNREADABLE")
    return done.stdout


def _git_entries(ref: str, path: Path) -> list[_Entry]:
    """The schema files under ``path`` at ``ref``; for a version file, every version in its folder there."""
    what = f"git:{ref}"
    anchor = path if os.path.isdir(path) else path.parent
    if not os.path.isdir(anchor):
        anchor = Path.cwd()
    top = Path(_git(["rev-parse", "--show-toplevel"], anchor, what).decode().strip())
    if ref.startswith("-") or not ref:
        raise SchemaError(what, "is not a git ref", rule="UNREADABLE")
    try:
        _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], top, what)
    except SchemaError:
        raise SchemaError(what, "is not a commit in this repository", rule="UNREADABLE") from None
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(Path(os.path.realpath(top))):
        raise SchemaError(str(path), f"is not inside the git repository {top}", rule="UNREADABLE")
    relative = PurePosixPath(real.relative_to(Path(os.path.realpath(top))).as_posix())
    version_of = _version_of_file(path) if os.path.isfile(path) else None
    if version_of is not None:  # one version of a subject: its baseline is the subject's folder at ref
        relative = relative.parent
    # --long lists each blob's size, so a huge one is refused before git is asked for its bytes
    listing = _git(["ls-tree", "-r", "-z", "--long", "--full-tree", ref, "--", str(relative)], top, what)
    blobs: list[tuple[str, PurePosixPath]] = []
    sizes: dict[str, int] = {}
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, _, name = item.decode("utf-8", "surrogateescape").partition("\t")
        mode, kind, oid, blob_size = meta.split()
        if kind == "blob" and mode != "120000":
            blobs.append((oid, PurePosixPath(name)))
            sizes[oid] = int(blob_size)
    if not blobs:
        return []
    places: list[tuple[str, int | None] | None]
    if version_of is not None:
        places = [_version_place(version_of[0], blob_path.relative_to(relative).parts) for _, blob_path in blobs]
    elif len(blobs) == 1 and blobs[0][1] == relative:  # the PATH is one file
        places = [(relative.stem, None)]
    else:
        places = _places([blob_path.relative_to(relative).parts for _, blob_path in blobs], _folder_name(path))
    wanted: list[tuple[str, str, tuple[str, int | None]]] = []
    for (oid, blob_path), place in zip(blobs, places, strict=True):
        if place is not None:
            wanted.append((oid, f"{ref}:{blob_path}", place))
    if not wanted:
        return []
    for oid, display, _place in wanted:
        if sizes[oid] > MAX_SCHEMA_BYTES:
            raise SchemaError(display, f"the file is larger than {MAX_SCHEMA_BYTES} bytes", rule="UNREADABLE")
    output = _git(["cat-file", "--batch"], top, what, stdin="".join(f"{oid}\n" for oid, _, _ in wanted).encode())
    entries: list[_Entry] = []
    offset = 0
    for _oid, display, (subject, version) in wanted:
        header_end = output.index(b"\n", offset)
        size = int(output[offset:header_end].split()[2])
        data = output[header_end + 1 : header_end + 1 + size]
        offset = header_end + 1 + size + 1
        entries.append(_Entry(display, subject, version, data))
    return entries


def _version_place(subject: str, relative: Parts) -> tuple[str, int | None] | None:
    """``(subject, n)`` for a file ``<n>.avsc`` directly in the subject's folder, else ``None`` (skipped)."""
    match = _VERSION.match(relative[0]) if len(relative) == 1 else None
    return (subject, int(match.group(1))) if match else None


def load_baseline(baseline: str, paths: Sequence[Path]) -> dict[str, Subject]:
    """The subjects of ``baseline``: ``git:<ref>`` (the same PATHs at that commit), a folder or a file.

    For a PATH that is one version file of a subject (``schemas/<subject>/<n>.avsc``), the git
    baseline is that subject's folder at the commit: every version it held there.

    .. versionadded:: 0.1.0
    """
    return build_subjects(read_baseline(baseline, paths))


def read_baseline(baseline: str, paths: Sequence[Path], *, defer: bool = False) -> list[_Entry]:
    """The files of ``baseline`` for ``paths``, not parsed yet (see :func:`load_baseline`).

    ``defer``: list a folder's files without reading them yet (a git baseline is read at once).
    """
    if baseline.startswith("git:"):
        ref = baseline[4:]
        entries: dict[str, _Entry] = {}
        for path in paths:
            entries.update((entry.name, entry) for entry in _git_entries(ref, path))
        return list(entries.values())
    return read_paths([Path(baseline)], defer=defer)
