"""Sphinx directives that draw the event flow with Graphviz from the code, at build time, so the pictures cannot drift.

``.. event-topology::`` draws producer -> topic -> consumer from the event definitions (producer),
the exports' default topics and the installed consumer contracts. ``.. adr-flow::`` draws the ADR
flow: the services, the events between them, the topics they travel on, and the subsidy request's
states (:data:`openedx_subsidy_events.TRANSITIONS`). Both render through ``sphinx.ext.graphviz``.
"""

from __future__ import annotations

from typing import Any

from docutils.statemachine import StringList
from sphinx.ext.graphviz import Graphviz

from openedx_subsidy_events import TRANSITIONS, all_events
from openedx_subsidy_events.contracts import load_contracts
from openedx_subsidy_events.exports import DEFAULT_TOPICS

_STYLE = [
    'graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.35, ranksep=0.6];',
    'node [fontname="Helvetica", fontsize=11];',
    'edge [fontname="Helvetica", fontsize=9];',
]


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'  # a \\n in the text is a line break for dot


def _short(event_type: str) -> str:
    """``coupon-code-request approved`` for ``org.openedx.enterprise.access.coupon-code-request.approved.v1``."""
    parts = event_type.split(".")
    return f"{parts[-3]} {parts[-2]}"


def topology_dot() -> str:
    """Producer -> topic -> consumer, each edge labelled with the event type it carries."""
    lines = ["digraph topology {", *_STYLE]
    services = sorted({d.producer for d in all_events()} | {c.consumer for c in load_contracts()})
    for service in services:
        lines.append(f'{_quote(service)} [shape=box, style="rounded,filled", fillcolor="#e8f0fe"];')
    for topic in sorted(set(DEFAULT_TOPICS.values())):
        node = _quote("topic:" + topic)
        lines.append(f'{node} [label={_quote(topic)}, shape=cds, style=filled, fillcolor="#fff4d6"];')
    for definition in all_events():
        topic = "topic:" + DEFAULT_TOPICS[definition.event_type]
        label = definition.event_type.replace(".", ".\\n", 3)
        lines.append(f"{_quote(definition.producer)} -> {_quote(topic)} [label={_quote(label)}];")
    for contract in sorted(load_contracts(), key=lambda c: (c.event_type, c.consumer)):
        topic = "topic:" + DEFAULT_TOPICS[contract.event_type]
        style = ", style=dashed" if contract.is_pending else ""
        label = _quote(f"contract: {_short(contract.event_type)}")
        lines.append(f"{_quote(topic)} -> {_quote(contract.consumer)} [label={label}{style}];")
    lines.append("}")
    return "\n".join(lines)


def adr_flow_dot() -> str:
    """The ADR flow: approve in enterprise-access, grant in license-manager or ecommerce, fulfil; and the states."""
    lines = ["digraph adr_flow {", *_STYLE, "compound=true;"]
    lines.append('subgraph cluster_states { label="subsidy request states (TRANSITIONS)"; style=dashed; fontsize=10;')
    for state in TRANSITIONS:
        shape = "doublecircle" if state.is_final else "ellipse"
        fill = ', style=filled, fillcolor="#dff5e1"' if state.value in ("approved", "fulfilled") else ""
        lines.append(f"{_quote('state:' + state.value)} [label={_quote(state.value)}, shape={shape}{fill}];")
    for state, targets in TRANSITIONS.items():
        for target in sorted(targets, key=lambda t: t.value):
            lines.append(f"{_quote('state:' + state.value)} -> {_quote('state:' + target.value)};")
    lines.append("}")
    lines.append('admin [shape=plaintext, label="enterprise admin"];')
    for definition in all_events():
        lines.append(f'{_quote(definition.producer)} [shape=box, style="rounded,filled", fillcolor="#e8f0fe"];')
    steps = {"approved": "1", "assigned": "2"}
    lines.append('admin -> "enterprise-access" [label="approves a request"];')
    for definition in all_events():
        kind = definition.event_type.split(".")[-2]
        label = _quote(
            f"{steps.get(kind, '')}. {_short(definition.event_type)}\\n(topic {DEFAULT_TOPICS[definition.event_type]})"
        )
        for contract in load_contracts():
            if contract.event_type == definition.event_type:
                lines.append(f"{_quote(definition.producer)} -> {_quote(contract.consumer)} [label={label}];")
    lines.append('"enterprise-access" -> "state:fulfilled" [label="3. fulfil, email", style=dotted];')
    lines.append("}")
    return "\n".join(lines)


class _Generated(Graphviz):
    """A ``graphviz`` directive whose DOT source comes from a function of the code, not from the page."""

    has_content = False
    required_arguments = 0
    optional_arguments = 0
    dot: Any = None

    def run(self) -> list[Any]:
        self.content = StringList(type(self).dot().splitlines(), source="<generated>")
        self.arguments = []
        return super().run()


class EventTopology(_Generated):
    dot = staticmethod(topology_dot)


class AdrFlow(_Generated):
    dot = staticmethod(adr_flow_dot)


def setup(app: Any) -> dict[str, Any]:
    """Register the two directives (sphinx.ext.graphviz renders them)."""
    app.setup_extension("sphinx.ext.graphviz")
    app.add_directive("event-topology", EventTopology)
    app.add_directive("adr-flow", AdrFlow)
    return {"parallel_read_safe": True}
