"""Reading contract files: YAML with positions, the format's JSON Schema, then what a schema cannot say.

PyYAML's composer keeps a mark (line, column) on every node; the loader builds the data from the
nodes itself so that every JSON pointer in the file has a position, and an error deep inside a
contract can say exactly where it is. Duplicate keys, which PyYAML silently accepts, are errors.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..exceptions import ContractError
from ._model import Contract, Example, by_pointer

__all__ = [
    "MAX_CONTRACT_BYTES",
    "contract_format_schema",
    "default_root",
    "iter_contract_files",
    "load_contract",
    "load_contracts",
    "parse_contract",
]

MAX_CONTRACT_BYTES = 256 * 1024
"""A contract file larger than this is refused (ours are ~2 KiB)."""

Positions = dict[str, tuple[int, int]]


def default_root() -> Path:
    """The folder of contracts this installation carries (the wheel's, else the checkout's ``contracts/``).

    .. versionadded:: 0.1.0
    """
    packaged = resources.files("openedx_subsidy_events") / "_data" / "contracts"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "contracts"


@functools.cache
def contract_format_schema() -> dict[str, Any]:
    """The JSON Schema of the contract format (shipped as ``contracts/contract.schema.json``).

    .. versionadded:: 0.1.0
    """
    text = (resources.files(__package__) / "contract.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _format_validator() -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(contract_format_schema())


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _build(loader: yaml.SafeLoader, node: yaml.Node, pointer: str, positions: Positions, path: str) -> Any:
    """Python data from a composed node, recording the position of every pointer."""
    positions[pointer] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line, column = _mark(key_node)
            if not isinstance(key, str):
                raise ContractError(
                    path, f"a key must be a string, not {key!r}", pointer=pointer, line=line, column=column
                )
            child = f"{pointer}/{_escape(key)}"
            if key in result:
                raise ContractError(path, f"the key {key!r} appears twice", pointer=child, line=line, column=column)
            result[key] = _build(loader, value_node, child, positions, path)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, f"{pointer}/{index}", positions, path) for index, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _compose(text: str, path: str) -> tuple[Any, Positions]:
    loader = yaml.SafeLoader(text)
    positions: Positions = {}
    try:
        node = loader.get_single_node()
        if node is None:
            raise ContractError(path, "the file is empty", line=1, column=1)
        return _build(loader, node, "", positions, path), positions
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        reason = f"invalid YAML: {error.problem or error.context}"
        raise ContractError(path, reason, line=line, column=column) from None
    except yaml.YAMLError as error:
        raise ContractError(path, f"invalid YAML: {error}") from None
    finally:
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
    data, positions = _compose(text, path)
    if not isinstance(data, dict):
        raise _fail(path, positions, "", "a contract must be a YAML mapping")
    errors = sorted(_format_validator().iter_errors(data), key=lambda e: (len(e.absolute_path), str(e.absolute_path)))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        pointer = "".join(f"/{_escape(str(p))}" for p in best.absolute_path)
        if best.validator == "additionalProperties" and isinstance(best.instance, dict):
            extra = sorted(set(best.instance) - set(best.schema.get("properties", {})))
            pointer += f"/{_escape(extra[0])}" if extra else ""
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
    for field_path, expectation in data.get("expectations", {}).items():
        pointer = f"/expectations/{_escape(field_path)}"
        if field_path not in reads:
            yield pointer, f"there is an expectation on {field_path!r}, which is not in 'reads'"
        try:
            jsonschema.Draft202012Validator.check_schema(expectation)
        except jsonschema.SchemaError as error:
            pointer += "".join(f"/{_escape(str(part))}" for part in error.absolute_path)
            yield pointer, f"the expectation on {field_path!r} is not a valid JSON Schema: {error.message}"
    names: set[str] = set()
    for index, example in enumerate(data.get("examples", [])):
        if example["name"] in names:
            yield f"/examples/{index}/name", f"two examples are named {example['name']!r}"
        names.add(example["name"])


def _display_path(path: Path, root: Path) -> str:
    try:
        return "contracts/" + path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def load_contract(path: Path, *, root: Path | None = None) -> Contract:
    """Read and check one contract file; inside a contracts tree its folder and name must match it.

    .. versionadded:: 0.1.0
    """
    shown = _display_path(path, root) if root is not None else str(path)
    try:
        if path.stat().st_size > MAX_CONTRACT_BYTES:
            raise ContractError(shown, f"the file is larger than {MAX_CONTRACT_BYTES} bytes")
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise ContractError(shown, f"cannot be read ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise ContractError(shown, f"is not UTF-8 text (byte {error.start})") from None
    expected = (path.parent.name, path.name.removesuffix(".yaml")) if root is not None else None
    return parse_contract(text, path=shown, expected=expected)


def iter_contract_files(root: Path) -> Iterator[Path]:
    """``<root>/<consumer>/<event_type>.yaml`` files, sorted."""
    if not root.is_dir():
        return
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        yield from sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(".yaml"))


def load_contracts(root: Path | None = None) -> tuple[Contract, ...]:
    """Every contract under ``root`` (default: the installed ones), sorted by consumer and event type.

    .. versionadded:: 0.1.0
    """
    root = (root if root is not None else default_root()).resolve()
    files = tuple((path, path.stat().st_mtime_ns, path.stat().st_size) for path in iter_contract_files(root))
    return _load_tree(root, files)


@functools.cache
def _load_tree(root: Path, files: tuple[tuple[Path, int, int], ...]) -> tuple[Contract, ...]:
    # Cached per root and file stamps: a test session verifies hundreds of events against the
    # same few files, and an edited file has a new stamp.
    return tuple(load_contract(path, root=root) for path, _, _ in files)
