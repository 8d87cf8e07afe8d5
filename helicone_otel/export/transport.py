"""A lean keep-alive HTTP/1.1 POST client for the sender threads (stdlib only).

One POST per call is the price of the route that keeps everything in Helicone, so it must be
cheap: ``http.client`` spends ≈ 111 µs of CPU per POST here, building headers and parsing the
answer through ``email.parser``; writing a head prepared once and reading the answer with a few
bytes operations spends ≈ 25 µs (benchmarks/export.py).
"""

from __future__ import annotations

import socket
import ssl
from typing import Mapping, Optional
from urllib.parse import urlsplit

_MAX_HEAD = 64 * 1024
_MAX_BODY = 1024 * 1024  # Helicone answers with an empty body or a short JSON error


class TransportError(OSError):
    """The connection failed or the answer was not HTTP we can read."""


class HttpTransport:
    """POSTs bodies to one URL over a reused connection; reconnects after any failure.

    Not thread-safe: one sender thread owns it.
    """

    def __init__(self, url: str, headers: Mapping[str, str], timeout_s: float = 10.0) -> None:
        parts = urlsplit(url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (443 if self._https else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._headers = dict(headers)
        host_header = self._host if parts.port is None else f"{self._host}:{parts.port}"
        lines = [f"POST {path} HTTP/1.1", f"Host: {host_header}", "Connection: keep-alive"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        # Everything but Content-Length, encoded once.
        self._head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode("latin-1")
        self._timeout = timeout_s
        self._sock: Optional[socket.socket] = None
        self._buffer = b""

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self._host, self._port), timeout=self._timeout)
        # One small POST per record: without TCP_NODELAY, Nagle's algorithm and delayed ACK
        # hold the body back for up to 40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._https:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self._host)
        self._buffer = b""
        return sock

    def post(self, body: bytes, timeout_s: Optional[float] = None) -> tuple[int, bytes, Optional[str]]:
        """Send ``body``; return (status, response body, Retry-After header). Raises OSError
        on connection failures and unreadable answers."""
        sock = self._sock
        try:
            if sock is None:
                sock = self._sock = self._connect()
            sock.settimeout(timeout_s if timeout_s is not None else self._timeout)
            sock.sendall(b"".join((self._head, str(len(body)).encode(), b"\r\n\r\n", body)))
            return self._read_response(sock)
        except BaseException:
            self.close()
            raise

    def _read_response(self, sock: socket.socket) -> tuple[int, bytes, Optional[str]]:
        data = self._buffer
        while b"\r\n\r\n" not in data:
            if len(data) > _MAX_HEAD:
                raise TransportError("response head too large")
            chunk = sock.recv(65536)
            if not chunk:
                raise TransportError("connection closed before a response")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        parts = lines[0].split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise TransportError(f"not an HTTP response: {lines[0][:80]!r}")
        status = int(parts[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            body, rest = self._read_chunked(sock, rest)
        else:
            length = int(headers.get(b"content-length", b"0") or 0)
            if length > _MAX_BODY:
                raise TransportError("response body too large")
            while len(rest) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    raise TransportError("connection closed inside a response body")
                rest += chunk
            body, rest = rest[:length], rest[length:]
        self._buffer = rest
        if headers.get(b"connection", b"").lower() == b"close" or parts[0] == b"HTTP/1.0":
            self.close()
        retry_after = headers.get(b"retry-after")
        return status, body, retry_after.decode("latin-1") if retry_after is not None else None

    @staticmethod
    def _read_chunked(sock: socket.socket, data: bytes) -> tuple[bytes, bytes]:
        body = b""
        while True:
            while b"\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    raise TransportError("connection closed inside a chunked body")
                data += chunk
            size_line, _, data = data.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(data) < size + 2:
                chunk = sock.recv(65536)
                if not chunk:
                    raise TransportError("connection closed inside a chunk")
                data += chunk
            if size == 0:
                return body, data[2:]
            body += data[:size]
            if len(body) > _MAX_BODY:
                raise TransportError("response body too large")
            data = data[size + 2:]

    def abandon(self) -> None:
        """Drop the connection without closing it cleanly: after ``fork`` the socket is shared
        with the parent, whose requests must not be disturbed."""
        self._sock = None
        self._buffer = b""

    def close(self) -> None:
        """Drop the connection (the next post opens a new one)."""
        sock, self._sock = self._sock, None
        self._buffer = b""
        if sock is not None:
            try:
                sock.close()
            except OSError:  # closing a broken socket changes nothing
                pass
