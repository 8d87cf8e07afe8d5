"""POST one encoded record to Helicone with bounded retries (export side only).

Retries are harmless: every record carries its ``Helicone-Request-Id``, and Helicone (and the
local collector) store one row per request id.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Optional

from .._version import __version__
from .transport import HttpTransport

logger = logging.getLogger("helicone_otel")

_RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
_BACKOFF_S = (0.25, 1.0)  # at most three attempts per record
_TIMEOUT_S = 10.0  # jawn's per-route timeout (``setRouteTimeout``)


class HeliconeSender:
    """One keep-alive connection to ``url``; not thread-safe (one per sender thread)."""

    def __init__(self, url: str, api_key: Optional[str]) -> None:
        headers = {"User-Agent": f"helicone-otel-python/{__version__}", "Content-Type": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.url = url
        self._transport = HttpTransport(url, headers, _TIMEOUT_S)
        self.last_error: Optional[str] = None
        self.auth_failed = False

    def send(self, body: bytes, deadline: float, stopping: threading.Event) -> bool:
        """Deliver ``body``; retry transient failures while time allows. True if stored."""
        attempts = len(_BACKOFF_S) + 1
        for attempt in range(attempts):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                status, data = self._transport.post(body, timeout_s=min(remaining, _TIMEOUT_S) if stopping.is_set() else None)
            except Exception as exc:  # noqa: BLE001 - network errors of every kind
                self.last_error = f"{type(exc).__name__}: {exc}"
            else:
                if 200 <= status < 300:
                    return True
                self.last_error = f"HTTP {status}: {data[:200].decode('utf-8', 'replace')}"
                if status in (401, 403) and not self.auth_failed:
                    self.auth_failed = True
                    logger.error("helicone_otel: %s rejected the API key (HTTP %d); check HELICONE_API_KEY", self.url, status)
                if status not in _RETRYABLE:
                    return False
            if attempt + 1 == attempts or stopping.is_set():
                return False
            # Interruptible sleep: shutdown must not wait out a backoff.
            if stopping.wait(min(_BACKOFF_S[attempt], max(0.0, deadline - time.monotonic()))):
                return False
        return False

    def reset(self) -> None:
        """Forget the connection without a word on it (after fork it is the parent's)."""
        self._transport.abandon()

    def close(self) -> None:
        """Close the connection."""
        self._transport.close()
