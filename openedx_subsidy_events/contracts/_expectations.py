"""Checking wire values against a contract's expectations (JSON Schema, draft 2020-12).

Formats are asserted by checkers of our own (``_formats``) and patterns read as ECMA-262
(``_patterns``). Only the formats of ``FORMAT_CHECKER`` and the keywords of :data:`KEYWORDS` may
appear in an expectation: JSON Schema ignores a keyword or a format it does not know, so a typo
(``fromat: email``, ``format: emial``) would silently turn a check off.
:func:`iter_expectation_problems` finds them; the loader refuses them.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

import jsonschema
import referencing

from .._text import to_pointer
from ..exceptions import ContractError
from ._formats import FORMAT_CHECKER
from ._model import Contract, Violation
from ._patterns import pattern_matcher

__all__ = [
    "KEYWORDS",
    "expectation_rule",
    "expectation_validator",
    "get_path",
    "iter_expectation_problems",
    "iter_expectation_violations",
]


_MISSING = object()

Shape = Literal["value", "schema", "schemas", "schema-map"]

KEYWORDS: Mapping[str, Shape] = {
    # Assertions on the value itself.
    "type": "value",
    "enum": "value",
    "const": "value",
    "multipleOf": "value",
    "maximum": "value",
    "exclusiveMaximum": "value",
    "minimum": "value",
    "exclusiveMinimum": "value",
    "maxLength": "value",
    "minLength": "value",
    "pattern": "value",
    "format": "value",
    "maxItems": "value",
    "minItems": "value",
    "uniqueItems": "value",
    "maxContains": "value",
    "minContains": "value",
    "maxProperties": "value",
    "minProperties": "value",
    "required": "value",
    "dependentRequired": "value",
    # Applicators: their values are schemas, checked by the same rules.
    "not": "schema",
    "if": "schema",
    "then": "schema",
    "else": "schema",
    "items": "schema",
    "contains": "schema",
    "additionalProperties": "schema",
    "propertyNames": "schema",
    "unevaluatedItems": "schema",
    "unevaluatedProperties": "schema",
    "allOf": "schemas",
    "anyOf": "schemas",
    "oneOf": "schemas",
    "prefixItems": "schemas",
    "properties": "schema-map",
    "dependentSchemas": "schema-map",
    # Words for the reader, which check nothing and claim to check nothing.
    "title": "value",
    "description": "value",
    "$comment": "value",
}
"""The JSON Schema keywords an expectation may use, and the shape of each one's value.
"""

_ANNOTATES = "which JSON Schema only annotates: it would check nothing"
_ANNOTATIONS = (
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
)
_REFERENCES = (
    "$ref",
    "$dynamicRef",
    "$recursiveRef",
    "$id",
    "$schema",
    "$anchor",
    "$dynamicAnchor",
    "$recursiveAnchor",
    "$defs",
    "definitions",
    "$vocabulary",
)
_REFUSED = {
    **dict.fromkeys(_ANNOTATIONS, _ANNOTATES),
    **dict.fromkeys(_REFERENCES, "which refers to other schemas: an expectation must say everything itself"),
    "patternProperties": "which this package does not support (its expressions would not be read as JSON Schema says)",
}


def _ecma_pattern(
    validator: jsonschema.protocols.Validator, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if validator.is_type(instance, "string") and not pattern_matcher(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


_ExpectationValidator: type[jsonschema.protocols.Validator] = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator, {"pattern": _ecma_pattern}
)


def _suggestion(word: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'format'?)`` for a close name, ignoring case, or nothing."""
    folded = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(word.lower(), list(folded), n=1, cutoff=0.6)
    return f" (did you mean {folded[close[0]]!r}?)" if close else ""


def iter_expectation_problems(expectation: Any) -> Iterator[tuple[str, str]]:
    """``(pointer, phrase)`` for what an expectation may not say, the pointer relative to it.

    The phrase continues "the expectation on 'field' ...": it is not a valid JSON Schema, it
    uses a keyword outside :data:`KEYWORDS`, or it names a format :data:`FORMAT_CHECKER` does not assert.
    """
    try:
        jsonschema.Draft202012Validator.check_schema(expectation)
    except jsonschema.SchemaError as error:
        yield to_pointer(*error.absolute_path), f"is not a valid JSON Schema: {error.message}"
        return
    yield from _iter_vocabulary_problems(expectation, [])


def _iter_vocabulary_problems(schema: Any, where: list[Any]) -> Iterator[tuple[str, str]]:
    if not isinstance(schema, Mapping):
        return
    for keyword, value in schema.items():
        here = [*where, keyword]
        shape = KEYWORDS.get(keyword)
        if shape is None:
            yield to_pointer(*here), _unknown_keyword(keyword)
        elif keyword == "format" and value not in FORMAT_CHECKER.checkers:
            checked = sorted(FORMAT_CHECKER.checkers)
            hint = _suggestion(value, checked) or f" (it checks {', '.join(checked)})"
            yield to_pointer(*here), f"names the format {value!r}, which this package does not check{hint}"
        elif keyword == "pattern" and (problem := _pattern_problem(value)) is not None:
            yield to_pointer(*here), problem
        elif shape == "schema":
            yield from _iter_vocabulary_problems(value, here)
        elif shape == "schemas":
            for index, item in enumerate(value):
                yield from _iter_vocabulary_problems(item, [*here, index])
        elif shape == "schema-map":
            for name, item in value.items():
                yield from _iter_vocabulary_problems(item, [*here, name])


def _pattern_problem(pattern: str) -> str | None:
    try:
        pattern_matcher(pattern)
    except re.error as error:
        return f"has a pattern that cannot be used: {error.msg} (at character {error.pos})"
    return None


def _unknown_keyword(keyword: str) -> str:
    if keyword in _REFUSED:
        return f"uses {keyword!r}, {_REFUSED[keyword]}"
    return f"uses {keyword!r}, which is not a keyword this package checks{_suggestion(keyword, list(KEYWORDS))}"


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
def _problems(schema_text: str) -> tuple[tuple[str, str], ...]:
    return tuple(iter_expectation_problems(json.loads(schema_text)))


@functools.cache
def _validator(schema_text: str) -> jsonschema.protocols.Validator:
    # An empty registry: even an expectation that slipped past the loader can never fetch anything.
    registry: referencing.Registry[Any] = referencing.Registry()
    return _ExpectationValidator(json.loads(schema_text), format_checker=FORMAT_CHECKER, registry=registry)


def expectation_validator(expectation: Any) -> jsonschema.protocols.Validator:
    """The validator that checks wire values against one expectation, as verification does.

    Draft 2020-12 with :data:`FORMAT_CHECKER`, ECMA ``pattern`` semantics matched in linear time
    (:func:`pattern_matcher`) and no reference resolution. Anything that checks values against expectations (generating
    events that meet them, say) should use it rather than a plain ``jsonschema`` validator.
    """
    return _validator(json.dumps(expectation, sort_keys=True))


_SENTENCES: Mapping[str, str] = {
    "type": "is not of type {0}",
    "enum": "is not one of {0!r}",
    "const": "is not {0!r}",
    "pattern": "does not match the pattern {0!r}",
    "format": "is not a valid {0}",
    "minimum": "is less than the minimum {0}",
    "maximum": "is more than the maximum {0}",
    "exclusiveMinimum": "is not more than {0}",
    "exclusiveMaximum": "is not less than {0}",
    "multipleOf": "is not a multiple of {0}",
    "minLength": "is shorter than {0} character(s)",
    "maxLength": "is longer than {0} character(s)",
    "minItems": "has fewer than {0} item(s)",
    "maxItems": "has more than {0} item(s)",
    "uniqueItems": "has repeated items",
    "required": "lacks a required property of {0!r}",
    "not": "matches {0!r}, which it must not",
    "anyOf": "matches none of the alternatives",
    "oneOf": "does not match exactly one of the alternatives",
}


def _sentence(error: jsonschema.ValidationError) -> str:
    """What failed, from the keyword and the expectation only: the value is shown apart, hidden when secret."""
    keyword = str(error.validator)
    template = _SENTENCES.get(keyword, "fails the expectation's {keyword!r} keyword ({0!r})")
    text = template.format(error.validator_value, keyword=keyword)
    where = "".join(f"[{part!r}]" for part in error.relative_path)
    return (f"at {where}: " if where else "") + (text if len(text) <= 200 else text[:197] + "...")


def iter_expectation_violations(
    contract: Contract, payload: Mapping[str, Any], *, minorversion: int | None = None
) -> Iterator[Violation]:
    """A violation per failed keyword of each expectation, for the fields present in ``payload``.

    :class:`ContractError` if an expectation is one the loader would refuse (a contract built in code).
    """
    for field_path, expectation in sorted(contract.expectations.items()):
        value = get_path(payload, field_path)
        if is_missing(value):
            continue
        text = json.dumps(expectation, sort_keys=True)
        for where, phrase in _problems(text):
            pointer = to_pointer("expectations", field_path) + where
            line, column = contract.position(pointer)
            reason = f"the expectation on {field_path!r} {phrase}"
            raise ContractError(contract.path, reason, pointer=pointer, line=line, column=column)
        validator = _validator(text)
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
