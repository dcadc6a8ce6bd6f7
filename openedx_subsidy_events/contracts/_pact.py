"""Exporting contracts as Pact V4 message pacts, for teams that already run a Pact Broker.

One pact per contract: consumer and provider (the event's producer), one ``Asynchronous/Messages``
interaction per example (its body wrapped in the data key), ``pending`` from the contract's status.
Read fields become ``type`` matching rules; expectations with a Pact equivalent become rules
(``pattern`` → ``regex``, ``enum`` → an anchored alternation, ``format: uuid`` → a UUID regex,
``type: integer`` → ``integer``); the others are kept as interaction comments, since Pact cannot
express them. The source of truth stays the YAML contract; the export is a view of it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .._version import __version__
from ..events import get_event
from ._model import Contract

__all__ = ["export_pacts", "to_pact"]

_UUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_PACT_KEYWORDS = frozenset({"pattern", "enum", "format", "type"})


def _matchers(expectation: Mapping[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [{"match": "type"}]
    if "pattern" in expectation:
        found.append({"match": "regex", "regex": expectation["pattern"]})
    if "enum" in expectation and all(isinstance(v, str) for v in expectation["enum"]):
        alternation = "|".join(re.escape(v) for v in expectation["enum"])
        found.append({"match": "regex", "regex": f"^(?:{alternation})$"})
    if expectation.get("format") == "uuid":
        found.append({"match": "regex", "regex": _UUID})
    if expectation.get("type") == "integer":
        found.append({"match": "integer"})
    return found


def _rules(contract: Contract, data_key: str) -> dict[str, Any]:
    body = {}
    for field in contract.reads:
        expectation = contract.expectations.get(field)
        matchers = _matchers(expectation) if isinstance(expectation, Mapping) else [{"match": "type"}]
        body[f"$.{data_key}.{field}"] = {"combine": "AND", "matchers": matchers}
    return {"body": body}


def _unexpressed(contract: Contract) -> list[str]:
    notes = []
    for field, expectation in sorted(contract.expectations.items()):
        if isinstance(expectation, Mapping):
            rest = {k: v for k, v in expectation.items() if k not in _PACT_KEYWORDS}
            if rest or expectation.get("format") not in (None, "uuid"):
                notes.append(f"{field}: {json.dumps(dict(expectation), sort_keys=True)}")
    return notes


def to_pact(contract: Contract) -> dict[str, Any]:
    """The Pact V4 message pact of one contract.

    .. versionadded:: 0.1.0
    """
    definition = get_event(contract.event_type)
    rules = _rules(contract, definition.data_key)
    comments: dict[str, Any] = {"text": [contract.purpose]}
    unexpressed = _unexpressed(contract)
    if unexpressed:
        comments["text"].append("Expectations Pact cannot express (checked by openedx-subsidy-events): ")
        comments["text"].extend(unexpressed)
    interactions = []
    for example in contract.examples:
        content = {definition.data_key: dict(example.event)}
        description = f"{contract.event_type}: {example.name}"
        key = hashlib.sha256(f"{description}\n{json.dumps(content, sort_keys=True)}".encode()).hexdigest()[:16]
        interactions.append(
            {
                "type": "Asynchronous/Messages",
                "key": key,
                "description": description,
                "pending": contract.is_pending,
                "providerStates": [],
                "contents": {"contentType": "application/json", "encoded": False, "content": content},
                "metadata": {"contentType": "application/json", "event_type": contract.event_type},
                "matchingRules": rules,
                "comments": comments,
            }
        )
    return {
        "consumer": {"name": contract.consumer},
        "provider": {"name": definition.producer},
        "interactions": interactions,
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
