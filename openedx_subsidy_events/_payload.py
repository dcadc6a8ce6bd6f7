"""Declaring payload fields: one doc sentence, a sensitivity mark, and a validator per wire type.

A payload class is an ordinary frozen attrs class whose fields come from :func:`field`, decorated
with ``@attrs.frozen(kw_only=True, field_transformer=payload_fields)``. The transformer does two
things at class creation, so that no class has to repeat them:

* it turns ``T | None`` annotations into the plain type ``T`` with ``default=None``, the form
  openedx-events reads from ``attrs.fields()`` to make a field optional (``["null", T]``);
* it attaches the validator for the field's type, raising :class:`PayloadError` with the field's name.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import attrs

from .exceptions import PayloadError
from .redaction import redact_field

__all__ = ["DOC", "SENSITIVITY", "SUPPORTED_TYPES", "Sensitivity", "field", "payload_fields"]

DOC = "openedx_subsidy_events.doc"
SENSITIVITY = "openedx_subsidy_events.sensitivity"

Sensitivity = Literal["pii", "secret"]

LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
_ZERO = timedelta(0)


def field(doc: str, *, sensitivity: Sensitivity | None = None, optional: bool = False) -> Any:
    """Declare a payload field with its one-sentence ``doc`` (it ends up in the Avro schema).

    ``optional=True`` gives the field ``default=None``; annotate it ``T | None``. ``repr()`` shows a
    marked field as the redaction rule says (:mod:`~openedx_subsidy_events.redaction`): a ``"secret"``
    never, a ``"pii"`` one only when asked for, so that neither reaches a log by accident.
    """
    if not doc.strip():
        raise ValueError("every payload field needs a doc sentence")
    metadata = {DOC: doc.strip(), SENSITIVITY: sensitivity}
    shown: Any = True if sensitivity is None else functools.partial(_shown_repr, sensitivity=sensitivity)
    if optional:
        return attrs.field(default=None, metadata=metadata, repr=shown)
    return attrs.field(metadata=metadata, repr=shown)


def _shown_repr(value: Any, *, sensitivity: str) -> str:
    shown = redact_field(value, sensitivity)
    return shown if shown is not value else repr(value)


Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def _fail(instance: Any, attribute: attrs.Attribute[Any], value: Any, reason: str) -> typing.NoReturn:
    raise PayloadError(
        type(instance).__name__, attribute.name, value, reason, sensitivity=attribute.metadata[SENSITIVITY]
    )


def _check_str(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not str:
        _fail(instance, attribute, value, "expected str")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            _fail(instance, attribute, value, "is not valid Unicode (a lone surrogate cannot be sent as UTF-8)")


def _check_long(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not int:
        _fail(instance, attribute, value, "expected int")
    if not LONG_MIN <= value <= LONG_MAX:
        _fail(instance, attribute, value, "is outside the range of an Avro long (64-bit signed)")


def _check_bool(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not bool:
        _fail(instance, attribute, value, "expected bool")


def _check_uuid(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, UUID):
        hint = "; pass uuid.UUID(...)" if isinstance(value, str) else ""
        _fail(instance, attribute, value, "expected uuid.UUID" + hint)


def _check_utc_datetime(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, datetime):
        _fail(instance, attribute, value, "expected datetime.datetime")
    if value.utcoffset() != _ZERO:
        _fail(instance, attribute, value, "must be in UTC: timezone-aware, at +00:00 (e.g. tzinfo=timezone.utc)")
    if not always_utc(value.tzinfo):
        # Europe/London is at +00:00 in winter only: accepting it would let a test pass in January
        # and the same code fail in July.
        _fail(instance, attribute, value, f"must be in UTC, not in {value.tzinfo} (at +00:00 only part of the year)")


def always_utc(zone: Any) -> bool:
    """Whether a time zone is UTC all year: a fixed zero offset, or a zone at zero in January and July."""
    if zone is UTC:
        return True
    fixed = zone.utcoffset(None)
    if fixed is not None:
        return bool(fixed == _ZERO)
    return all(zone.utcoffset(datetime(2026, month, 1)) == _ZERO for month in (1, 7))


SUPPORTED_TYPES: dict[type, Validator] = {
    str: _check_str,
    int: _check_long,
    bool: _check_bool,
    UUID: _check_uuid,
    datetime: _check_utc_datetime,
}
"""The Python types a payload field may have, with their validators."""


def _required(check: Validator) -> Validator:
    def validate(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            _fail(instance, attribute, value, "is required")
        check(instance, attribute, value)

    return validate


def _optional(check: Validator) -> Validator:
    def validate(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            check(instance, attribute, value)

    return validate


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """``T | None`` (or ``Optional[T]``) → ``(T, True)``; anything else → ``(annotation, False)``."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1 and len(typing.get_args(annotation)) == 2:
            return members[0], True
    return annotation, False


def payload_fields(cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """Attrs ``field_transformer`` for payload classes (see the module docstring)."""
    result = []
    for attribute in fields:
        if attribute.inherited:  # type: ignore[attr-defined]  # transformed already, by the base class
            result.append(attribute)
            continue
        where = f"{cls.__name__}.{attribute.name}"
        if DOC not in attribute.metadata:
            raise TypeError(f"{where}: declare payload fields with openedx_subsidy_events field()")
        if isinstance(attribute.type, str):
            raise TypeError(
                f"{where}: the annotation is the string {attribute.type!r}; payload modules need real annotations "
                "(no 'from __future__ import annotations'), because openedx-events reads attrs.fields().type"
            )
        wire_type, optional = _unwrap_optional(attribute.type)
        if wire_type not in SUPPORTED_TYPES:
            raise TypeError(f"{where}: unsupported type {wire_type!r}; use one of {list(SUPPORTED_TYPES)}")
        if optional != (attribute.default is None):
            raise TypeError(f"{where}: annotate 'T | None' exactly when the field is optional=True")
        check = SUPPORTED_TYPES[wire_type]
        validator = _optional(check) if optional else _required(check)
        result.append(attribute.evolve(type=wire_type, validator=validator))
    return result
