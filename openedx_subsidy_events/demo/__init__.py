"""``subsidy-events demo``: the ADR flow across the three reference services, through a real bus.

:func:`run_flow` runs it on any :class:`~openedx_subsidy_events.integrations.bus.Bus` and returns a
reconciled :class:`DemoResult`; :func:`open_bus` opens the bus a ``--bus`` value names. ``Bus``,
``MemoryBus`` and ``open_bus`` live in ``openedx_subsidy_events.integrations.bus`` since 0.2.0
and are still importable from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:
    from ..integrations.bus import Bus, MemoryBus, open_bus
    from ._flow import DemoResult, run_flow

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "Bus": "..integrations.bus",
        "MemoryBus": "..integrations.bus",
        "open_bus": "..integrations.bus",
        "DemoResult": "._flow",
        "run_flow": "._flow",
    },
)

__all__ = ["Bus", "DemoResult", "MemoryBus", "open_bus", "run_flow"]
