"""Specialised converters between payload objects and Avro record dicts, generated per payload class.

The codec's hot path is this conversion, so, as attrs does for ``__init__``, we generate one
straight-line function per payload class instead of looping over fields. Two functions:

* ``to_record(payload)``: UUID → ``str(uuid)``, datetime → ``isoformat()`` (both formatted directly),
  others as they are.
* ``from_decoded(record)``: for records fastavro decoded with the payload's own schema. fastavro
  already guarantees each value's Python type (str, int, bool, None), so only what the schema
  cannot say is checked here — a UUID's canonical form, a datetime's UTC offset, a long's 64-bit
  range (fastavro's pure-Python reader returns an unbounded int for an over-long varint; its
  compiled reader wraps it instead, see the known limits in the docs) — and the object is built
  through the slots' own setters, without running the attrs validators a second time. Every check
  raises :class:`ValueError` naming the field.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, SafeUUID

import attrs

from .._payload import LONG_MAX, LONG_MIN

__all__ = [
    "compile_from_decoded",
    "compile_to_record",
    "datetime_from_wire",
    "datetime_to_wire",
    "uuid_from_wire",
    "uuid_to_wire",
]

_ZERO = timedelta(0)
_new_object = object.__new__
_set_attribute = object.__setattr__
_UNKNOWN_SAFETY = SafeUUID.unknown


def uuid_from_wire(text: str) -> UUID:
    """A UUID from its canonical 36-character text (either case); ``ValueError`` for any other form.

    ``uuid.UUID(text)`` also accepts braces, a ``urn:uuid:`` prefix, no hyphens, and (through
    ``int(…, 16)``) underscores between digits; a value on the wire has one form only. The object is
    built as ``UUID.__init__`` builds it, without re-parsing (this runs for every UUID decoded).
    """
    digits = text.replace("-", "")
    try:
        if len(text) != 36 or text[8:24:5] != "----" or len(digits) != 32 or not digits.isascii():
            raise ValueError
        number = int(digits, 16)  # after the checks above, only hex digits and '_' or '+' get here
        if not digits.isalnum():
            raise ValueError
    except ValueError:
        raise ValueError(f"is not a UUID in canonical 8-4-4-4-12 form: {text[:40]!r}") from None
    value = _new_object(UUID)
    _set_attribute(value, "int", number)
    _set_attribute(value, "is_safe", _UNKNOWN_SAFETY)
    return value


def uuid_to_wire(value: UUID) -> str:
    """The canonical text of a UUID, as ``str(value)`` gives it (formatted directly, for speed)."""
    digits = "%032x" % value.int  # noqa: UP031
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def datetime_to_wire(moment: datetime) -> str:
    """``moment.isoformat()`` for a UTC datetime (payloads hold no other), formatted directly, for speed."""
    fraction = moment.microsecond
    if fraction:
        return "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00" % (  # noqa: UP031
            moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second, fraction
        )  # fmt: skip
    return "%04d-%02d-%02dT%02d:%02d:%02d+00:00" % (  # noqa: UP031
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second
    )  # fmt: skip


def datetime_from_wire(text: str) -> datetime:
    """A timezone-aware UTC datetime from ISO 8601 text; ``ValueError`` for naive or other offsets."""
    moment = datetime.fromisoformat(text)
    if moment.utcoffset() != _ZERO:
        raise ValueError(f"must be timezone-aware and in UTC: {text[:40]!r}")
    return moment


_ENCODERS: dict[type, str] = {UUID: "_uuid_text({v})", datetime: "_datetime_text({v})"}
_DECODERS: dict[type, Callable[[str], Any]] = {UUID: uuid_from_wire, datetime: datetime_from_wire}


def _fields(payload_type: type) -> list[tuple[str, type, bool]]:
    return [(a.name, a.type, a.default is None) for a in attrs.fields(payload_type)]


def _build(name: str, source: str, namespace: dict[str, Any]) -> Callable[[Any], Any]:
    exec(compile(source, f"<openedx_subsidy_events generated {name}>", "exec"), namespace)
    function: Callable[[Any], Any] = namespace[name]
    return function


def compile_to_record(payload_type: type, data_key: str) -> Callable[[Any], dict[str, Any]]:
    """``to_record(payload) -> {data_key: {field: wire value}}`` for one payload class."""
    items = []
    for index, (name, kind, optional) in enumerate(_fields(payload_type)):
        read = f"p.{name}"
        if kind in _ENCODERS:
            if optional:
                read = f"(None if (v{index} := p.{name}) is None else {_ENCODERS[kind].format(v=f'v{index}')})"
            else:
                read = _ENCODERS[kind].format(v=read)
        items.append(f"        {name!r}: {read},")
    source = "\n".join(["def to_record(p):", f"    return {{{data_key!r}: {{", *items, "    }}"])
    return _build("to_record", source, {"_uuid_text": uuid_to_wire, "_datetime_text": datetime_to_wire})


def _setter(payload_type: type, name: str) -> Callable[[Any, Any], None]:
    """Set a field on a new instance, bypassing frozen: the slot's own setter when there is one (fastest)."""
    slot = getattr(payload_type, name, None)
    if isinstance(slot, types.MemberDescriptorType):
        return slot.__set__

    def set_attribute(instance: Any, value: Any) -> None:
        object.__setattr__(instance, name, value)

    return set_attribute


def _long_out_of_range(value: int) -> ValueError:
    return ValueError(f"is outside the range of an Avro long: {value}")


def compile_from_decoded(
    payload_type: type, data_key: str, fail: Callable[[str, ValueError], Any]
) -> Callable[[Any], Any]:
    """``from_decoded(record) -> payload`` for records fastavro decoded with the payload's schema.

    ``fail(field, error)`` is called, and must raise, when a value is invalid.
    """
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": payload_type, "_fail": fail,
                                 "_long_error": _long_out_of_range, "_LO": LONG_MIN, "_HI": LONG_MAX}  # fmt: skip
    lines = ["def from_decoded(record):", f"    d = record[{data_key!r}]", "    o = _new(_cls)"]
    for index, (name, kind, optional) in enumerate(_fields(payload_type)):
        namespace[f"_set{index}"] = _setter(payload_type, name)
        lines.append(f"    v = d[{name!r}]")
        if kind is int:
            guard = "v is not None and " if optional else ""
            lines += [
                f"    if {guard}not _LO <= v <= _HI:",
                f"        _fail({name!r}, _long_error(v))",
            ]
        elif kind in _DECODERS:
            namespace[f"_decode{index}"] = _DECODERS[kind]
            indent = " " * 4 if optional else ""
            if optional:
                lines.append("    if v is not None:")
            lines += [
                f"    {indent}try:",
                f"        {indent}v = _decode{index}(v)",
                f"    {indent}except ValueError as error:",
                f"        {indent}_fail({name!r}, error)",
            ]
        lines.append(f"    _set{index}(o, v)")
    lines.append("    return o")
    return _build("from_decoded", "\n".join(lines), namespace)
