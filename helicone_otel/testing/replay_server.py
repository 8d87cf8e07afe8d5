"""A stand-in server that answers each request with a recorded response, byte for byte.

Recorded traffic (VCR cassettes, documented examples) replays through the real SDKs: queue the
recorded status, content type and body, point the client at the server, make the call.

    with ReplayServer() as server:
        server.answer_next(200, "application/json", '{"id": "chatcmpl-1", ...}')
        openai.OpenAI(base_url=server.origin + "/v1", api_key="k").chat.completions.create(...)
"""

from __future__ import annotations

from typing import Any

from ._http import Reply, Route, StandInServer, _Handler


class _AnyMethodHandler(_Handler):
    # Recorded traffic has GETs and DELETEs too (Assistants runs, conversation items); all
    # methods are read and answered the same way.
    do_GET = _Handler.do_POST
    do_DELETE = _Handler.do_POST
    do_PUT = _Handler.do_POST
    do_PATCH = _Handler.do_POST


def _events(body: str) -> list[bytes]:
    """The SSE body cut after each blank line, so events arrive one by one as they did; the
    pieces joined are the recorded bytes."""
    data = body.encode("utf-8")
    frames, start = [], 0
    while True:
        end = data.find(b"\n\n", start)
        if end < 0:
            break
        frames.append(data[start:end + 2])
        start = end + 2
    if start < len(data):
        frames.append(data[start:])
    return frames


class ReplayServer(StandInServer):
    """Answers every request, whatever its method and path, with the next queued recording."""

    handler = _AnyMethodHandler

    def __init__(self) -> None:
        super().__init__()
        self._recorded: list[Reply] = []

    def answer_next(self, status: int, content_type: str, body: str) -> None:
        """Queue one recorded response (an ``text/event-stream`` body is sent in chunks)."""
        headers = {"Content-Type": content_type}
        if content_type.startswith("text/event-stream"):
            reply = Reply(status, headers=headers, frames=_events(body))
        else:
            reply = Reply(status, body=body.encode("utf-8"), headers=headers)
        with self._lock:
            self._recorded.append(reply)

    def _next_recorded(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self._lock:
            if self._recorded:
                return self._recorded.pop(0)
        return Reply(599, {"error": {"message": f"no recorded response left for {headers.get(':path')}"}})

    def route_for(self, path: str) -> Route | None:
        """Every path gets the next recorded response."""
        return self._next_recorded
