"""The collector's HTTP/1.1 server: idle connections cost a socket, not a thread.

``http.server.ThreadingHTTPServer`` gives every connection a thread for as long as it stays open,
so 300 idle keep-alive sockets hold 300 threads, forever. Here one selector thread waits on the
listening socket and on every idle connection; a connection goes to a small pool of worker
threads only while it has a request to answer, and comes back to the selector afterwards. Idle
connections are closed after ``idle_timeout`` seconds, the oldest first once there are more than
``max_connections``, and a request that stalls half-sent times out after ``request_timeout``.
Handlers are ordinary ``BaseHTTPRequestHandler`` classes, one instance per connection.
"""

from __future__ import annotations

import logging
import queue
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Optional

logger = logging.getLogger("helicone_otel.collector")


@dataclass(eq=False)
class _Connection:
    sock: socket.socket
    address: Any
    handler: Any = None
    idle_since: float = field(default_factory=time.monotonic)


class Httpd:
    """``serve_forever()`` / ``shutdown()`` / ``server_close()`` as in ``socketserver``."""

    def __init__(
        self,
        address: tuple[str, int],
        handler_class: Any,
        *,
        workers: int = 16,
        idle_timeout: float = 60.0,
        request_timeout: float = 15.0,
        max_connections: int = 512,
    ) -> None:
        host, port = address
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        self.socket = socket.create_server((host, port), family=family, backlog=256)
        self.server_address = self.socket.getsockname()
        self.handler_class = handler_class
        self.max_workers, self.idle_timeout = workers, idle_timeout
        self.request_timeout, self.max_connections = request_timeout, max_connections
        self._jobs: "queue.SimpleQueue[Optional[_Connection]]" = queue.SimpleQueue()
        self._returned: "queue.SimpleQueue[_Connection]" = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []
        self._waiting = 0  # workers blocked on the job queue
        self._open = 0  # connections accepted and not yet closed
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_w.setblocking(False)
        self._stop = False
        self._stopped = threading.Event()
        self._stopped.set()

    # -- lifecycle ------------------------------------------------------------------------------
    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Accept and dispatch until ``shutdown()``."""
        self._stopped.clear()
        selector = selectors.DefaultSelector()
        selector.register(self.socket, selectors.EVENT_READ)
        selector.register(self._wake_r, selectors.EVENT_READ)
        idle: dict[socket.socket, _Connection] = {}
        try:
            while not self._stop:
                for key, _ in selector.select(min(poll_interval, self.idle_timeout / 2)):
                    if key.fileobj is self.socket:
                        self._accept(selector, idle)
                    elif key.fileobj is self._wake_r:
                        self._drain_wake()
                    else:
                        connection: _Connection = key.data
                        selector.unregister(connection.sock)
                        self._submit(idle.pop(connection.sock))
                self._take_back(selector, idle)
                self._expire(selector, idle)
        finally:
            for connection in list(idle.values()):
                selector.unregister(connection.sock)
                self._close(connection)
            while not self._returned.empty():
                self._close(self._returned.get_nowait())
            selector.close()
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop ``serve_forever()`` and wait until it has returned."""
        self._stop = True
        self._wake()
        self._stopped.wait()

    def server_close(self) -> None:
        """Close the listening socket; workers finish the request they are on, then exit."""
        self.socket.close()
        with self._lock:
            workers = len(self._workers)
        for _ in range(workers):
            self._jobs.put(None)
        self._wake_r.close()
        self._wake_w.close()

    @property
    def thread_count(self) -> int:
        """Worker threads started so far (at most ``workers``)."""
        with self._lock:
            return len(self._workers)

    # -- selector thread ------------------------------------------------------------------------
    def _accept(self, selector: selectors.BaseSelector, idle: dict[socket.socket, _Connection]) -> None:
        try:
            sock, address = self.socket.accept()
        except OSError:
            return
        with self._lock:
            self._open += 1
            crowded = self._open > self.max_connections
        if crowded and idle:  # make room: the connection idle for longest goes
            oldest = min(idle.values(), key=lambda c: c.idle_since)
            selector.unregister(oldest.sock)
            self._close(idle.pop(oldest.sock))
        elif crowded:
            self._close(_Connection(sock, address))
            return
        connection = _Connection(sock, address)
        idle[sock] = connection
        selector.register(sock, selectors.EVENT_READ, connection)

    def _take_back(self, selector: selectors.BaseSelector, idle: dict[socket.socket, _Connection]) -> None:
        while True:
            try:
                connection = self._returned.get_nowait()
            except queue.Empty:
                return
            connection.idle_since = time.monotonic()
            idle[connection.sock] = connection
            selector.register(connection.sock, selectors.EVENT_READ, connection)

    def _expire(self, selector: selectors.BaseSelector, idle: dict[socket.socket, _Connection]) -> None:
        deadline = time.monotonic() - self.idle_timeout
        for connection in [c for c in idle.values() if c.idle_since < deadline]:
            selector.unregister(connection.sock)
            self._close(idle.pop(connection.sock))

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"!")
        except OSError:  # full (already awake) or closed
            pass

    def _drain_wake(self) -> None:
        try:
            self._wake_r.recv(4096)
        except OSError:
            pass

    # -- workers --------------------------------------------------------------------------------
    def _submit(self, connection: _Connection) -> None:
        self._jobs.put(connection)
        with self._lock:
            if self._waiting > 0 or len(self._workers) >= self.max_workers:
                return
            worker = threading.Thread(target=self._work, name=f"helicone-collector-{len(self._workers)}", daemon=True)
            self._workers.append(worker)
        worker.start()

    def _work(self) -> None:
        while True:
            with self._lock:
                self._waiting += 1
            connection = self._jobs.get()
            with self._lock:
                self._waiting -= 1
            if connection is None:
                return
            try:
                keep = self._serve(connection)
            except OSError as error:  # the client went away
                logger.debug("collector: connection from %s: %s", connection.address, error)
                keep = False
            except Exception:  # noqa: BLE001 - one broken connection must not end the worker
                logger.exception("collector: connection from %s failed", connection.address)
                keep = False
            if keep and not self._stop:
                self._returned.put(connection)
                self._wake()
            else:
                self._close(connection)

    def _serve(self, connection: _Connection) -> bool:
        """Answer the request waiting on this connection (and any the client already sent after
        it); True when the connection stays open."""
        handler = connection.handler
        if handler is None:
            handler = connection.handler = self.handler_class.__new__(self.handler_class)
            handler.request, handler.client_address, handler.server = connection.sock, connection.address, self
            handler.timeout = self.request_timeout
            handler.setup()
        while True:
            handler.close_connection = True
            handler.handle_one_request()
            handler.wfile.flush()
            if handler.close_connection:
                return False
            if not self._buffered(connection):
                return True

    def _buffered(self, connection: _Connection) -> bool:
        """Whether a pipelined request is already here (without waiting for one)."""
        connection.sock.settimeout(0)
        try:
            return bool(connection.handler.rfile.peek(1))
        except OSError:
            return False
        finally:
            connection.sock.settimeout(self.request_timeout)

    def _close(self, connection: _Connection) -> None:
        with self._lock:
            self._open -= 1
        try:
            if connection.handler is not None:
                connection.handler.finish()
        except OSError:
            pass
        try:
            connection.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        connection.sock.close()
