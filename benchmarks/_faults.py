"""A collector that fails on request: one process, one port, the fault switched from stdin.

    python -m benchmarks._faults     # prints its URL, then reads one command a line:
    mode ok | down | blackhole | slow 5 | status 429 [retry-after] | garbage | reset | flapping 0.2
    count                            # -> "<POSTs> <answered 2xx>" since the last ``mode``

Every command is answered with one line. ``down`` closes the listening socket and drops every
open connection (the collector's process died), so connecting is refused; ``flapping`` switches
between that and ``ok`` every period. The port stays the same, so a client keeps one URL.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import struct
import sys

from ._sink import _Conn

_OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
_REASONS = {401: "Unauthorized", 403: "Forbidden", 413: "Payload Too Large", 422: "Unprocessable Entity",
            429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}
# Answers a proxy or a broken server might give, in turn: not HTTP at all, an unreadable
# Content-Length, a body cut short, a status line cut short (the last two then close).
_GARBAGE = (
    (b"\x00\xffSSH-2.0-nope \x17\x03\x03\r\n\r\n", False),
    (b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n", False),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", True),
    (b"HTTP/1.1 2", True),
)


class _State:
    mode = "ok"
    arg: float = 0.0
    retry_after: str | None = None
    posts = 0
    stored = 0
    garbage = itertools.cycle(_GARBAGE)
    conns: set[_FaultConn] = set()


class _FaultConn(_Conn):
    def __init__(self) -> None:
        super().__init__(0.0)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        _State.conns.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        _State.conns.discard(self)

    def _answer(self, head: bytes) -> None:
        _State.posts += 1
        mode = _State.mode
        if mode in ("ok", "flapping"):
            self._stored()
        elif mode == "slow":
            asyncio.get_running_loop().call_later(_State.arg, self._stored)
        elif mode == "status":
            status = int(_State.arg)
            body = json.dumps({"error": _REASONS.get(status, "error")}).encode()
            extra = f"Retry-After: {_State.retry_after}\r\n" if _State.retry_after else ""
            self._t.write(f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Type: application/json\r\n"
                          f"{extra}Content-Length: {len(body)}\r\n\r\n".encode() + body)
        elif mode == "garbage":
            data, close = next(_State.garbage)
            self._t.write(data)
            if close:
                self._t.close()
        elif mode == "reset":
            self.reset()
        # blackhole: read everything, answer nothing, keep the connection open

    def _stored(self) -> None:
        if not self._t.is_closing():
            _State.stored += 1
            self._t.write(_OK)

    def reset(self) -> None:
        """Close with an RST (SO_LINGER 0), as a crashing peer or a middlebox does."""
        sock = self._t.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._t.abort()


class _Listener:
    def __init__(self) -> None:
        self.server: asyncio.AbstractServer | None = None
        self.port = 0

    async def up(self) -> None:
        if self.server is None:
            loop = asyncio.get_running_loop()
            self.server = await loop.create_server(_FaultConn, "127.0.0.1", self.port, backlog=1024, reuse_address=True)
            self.port = self.server.sockets[0].getsockname()[1]

    def down(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for conn in list(_State.conns):
            conn.reset()


async def _flap(listener: _Listener, period_s: float) -> None:
    while True:
        await asyncio.sleep(period_s)
        listener.down()
        await asyncio.sleep(period_s)
        await listener.up()


async def _serve() -> None:
    loop = asyncio.get_running_loop()
    listener = _Listener()
    await listener.up()
    print(f"http://127.0.0.1:{listener.port}", flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    flapping: asyncio.Task | None = None
    while line := (await reader.readline()).decode():
        words = line.split()
        if words[:1] == ["count"]:
            print(f"{_State.posts} {_State.stored}", flush=True)
            continue
        if flapping is not None:
            flapping.cancel()
            flapping = None
        for conn in list(_State.conns):  # a new fault starts on fresh connections
            conn.reset()
        _State.mode, _State.posts, _State.stored = words[1], 0, 0
        _State.arg = float(words[2]) if len(words) > 2 else 0.0
        _State.retry_after = words[3] if len(words) > 3 else None
        if _State.mode == "down":
            listener.down()
        else:
            await listener.up()
        if _State.mode == "flapping":
            flapping = asyncio.create_task(_flap(listener, _State.arg))
        print("ok", flush=True)


if __name__ == "__main__":
    asyncio.run(_serve())
