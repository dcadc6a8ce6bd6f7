"""Which logical types are valid, per the Avro 1.12 specification, and how they relate.

An invalid logical type is ignored by readers (they see the base type), so the change rules
compare only valid ones; :func:`problem` says what is wrong with an invalid one.
"""

from __future__ import annotations

import math
from typing import Any

from ._node import Node

__all__ = ["TIME_FAMILY", "effective", "problem"]

_BASES = {
    "uuid": ("string", "fixed"),
    "date": ("int",),
    "time-millis": ("int",),
    "time-micros": ("long",),
    "timestamp-millis": ("long",),
    "timestamp-micros": ("long",),
    "timestamp-nanos": ("long",),
    "local-timestamp-millis": ("long",),
    "local-timestamp-micros": ("long",),
    "local-timestamp-nanos": ("long",),
    "duration": ("fixed",),
    "decimal": ("bytes", "fixed"),
    "big-decimal": ("bytes",),
}

TIME_FAMILY = frozenset(name for name in _BASES if name.startswith(("time-", "timestamp-", "local-timestamp-")))
"""Logical types that are a count of some unit: changing one into another changes every value's unit."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def problem(node: Node) -> str | None:
    """Why ``node``'s logical type is invalid (and so ignored), or ``None`` if it is valid or absent."""
    name = node.logical
    if name is None:
        return None
    bases = _BASES.get(name)
    if bases is None:
        return f"{name!r} is not a logical type of the specification"
    if node.kind not in bases:
        return f"{name} annotates {' or '.join(bases)}, not {node.kind}"
    if name == "uuid" and node.kind == "fixed" and node.size != 16:
        return "a uuid fixed must have size 16"
    if name == "duration" and node.size != 12:
        return "a duration fixed must have size 12"
    if name == "decimal":
        precision, scale = node.props.get("precision"), node.props.get("scale", 0)
        if not isinstance(precision, int) or not _is_int(precision) or precision <= 0:
            return "a decimal needs a positive integer precision"
        if not isinstance(scale, int) or not _is_int(scale) or not 0 <= scale <= precision:
            return "a decimal's scale must be an integer from 0 to its precision"
        if node.kind == "fixed" and precision > math.floor(math.log10(2) * (8 * node.size - 1)):
            return f"a fixed of size {node.size} cannot hold {precision} decimal digits"
    return None


def effective(node: Node) -> str | None:
    """The logical type readers honour: the declared one when valid, else ``None``."""
    if node.logical is None or problem(node) is not None:
        return None
    return node.logical


def decimal_shape(node: Node) -> tuple[int, int]:
    """``(precision, scale)`` of a valid decimal."""
    return int(node.props["precision"]), int(node.props.get("scale", 0))
