"""From a JSON pointer to the line and column where that value starts in the file's text.

``json`` keeps no positions, so the text is scanned once, iteratively, recording where every value
starts under its JSON pointer; each finding then looks its place up. The scan is linear in the size
of the text however many findings a file has (re-scanning the text per finding made 25,000
undocumented fields take minutes).
"""

from __future__ import annotations

import bisect
import functools
import json

__all__ = ["locate"]

_WS = frozenset(" \t\r\n")
_SCALAR_END = frozenset(",]}") | _WS


class _Malformed(Exception):
    """The text is not the JSON it was parsed from (then no position is known)."""


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _string_end(text: str, i: int) -> int:
    """``i`` is at an opening quote; the index after the closing one."""
    i += 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == '"':
            return i + 1
        i += 1
    raise _Malformed


def _token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


class _Scan:
    """One pass over a JSON text: the start offset of every value, by JSON pointer (first one wins)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: dict[str, int] = {}
        # one entry per open container: [kind, its pointer, elements seen (arrays)]
        self.stack: list[list[object]] = []

    def run(self) -> dict[str, int]:
        i = self.value(_skip_ws(self.text, 0), "")
        while self.stack:
            i = self.after_value(_skip_ws(self.text, i))
        return self.starts

    def value(self, i: int, pointer: str) -> int:
        """Record the value at ``i``; open a container, or skip a scalar. The index after what was read."""
        text = self.text
        if i >= len(text):
            raise _Malformed
        self.starts.setdefault(pointer, i)
        char = text[i]
        if char == "{":
            self.stack.append(["{", pointer, 0])
            return self.key(_skip_ws(text, i + 1))
        if char == "[":
            self.stack.append(["[", pointer, 0])
            i = _skip_ws(text, i + 1)
            if i < len(text) and text[i] == "]":
                self.stack.pop()
                return i + 1
            return self.value(i, pointer + "/0")
        if char == '"':
            return _string_end(text, i)
        while i < len(text) and text[i] not in _SCALAR_END:
            i += 1
        return i

    def key(self, i: int) -> int:
        """At a key (or the end of an empty object): read it and the value after it."""
        text = self.text
        if i < len(text) and text[i] == "}":
            self.stack.pop()
            return i + 1
        if i >= len(text) or text[i] != '"':
            raise _Malformed
        end = _string_end(text, i)
        raw = text[i + 1 : end - 1]
        key = json.loads(text[i:end]) if "\\" in raw else raw
        i = _skip_ws(text, end)
        if i >= len(text) or text[i] != ":":
            raise _Malformed
        parent = self.stack[-1][1]
        return self.value(_skip_ws(text, i + 1), f"{parent}/{_token(key)}")

    def after_value(self, i: int) -> int:
        """After a value inside the innermost container: the next element, or the container's end."""
        text = self.text
        if i >= len(text):
            raise _Malformed
        kind, pointer, count = self.stack[-1]
        char = text[i]
        if char == ",":
            i = _skip_ws(text, i + 1)
            if kind == "{":
                return self.key(i)
            self.stack[-1][2] = count = int(count) + 1  # type: ignore[call-overload]
            return self.value(i, f"{pointer}/{count}")
        if char == ("}" if kind == "{" else "]"):
            self.stack.pop()
            return i + 1
        raise _Malformed


@functools.lru_cache(maxsize=64)
def _index(text: str) -> tuple[dict[str, int], list[int]]:
    """Where each value starts, by pointer, and where each line starts: built once per text."""
    try:
        starts = _Scan(text).run()
    except (_Malformed, ValueError):
        starts = {}
    lines = [0]
    position = text.find("\n")
    while position != -1:
        lines.append(position + 1)
        position = text.find("\n", position + 1)
    return starts, lines


def locate(text: str, pointer: str) -> tuple[int, int] | None:
    """1-based ``(line, column)`` of the value at ``pointer`` in ``text``; ``None`` if not found."""
    starts, lines = _index(text)
    offset = starts.get(pointer)
    if offset is None:
        return None
    line = bisect.bisect_right(lines, offset)
    return line, offset - lines[line - 1] + 1
