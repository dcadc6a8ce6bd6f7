"""The OS processes of the Django services demo: each started, killed and started again by the run.

A :class:`ServiceProcess` is one ``python -m openedx_subsidy_events.reference.django_services``
process of one service (its driver, its relay or one of its consumers). Its output is appended to
a log file of its own, so a process killed many times leaves one readable log.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["ServiceProcess"]

MANAGE = [sys.executable, "-m", "openedx_subsidy_events.reference.django_services"]


class ServiceProcess:
    """One process of a service, started again after each kill (``generation`` counts its lives).

    Arguments:
        name: what the run calls it (``license-manager consumer``).
        service: the service it belongs to.
        command: its arguments for a generation (a consumer's name may change with it).
        env: its environment (the service, its database, the bus).
        log: the file its output is appended to.
        ends: whether it exits by itself when its work is done (the approving driver).

    """

    def __init__(
        self,
        name: str,
        service: str,
        command: Callable[[int], list[str]],
        *,
        env: Mapping[str, str],
        log: Path,
        ends: bool = False,
    ) -> None:
        self.name = name
        self.service = service
        self.command = command
        self.env = dict(env)
        self.log = log
        self.ends = ends
        self.generation = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.finished = False

    @property
    def running(self) -> bool:
        """Started and not yet seen to exit."""
        return self.process is not None and self.process.poll() is None

    def start(self, *, new_generation: bool = False, env: Mapping[str, str] | None = None) -> None:
        """Start it (again); ``new_generation`` gives a consumer a new name."""
        if new_generation:
            self.generation += 1
        with self.log.open("ab") as output:
            output.write(f"--- start, generation {self.generation}\n".encode())
            output.flush()
            self.process = subprocess.Popen(
                [*MANAGE, *self.command(self.generation)],
                env={**os.environ, **self.env, **(env or {})},
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def exit_status(self) -> int | None:
        """Its exit status once it has exited, else ``None``."""
        return None if self.process is None else self.process.poll()

    def kill(self) -> None:
        """SIGKILL it and reap it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM it (it finishes what it does), SIGKILL after ``timeout`` s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, lines: int = 15) -> str:
        """The end of its log."""
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
