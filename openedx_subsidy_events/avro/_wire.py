"""Avro binary primitives: zigzag varints and lengths written as text, and careful readers.

The generated encoders (``_encoder``) build the fixed-format part of an event as one ``str`` whose
characters are bytes (encoded with ``latin-1``), so the tables here hold text. The careful readers
are the decoder's slow path and its reference (``_decoder``): each checks everything the Avro
specification and Java's decoder check, and raises :class:`Fault` at the first byte that is wrong.

A fault's reason never quotes a value read from the bytes: in corrupt data no value can be trusted
to belong to the field it was read as, and it may be a secret's bytes read at the wrong offset. It
says what kind of value was wrong; the field and the offset say where.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._payload import LONG_MAX, LONG_MIN

__all__ = [
    "INT_MAX",
    "INT_MIN",
    "LENGTH_TEXT",
    "LONG_TEXT",
    "PRIMITIVE_READERS",
    "UNION_LENGTH_TEXT",
    "Fault",
    "encode_long",
    "long_text",
    "read_boolean",
    "read_bytes",
    "read_int",
    "read_length",
    "read_long",
    "read_null",
    "read_text",
    "read_varint",
    "skip_fixed",
]

INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class Fault(Exception):
    """Malformed bytes: what is wrong (``reason``) and where (``offset``, the byte it starts at).

    ``path`` is the place inside the value being read (``.field``, ``[3]``), prepended to as the
    fault bubbles up through nested types; the decoder puts the field's own path in front.
    """

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(offset, reason)
        self.offset = offset
        self.reason = reason
        self.path = ""


# -- writing ------------------------------------------------------------------------------------


def encode_long(value: int) -> bytes:
    """The zigzag varint of a 64-bit long; :class:`TypeError`/:class:`ValueError` for anything else."""
    if type(value) is not int:
        raise TypeError(f"expected int, got {type(value).__name__}")
    if not LONG_MIN <= value <= LONG_MAX:
        raise ValueError("outside the range of an Avro long")
    n = (value << 1) ^ (value >> 63)
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def long_text(value: int) -> str:
    """:func:`encode_long` as text whose characters are the bytes (for a ``latin-1`` encoded buffer)."""
    return encode_long(value).decode("latin-1")


LONG_TEXT: tuple[str, ...] = tuple(long_text(n if n < 64 else n - 128) for n in range(128))
"""The varint text of -64..63, indexed by the value itself (a negative index counts from the end)."""

_LENGTHS = 1024
LENGTH_TEXT: tuple[str, ...] = tuple(long_text(n) for n in range(_LENGTHS))
"""The varint text of lengths 0..1023, by length."""
UNION_LENGTH_TEXT: tuple[str, ...] = tuple("\x02" + text for text in LENGTH_TEXT)
"""Branch 1 of a union, then the length: an optional string that is set."""


# -- reading ------------------------------------------------------------------------------------


def _truncated(data: bytes) -> Fault:
    return Fault(len(data), "the data ends before this value does (truncated)")


def read_varint(data: bytes, p: int) -> tuple[int, int]:
    """The raw (still zigzag-encoded) value of the varint at ``p``, and the offset after it.

    At most 10 bytes and 64 bits, as Java's decoder requires ("Invalid long encoding").
    """
    start = p
    size = len(data)
    value = shift = 0
    while True:
        if p >= size:
            raise _truncated(data)
        byte = data[p]
        p += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            break
        shift += 7
        if shift == 70:
            raise Fault(start, "a varint longer than 10 bytes")
    if value >> 64:
        raise Fault(start, "a varint whose value does not fit in 64 bits")
    return value, p


def read_long(data: bytes, p: int) -> tuple[int, int]:
    """The long at ``p`` and the offset after it."""
    n, p = read_varint(data, p)
    return (n >> 1) ^ -(n & 1), p


def read_int(data: bytes, p: int) -> tuple[int, int]:
    """The int at ``p`` (at most 5 bytes, 32 bits) and the offset after it."""
    value, end = read_long(data, p)
    if end - p > 5 or not INT_MIN <= value <= INT_MAX:
        raise Fault(p, "an int outside 32 bits")
    return value, end


def read_length(data: bytes, p: int) -> tuple[int, int]:
    """``(start, end)`` of the bytes of a string or bytes value whose length prefix is at ``p``."""
    n, start = read_long(data, p)
    if n < 0:
        raise Fault(p, "a negative length")
    if start + n > len(data):
        raise Fault(p, f"a length that runs past the end of the data ({len(data) - start} bytes left)")
    return start, start + n


def read_bytes(data: bytes, p: int) -> tuple[bytes, int]:
    """The bytes value at ``p`` and the offset after it."""
    start, end = read_length(data, p)
    return data[start:end], end


def read_text(data: bytes, p: int) -> tuple[str, int]:
    """The string at ``p`` (strict UTF-8) and the offset after it."""
    start, end = read_length(data, p)
    try:
        return data[start:end].decode(), end
    except UnicodeDecodeError as error:
        raise Fault(start + error.start, f"a string that is not valid UTF-8 ({error.reason})") from None


def read_boolean(data: bytes, p: int) -> tuple[bool, int]:
    """The boolean at ``p``: the byte 0 or 1, nothing else."""
    if p >= len(data):
        raise _truncated(data)
    byte = data[p]
    if byte > 1:
        raise Fault(p, "a boolean byte other than 0 or 1")
    return byte == 1, p + 1


def skip_fixed(size: int, what: str) -> Callable[[bytes, int], tuple[None, int]]:
    """A reader that skips ``size`` bytes (a float, a double, a fixed)."""

    def skip(data: bytes, p: int) -> tuple[None, int]:
        if p + size > len(data):
            raise Fault(p, f"a {what} of {size} bytes runs past the end of the data ({len(data) - p} left)")
        return None, p + size

    return skip


def read_null(data: bytes, p: int) -> tuple[None, int]:
    """Null takes no bytes."""
    return None, p


PRIMITIVE_READERS: dict[str, Callable[[bytes, int], tuple[Any, int]]] = {
    "null": read_null,
    "boolean": read_boolean,
    "int": read_int,
    "long": read_long,
    "float": skip_fixed(4, "float"),
    "double": skip_fixed(8, "double"),
    "bytes": read_bytes,
    "string": read_text,
}
"""Careful readers of each primitive type (floats and doubles are skipped: no payload field holds one)."""
