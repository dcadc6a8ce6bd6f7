"""Text forms checked in more than one place: JSON pointers, canonical UUIDs, RFC 3339 date-times."""

from __future__ import annotations

import re
from datetime import datetime

__all__ = [
    "CANONICAL_UUID",
    "RFC3339_DATE_TIME",
    "UTC_DATE_TIME_PATTERN",
    "UUID_PATTERN",
    "is_date_time",
    "one_line",
    "pointer_token",
    "to_pointer",
]

CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
"""A UUID as ``str(uuid)`` writes it (either case), and no other form: use with ``fullmatch``."""

UUID_PATTERN = f"^{CANONICAL_UUID.pattern}$"
""":data:`CANONICAL_UUID` as a whole-value pattern, for other tools (JSON Schema ``pattern``, Pact ``regex``)."""

# ASCII digits (\d is any script's in some engines); a UTC offset, as the codec requires.
UTC_DATE_TIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-]00:00)$"
"""A date-time as the codec writes and reads it (ISO 8601 in UTC), as a whole-value pattern for other tools."""

RFC3339_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)", re.ASCII)
"""The shape of an RFC 3339 date-time (JSON Schema's ``date-time``); :func:`is_date_time` also parses it."""


def is_date_time(text: str) -> bool:
    """Whether ``text`` is an RFC 3339 date-time, as JSON Schema's ``date-time`` means: shape and values.

    ``datetime.fromisoformat`` alone also takes ISO 8601's other forms (week dates, no separators,
    a space for the ``T``, no offset).
    """
    if RFC3339_DATE_TIME.fullmatch(text) is None:
        return False
    try:
        datetime.fromisoformat(text.upper())
    except ValueError:  # a shape that holds no real date or time (month 13, 25 o'clock)
        return False
    return True


def pointer_token(token: object) -> str:
    """One step of a JSON pointer (RFC 6901): ``~`` and ``/`` escaped."""
    return str(token).replace("~", "~0").replace("/", "~1")


def to_pointer(*parts: object) -> str:
    """The JSON pointer of a path of keys and indexes."""
    return "".join("/" + pointer_token(part) for part in parts)


_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def one_line(text: str) -> str:
    r"""``text`` with its line breaks and other control characters escaped (``\n``, ``\x1b``).

    A file name or a git ref can hold a newline; printed as it is, it would break the one-line
    format of errors and findings (and let a name forge a line of output).
    """
    return _CONTROL.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)
