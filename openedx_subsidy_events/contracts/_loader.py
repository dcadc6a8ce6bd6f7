"""Reading contract files: YAML with positions, the format's JSON Schema, then what a schema cannot say.

PyYAML's composer keeps a mark (line, column) on every node; the loader builds the data from the
nodes itself so that every JSON pointer in the file has a position, and an error deep inside a
contract can say exactly where it is. Duplicate keys, which PyYAML silently accepts, are errors.

Contracts need none of YAML's anchors and aliases, which are how a few hundred bytes expand into
a self-referencing or exponentially large document: the composer refuses them, and nesting deeper
than :data:`MAX_DEPTH`, before anything is built. Merge keys (``<<``) are refused too, and every
value must be JSON: an unquoted timestamp, ``!!binary`` or ``.nan`` is an error, not a Python object.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import math
import os
import sys
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import yaml

from .._files import FileRefused, read_bounded
from .._text import pointer_token
from ..exceptions import ContractError
from ._expectations import iter_expectation_problems
from ._layout import check_root, consumer_folders, default_root, is_contract_file, iter_contract_files
from ._model import Contract, Example, by_pointer

__all__ = [
    "MAX_CONTRACT_BYTES",
    "MAX_DEPTH",
    "contract_format_schema",
    "iter_stray_files",
    "load_contract",
    "load_contracts",
    "parse_contract",
]

MAX_CONTRACT_BYTES = 256 * 1024
"""A contract file larger than this is refused (ours are ~2 KiB)."""

MAX_DEPTH = 64
"""A contract nested deeper than this (mappings and lists) is refused (ours are 4 deep)."""

_CONTRACT_SUFFIXES = (".yaml", ".yml")
_MISPLACED = "is not read as a contract: contracts go in <consumer>/<event_type>.yaml"

Positions = dict[str, tuple[int, int]]


@functools.cache  # where the package is installed does not change while it runs
@functools.cache
def contract_format_schema() -> dict[str, Any]:
    """The JSON Schema of the contract format (shipped as ``openedx_subsidy_events/contracts/contract.schema.json``).

    .. versionadded:: 0.1.0
    """
    text = (resources.files(__package__) / "contract.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _format_validator() -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(contract_format_schema())


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Refused(yaml.MarkedYAMLError):
    """What the composer refuses in a contract (anchors, aliases, deep nesting), with its mark."""


class _ContractLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors, aliases and nesting deeper than :data:`MAX_DEPTH`."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        mark: Any = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(problem=f"a contract may not use YAML aliases (*{event.anchor})", problem_mark=mark)
        if getattr(event, "anchor", None) is not None:
            raise _Refused(problem=f"a contract may not use YAML anchors (&{event.anchor})", problem_mark=mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                reason = f"the contract is nested deeper than {MAX_DEPTH} levels"
                raise _Refused(problem=reason, problem_mark=mark)
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        return node


def _construct(loader: yaml.SafeLoader, node: yaml.Node, pointer: str, path: str) -> Any:
    """A scalar's JSON value; one PyYAML cannot construct, or that is not JSON, is a :class:`ContractError`."""
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.MarkedYAMLError:
        raise
    except (ValueError, TypeError, OverflowError) as error:
        raise _at(node, path, pointer, f"the value cannot be read ({_unreadable(node, error)})") from None
    if isinstance(value, datetime.date):
        text = node.value if isinstance(node, yaml.ScalarNode) else str(value)
        reason = f"YAML reads the unquoted {text} as a timestamp, not a string: quote it"
        raise _at(node, path, pointer, reason)
    if isinstance(value, float) and not math.isfinite(value):
        raise _at(node, path, pointer, f"{node.value} is not a JSON number")
    if not isinstance(value, str | int | float | bool | None):
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise _at(node, path, pointer, f"a contract holds JSON values, and a {tag} value is not one")
    return value


def _unreadable(node: yaml.Node, error: Exception) -> str:
    """Why a scalar cannot be constructed, in words a contract author can act on."""
    limit = sys.get_int_max_str_digits()
    if node.tag == "tag:yaml.org,2002:int" and limit and sum(c.isdigit() for c in str(node.value)) > limit:
        return f"the number has more than {limit} digits"
    return " ".join(str(error).split())


def _at(node: yaml.Node, path: str, pointer: str, reason: str) -> ContractError:
    line, column = _mark(node)
    return ContractError(path, reason, pointer=pointer, line=line, column=column)


def _build(loader: yaml.SafeLoader, node: yaml.Node, pointer: str, positions: Positions, path: str) -> Any:
    """Python data from a composed node, recording the position of every pointer."""
    positions[pointer] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _at(key_node, path, f"{pointer}/<<", "a contract may not use YAML merge keys (<<)")
        loader.flatten_mapping(node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(loader, key_node, pointer, path)
            line, column = _mark(key_node)
            if not isinstance(key, str):
                raise ContractError(
                    path, f"a key must be a string, not {key!r}", pointer=pointer, line=line, column=column
                )
            child = f"{pointer}/{pointer_token(key)}"
            if key in result:
                raise ContractError(path, f"the key {key!r} appears twice", pointer=child, line=line, column=column)
            result[key] = _build(loader, value_node, child, positions, path)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, f"{pointer}/{index}", positions, path) for index, item in enumerate(node.value)]
    return _construct(loader, node, pointer, path)


def _reader_position(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def _compose(text: str, path: str) -> tuple[Any, Positions]:
    positions: Positions = {}
    loader: _ContractLoader | None = None
    try:
        loader = _ContractLoader(text)
        node = loader.get_single_node()
        if node is None:
            raise ContractError(path, "the file is empty", line=1, column=1)
        return _build(loader, node, "", positions, path), positions
    except _Refused as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise ContractError(path, str(error.problem), line=line, column=column) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        reason = f"invalid YAML: {error.problem or error.context}"
        raise ContractError(path, reason, line=line, column=column) from None
    except yaml.reader.ReaderError as error:
        line, column = _reader_position(text, error.position)
        character = f"#x{error.character:04x}" if isinstance(error.character, int) else repr(error.character)
        reason = f"invalid YAML: the character {character} is not allowed ({error.reason})"
        raise ContractError(path, reason, line=line, column=column) from None
    except yaml.YAMLError as error:
        raise ContractError(path, f"invalid YAML: {' '.join(str(error).split())}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _fail(path: str, positions: Positions, pointer: str, reason: str) -> ContractError:
    line, column = by_pointer(positions, pointer) or (None, None)
    return ContractError(path, reason, pointer=pointer, line=line, column=column)


def _format_error_sentence(error: jsonschema.ValidationError) -> str:
    """One sentence for a violation of the contract format."""
    where = "/".join(str(p) for p in error.absolute_path)
    subject = f"'{where}'" if where else "the contract"
    if error.validator == "required":
        return f"{subject} is missing a required key: {error.message.split(' is a required')[0]}"
    if error.validator == "additionalProperties":
        return f"{subject} has a key the format does not define ({error.message.split('(')[-1].rstrip(')')})"
    return f"{subject}: {error.message}"


def parse_contract(text: str, *, path: str = "<contract>", expected: tuple[str, str] | None = None) -> Contract:
    """A :class:`Contract` from YAML text; :class:`ContractError` with position if it is malformed.

    ``expected`` is the ``(consumer, event_type)`` the file's location implies; a contract that
    says otherwise is an error (a misplaced file would silently apply to the wrong pair).

    .. versionadded:: 0.1.0
    """
    try:
        return _parse(text, path, expected)
    except RecursionError:
        # The composer's depth limit should make this unreachable; a last resort, never a traceback.
        raise ContractError(path, "the contract is nested too deeply to be read") from None


def _parse(text: str, path: str, expected: tuple[str, str] | None) -> Contract:
    data, positions = _compose(text, path)
    if not isinstance(data, dict):
        raise _fail(path, positions, "", "a contract must be a YAML mapping")
    errors = sorted(_format_validator().iter_errors(data), key=lambda e: (len(e.absolute_path), str(e.absolute_path)))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        if list(best.absolute_path)[:1] == ["expectations"]:
            # The format schema knows the keywords an expectation may use; the loader says it better.
            for problem in _iter_expectation_problems(data):
                raise _fail(path, positions, *problem)
        pointer = "".join(f"/{pointer_token(str(p))}" for p in best.absolute_path)
        if best.validator == "additionalProperties" and isinstance(best.instance, dict):
            extra = sorted(set(best.instance) - set(best.schema.get("properties", {})))
            pointer += f"/{pointer_token(extra[0])}" if extra else ""
        raise _fail(path, positions, pointer, _format_error_sentence(best))
    for problem in _iter_semantic_problems(data, expected):
        raise _fail(path, positions, *problem)
    return Contract(
        consumer=data["consumer"],
        event_type=data["event_type"],
        status=data["status"],
        purpose=" ".join(data["purpose"].split()),
        reads=tuple(data["reads"]),
        expectations=dict(data.get("expectations", {})),
        examples=tuple(
            Example(name=e["name"], event=e["event"], description=e.get("description", ""))
            for e in data.get("examples", [])
        ),
        schema_minor=data.get("schema_minor"),
        owner=data.get("owner", ""),
        path=path,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        positions=positions,
    )


def _iter_semantic_problems(data: Mapping[str, Any], expected: tuple[str, str] | None) -> Iterator[tuple[str, str]]:
    """``(pointer, sentence)`` for what the format's JSON Schema cannot express."""
    if expected is not None:
        consumer, event_type = expected
        if data["consumer"] != consumer:
            yield "/consumer", f"the file is in the folder of {consumer!r} but names consumer {data['consumer']!r}"
        if data["event_type"] != event_type:
            yield "/event_type", f"the file is named after {event_type!r} but names event_type {data['event_type']!r}"
    reads = set(data["reads"])
    for field_path in data.get("expectations", {}):
        if field_path not in reads:
            pointer = f"/expectations/{pointer_token(field_path)}"
            yield pointer, f"there is an expectation on {field_path!r}, which is not in 'reads'"
    yield from _iter_expectation_problems(data)
    names: set[str] = set()
    for index, example in enumerate(data.get("examples", [])):
        if example["name"] in names:
            yield f"/examples/{index}/name", f"two examples are named {example['name']!r}"
        names.add(example["name"])


def _iter_expectation_problems(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(pointer, sentence)`` for each expectation that is not one this package can check as written."""
    expectations = data.get("expectations")
    if not isinstance(expectations, Mapping):
        return
    for field_path, expectation in expectations.items():
        for where, phrase in iter_expectation_problems(expectation):
            yield f"/expectations/{pointer_token(field_path)}{where}", f"the expectation on {field_path!r} {phrase}"


def _display_path(path: Path, root: Path) -> str:
    try:
        return "contracts/" + path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def load_contract(path: Path, *, root: Path | None = None) -> Contract:
    """Read and check one contract file; inside a contracts tree its folder and name must match it.

    The contract's :attr:`~Contract.path` is its stable identity ``contracts/<consumer>/<file>``
    (what reports and violations name); a :class:`ContractError` names the file as it really is.

    .. versionadded:: 0.1.0
    """
    shown = str(path)
    try:
        text = read_bounded(path, MAX_CONTRACT_BYTES).decode("utf-8")
    except FileRefused as refused:
        raise ContractError(shown, str(refused)) from None
    except OSError as error:
        raise ContractError(shown, f"cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError as error:
        raise ContractError(shown, f"is not UTF-8 text (byte {error.start})") from None
    expected = (path.parent.name, path.name.removesuffix(".yaml")) if root is not None else None
    contract = parse_contract(text, path=shown, expected=expected)
    if root is not None:
        contract = attrs.evolve(contract, path=_display_path(path, root))
    return contract


def _looks_like_contract(name: str) -> bool:
    return name.lower().endswith(_CONTRACT_SUFFIXES)


def iter_stray_files(root: Path) -> Iterator[ContractError]:
    """One :class:`ContractError` per file under ``root`` that looks like a contract but is not read as one.

    That is a ``*.yml``, ``*.YAML``... file, a YAML file directly under ``root`` or deeper than
    ``<consumer>/``, or a ``*.yaml`` that is not a regular file. Folders starting with ``.`` or
    ``_`` are left alone. :class:`ContractError` if ``root`` is not a folder.

    .. versionadded:: 0.1.0
    """
    check_root(root)
    for path in sorted(p for p in root.iterdir() if not p.is_dir() and _looks_like_contract(p.name)):
        yield ContractError(str(path), _MISPLACED)
    for folder in consumer_folders(root):
        for path in sorted(folder.iterdir()):
            if path.is_dir() and not _looks_like_contract(path.name):
                if not path.name.startswith((".", "_")):
                    yield from _iter_nested(path)
            elif _looks_like_contract(path.name) and not is_contract_file(path):
                reason = "is not a regular file" if path.name.endswith(".yaml") else "a contract file must end in .yaml"
                yield ContractError(str(path), f"is not read as a contract: {reason}")


def _iter_nested(folder: Path) -> Iterator[ContractError]:
    for top, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith((".", "_")))
        for name in sorted(files):
            if _looks_like_contract(name):
                path = Path(top, name)
                yield ContractError(str(path), _MISPLACED)


def load_contracts(root: Path | None = None) -> tuple[Contract, ...]:
    """Every contract under ``root`` (default: the installed ones), sorted by consumer and event type.

    :class:`ContractError` if ``root`` is not a folder, a file is malformed, or a file that looks like
    a contract would not be read as one (see ``iter_stray_files()``).

    .. versionadded:: 0.1.0
    """
    root = root if root is not None else default_root()
    for problem in iter_stray_files(root):
        raise problem
    files = []
    for path in iter_contract_files(root):
        info = path.stat()
        files.append((path.relative_to(root).as_posix(), info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_size))
    return _load_tree(root, root.resolve(), tuple(files))


@functools.lru_cache(maxsize=64)
def _load_tree(root: Path, resolved: Path, files: tuple[tuple[str, int, int, int, int], ...]) -> tuple[Contract, ...]:
    # Cached per root (as given, for the paths in errors, and resolved) and file stamps (modification
    # and change times, inode, size): a test session verifies hundreds of events against the same few
    # files, and an edited file has a new stamp even when a tool restored its modification time.
    return tuple(load_contract(root / name, root=root) for name, *_ in files)
