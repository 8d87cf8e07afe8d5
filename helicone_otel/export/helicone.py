"""HeliconeExporter: keep LLM spans, translate them to what Helicone's ingestion reads, and POST
them with bounded retries: OTLP/JSON to ``{base_url}/v1/trace/log`` (or OTLP/protobuf to
``/v1/trace/log-python``), and
Anthropic-family calls as custom-log JSON to ``{base_url}/v1/trace/custom/log`` (see
``custom_log``)."""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Mapping, Optional, Sequence

from opentelemetry.sdk.trace import ReadableSpan

from .._version import __version__
from ..config import TRACE_JSON_PATH, TRACE_PATH
from ..instrumentation._spans import report_once
from . import otlp
from .custom_log import CUSTOM_LOG_PATH, to_async_log, wants_custom_log
from .transport import HttpTransport
from .translate import is_llm_span, to_wire

logger = logging.getLogger("helicone_otel")

_RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
_BACKOFF_S = (0.25, 1.0)  # at most three attempts per POST


def _custom_log_body(span: ReadableSpan) -> bytes:
    return json.dumps(to_async_log(span), default=str).encode()


class HeliconeExporter:
    """Exports LLM spans to a Helicone (or Helicone-compatible local) collector at ``base_url``."""

    def __init__(
        self,
        base_url: str,
        api_key: Optional[str],
        *,
        resource: Optional[Mapping[str, Any]] = None,
        timeout_s: float = 10.0,
        encoding: str = "json",
    ) -> None:
        if encoding not in ("json", "protobuf"):
            raise ValueError(f"encoding={encoding!r}: use 'json' or 'protobuf'")
        headers = {"User-Agent": f"helicone-otel-python/{__version__}"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        # Both are Helicone intakes (HELICONE_WIRE.md §1): OTLP/JSON costs about half the CPU
        # per span of OTLP/protobuf here (benchmarks/export.py), at ~1.8x the bytes.
        if encoding == "json":
            self.endpoint = base_url + TRACE_JSON_PATH
            content_type, self._encode_otlp = "application/json", otlp.encode_json
        else:
            self.endpoint = base_url + TRACE_PATH
            content_type, self._encode_otlp = "application/x-protobuf", otlp.encode
        self._otlp = HttpTransport(self.endpoint, {**headers, "Content-Type": content_type}, timeout_s)
        self._custom = HttpTransport(base_url + CUSTOM_LOG_PATH, {**headers, "Content-Type": "application/json"}, timeout_s)
        self._resource = dict(resource or {"service.name": "helicone-otel"})
        self.last_error: Optional[str] = None
        self._auth_failed = False

    def accepts(self, span: ReadableSpan) -> bool:
        """Only LLM spans: Helicone would store any other span as an empty request."""
        return is_llm_span(span.attributes)

    def describe(self) -> str:
        """Where the spans go, for log messages."""
        return self.endpoint

    def encode(self, spans: Sequence[ReadableSpan]) -> bytes:
        """Translate and encode a batch for the OTLP path (public for benchmarks and tests)."""
        return self._encode_otlp(((s, to_wire(s.attributes or {})) for s in spans), self._resource)

    def export(self, spans: Sequence[ReadableSpan], deadline: float, stopping: threading.Event) -> int:
        """Send one batch; retry transient failures while time allows. Returns how many spans
        the collector accepted."""
        via_otlp: list[ReadableSpan] = []
        via_custom_log: list[ReadableSpan] = []
        for span in spans:
            (via_custom_log if wants_custom_log(span.attributes or {}) else via_otlp).append(span)
        delivered = 0
        if via_otlp:
            body = self._encoded(self.encode, via_otlp, "encoding spans for Helicone")
            if body is not None and self._post(self._otlp, body, deadline, stopping):
                delivered += len(via_otlp)
        for span in via_custom_log:  # the custom-log endpoint takes one request per POST
            body = self._encoded(_custom_log_body, span, "encoding a custom log")
            if body is not None and self._post(self._custom, body, deadline, stopping):
                delivered += 1
        return delivered

    def _encoded(self, encode, value, what: str) -> Optional[bytes]:
        try:
            return encode(value)
        except Exception as exc:  # noqa: BLE001
            report_once(what, exc)
            self.last_error = f"encode: {type(exc).__name__}: {exc}"
            return None

    def _post(self, transport: HttpTransport, body: bytes, deadline: float, stopping: threading.Event) -> bool:
        attempts = len(_BACKOFF_S) + 1
        for attempt in range(attempts):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                status, data = transport.post(body, timeout_s=min(remaining, 10.0) if stopping.is_set() else None)
            except Exception as exc:  # noqa: BLE001 - network errors of every kind
                self.last_error = f"{type(exc).__name__}: {exc}"
            else:
                if 200 <= status < 300:
                    self.last_error = None
                    return True
                self.last_error = f"HTTP {status}: {data[:200].decode('utf-8', 'replace')}"
                if status in (401, 403) and not self._auth_failed:
                    self._auth_failed = True
                    logger.error(
                        "helicone_otel: %s rejected the API key (HTTP %d); check HELICONE_API_KEY",
                        self.endpoint,
                        status,
                    )
                if status not in _RETRYABLE:
                    return False
            if attempt + 1 == attempts or stopping.is_set():
                return False
            # Interruptible sleep: shutdown must not wait out a backoff.
            if stopping.wait(min(_BACKOFF_S[attempt], max(0.0, deadline - time.monotonic()))):
                return False
        return False

    def shutdown(self) -> None:
        """Close the connections."""
        self._otlp.close()
        self._custom.close()
