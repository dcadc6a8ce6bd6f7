"""From a JSON pointer to the line and column where that value starts in the file's text.

``json`` keeps no positions, so the text is scanned once, token by token, recording where every
value starts under its JSON pointer; each finding then looks its place up. The scan is linear in
the size of the text however many findings a file has (re-scanning the text per finding made
25,000 undocumented fields take minutes).
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Callable
from json.scanner import make_scanner
from typing import Any

__all__ = ["locate"]

_TOKEN = re.compile(r'[ \t\r\n]*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|([][{},:])|[^ \t\r\n\][{},:"]+)', re.DOTALL)
"""One JSON token after any whitespace: a string (its raw contents), a punctuation mark, or a scalar."""


class _Malformed(Exception):
    """The text is not the JSON it was parsed from (then no position is known)."""


def _token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _starts(text: str) -> dict[str, int]:
    """The start offset of every value in ``text``, by JSON pointer (the first of duplicate keys wins).

    A regular expression reads whole tokens, and a small state machine follows the nesting: the
    cost is per token, not per character, which matters for a file with many findings.
    """
    starts: dict[str, int] = {}
    stack: list[list[Any]] = []  # per open container: [kind, its pointer, elements seen so far]
    expect = "value"  # value, first-value (just after "["), key, first-key (just after "{"), colon, after
    pointer = ""
    position = 0
    while True:
        match = _TOKEN.match(text, position)
        if match is None:
            if expect == "after" and not stack and not text[position:].strip(" \t\r\n"):
                return starts
            raise _Malformed
        string, mark = match.groups()
        start = match.start(1) - 1 if string is not None else match.end() - len(match.group().lstrip(" \t\r\n"))
        position = match.end()
        if expect in ("value", "first-value"):
            if mark == "]" and expect == "first-value":
                stack.pop()
                expect = "after"
                continue
            starts.setdefault(pointer, start)
            if mark == "{":
                stack.append(["{", pointer, 0])
                expect = "first-key"
            elif mark == "[":
                stack.append(["[", pointer, 0])
                pointer += "/0"
                expect = "first-value"
            elif mark is None:  # a string or a scalar
                expect = "after"
            else:
                raise _Malformed
        elif expect in ("key", "first-key"):
            if mark == "}" and expect == "first-key":
                stack.pop()
                expect = "after"
            elif string is not None:
                key = json.loads(text[start:position]) if "\\" in string else string
                pointer = f"{stack[-1][1]}/{_token(key)}"
                expect = "colon"
            else:
                raise _Malformed
        elif expect == "colon":
            if mark != ":":
                raise _Malformed
            expect = "value"
        else:  # after a value
            if not stack:
                raise _Malformed  # something after the whole document
            kind, parent, count = stack[-1]
            if mark == ",":
                if kind == "{":
                    expect = "key"
                else:
                    stack[-1][2] = count + 1
                    pointer = f"{parent}/{count + 1}"
                    expect = "value"
            elif mark == ("}" if kind == "{" else "]"):
                stack.pop()
            else:
                raise _Malformed


@functools.lru_cache(maxsize=64)
def _index(text: str) -> tuple[dict[str, int], list[int]]:
    """Where each value starts, by pointer, and where each line starts: built once per text with many findings."""
    try:
        starts = _starts(text)
    except (_Malformed, ValueError):
        starts = {}
    lines = [0]
    position = text.find("\n")
    while position != -1:
        lines.append(position + 1)
        position = text.find("\n", position + 1)
    return starts, lines


_SPACE = re.compile(r"[ \t\r\n]*")
_SCAN: Callable[[str, int], tuple[Any, int]] = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]
"""The C scanner of :mod:`json`: reads (and so skips) one value at an offset."""
_WALKS_BEFORE_INDEX = 8
_walks: dict[str, int] = {}


def _walk(text: str, pointer: str) -> int | None:
    """The offset of the value at ``pointer``, reached by skipping the values before it on the way.

    The values passed over are skipped by the C scanner, so a few findings in a file cost a few
    scans of it, in C; a file with many findings gets an index instead (see :func:`locate`).
    """
    if pointer and not pointer.startswith("/"):
        return None
    position = _SPACE.match(text).end()  # type: ignore[union-attr]
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        opening = text[position : position + 1]
        position = _SPACE.match(text, position + 1).end()  # type: ignore[union-attr]
        if opening == "{":
            while text[position] != "}":
                key, position = _SCAN(text, position)
                position = _SPACE.match(text, position).end()  # type: ignore[union-attr]
                if text[position] != ":":
                    return None
                position = _SPACE.match(text, position + 1).end()  # type: ignore[union-attr]
                if key == token:
                    break  # the first of duplicate keys, as in the index
                position = _after(text, position)
            else:
                return None
        elif opening == "[" and token.isdigit() and (token == "0" or not token.startswith("0")):
            for _ in range(int(token)):
                if text[position] == "]":
                    return None
                position = _after(text, position)
            if text[position] == "]":
                return None
        else:
            return None
    return position


def _after(text: str, position: int) -> int:
    """Past the value at ``position`` and the comma after it (at the next element, or the closing mark)."""
    _, position = _SCAN(text, position)
    position = _SPACE.match(text, position).end()  # type: ignore[union-attr]
    if text[position] == ",":
        position = _SPACE.match(text, position + 1).end()  # type: ignore[union-attr]
    return position


def locate(text: str, pointer: str) -> tuple[int, int] | None:
    """1-based ``(line, column)`` of the value at ``pointer`` in ``text``; ``None`` if not found.

    The first few pointers of a text are found by walking to them; from then on the text is indexed
    once, so that a file with thousands of findings is still read a bounded number of times.
    """
    walks = _walks.get(text, 0)
    if walks < _WALKS_BEFORE_INDEX:
        if len(_walks) > 1024:
            _walks.clear()
        _walks[text] = walks + 1
        try:
            offset = _walk(text, pointer)
        except (StopIteration, IndexError, ValueError, RecursionError):
            return None
        if offset is None:
            return None
        start = text.rfind("\n", 0, offset) + 1
        return text.count("\n", 0, start) + 1, offset - start + 1
    starts, lines = _index(text)
    offset = starts.get(pointer)
    if offset is None:
        return None
    line = bisect.bisect_right(lines, offset)
    return line, offset - lines[line - 1] + 1
