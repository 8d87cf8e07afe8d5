"""A loopback HTTP sink that is as fast as Python allows, run in its own process.

    python -m benchmarks._sink [--delay 5.0]   # prints its URL, serves until stdin closes

With one POST per call, a thread-per-connection ``http.server`` becomes the bottleneck of a
tight-loop run (it parses every header line in Python). This one is a single asyncio protocol:
find the end of the headers, skip ``Content-Length`` bytes (or a chunked body), answer a canned
``200`` on the same keep-alive connection. ``GET /count`` answers how many POSTs it took.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

_OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.I)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:\s*chunked", re.I)


class _Counter:
    posts = 0


class _Conn(asyncio.Protocol):
    def __init__(self, delay_s: float) -> None:
        self._buf = bytearray()
        self._delay = delay_s

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._t = transport

    def data_received(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end])
            start = end + 4
            match = _LENGTH.search(head)
            if match:
                stop = start + int(match.group(1))
                if len(buf) < stop:
                    return
            elif _CHUNKED.search(head):
                stop = self._chunked_end(buf, start)
                if stop < 0:
                    return
            else:
                stop = start
            del buf[:stop]
            self._answer(head)

    @staticmethod
    def _chunked_end(buf: bytearray, pos: int) -> int:
        """End of a complete chunked body starting at ``pos``, or -1 while incomplete."""
        while True:
            line_end = buf.find(b"\r\n", pos)
            if line_end < 0:
                return -1
            size = int(bytes(buf[pos:line_end]).split(b";")[0], 16)
            pos = line_end + 2 + size + 2
            if len(buf) < pos:
                return -1
            if size == 0:
                return pos

    def _answer(self, head: bytes) -> None:
        if head.startswith(b"GET /count"):
            body = str(_Counter.posts).encode()
            self._t.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            return
        _Counter.posts += 1
        if self._delay:
            asyncio.get_running_loop().call_later(self._delay, self._late_write)
        else:
            self._t.write(_OK)

    def _late_write(self) -> None:
        if not self._t.is_closing():
            self._t.write(_OK)


async def _serve(delay_s: float) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Conn(delay_s), "127.0.0.1", 0, backlog=1024)
    print(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    # Serve until the parent closes our stdin (it exits or calls stop()).
    await loop.run_in_executor(None, sys.stdin.read)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args()
    try:
        import uvloop  # type: ignore[import-not-found]  # faster still, when installed

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_serve(args.delay))


if __name__ == "__main__":
    main()
