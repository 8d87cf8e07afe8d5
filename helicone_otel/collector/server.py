"""The local collector: jawn's trace intake on 127.0.0.1, answered as jawn answers, stored in SQLite.

Order as in jawn (valhalla/jawn/src/index.ts): body parsers (10 MiB; any parser error → 500),
then authentication (no ``Authorization`` or ``helicone-authorization`` → 401), then the routes
of controllers/public/traceController.ts (anything else → Express's 404 page). A route handler
that throws answers an empty 500; for OTLP batches the spans before the failing one are stored
(traceManager.ts:194). ``GET /healthcheck`` is jawn's health route.

Not replicated: ``/v1/trace/custom/log/typed`` (404 here), CORS preflight, rate limits, and
API-key validation (any key is accepted unless ``api_key`` is given).

Added, as a local server that treats its input as hostile (intake.py, httpd.py): a malformed
``Content-Length`` is a 400 and no body is buffered beyond what the 10 MiB limit allows; POSTs
from web pages (a foreign ``Origin``, cross-site fetch metadata, a browser form content type) are
refused with 403; idle connections cost no thread and are closed after a while. Beside jawn's
routes: ``GET /`` and below is the read-only web view (web/), and ``POST /v1/traces`` takes
standard OTLP/HTTP spans from any OpenTelemetry SDK (spans.py; not Helicone requests).
"""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any, Iterable, Optional

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.trace.v1.trace_pb2 import TracesData

from ..config import DEFAULT_COLLECTOR_PORT
from . import intake, spans
from .cost import HeliconeCost
from .custom_log import consume_log
from .http_body import BodyError, parse_body
from .httpd import Httpd
from .js import parse_json
from .message import LogMessage
from .otlp import consume_traces
from .pipeline import to_record
from .store import DEFAULT_MAX_BYTES, Store
from .tsoa import ValidateError, validate_trace
from .web import SECURITY_HEADERS, WebView, is_view_path

logger = logging.getLogger("helicone_otel.collector")

CUSTOM_LOG_ROUTES = frozenset({"/v1/trace/custom/log", "/v1/trace/custom/v1/log"})
OTLP_JSON_ROUTE = "/v1/trace/log"
OTLP_PROTOBUF_ROUTE = "/v1/trace/log-python"
OTLP_STANDARD_ROUTE = "/v1/traces"
_SERVER_ERROR = b'{"message":"Internal Server Error","details":"Internal Server Error"}'
# Node joins repeated request headers with ", " except these, where it keeps the first.
_SINGLE_HEADERS = frozenset({"age", "authorization", "content-length", "content-type", "etag", "expires", "from", "host",
                             "if-modified-since", "if-unmodified-since", "last-modified", "location", "max-forwards",
                             "proxy-authorization", "referer", "retry-after", "server", "user-agent"})


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"  # type: ignore[assignment]
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s " + format, self.address_string(), *args)

    def _reply(self, status: int, body: bytes = b"", content_type: str = "application/json; charset=utf-8",
               headers: Optional[dict[str, str]] = None) -> None:
        self.send_response(status)
        if body:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _headers(self) -> dict[str, str]:
        """``req.headers`` as Node builds it: lower-case names, repeats joined."""
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            if key in headers:
                if key not in _SINGLE_HEADERS:
                    headers[key] = f"{headers[key]}, {value}"
            else:
                headers[key] = value
        return headers

    def _read(self) -> bytes | None:
        return intake.read_body(self.rfile, self.headers.get_all("Content-Length") or [], self.headers.get("Transfer-Encoding", ""))

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        headers = self._headers()
        path = self.path.split("?", 1)[0]
        refusal = intake.refusal(method, is_view_path(path), headers, self.server.bind_host, self.server.origins)
        if refusal is not None:
            logger.info("collector: %s %s refused: %s", method, path, refusal)
            self.close_connection = True
            self._reply(403, json.dumps({"error": refusal}).encode())
            return
        if method == "GET" and self.server.view is not None and is_view_path(path):
            if self.headers.get("Content-Length") or self.headers.get("Transfer-Encoding"):
                self.close_connection = True  # a GET with a body: not read, so not reused
            answer = self.server.view.answer(self.path)
            extra = {**SECURITY_HEADERS, "Cache-Control": "no-store", **answer.headers}
            self._reply(answer.status, answer.body, answer.content_type, extra)
            return
        try:
            raw = self._read()
            if method == "POST" and path.lower().removesuffix("/") == OTLP_STANDARD_ROUTE:
                authorized = self.server.api_key is None or self.server.auth_error(headers) is None
                status, reply, kind = spans.receive(self.server.store, headers, raw, authorized)
                self._reply(status, reply, kind, {} if reply else {"Content-Type": kind})
                return
            body = parse_body(headers, raw)
        except intake.Refused as error:
            self.close_connection = True
            self._reply(error.status, json.dumps({"error": str(error)}).encode())
            return
        except (BodyError, ValueError) as error:
            logger.info("collector: %s %s: body rejected: %s", method, path, error)
            self.close_connection = True
            self._reply(500, _SERVER_ERROR)
            return
        # Express routes are case-insensitive and ignore one trailing slash.
        route = path.lower().removesuffix("/") if path != "/" else path
        if method == "GET" and route == "/healthcheck":
            self._reply(200, b'{"status":"healthy :)"}')
            return
        auth_error = self.server.auth_error(headers)
        if auth_error is not None:
            self._reply(401, json.dumps({"error": auth_error, "trace": "isAuthenticated.error"}).encode())
            return
        if method != "POST" or route not in CUSTOM_LOG_ROUTES | {OTLP_JSON_ROUTE, OTLP_PROTOBUF_ROUTE}:
            page = f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n' \
                   f"<body>\n<pre>Cannot {method} {path}</pre>\n</body>\n</html>\n"
            self._reply(404, page.encode(), "text/html; charset=utf-8")
            return
        if route == OTLP_JSON_ROUTE:
            try:
                body = validate_trace(_bytes_as_object(body))
            except ValidateError as error:
                self._reply(422, json.dumps({"message": "Validation Failed", "details": error.fields}).encode())
                return
        self._reply(self.server.ingest(route, body, headers))


def _bytes_as_object(body: Any) -> Any:
    """A raw body as tsoa sees a Buffer: an object whose keys are the byte indexes."""
    return {str(i): b for i, b in enumerate(body)} if isinstance(body, bytes) else body


def _protobuf_traces(body: Any) -> Any:
    """``TracesData.decode(body).toJSON()`` (traceController.ts:133-146): int64 as text, enums
    by name, bytes as base64, unset and empty fields left out."""
    if not isinstance(body, bytes):
        raise TypeError("illegal buffer")
    return MessageToDict(TracesData.FromString(body))


class _Server(Httpd):
    def __init__(self, address: tuple[str, int], store: Store, api_key: str | None, *, view: bool, idle_timeout: float):
        super().__init__(address, _Handler, idle_timeout=idle_timeout)
        self.store = store
        self.api_key = api_key
        self.pricing = HeliconeCost()
        self.bind_host = address[0]
        self.origins = intake.own_origins(address[0], self.server_address[1])
        host = address[0] if address[0] not in intake.WILDCARD_HOSTS else "127.0.0.1"
        self.view = WebView(store, _url(host, self.server_address[1])) if view else None

    def auth_error(self, headers: dict[str, str]) -> str | None:
        """``RequestWrapper.authHeader()`` (lib/requestWrapper/index.ts:43-65); with ``api_key``,
        also the key check Helicone's auth client does."""
        authorization = headers.get("authorization")
        if not authorization:
            fallback = headers.get("helicone-authorization")
            if not fallback:
                return "No authorization header"
            try:
                parsed = parse_json(fallback)
            except ValueError:
                return "Invalid auth header"
            kind = parsed.get("_type") if isinstance(parsed, dict) else None
            if kind not in ("bearer", "bearerProxy", "jwt") or not isinstance(parsed.get("token"), str):
                return "Invalid auth header format"
            authorization = parsed["token"]
        if self.api_key is not None and authorization != f"Bearer {self.api_key}":
            return "Authentication failed"
        return None

    def ingest(self, route: str, body: Any, headers: dict[str, str]) -> int:
        """Run the route's manager and store what jawn's log worker would store; the HTTP status.
        Storing stands in for jawn's S3 write and queue send: when it fails, jawn answers 500."""
        messages: Iterable[LogMessage]
        stored: list[LogMessage] = []
        status = 200
        try:
            if route in CUSTOM_LOG_ROUTES:
                messages = [consume_log(body, headers)]
            elif route == OTLP_PROTOBUF_ROUTE:
                messages = consume_traces(_protobuf_traces(body), "otlp")
            else:
                messages = consume_traces(body, "otlp")
            for message in messages:
                stored.append(message)
        except Exception as error:  # noqa: BLE001 - traceController.ts catches everything: 500, details only logged
            logger.info("collector: %s: Helicone would answer 500: %s", route, error)
            status = 500
        try:
            self._store(stored)
        except Exception:  # noqa: BLE001 - like a failed queue send in jawn
            logger.exception("collector: could not store %d request(s)", len(stored))
            return 500
        return status

    def _store(self, messages: list[LogMessage]) -> None:
        records = []
        for message in messages:
            try:
                record = to_record(message, self.pricing)
            except Exception:  # noqa: BLE001 - jawn's log worker fails after the 200; so does this one
                logger.exception("collector: could not map request %s", message.request_id)
                continue
            if record is not None:
                records.append(record)
        self.store.add(records)


class Collector:
    """A Helicone-compatible collector on this machine.

    ``with Collector(db_path) as c: HeliconeAsyncLogger(base_url=c.url).init()``
    """

    def __init__(
        self,
        db_path: str,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_COLLECTOR_PORT,
        api_key: str | None = None,
        view: bool = True,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        retention_days: float | None = None,
        idle_timeout: float = 60.0,
    ) -> None:
        self.store = Store(db_path, max_bytes=max_bytes, retention_days=retention_days)
        try:
            self._server = _Server((host, port), self.store, api_key, view=view, idle_timeout=idle_timeout)
        except BaseException:
            self.store.close()
            raise
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL to give HeliconeAsyncLogger(base_url=...)."""
        host, port = self._server.server_address[:2]
        return _url(host, port)

    @property
    def view_url(self) -> str | None:
        """Address of the web view (None when turned off)."""
        return None if self._server.view is None else self._server.view.base_url + "/"

    def start(self) -> "Collector":
        """Serve on a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="helicone-collector", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on this thread until interrupted."""
        self._server.serve_forever()

    def wait(self) -> None:
        """Block until interrupted (Ctrl-C) while ``start()``'s thread serves."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(0.5)

    def stop(self) -> None:
        """Stop serving and close the store."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self.store.close()

    def __enter__(self) -> "Collector":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
