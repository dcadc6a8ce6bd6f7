"""What the package shows of a sensitive value: one rule for every error, violation, report, log line and repr.

Payload fields carry a sensitivity mark (``x-sensitivity`` in the schemas):

* ``secret`` (a bearer credential: ``coupon_code``) is **never** shown: ``<hidden: secret field>``;
* ``pii`` (personal data: ``user_email``) is hidden by default, ``<hidden: pii field>``, and shown
  only when asked for explicitly: ``SUBSIDY_EVENTS_SHOW_PII=1`` in the environment, inside
  ``with show_pii():``, or with pytest's ``--subsidy-events-show-pii``.

A value the package cannot tell the field of (an object passed where a payload belongs) is shown
by its type only. Every ``repr`` the package builds of a value is bounded in length and depth and
never raises, whatever the value's own ``__repr__`` does.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import contextlib
import os
import reprlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any, Literal

__all__ = [
    "OPAQUE",
    "SHOW_PII_VARIABLE",
    "hidden_type",
    "pii_shown",
    "redact",
    "redact_field",
    "redacted_text",
    "safe_repr",
    "show_pii",
]

Sensitivity = Literal["pii", "secret"]

SHOW_PII_VARIABLE = "SUBSIDY_EVENTS_SHOW_PII"
"""Set to ``1`` to show ``pii`` values in messages, reports and reprs (never ``secret`` ones)."""

HIDDEN: dict[str, str] = {"secret": "<hidden: secret field>", "pii": "<hidden: pii field>"}

_local = threading.local()


def pii_shown() -> bool:
    """Whether ``pii`` values are shown now (the environment variable, or inside :func:`show_pii`)."""
    return getattr(_local, "depth", 0) > 0 or os.environ.get(SHOW_PII_VARIABLE, "") not in ("", "0")


@contextlib.contextmanager
def show_pii() -> Iterator[None]:
    """Show ``pii`` values in what the package prints while the block runs (in this thread)."""
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1


OPAQUE = "payload"
"""The sensitivity of a value that stands where a whole payload belongs: it may hold anything, so it is hidden."""


def is_hidden(sensitivity: str | None) -> bool:
    """Whether a value of this sensitivity is hidden now."""
    return sensitivity in ("secret", OPAQUE) or (sensitivity == "pii" and not pii_shown())


def redact_field(value: Any, sensitivity: str | None) -> Any:
    """``value``, or its placeholder when a field of this sensitivity is hidden."""
    return HIDDEN[sensitivity] if sensitivity is not None and is_hidden(sensitivity) else value


_SENSITIVE_FIELDS: dict[str, Mapping[str, str]] = {}


def declare_sensitive_fields(event_type: str, marks: Mapping[str, str]) -> None:
    """Record the sensitivity mark of each marked payload field of an event type.

    The events declare theirs when they are defined (:mod:`openedx_subsidy_events.events`): this
    rule sits below them, since every error message uses it, and so cannot import them.
    """
    _SENSITIVE_FIELDS[event_type] = dict(marks)


def _sensitivities(event_type: str) -> Mapping[str, str]:
    return _SENSITIVE_FIELDS.get(event_type, {})


def redact(event_type: str, field_path: str, value: Any) -> Any:
    """``value`` as it may be shown, where ``field_path`` is its dotted path in the event's payload record.

    ``""`` is the whole record: its sensitive fields are replaced inside it (in nested mappings too).
    """
    marks = _sensitivities(event_type)
    if not marks:
        return value
    head = field_path.split(".")[0] if field_path else ""
    if head in marks:
        return redact_field(value, marks[head])
    return _redact_in(value, marks)


def redacted_text(event_type: str, field_path: str, value: Any, limit: int = 60) -> str:
    """What a message shows of a value: its bounded ``repr``, or the bare placeholder when it is hidden."""
    shown = redact(event_type, field_path, value)
    if shown is not value and isinstance(shown, str) and shown in HIDDEN.values():
        return shown
    return safe_repr(shown, limit)


def _redact_in(value: Any, marks: Mapping[str, str]) -> Any:
    if isinstance(value, Mapping):
        return {k: redact_field(v, marks[k]) if k in marks else _redact_in(v, marks) for k, v in value.items()}
    return value


def hidden_type(value: Any, sensitivity: str) -> str:
    """What a message shows of a hidden value: its type, never its content."""
    name = type(value).__name__
    why = "it may hold secret or pii fields" if sensitivity == OPAQUE else f"the field is {sensitivity}"
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}, hidden: {why}"


class _SafeRepr(reprlib.Repr):
    def repr_instance(self, obj: Any, level: int) -> str:
        try:
            text = repr(obj)
        except Exception:  # a hostile __repr__ may raise anything (RecursionError included); we must not
            return f"<{type(obj).__name__} object (its repr failed)>"
        return text if len(text) <= self.maxother else text[: self.maxother - 3] + "..."


_REPR = _SafeRepr()
_REPR.maxlevel = 4
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = _REPR.maxfrozenset = 6


def safe_repr(value: Any, limit: int = 60) -> str:
    """A ``repr`` cut to ``limit`` characters that never raises (deep, huge or hostile values included)."""
    try:
        text = _REPR.repr(value)
    except Exception:  # reprlib calls the __repr__ of containers' items too
        text = f"<{type(value).__name__} object (its repr failed)>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
