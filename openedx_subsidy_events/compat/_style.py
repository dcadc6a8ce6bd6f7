"""Style rules: docs on what other teams read, and OEP-41 event-type names.

Style rules apply only where they make sense: event-type naming only to subjects whose name is an
Open edX event type (it starts with ``org.openedx.``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ._node import Node
from ._resolve import Path
from ._rules import EVENT_TYPE_EXEMPTIONS
from ._semantic import SingleHit, iter_places

__all__ = ["OEP41", "doc_hits", "is_event_type", "iter_docs", "naming"]

OEP41 = re.compile(r"org\.openedx\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.v[1-9][0-9]*\Z")
"""``org.openedx.<subdomain>.<subject>.<action>.v<N>``, lowercase segments."""


def is_event_type(subject: str) -> bool:
    """Whether a subject names an Open edX event type, so that OEP-41 naming applies to it."""
    return subject.startswith("org.openedx.")


def naming(subject: str) -> tuple[str, str] | None:
    """``(rule, sentence)`` for a subject that breaks OEP-41 (or is exempt), else ``None``."""
    if not is_event_type(subject) or OEP41.match(subject):
        return None
    reason = EVENT_TYPE_EXEMPTIONS.get(subject)
    if reason is not None:
        return "EVENT_TYPE_NAMING_EXEMPT", f"The event type {subject} breaks OEP-41 naming but is exempt: {reason}."
    return (
        "EVENT_TYPE_NAMING",
        f"The event type {subject} is not org.openedx.<subdomain>.<subject>.<action>.v<N> in lowercase.",
    )


def iter_docs(root: Node) -> Iterator[SingleHit]:
    """Records, enums and record fields without a ``doc``."""
    for node, path in iter_places(root):
        yield from doc_hits(node, path)


def doc_hits(node: Node, path: Path) -> Iterator[SingleHit]:
    """MISSING_DOC hits of one node (see :func:`iter_docs`)."""
    if node.kind in ("record", "enum") and not node.doc:
        yield "MISSING_DOC", path, node, f"the {node.kind} {node.fullname} has no doc."
    if node.kind == "record":
        for field in node.fields:
            if not field.doc:
                yield "MISSING_DOC", (path, field.name), field, f"the field {field.name!r} has no doc."
