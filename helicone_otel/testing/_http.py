"""A tiny threaded HTTP server base for stand-in provider APIs on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable, Optional


class Reply:
    """What a route answers: a JSON body, or an SSE event stream."""

    def __init__(
        self,
        status: int = 200,
        body: Any = None,
        events: Optional[Iterable[tuple[Optional[str], Any]]] = None,
        headers: Optional[dict[str, str]] = None,
        break_after: Optional[int] = None,
        frames: Optional[Iterable[bytes]] = None,
    ) -> None:
        self.status = status
        self.body = body
        self.events = events
        self.headers = headers or {}
        self.break_after = break_after
        # Binary frames sent chunked as they come (AWS event streams); Content-Type from headers.
        self.frames = frames


# A route gets the parsed body and the request headers (plus ":path", the request path).
Route = Callable[[dict[str, Any], dict[str, str]], Reply]


def _form_fields(raw: bytes, content_type: str) -> dict[str, Any]:
    """The text fields of a multipart body (file parts are noted, not kept)."""
    boundary = content_type.split("boundary=", 1)[-1].strip('"').encode()
    fields: dict[str, Any] = {}
    for part in raw.split(b"--" + boundary):
        head, _, value = part.partition(b"\r\n\r\n")
        marker = b'name="'
        if marker not in head:
            continue
        name = head.split(marker, 1)[1].split(b'"', 1)[0].decode()
        if b"filename=" in head:
            fields[name] = "<file>"
        else:
            fields[name] = value.rstrip(b"\r\n").decode("utf-8", "replace")
    return fields


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate small writes: with Nagle's algorithm and the client's
    # delayed ACK each reply waited ≈ 40 ms (48 ms per call measured), so tests ran at 1/40 speed.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        content_type = self.headers.get("Content-Type", "")
        if content_type.startswith("multipart/form-data"):
            body = _form_fields(raw, content_type)
        else:
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {"_raw": raw.decode("utf-8", "replace")}
        path = self.path.split("?", 1)[0]
        stand_in = self.server.stand_in
        stand_in.received.append({"path": path, "body": body, "headers": dict(self.headers)})
        route = stand_in.route_for(path)
        reply = route(body, {**dict(self.headers), ":path": path}) if route else Reply(404, {"error": {"message": f"no route {path}"}})
        override = stand_in.take_override()
        if override is not None:
            reply = override
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError):
            # The client went away mid-reply (a stream closed early): nothing to answer.
            self.close_connection = True

    def _send(self, reply: Reply) -> None:
        if reply.frames is not None:
            self.send_response(reply.status)
            self.send_header("Transfer-Encoding", "chunked")
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.end_headers()
            for frame in reply.frames:
                self._chunk(frame)
            self._chunk(b"")
            return
        if reply.events is None:
            binary = isinstance(reply.body, bytes)
            data = reply.body if binary else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            if not any(k.lower() == "content-type" for k in reply.headers):
                self.send_header("Content-Type", "application/octet-stream" if binary else "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.end_headers()
        for sent, (event, data) in enumerate(reply.events):
            if reply.break_after is not None and sent >= reply.break_after:
                # Drop the connection mid-stream, as a network failure would.
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            payload = data if isinstance(data, str) else json.dumps(data)
            text = (f"event: {event}\n" if event else "") + f"data: {payload}\n\n"
            self._chunk(text.encode())
        self._chunk(b"")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # many concurrent clients must not overflow the listen backlog

    def __init__(self, stand_in: "StandInServer"):
        super().__init__(("127.0.0.1", 0), stand_in.handler)
        self.stand_in = stand_in


class StandInServer:
    """Base class: routes by path, records what it received, can be told to fail next."""

    # The request handler class; the stand-ins answer POSTs only (a GET gets 501).
    handler: type[BaseHTTPRequestHandler] = _Handler

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self._routes: dict[str, Route] = {}
        self._overrides: list[Reply] = []
        self._lock = threading.Lock()
        self._server: Optional[_Server] = None
        self._thread: Optional[threading.Thread] = None

    def add_route(self, path: str, route: Route) -> None:
        """Answer POSTs to ``path`` with ``route(body, headers)``."""
        self._routes[path] = route

    def route_for(self, path: str) -> Optional[Route]:
        """The route for a request path: exact match, else the longest route the path ends
        with (Azure puts ``/openai/deployments/<name>`` in front)."""
        route = self._routes.get(path)
        if route is not None:
            return route
        matches = [p for p in self._routes if path.endswith(p)]
        return self._routes[max(matches, key=len)] if matches else None

    def reply_next(self, reply: Reply) -> None:
        """Answer the next request with ``reply`` instead of the route's answer."""
        with self._lock:
            self._overrides.append(reply)

    def take_override(self) -> Optional[Reply]:
        """The next queued override, if any."""
        with self._lock:
            return self._overrides.pop(0) if self._overrides else None

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``."""
        assert self._server is not None, "start() the stand-in first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "StandInServer":
        """Serve on a background thread (port chosen by the OS)."""
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
