"""The formats a contract's expectations may name, each asserted by a checker of our own.

JSON Schema's format checkers are annotations unless asked to assert, and jsonschema's own are
lenient (its ``email`` wants only an ``@``), so an expectation such as ``format: email`` would not
mean what a consumer team reading it assumes.
"""

from __future__ import annotations

import re

import jsonschema

from .._text import CANONICAL_UUID, is_date_time

__all__ = ["FORMAT_CHECKER", "is_email"]

FORMAT_CHECKER = jsonschema.FormatChecker(formats=())
"""The formats an expectation may name, each asserted; the only format checker used on expectations."""


@FORMAT_CHECKER.checks("date-time")
def _is_datetime(instance: object) -> bool:
    return not isinstance(instance, str) or is_date_time(instance)


@FORMAT_CHECKER.checks("uuid")
def _is_uuid(instance: object) -> bool:
    return not isinstance(instance, str) or CANONICAL_UUID.fullmatch(instance) is not None


_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


@FORMAT_CHECKER.checks("email")
def is_email(instance: object) -> bool:
    """Whether a string is a mailbox as mail servers accept it (non-strings are left to ``type``).

    An RFC 5321 mailbox, narrowed to what an address a learner types looks like: ``local@domain``,
    the local part a dot-atom (letters, digits and ``!#$%&'*+/=?^_`{|}~-``, dots only between
    them) of at most 64 characters; the domain at least two dot-separated labels of letters,
    digits and inner hyphens (at most 63 each), the last not all digits; 254 characters in all.
    No whitespace, control characters, quoted local parts, address literals (``[192.0.2.1]``)
    or non-ASCII addresses (those are JSON Schema's ``idn-email``).
    """
    if not isinstance(instance, str):
        return True
    local, at, domain = instance.rpartition("@")
    labels = domain.split(".")
    return (
        bool(at)
        and len(instance) <= 254
        and len(local) <= 64
        and _LOCAL_PART.fullmatch(local) is not None
        and len(labels) >= 2
        and all(_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()
    )
