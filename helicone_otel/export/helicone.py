"""HeliconeExporter: keep LLM spans, translate them to Helicone's wire keys, encode OTLP
protobuf and POST to ``{base_url}/v1/trace/log-python`` with bounded retries."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Mapping, Optional, Sequence

from opentelemetry.sdk.trace import ReadableSpan

from .._version import __version__
from ..instrumentation._spans import report_once
from . import otlp
from .transport import HttpTransport
from .translate import is_llm_span, to_wire

logger = logging.getLogger("helicone_otel")

_RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
_BACKOFF_S = (0.25, 1.0)  # at most three attempts per batch


class HeliconeExporter:
    """Exports LLM spans to a Helicone (or Helicone-compatible local) collector."""

    def __init__(
        self,
        endpoint: str,
        api_key: Optional[str],
        *,
        resource: Optional[Mapping[str, Any]] = None,
        timeout_s: float = 10.0,
    ) -> None:
        headers = {
            "Content-Type": "application/x-protobuf",
            "User-Agent": f"helicone-otel-python/{__version__}",
        }
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.endpoint = endpoint
        self._transport = HttpTransport(endpoint, headers, timeout_s)
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
        """Translate and encode a batch (public for benchmarks and tests)."""
        return otlp.encode(((s, to_wire(s.attributes or {})) for s in spans), self._resource)

    def export(self, spans: Sequence[ReadableSpan], deadline: float, stopping: threading.Event) -> bool:
        """POST one batch; retry transient failures while time allows. True when accepted."""
        try:
            body = self.encode(spans)
        except Exception as exc:  # noqa: BLE001
            report_once("encoding spans for Helicone", exc)
            self.last_error = f"encode: {type(exc).__name__}: {exc}"
            return False
        attempts = len(_BACKOFF_S) + 1
        for attempt in range(attempts):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                status, data = self._transport.post(body, timeout_s=min(remaining, 10.0) if stopping.is_set() else None)
            except Exception as exc:  # noqa: BLE001 - network errors of every kind
                self.last_error = f"{type(exc).__name__}: {exc}"
                status = None
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
        """Close the connection."""
        self._transport.close()
