"""The local collector: Helicone's trace intake on 127.0.0.1, stored in SQLite."""

from __future__ import annotations

import gzip
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.trace.v1.trace_pb2 import TracesData

from ..config import DEFAULT_COLLECTOR_PORT, TRACE_JSON_PATH, TRACE_PATH
from ..cost import PriceBook
from .mapping import fill_cost, record_from_async_log, records_from_otlp_json
from .store import Store

logger = logging.getLogger("helicone_otel.collector")

CUSTOM_LOG_PATHS = frozenset({"/v1/trace/custom/log", "/v1/trace/custom/v1/log", "/custom/v1/log"})
MAX_BODY_BYTES = 50 * 1024 * 1024  # jawn's body limit


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s " + format, self.address_string(), *args)

    def _reply(self, status: int, body: bytes = b"", content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        if self.path.rstrip("/") in ("", "/healthz"):
            self._reply(200, b'{"status":"ok"}')
        else:
            self._reply(404, b'{"error":"not found"}')

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._reply(413, b'{"error":"payload too large"}')
            self.close_connection = True
            return
        body = self.rfile.read(length)
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            body = gzip.decompress(body)
        expected = self.server.api_key
        if expected is not None and self.headers.get("Authorization") != f"Bearer {expected}":
            self._reply(401, b'{"error":"Authentication failed","trace":"isAuthenticated.error"}')
            return
        path = self.path.split("?", 1)[0]
        try:
            if path == TRACE_PATH:
                records = records_from_otlp_json(MessageToDict(TracesData.FromString(body)))
            elif path == TRACE_JSON_PATH:
                records = records_from_otlp_json(json.loads(body))
            elif path in CUSTOM_LOG_PATHS:
                records = [record_from_async_log(json.loads(body), dict(self.headers))]
            else:
                self._reply(404, b'{"error":"not found"}')
                return
            for record in records:
                fill_cost(self.server.price_book, record)
            self.server.store.add(records)
        except Exception:  # noqa: BLE001 - like jawn: details to the log, 500 to the client
            logger.exception("collector: could not ingest %s", path)
            self._reply(500, b'{"error":"could not ingest"}')
            return
        self._reply(200)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # many concurrent clients must not overflow the listen backlog
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], store: Store, api_key: Optional[str]):
        super().__init__(address, _Handler)
        self.store = store
        self.api_key = api_key
        # Helicone prices requests server-side; so do we, for spans that arrive without a cost.
        self.price_book = PriceBook()


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
        api_key: Optional[str] = None,
    ) -> None:
        self.store = Store(db_path)
        self._server = _Server((host, port), self.store, api_key)
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        """Base URL to give HeliconeAsyncLogger(base_url=...)."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "Collector":
        """Serve on a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="helicone-collector", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on this thread until interrupted."""
        self._server.serve_forever()

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
