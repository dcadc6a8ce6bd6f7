"""A direct encoder generated per published schema: payload object in, schemaless Avro bytes out.

fastavro's writer walks a record dict, which the codec would first have to build from the payload
(UUID and datetime to text) only for fastavro to walk it again. The generated function writes the
bytes straight from the attrs instance instead, in one pass, as attrs generates ``__init__``:

* everything but the payload's free text (UUIDs, datetimes, longs, booleans, union branches and
  length prefixes) goes into one f-string whose characters are the bytes, encoded once with
  ``latin-1``; the free text is encoded to UTF-8 on its own, and the pieces joined with ``b"".join``;
* small longs and lengths come from precomputed tables of zigzag varints (``_wire``);
* UUIDs are formatted from ``uuid.int`` directly, datetimes with ``isoformat()`` (what
  openedx-events writes).

The bytes are those of fastavro's ``schemaless_writer`` for the same datum (tested with Hypothesis,
and decoded by the Apache ``avro`` package too). Payloads are validated at construction; the encoder
only checks what it must to never write wrong bytes: a value's exact type (``type(v) is int``, not a
bool; ``type(v) is UUID``) and a datetime's ``tzinfo is UTC``, sending anything else to a slow path.
An instance whose field was mutated into a wrong value makes the encoder raise; the codec then runs
the payload's own validators (:func:`invalid_value`), so the caller gets the same
:class:`PayloadError` as at construction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn
from uuid import UUID

import attrs

from .._payload import SENSITIVITY, always_utc
from ..exceptions import PayloadError
from ._compile import build_function
from ._schema import WIRE_TYPES
from ._wire import LENGTH_TEXT, LONG_TEXT, UNION_LENGTH_TEXT, long_text

__all__ = ["compile_encoder", "invalid_value", "payload_record_fields"]

_ZERO = timedelta(0)
_UNION_LONG_TEXT = tuple("\x02" + text for text in LONG_TEXT)
_UUID_TEXT = "H{{{h}[:8]}}-{{{h}[8:12]}}-{{{h}[12:16]}}-{{{h}[16:20]}}-{{{h}[20:]}}"
"""The f-string source of a UUID: its length (36, zigzag ``H``) and the 8-4-4-4-12 groups of hex ``{h}``."""


def payload_record_fields(schema: Mapping[str, Any], data_key: str) -> list[Mapping[str, Any]]:
    """The fields of the payload record in an event schema (a ``CloudEvent`` with the one field ``data_key``)."""
    fields = schema.get("fields") if schema.get("type") == "record" else None
    if not fields or len(fields) != 1 or fields[0].get("name") != data_key:
        raise ValueError(f"not an event schema with the one field {data_key!r}")
    record = fields[0]["type"]
    if not isinstance(record, Mapping) or record.get("type") != "record":
        raise ValueError(f"the field {data_key!r} of the event schema is not a record")
    return list(record["fields"])


def _wire_type(field: Mapping[str, Any]) -> tuple[str, bool]:
    """``(type, optional)`` of a payload field's schema: ``"long"`` or ``["null", "long"]``."""
    kind = field["type"]
    if isinstance(kind, list) and len(kind) == 2 and kind[0] == "null" and isinstance(kind[1], str):
        return kind[1], True
    if isinstance(kind, str):
        return kind, False
    raise ValueError(f"field {field['name']!r}: no encoder for the type {kind!r}")


def _utc(value: Any) -> datetime:
    """A valid payload datetime that is not a plain ``datetime`` at ``UTC``, as one; ``ValueError`` otherwise.

    Zones other than ``UTC`` at +00:00 all year (``timezone(timedelta(0))``, ``ZoneInfo("UTC")``) and
    subclasses of ``datetime`` write the same ``isoformat()`` text as the plain value.
    """
    if not isinstance(value, datetime) or value.utcoffset() != _ZERO or not always_utc(value.tzinfo):
        raise ValueError("not a UTC datetime")
    return datetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                    value.microsecond, tzinfo=UTC)  # fmt: skip


def _uuid(value: Any) -> UUID:
    if not isinstance(value, UUID):
        raise TypeError("not a UUID")
    return value


def _boolean(value: Any) -> NoReturn:
    raise TypeError("not a bool")


class _Source:
    """The generated function's body, and its output as it is built: f-string text, then bytes pieces."""

    def __init__(self) -> None:
        self.lines = ["def encode(p):"]
        self.pieces: list[str] = []  # source expressions of bytes
        self.text: list[str] = []  # f-string source of the current text run

    def add(self, *lines: str) -> None:
        self.lines += ["    " + line for line in lines]

    def write_text(self, fstring_source: str) -> None:
        self.text.append(fstring_source)

    def write_bytes(self, expression: str) -> None:
        self._end_text()
        self.pieces.append(expression)

    def _end_text(self) -> None:
        if len(self.text) == 1 and self.text[0][0] == "{" and self.text[0][1:-1].isidentifier():
            self.pieces.append(self.text[0][1:-1] + '.encode("latin-1")')  # one variable: no f-string
        elif self.text:
            self.pieces.append('f"' + "".join(self.text) + '".encode("latin-1")')
        self.text = []

    def finish(self) -> str:
        self._end_text()
        result = self.pieces[0] if len(self.pieces) == 1 else f"b''.join(({', '.join(self.pieces)},))"
        return "\n".join([*self.lines, f"    return {result}"])


def _emit(out: _Source, i: int, name: str, kind: type, optional: bool) -> None:
    """Generate the statements and output of field ``i``; variable names are suffixed with ``i``."""
    v, t, h, s, n = (f"{letter}{i}" for letter in "vthsn")
    out.add(f"{v} = p.{name}")
    if kind is UUID:
        check = [f"if type({v}) is not _UUID:", f"    {v} = _uuid({v})", f"{h} = {v}.int.to_bytes(16, 'big').hex()"]
        if optional:
            out.add(f"if {v} is None:", f"    {t} = '\\x00'", "else:", *("    " + line for line in check))
            out.add(f"    {t} = f'\\x02{_UUID_TEXT.format(h=h)}'")
            out.write_text(f"{{{t}}}")
        else:
            out.add(*check)
            out.write_text(_UUID_TEXT.format(h=h))
    elif kind is datetime:
        check = [f"if type({v}) is not _datetime or {v}.tzinfo is not _UTC:", f"    {v} = _utc({v})"]
        if optional:
            out.add(f"if {v} is None:", f"    {t} = '\\x00'", "else:", *("    " + line for line in check))
            out.add(f"    {t} = {v}.isoformat()", f"    {t} = _ULEN[len({t})] + {t}")
            out.write_text(f"{{{t}}}")
        else:
            out.add(*check, f"{t} = {v}.isoformat()")
            out.write_text(f"{{_LEN[len({t})]}}{{{t}}}")
    elif kind is str:
        if optional:
            out.add(f"if {v} is None:", f"    {t} = '\\x00'", f"    {s} = b''", "else:", f"    {s} = {v}.encode()")
            out.add(f"    {n} = len({s})")
            out.add(f"    {t} = _ULEN[{n}] if {n} < {len(LENGTH_TEXT)} else '\\x02' + _long({n})")
            out.write_text(f"{{{t}}}")
        else:
            out.add(f"{s} = {v}.encode()", f"{n} = len({s})")
            out.write_text(f"{{_LEN[{n}] if {n} < {len(LENGTH_TEXT)} else _long({n})}}")
        out.write_bytes(s)
    elif kind is int:
        small = f"_ULONG[{v}] if type({v}) is int and -64 <= {v} < 64 else '\\x02' + _long({v})"
        if optional:
            out.add(f"{t} = '\\x00' if {v} is None else {small}")
        else:
            out.add(f"{t} = _LONG[{v}] if type({v}) is int and -64 <= {v} < 64 else _long({v})")
        out.write_text(f"{{{t}}}")
    elif kind is bool:
        branch = "\\x02" if optional else ""
        test = f"'{branch}\\x01' if {v} is True else '{branch}\\x00' if {v} is False else _boolean({v})"
        out.add(f"{t} = '\\x00' if {v} is None else {test}" if optional else f"{t} = {test}")
        out.write_text(f"{{{t}}}")
    else:  # pragma: no cover - payload_fields allows no other type
        raise ValueError(f"field {name!r}: no encoder for {kind!r}")


def compile_encoder(schema: Mapping[str, Any], payload_type: type, data_key: str) -> Callable[[Any], bytes]:
    """``encode(payload) -> bytes`` for the event ``schema`` (its writer), whose payload is ``payload_type``.

    The function is generated from the schema's fields, in the schema's order; each must be a field
    of the payload class whose Python type the schema's wire type carries (``UUID`` → ``"string"``).
    """
    attributes = {a.name: a for a in attrs.fields(payload_type)}
    out = _Source()
    for i, field in enumerate(payload_record_fields(schema, data_key)):
        wire, optional = _wire_type(field)
        attribute = attributes.get(field["name"])
        if attribute is None or WIRE_TYPES.get(attribute.type) != wire or optional != (attribute.default is None):
            raise ValueError(f"field {field['name']!r} of the schema does not match {payload_type.__name__}")
        _emit(out, i, field["name"], attribute.type, optional)
    namespace: dict[str, Any] = {
        "_UUID": UUID, "_uuid": _uuid, "_datetime": datetime, "_UTC": UTC, "_utc": _utc, "_boolean": _boolean,
        "_LEN": LENGTH_TEXT, "_ULEN": UNION_LENGTH_TEXT, "_LONG": LONG_TEXT, "_ULONG": _UNION_LONG_TEXT,
        "_long": long_text,
    }  # fmt: skip
    label = f"encoder of {payload_type.__name__}"
    encode: Callable[[Any], bytes] = build_function("encode", out.finish(), namespace, label)
    return encode


def invalid_value(payload: Any) -> PayloadError | None:
    """The :class:`PayloadError` of the first field whose value its validator refuses; ``None`` if all pass.

    For a payload the encoder could not write: it was built valid, so a field was mutated since
    (``object.__setattr__``) or deleted.
    """
    for attribute in attrs.fields(type(payload)):
        try:
            value = getattr(payload, attribute.name)
        except AttributeError:
            return PayloadError(type(payload).__name__, attribute.name, None, "is not set",
                                sensitivity=attribute.metadata[SENSITIVITY])  # fmt: skip
        if attribute.validator is not None:
            try:
                attribute.validator(payload, attribute, value)
            except PayloadError as error:
                return error
    return None
