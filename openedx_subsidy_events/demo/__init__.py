"""``subsidy-events demo``: the ADR flow across the three reference services, through a real bus.

:func:`run_flow` runs it on any :class:`Bus` and returns a reconciled :class:`DemoResult`;
:func:`open_bus` opens the bus a ``--bus`` value names.
"""

from ._buses import Bus, MemoryBus, open_bus
from ._flow import DemoResult, run_flow

__all__ = ["Bus", "DemoResult", "MemoryBus", "open_bus", "run_flow"]
