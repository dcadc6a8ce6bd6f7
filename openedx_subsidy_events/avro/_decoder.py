"""Strict decoders built from a resolution plan: a generated fast one, and a careful one that says what is wrong.

The fast decoder is one straight-line function per (writer, reader) pair, generated from the plan
as attrs generates ``__init__``: it reads the bytes with plain indexing and slicing, builds UUIDs
from the hex digits without a ``str`` in between, and fills the payload through its slots. It only
*detects* malformed bytes — a single-byte fast path per varint, a length checked against the end,
``bytes.decode`` for UTF-8, a table of two booleans — and on any failure hands the bytes to the
careful decoder, which reads them again with every check of the specification and of Java's decoder
(``_wire``) and raises the :class:`DecodeError` naming the byte offset and the field (never a value
read from the bytes, which may be a secret's read at the wrong offset). The careful
decoder is also the reference the tests compare the fast one with, and it skips the writer's fields
the reader does not know, whatever their type.
"""

from __future__ import annotations

from binascii import unhexlify
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, SafeUUID

from ..exceptions import DecodeError
from ._compile import build_function, canonical_uuid_int, uuid_from_int
from ._plan import Branch, Plan, Step, type_name
from ._wire import (
    PRIMITIVE_READERS,
    Fault,
    read_boolean,
    read_int,
    read_length,
    read_long,
    read_text,
    read_varint,
)

__all__ = ["Decoder", "careful_decoder", "compile_decoder"]

Decoder = Callable[[bytes, bool], Any]
"""``decode(data, exact)``: the payload in ``data``; with ``exact``, bytes after it are an error."""
Reader = Callable[[bytes, int], tuple[Any, int]]

_ZERO = timedelta(0)


# -- the careful decoder ------------------------------------------------------------------------


# The reasons below never quote the text read: in corrupt bytes it may be a secret's (see ``_wire``).


def _read_uuid_number(data: bytes, p: int) -> tuple[int, int]:
    text, end = read_text(data, p)
    number = canonical_uuid_int(text)
    if number is None:
        raise Fault(p, "a string that is not a UUID in canonical 8-4-4-4-12 form")
    return number, end


def _read_uuid(data: bytes, p: int) -> tuple[UUID, int]:
    number, end = _read_uuid_number(data, p)
    return uuid_from_int(number), end


def _read_datetime(data: bytes, p: int) -> tuple[datetime, int]:
    text, end = read_text(data, p)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Fault(p, "a string that is not an ISO 8601 datetime") from None
    if moment.tzinfo is not UTC and moment.utcoffset() != _ZERO:
        raise Fault(p, "a datetime that is not timezone-aware and in UTC")
    return moment, end


def _branch_reader(branch: Branch) -> Reader:
    """The careful reader of one type the writer may have written into a payload field."""
    if branch.error is not None:
        reason = branch.error

        def unreadable(data: bytes, p: int) -> tuple[Any, int]:
            raise Fault(p, reason)

        return unreadable
    if branch.kind is None:
        return PRIMITIVE_READERS["null"]
    if branch.kind is int:
        return read_int if branch.wire == "int" else read_long
    readers: dict[type, Reader] = {str: read_text, UUID: _read_uuid, datetime: _read_datetime, bool: read_boolean}
    return readers[branch.kind]


def _union(branches: list[Reader]) -> Reader:
    count = len(branches)

    def read_union(data: bytes, p: int) -> tuple[Any, int]:
        index, start = read_long(data, p)
        if not 0 <= index < count:
            raise Fault(p, f"a union branch index outside the union's {count} branches")
        return branches[index](data, start)

    return read_union


def _step_reader(step: Step, named: Mapping[str, Any]) -> Reader:
    if step.slot is None:
        return skipper(step.writer, named)
    readers = [_branch_reader(branch) for branch in step.branches]
    return _union(readers) if step.union else readers[0]


def careful_decoder(plan: Plan, event_type: str) -> Decoder:
    """The reference decoder of a plan: every check, a :class:`DecodeError` at the first byte that is wrong."""
    readers = [(step.path, _step_reader(step, plan.named), step.slot) for step in plan.steps]
    last = plan.steps[-1].path if plan.steps else ""
    cls, setters = plan.payload_type, plan.setters

    def decode(data: bytes, exact: bool) -> Any:
        if plan.error is not None:
            raise DecodeError(event_type, f"the bytes cannot be read as this event: {plan.error}")
        values: list[Any] = [None] * len(setters)
        p = 0
        for path, read, slot in readers:
            start = p
            try:
                value, p = read(data, p)
            except Fault as fault:
                raise DecodeError(event_type, f"{path}{fault.path}: {fault.reason}", offset=fault.offset) from None
            except RecursionError:
                raise DecodeError(event_type, f"{path}: values nested too deeply to read", offset=start) from None
            if slot is not None:
                values[slot] = value
        if exact and p != len(data):
            reason = f"{last}: {len(data) - p} unexpected byte(s) after the event (this is its last field)"
            raise DecodeError(event_type, reason, offset=p)
        payload: Any = object.__new__(cls)
        for setter, value in zip(setters, values, strict=True):
            setter(payload, value)
        return payload

    return decode


# -- skipping any type --------------------------------------------------------------------------


def skipper(node: Any, named: Mapping[str, Any]) -> Reader:
    """A careful reader of a value of any writer type that returns ``None`` (the value is skipped)."""
    return _skipper(node, named, {})


def _skipper(node: Any, named: Mapping[str, Any], built: dict[str, Reader | None]) -> Reader:
    kind = type_name(node, named)
    if kind in PRIMITIVE_READERS:
        read = PRIMITIVE_READERS[kind]
        return lambda data, p: (None, read(data, p)[1])
    if isinstance(node, list):
        return _union([_skipper(branch, named, built) for branch in node])
    definition = named[node] if isinstance(node, str) else node
    if kind in ("array", "map"):
        return _blocks(definition, named, built)
    name = definition["name"]
    if name not in built:
        built[name] = None  # being built: a reference to it from inside goes through the table
        built[name] = _named_skipper(definition, named, built)
    done = built[name]
    return done if done is not None else lambda data, p: built[name](data, p)  # type: ignore[misc]


def _named_skipper(definition: Mapping[str, Any], named: Mapping[str, Any], built: dict[str, Reader | None]) -> Reader:
    kind = definition["type"]
    if kind == "enum":
        count = len(definition["symbols"])

        def skip_enum(data: bytes, p: int) -> tuple[Any, int]:
            index, end = read_long(data, p)
            if not 0 <= index < count:
                raise Fault(p, f"an enum symbol index outside the enum's {count} symbols")
            return None, end

        return skip_enum
    if kind == "fixed":
        size = definition["size"]

        def skip_fixed(data: bytes, p: int) -> tuple[Any, int]:
            if p + size > len(data):
                raise Fault(p, f"a fixed of {size} bytes runs past the end of the data ({len(data) - p} left)")
            return None, p + size

        return skip_fixed
    fields = [(field["name"], _skipper(field["type"], named, built)) for field in definition["fields"]]

    def skip_record(data: bytes, p: int) -> tuple[Any, int]:
        for name, skip in fields:
            try:
                p = skip(data, p)[1]
            except Fault as fault:
                fault.path = f".{name}{fault.path}"
                raise
        return None, p

    return skip_record


def _empty(node: Any, named: Mapping[str, Any], seen: frozenset[str] = frozenset()) -> bool:
    """Whether every value of a type takes no bytes (then a count of them costs no time to skip)."""
    kind = type_name(node, named)
    definition = named.get(node, node) if isinstance(node, str) else node
    if kind == "null":
        return True
    if kind == "fixed":
        return bool(definition["size"] == 0)
    if kind == "record" and definition["name"] not in seen:  # one that contains itself can never be written
        inside = seen | {definition["name"]}
        return all(_empty(field["type"], named, inside) for field in definition["fields"])
    return False


def _blocks(definition: Mapping[str, Any], named: Mapping[str, Any], built: dict[str, Reader | None]) -> Reader:
    """Skip an array or a map: blocks of a count (negative: then a byte size) and that many items."""
    is_map = definition["type"] == "map"
    item_type = definition["values"] if is_map else definition["items"]
    item = _skipper(item_type, named, built)
    empty = not is_map and _empty(item_type, named)

    def skip_blocks(data: bytes, p: int) -> tuple[Any, int]:
        index = 0
        while True:
            start = p
            count, p = read_long(data, p)
            if count == 0:
                return None, p
            size = None
            if count < 0:
                count = -count
                size, p = read_long(data, p)
                if size < 0:
                    raise Fault(start, "a negative block size")
            first = p
            if empty:
                index += count
            elif count > len(data) - p:  # every item takes a byte at least
                raise Fault(start, f"a block whose item count runs past the end of the data ({len(data) - p} left)")
            else:
                for _ in range(count):
                    try:
                        if is_map:
                            p = read_text(data, p)[1]
                        p = item(data, p)[1]
                    except Fault as fault:
                        fault.path = f"[{index}]{fault.path}"
                        raise
                    index += 1
            if size is not None and p - first != size:
                raise Fault(start, f"a block size other than the {p - first} bytes its items take")

    return skip_blocks


# -- the fast decoder ---------------------------------------------------------------------------


def _indent(lines: list[str], depth: int = 1) -> list[str]:
    return ["    " * depth + line for line in lines]


def _read_text_lines() -> list[str]:
    """Read a string's bytes into ``v``: a length below 64 in one byte, checked against the end."""
    return [
        "b = data[p]",
        "if b < 128 and not b & 1:",
        "    q = p + 1",
        "    p = q + (b >> 1)",
        "    if p > size:",
        "        raise _Bad",
        "else:",
        "    q, p = _length(data, p)",
        "v = data[q:p].decode()",
    ]


def _branch_lines(branch: Branch) -> list[str]:
    """Statements that read one writer type at ``p`` into ``v`` and move ``p`` past it; raising if malformed."""
    if branch.error is not None:
        return ["raise _Bad"]
    if branch.kind is None:
        return ["v = None"]
    if branch.kind is bool:
        return ["v = _BOOL[data[p]]", "p += 1"]
    if branch.kind is int:
        slow = "_int" if branch.wire == "int" else "_long"
        fast = ["b = data[p]", "if b < 128:", "    v = (b >> 1) ^ -(b & 1)", "    p += 1"]
        return [*fast, "else:", f"    v, p = {slow}(data, p)"]
    if branch.kind is UUID:
        return [
            'if data[p] == 72 and data[p + 9 : p + 25 : 5] == b"----" and '
            'len(r := _unhex(data[p + 1 : p + 37].replace(b"-", b""))) == 16:',
            "    n = _from_bytes(r)",
            "    p += 37",
            "else:",
            "    n, p = _uuid(data, p)",
            "v = _new(_UUID)",
            '_setattr(v, "int", n)',  # as uuid_from_int, inline: a call costs more than the two stores
            '_setattr(v, "is_safe", _UNKNOWN)',
        ]
    if branch.kind is datetime:
        return [
            *_read_text_lines(),
            "v = _fromiso(v)",
            "if v.tzinfo is not _UTC and v.utcoffset() != _ZERO:",
            "    raise _Bad",
        ]
    return _read_text_lines()


def _step_lines(index: int, step: Step) -> list[str]:
    if step.slot is None:
        return [f"v, p = _skip{index}(data, p)"]
    if not step.union:
        return [*_branch_lines(step.branches[0]), f"_set{step.slot}(o, v)"]
    lines = ["b = data[p]", "if b < 128:", "    p += 1", "else:", "    b, p = _varint(data, p)"]
    for number, branch in enumerate(step.branches):
        lines += [f"{'if' if number == 0 else 'elif'} b == {2 * number}:", *_indent(_branch_lines(branch))]
    return [*lines, "else:", "    raise _Bad", f"_set{step.slot}(o, v)"]


def _diagnosis(careful: Decoder) -> Callable[[bytes, bool], DecodeError | None]:
    """What the careful decoder says of bytes the fast one refused: its error, or ``None`` if it read them."""

    def diagnose(data: bytes, exact: bool) -> DecodeError | None:
        try:
            careful(data, exact)
        except DecodeError as error:
            return error
        return None

    return diagnose


class _Bad(Exception):
    """Raised by the fast decoder where it detects malformed bytes; the careful one then says what is wrong."""


def compile_decoder(plan: Plan, event_type: str) -> Decoder:
    """The fast decoder of a plan (falling back to the careful one to report what is wrong)."""
    careful = careful_decoder(plan, event_type)
    if plan.error is not None:
        return careful
    namespace: dict[str, Any] = {
        "_new": object.__new__, "_cls": plan.payload_type, "_diagnose": _diagnosis(careful), "_Bad": _Bad,
        "_BOOL": (False, True), "_varint": read_varint, "_long": read_long, "_int": read_int,
        "_length": read_length, "_uuid": _read_uuid_number, "_unhex": unhexlify, "_from_bytes": int.from_bytes,
        "_UUID": UUID, "_setattr": object.__setattr__, "_UNKNOWN": SafeUUID.unknown,
        "_fromiso": datetime.fromisoformat, "_UTC": UTC, "_ZERO": _ZERO,
    }  # fmt: skip
    body = ["size = len(data)", "o = _new(_cls)", "p = 0"]
    for index, step in enumerate(plan.steps):
        if step.slot is None:
            namespace[f"_skip{index}"] = skipper(step.writer, plan.named)
        body += _step_lines(index, step)
    read = {step.slot for step in plan.steps}
    for slot, setter in enumerate(plan.setters):
        namespace[f"_set{slot}"] = setter
        if slot not in read:
            body.append(f"_set{slot}(o, None)")  # a field this writer does not have: the reader's default
    source = [
        "def decode(data, exact):",
        "    try:",
        *_indent(body, 2),
        "    except Exception:",
        "        error = _diagnose(data, exact)",  # the DecodeError that says what is wrong
        "        if error is None:",
        "            raise",  # the careful decoder read what the fast one could not: a bug, shown as it is
        "        raise error from None",
        "    if exact and p != size:",
        "        raise _diagnose(data, exact) or _Bad('the careful decoder accepted bytes after the event')",
        "    return o",
    ]
    label = f"decoder of {plan.payload_type.__name__}"
    decoder: Decoder = build_function("decode", "\n".join(source), namespace, label)
    return decoder
