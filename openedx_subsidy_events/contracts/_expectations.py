"""Checking wire values against a contract's expectations (JSON Schema, draft 2020-12).

Formats are asserted, not just annotated: ``uuid``, ``email`` and ``date-time`` are checked
(``date-time`` as ISO 8601 with a UTC offset, the form the events carry) so an expectation such
as ``format: email`` means what a consumer team reading it would assume.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import jsonschema

from ._model import Contract, Violation

__all__ = ["FORMAT_CHECKER", "expectation_rule", "get_path", "iter_expectation_violations"]

FORMAT_CHECKER = jsonschema.FormatChecker()
_MISSING = object()


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_datetime(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    return datetime.fromisoformat(instance).tzinfo is not None


def expectation_rule(keyword: str) -> str:
    """The rule id of a failed JSON Schema keyword: ``minLength`` → ``EXPECTATION_MIN_LENGTH``."""
    return "EXPECTATION_" + re.sub(r"(?<!^)(?=[A-Z])", "_", keyword).upper()


def get_path(record: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path in nested dicts, or a private sentinel when it is absent."""
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def is_missing(value: Any) -> bool:
    """Whether :func:`get_path` found nothing."""
    return value is _MISSING


@functools.cache
def _validator(schema_text: str) -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(json.loads(schema_text), format_checker=FORMAT_CHECKER)


def _sentence(error: jsonschema.ValidationError) -> str:
    message = error.message
    if error.validator == "pattern":
        return f"does not match the pattern {error.validator_value!r}"
    if error.validator == "format":
        return f"is not a valid {error.validator_value}"
    return message[:200]


def iter_expectation_violations(
    contract: Contract, payload: Mapping[str, Any], *, minorversion: int | None = None
) -> Iterator[Violation]:
    """A violation per failed keyword of each expectation, for the fields present in ``payload``."""
    for field_path, expectation in sorted(contract.expectations.items()):
        value = get_path(payload, field_path)
        if is_missing(value):
            continue
        validator = _validator(json.dumps(expectation, sort_keys=True))
        for error in sorted(validator.iter_errors(value), key=lambda e: str(e.validator)):
            yield Violation(
                consumer=contract.consumer,
                event_type=contract.event_type,
                contract_file=contract.path,
                field_path=field_path,
                rule=expectation_rule(str(error.validator)),
                value=value,
                reason=_sentence(error),
                pending=contract.is_pending,
                minorversion=minorversion,
            )


def meets_expectations(contract: Contract, payload: Mapping[str, Any]) -> bool:
    """Whether every expectation holds (used to filter generated events)."""
    return next(iter_expectation_violations(contract, payload), None) is None
