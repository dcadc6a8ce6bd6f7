"""The worst moment, on demand: a process SIGKILLs itself right after its N-th database write.

``subsidy-events demo --chaos`` starts some processes with ``SUBSIDY_REFERENCE_KILL_AT_WRITE=N``,
so that a kill lands between two writes of one handler or one approval (with the inbox and the
outbox, both roll back; without them, half an effect stays). The stores call :func:`wrote`
after each write; without the variable it only counts.
"""

from __future__ import annotations

import os
import signal

__all__ = ["wrote"]

_KILL_AT = int(os.environ.get("SUBSIDY_REFERENCE_KILL_AT_WRITE", "0"))
_writes = 0


def wrote() -> None:
    """Count a write; SIGKILL this process if it is the one named."""
    global _writes
    _writes += 1
    if _writes == _KILL_AT:
        os.kill(os.getpid(), signal.SIGKILL)
