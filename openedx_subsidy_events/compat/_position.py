"""From a JSON pointer to the line and column where that value starts in the file's text.

``json`` keeps no positions, so this scans the text along the pointer only, skipping the values
beside the path. It runs only for findings that are reported, never for every node.
"""

from __future__ import annotations

import functools

__all__ = ["locate"]

_WS = " \t\r\n"


class _Miss(Exception):
    """The pointer does not lead anywhere in this text."""


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
    raise _Miss


def _value_end(text: str, i: int) -> int:
    """The index after the JSON value that starts at ``i`` (iterative: no recursion on deep input)."""
    depth = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            i = _string_end(text, i)
            if depth == 0:
                return i
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            if depth == 0:
                return i
            depth -= 1
            if depth == 0:
                return i + 1
        elif (depth == 0 and char in ",") or (depth == 0 and char in _WS):
            return i
        i += 1
    return i


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _step(text: str, i: int, token: str) -> int:
    """From the value at ``i`` to its child named ``token``; the child's start index."""
    import json

    i = _skip_ws(text, i)
    if i >= len(text):
        raise _Miss
    if text[i] == "{":
        i = _skip_ws(text, i + 1)
        while i < len(text) and text[i] != "}":
            end = _string_end(text, i)
            key = json.loads(text[i:end])
            i = _skip_ws(text, end)
            i = _skip_ws(text, i + 1)  # the colon
            if key == token:
                return i
            i = _skip_ws(text, _value_end(text, i))
            if i < len(text) and text[i] == ",":
                i = _skip_ws(text, i + 1)
        raise _Miss
    if text[i] == "[":
        if not token.isdigit():
            raise _Miss
        wanted = int(token)
        i = _skip_ws(text, i + 1)
        for _ in range(wanted):
            if i >= len(text) or text[i] == "]":
                raise _Miss
            i = _skip_ws(text, _value_end(text, i))
            if i < len(text) and text[i] == ",":
                i = _skip_ws(text, i + 1)
        if i >= len(text) or text[i] == "]":
            raise _Miss
        return i
    raise _Miss


@functools.lru_cache(maxsize=4096)
def locate(text: str, pointer: str) -> tuple[int, int] | None:
    """1-based ``(line, column)`` of the value at ``pointer`` in ``text``; ``None`` if not found."""
    try:
        i = _skip_ws(text, 0)
        for token in pointer.split("/")[1:] if pointer else []:
            i = _step(text, i, _unescape(token))
    except (_Miss, ValueError):
        return None
    line = text.count("\n", 0, i) + 1
    column = i - (text.rfind("\n", 0, i) + 1) + 1
    return line, column
