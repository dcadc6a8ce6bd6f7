"""``subsidy-events demo``: the ADR flow across the three reference services, through a real bus.

:func:`run_flow` runs it on any :class:`Bus` and returns a reconciled :class:`DemoResult`;
:func:`open_bus` opens the bus a ``--bus`` value names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:
    from ._buses import Bus, MemoryBus, open_bus
    from ._flow import DemoResult, run_flow

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "Bus": "._buses",
        "MemoryBus": "._buses",
        "open_bus": "._buses",
        "DemoResult": "._flow",
        "run_flow": "._flow",
    },
)

__all__ = ["Bus", "DemoResult", "MemoryBus", "open_bus", "run_flow"]
