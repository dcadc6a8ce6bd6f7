"""Which payload fields a consumer's handler actually reads.

The handler is given a payload whose class is a thin subclass of the real payload class that
notes every field attribute read. Comparing what was read with the contract's ``reads`` finds
fields the handler reads but did not declare (a producer could remove them without failing any
check) and fields it declares but never reads (their contract is stricter than it needs to be,
and keeps the linter from calling a removal safe).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, MutableSet
from pathlib import Path
from typing import Any

import attrs
import yaml

from ..contracts import Contract, parse_contract

__all__ = ["FieldReads", "recording_payload", "write_reads"]

_SINK = "_subsidy_events_reads"


_TYPES: dict[type, type] = {}


def _recording_type(payload_type: type) -> type:
    if payload_type not in _TYPES:
        _TYPES[payload_type] = _make_recording_type(payload_type)
    return _TYPES[payload_type]


def _make_recording_type(payload_type: type) -> type:
    names = frozenset(a.name for a in attrs.fields(payload_type))

    def __getattribute__(self: Any, name: str) -> Any:
        if name in names:
            object.__getattribute__(self, _SINK).add(name)
        return object.__getattribute__(self, name)

    namespace = {"__slots__": (_SINK,), "__getattribute__": __getattribute__, "__module__": __name__}
    return type(f"Recording{payload_type.__name__}", (payload_type,), namespace)


def recording_payload(payload: Any, sink: MutableSet[str]) -> Any:
    """A copy of ``payload`` (an instance of a subclass of its class) that adds every field read to ``sink``.

    .. versionadded:: 0.1.0
    """
    cls = type(payload)
    values = {a.name: object.__getattribute__(payload, a.name) for a in attrs.fields(cls)}
    recording: Any = _recording_type(cls)
    copy = object.__new__(recording)  # the values were validated when the payload was built
    for name, value in values.items():
        object.__setattr__(copy, name, value)
    object.__setattr__(copy, _SINK, sink)
    return copy


@attrs.define
class FieldReads:
    """What one consumer's handler read from one event type, over every call it got.

    .. versionadded:: 0.1.0
    """

    contract: Contract
    read: set[str] = attrs.field(factory=set)
    calls: int = 0

    @property
    def undeclared(self) -> tuple[str, ...]:
        """Fields the handler read that the contract does not declare (a producer could remove them)."""
        return tuple(sorted(self.read - set(self.contract.reads)))

    @property
    def unused(self) -> tuple[str, ...]:
        """Fields the contract declares that the handler never read."""
        return tuple(sorted(set(self.contract.reads) - self.read))

    def suggested_reads(self) -> tuple[str, ...]:
        """The ``reads`` list the handler's behaviour implies, in the payload's field order."""
        from ..events import get_event

        order = {a.name: i for i, a in enumerate(attrs.fields(get_event(self.contract.event_type).payload_type))}
        return tuple(sorted(self.read, key=lambda name: (order.get(name, len(order)), name)))

    def lines(self) -> list[str]:
        """Human-readable findings, one a line (empty when reads and contract agree)."""
        who = f"{self.contract.consumer} ({self.contract.path})"
        found = []
        if self.undeclared:
            found.append(f"{who} reads undeclared field(s) {', '.join(self.undeclared)}: add them to 'reads'")
        if self.unused:
            found.append(f"{who} never read declared field(s) {', '.join(self.unused)} in {self.calls} call(s)")
        return found


_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
_KEY = re.compile(r"reads:[ \t]*(?:#.*)?")
_ITEM = re.compile(r"""(?P<indent>[ \t]*)-[ \t]+(?P<quote>["']?)(?P<name>[\w.]+)(?P=quote)[ \t]*(?:#.*)?""")
_LIST_ITEM = re.compile(r"[ \t]*-(?:[ \t]|$)")
_COMMENT = re.compile(r"[ \t]+#.*")
_STR = "tag:yaml.org,2002:str"


def write_reads(path: Path, reads: Iterable[str]) -> None:
    """Rewrite the ``reads`` list of a contract file, keeping the rest of the text byte for byte.

    The list is the block of ``- name`` items under the ``reads:`` line that YAML reads as the
    top-level key (a line ``reads:`` inside a quoted string is text), with the indented comments and
    blank lines between them; it ends at the first line that is none of these, and comments or
    blank lines after its last item are not part of it. An item that stays keeps its line and the
    comment lines just above it; a new item is written like the existing ones. The result is parsed
    again before it is written, so a contract is never left malformed.

    .. versionadded:: 0.1.0
    """
    text = path.read_bytes().decode("utf-8")
    lines = _LINE.findall(text)  # each with its own "\n" or "\r\n", so that joining them gives the text back
    key = _key_line(text, lines)
    if key is None:
        raise ValueError(f"{path}: no block-style 'reads:' list to rewrite")
    newline = lines[key][len(lines[key].rstrip("\r\n")) :] or "\n"
    kept, end, indent = _read_items(path, lines, key + 1)
    block = ["".join(kept[name]) if name in kept else f"{indent}- {name}" for name in reads]
    block = [entry if entry.endswith("\n") else entry + newline for entry in block]
    if end == len(lines) and block and not lines[end - 1].endswith("\n"):
        block[-1] = block[-1].rstrip("\r\n")  # the file ended without a newline after the list: so does it now
    new_text = "".join([*lines[: key + 1], *block, *lines[end:]])
    parse_contract(new_text, path=str(path))
    path.write_bytes(new_text.encode("utf-8"))


def _key_line(text: str, lines: list[str]) -> int | None:
    """The index of the ``reads:`` line that YAML reads as the top-level key (not a line inside a quoted string).

    When YAML cannot read the text, the first such line: the rewritten text is checked anyway.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        offset = None
    else:
        keys = root.value if isinstance(root, yaml.MappingNode) else []
        offset = next((k.start_mark.index for k, _ in keys if k.tag == _STR and k.value == "reads"), -1)
    start = 0
    for index, line in enumerate(lines):
        if offset in (None, start) and _KEY.fullmatch(line.rstrip("\r\n")):
            return index
        start += len(line)
    return None


def _read_items(path: Path, lines: list[str], start: int) -> tuple[dict[str, list[str]], int, str]:
    """The items of the list starting at line ``start`` (each with the comment lines above it), its end, its indent."""
    items: dict[str, list[str]] = {}
    between: list[str] = []
    end, indent = start, None
    for number, line in enumerate(lines[start:], start):
        body = line.rstrip("\r\n")
        item = _ITEM.fullmatch(body)
        if item is not None:
            items[item["name"]] = [*between, line]
            between, end = [], number + 1
            indent = item["indent"] if indent is None else indent
        elif _LIST_ITEM.match(body):
            raise ValueError(f"{path}:{number + 1}: cannot rewrite the 'reads' item {body.strip()!r}")
        elif _COMMENT.fullmatch(body) or not body.strip():
            between.append(line)
        else:
            break
    return items, end, "  " if indent is None else indent
