r"""Exporting contracts as Pact V4 message pacts, for teams that already run a Pact Broker.

One pact per contract: consumer and provider (the event's producer), one ``Asynchronous/Messages``
interaction per example, ``pending`` from the contract's status. The example's body is wrapped in the
data key, with every field of the published schema (an optional field the example leaves out is
``null``), so that Pact's verifier checks every field a producer sends.

Our expectations are translated to Pact's semantics, which differ from JSON Schema's:

* every field gets a type or format rule from the published schema, never equality with the
  example value (Pact compares a field without a rule for equality): a string ``type``, a long
  ``integer``, a boolean ``boolean``, a UUID or a date-time a ``regex`` of the form the codec reads
  (a UUID in either case); an optional field ``null`` OR that rule;
* a JSON Schema ``pattern`` matches anywhere in the value, a Pact ``regex`` the whole value: the
  pattern is anchored (``^course-v1:`` becomes ``^course-v1:[\s\S]*$``) and spelled with ECMA-262's
  meaning in the Rust syntax of Pact's verifier (``\d`` is ASCII); a string ``enum`` is an anchored
  alternation, ``type: integer`` an ``integer`` rule;
* no message metadata: the buses name it differently (Kafka's ``ce_type`` header, Redis Streams'
  ``type`` field), and Pact would require a key the bus does not send.

What Pact cannot express (``minimum``, ``maxLength``, ``format: email``, …) is written in the
interaction's comments. The source of truth stays the YAML contract; the export is a view of it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from .._text import UTC_DATE_TIME_PATTERN, UUID_PATTERN
from .._version import __version__
from ..avro._schema import FORMAT_ATTRIBUTE
from ..events import EventDefinition, get_event
from ._model import Contract, Example
from ._patterns import translate

__all__ = ["export_pacts", "to_pact"]

_FORM_REGEX = {"uuid": UUID_PATTERN, "date-time": UTC_DATE_TIME_PATTERN}
_EXPRESSED = frozenset({"pattern", "enum", "format", "type"})
_ANY_TEXT = r"^[\s\S]*$"
_SCALAR_RULES = {"long": "integer", "int": "integer", "boolean": "boolean", "double": "number", "float": "number"}
_METADATA_NOTE = (
    "No message metadata is required: the buses carry it under other names (Kafka: CloudEvents headers "
    "ce_type, ce_minorversion, ...; Redis Streams: the entry fields type, minorversion, ...), "
    "see the AsyncAPI document (subsidy-events export asyncapi)."
)

# ECMA-262 classes that the Rust regex crate (Pact's verifier) reads as Unicode: spelled as ASCII classes.
_ECMA_CLASSES = {"d": "digit", "w": "word"}


def _rust_syntax(pattern: str) -> str:
    r"""A JSON Schema ``pattern`` in the Rust regex syntax, with ECMA-262's meaning (ASCII ``\d``, ``\w``, ``\b``)."""
    translated = translate(pattern)  # Python syntax, ECMA meaning: $ is \Z, . excludes line terminators
    out: list[str] = []
    index, in_class = 0, False
    while index < len(translated):
        char = translated[index]
        if char != "\\":
            if char == "[" and not in_class:
                in_class = True
                if translated.startswith("[^", index):
                    out.append("[^")
                    index += 2
                    continue
            elif char == "]" and in_class:
                in_class = False
            out.append(char)
            index += 1
            continue
        letter = translated[index + 1]
        name = _ECMA_CLASSES.get(letter.lower())
        if name is not None:
            negated = "^" if letter.isupper() else ""
            out.append(f"[:{negated}{name}:]" if in_class else f"[[:{negated}{name}:]]")
        elif letter in "bB" and not in_class:
            out.append(f"(?-u:\\{letter})")
        elif letter == "Z":
            out.append("\\z")
        elif letter == "u":
            out.append("\\x{" + translated[index + 2 : index + 6] + "}")
            index += 4
        else:
            out.append("\\" + letter)
        index += 2
    return "".join(out)


def whole_value_regex(pattern: str) -> str:
    r"""A Pact ``regex`` (matched against the whole value) that accepts what a JSON Schema ``pattern`` accepts.

    A JSON Schema pattern matches anywhere in the value: ``^course-v1:`` becomes
    ``^course-v1:[\s\S]*$``; a pattern anchored at both ends keeps its text.
    """
    rust = _rust_syntax(pattern)
    if "|" in pattern:
        return rf"^[\s\S]*?(?:{rust})[\s\S]*$"
    head = "" if rust.startswith("^") else r"^[\s\S]*?"
    ends = rust.endswith("\\z") and (len(rust) - len(rust[:-1].rstrip("\\")) - 1) % 2 == 1
    return head + (rust[:-2] + "$" if ends else rust + r"[\s\S]*$")


class _Field(NamedTuple):
    """A field of the published payload record, as Pact needs it."""

    name: str
    kind: str  # the Avro type of its value: string, long, boolean, ...
    form: str | None  # uuid, date-time
    nullable: bool


def _fields(definition: EventDefinition[Any], minor: int | None) -> list[_Field]:
    schema = definition.schemas[definition.minor_version if minor is None else minor]
    (payload,) = (field["type"] for field in schema["fields"] if field["name"] == definition.data_key)
    found = []
    for field in payload["fields"]:
        kind = field["type"]
        branches = kind if isinstance(kind, list) else [kind]
        others = [branch for branch in branches if branch != "null"]
        value = others[0] if len(others) == 1 else "union"
        if isinstance(value, Mapping):
            form = value.get("logicalType") or value.get(FORMAT_ATTRIBUTE)
            value = value.get("type", "record")
        else:
            form = None
        form = field.get(FORMAT_ATTRIBUTE, form)
        found.append(_Field(field["name"], str(value), form if isinstance(form, str) else None, "null" in branches))
    return found


def _regexes(field: _Field, expectation: Mapping[str, Any]) -> list[str]:
    """The regexes a string field must match: its form's, then the contract's ``format``, ``pattern``, ``enum``."""
    found = []
    for form in (field.form, expectation.get("format")):
        if form in _FORM_REGEX and _FORM_REGEX[form] not in found:
            found.append(_FORM_REGEX[form])
    if isinstance(expectation.get("pattern"), str):
        found.append(whole_value_regex(expectation["pattern"]))
    enum = expectation.get("enum")
    if isinstance(enum, list) and enum and all(isinstance(v, str) for v in enum):
        found.append("^(?:" + "|".join(re.escape(v) for v in enum) + ")$")
    return found


def _field_rule(field: _Field, expectation: Mapping[str, Any], value: Any) -> tuple[dict[str, Any], list[str]]:
    """The matching rule of one field for one example, and what it leaves to openedx-subsidy-events."""
    notes: list[str] = []
    scalar = _SCALAR_RULES.get(field.kind)
    if expectation.get("type") == "integer":
        scalar = "integer"
    if field.kind != "string":
        matcher = {"match": scalar or "type"}
        if not field.nullable:
            return {"combine": "AND", "matchers": [matcher]}, notes
        if scalar is None and value is None:
            notes.append(f"{field.name}: null in this example, so Pact takes only null for it")
        return {"combine": "OR", "matchers": [{"match": "null"}, matcher]}, notes
    regexes = [{"match": "regex", "regex": regex} for regex in _regexes(field, expectation)]
    if not field.nullable:
        return {"combine": "AND", "matchers": [{"match": "type"}, *regexes]}, notes
    # Pact's OR takes one matcher per branch: null, or the text rule.
    if regexes:
        if len(regexes) > 1:
            notes.append(f"{field.name}: only the last of its {len(regexes)} regexes is checked when it is not null")
        return {"combine": "OR", "matchers": [{"match": "null"}, regexes[-1]]}, notes
    if value is not None:
        return {"combine": "OR", "matchers": [{"match": "null"}, {"match": "type"}]}, notes
    notes.append(
        f"{field.name}: null in this example; Pact cannot say 'null or any string' without an example string, "
        "so its regex also takes the text of a number"
    )
    return {"combine": "OR", "matchers": [{"match": "null"}, {"match": "regex", "regex": _ANY_TEXT}]}, notes


def _unexpressed(contract: Contract) -> list[str]:
    notes = []
    for field, expectation in sorted(contract.expectations.items()):
        if isinstance(expectation, Mapping):
            rest = {k: v for k, v in expectation.items() if k not in _EXPRESSED}
            enum = expectation.get("enum")
            if (
                rest
                or expectation.get("format") not in (None, *_FORM_REGEX)
                or (enum is not None and not all(isinstance(v, str) for v in enum))
            ):
                notes.append(f"{field}: {json.dumps(dict(expectation), sort_keys=True)}")
    return notes


def _interaction(contract: Contract, definition: EventDefinition[Any], example: Example) -> dict[str, Any]:
    fields = _fields(definition, contract.schema_minor)
    body = {field.name: example.event.get(field.name) for field in fields}
    body.update({key: value for key, value in example.event.items() if key not in body})
    content = {definition.data_key: body}
    rules: dict[str, Any] = {f"$.{definition.data_key}": {"combine": "AND", "matchers": [{"match": "type"}]}}
    field_notes: list[str] = []
    for field in fields:
        expectation = contract.expectations.get(field.name)
        rule, notes = _field_rule(field, expectation if isinstance(expectation, Mapping) else {}, body[field.name])
        rules[f"$.{definition.data_key}.{field.name}"] = rule
        field_notes.extend(notes)
    text = [" ".join(contract.purpose.split())]
    unexpressed = _unexpressed(contract)
    if unexpressed:
        text.append("Expectations Pact cannot express (checked by openedx-subsidy-events verification):")
        text.extend(unexpressed)
    text.extend(field_notes)
    text.append(_METADATA_NOTE)
    description = f"{contract.event_type}: {example.name}"
    key = hashlib.sha256(f"{description}\n{json.dumps(content, sort_keys=True)}".encode()).hexdigest()[:16]
    return {
        "type": "Asynchronous/Messages",
        "key": key,
        "description": description,
        "pending": contract.is_pending,
        "providerStates": [],
        "contents": {"contentType": "application/json", "encoded": False, "content": content},
        "metadata": {},
        "matchingRules": {"body": rules},
        "comments": {"text": text},
    }


def to_pact(contract: Contract) -> dict[str, Any]:
    """The Pact V4 message pact of one contract.

    .. versionadded:: 0.1.0
    """
    definition = get_event(contract.event_type)
    return {
        "consumer": {"name": contract.consumer},
        "provider": {"name": definition.producer},
        "interactions": [_interaction(contract, definition, example) for example in contract.examples],
        "metadata": {
            "pactSpecification": {"version": "4.0"},
            "openedx-subsidy-events": {"version": __version__, "contract": contract.path, "sha256": contract.sha256},
        },
    }


def export_pacts(contracts: Iterable[Contract], folder: Path) -> list[Path]:
    """Write ``<consumer>-<provider>-<event_type>.json`` for each contract; returns the files written.

    .. versionadded:: 0.1.0
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for contract in contracts:
        pact = to_pact(contract)
        path = folder / f"{contract.consumer}-{pact['provider']['name']}-{contract.event_type}.json"
        path.write_text(json.dumps(pact, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
