"""A minimal keep-alive HTTP POST client for the export thread (stdlib only)."""

from __future__ import annotations

import http.client
import socket
from typing import Mapping, Optional
from urllib.parse import urlsplit


class HttpTransport:
    """POSTs bodies to one URL over a reused connection; reconnects after any failure.

    Not thread-safe: one export thread owns it.
    """

    def __init__(self, url: str, headers: Mapping[str, str], timeout_s: float = 10.0) -> None:
        parts = urlsplit(url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._headers = dict(headers)
        self._timeout = timeout_s
        self._conn: Optional[http.client.HTTPConnection] = None

    def post(self, body: bytes, timeout_s: Optional[float] = None) -> tuple[int, bytes, Optional[str]]:
        """Send ``body``; return (status, response body, Retry-After header). Raises
        OSError/HTTPException on connection failures."""
        conn = self._conn
        if conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = cls(self._host, self._port, timeout=self._timeout)
            conn.connect()
            # One small POST per record: without TCP_NODELAY, Nagle's algorithm and delayed ACK
            # hold the body back for up to 40 ms.
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._conn = conn
        if timeout_s is not None and conn.sock is not None:
            conn.sock.settimeout(timeout_s)
        try:
            conn.request("POST", self._path, body=body, headers=self._headers)
            response = conn.getresponse()
            data = response.read()
        except BaseException:
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status, data, response.getheader("Retry-After")

    def abandon(self) -> None:
        """Drop the connection without closing it cleanly: after ``fork`` the socket is shared
        with the parent, whose requests must not be disturbed."""
        self._conn = None

    def close(self) -> None:
        """Drop the connection (the next post opens a new one)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass
