"""POST one encoded record to Helicone with bounded retries (export side only).

Retries are harmless: every record carries its ``Helicone-Request-Id``, and Helicone (and the
local collector) store one row per request id.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from typing import Optional

from .._version import __version__
from .transport import HttpTransport

logger = logging.getLogger("helicone_otel")

LOCAL_API_KEY = "local"
_RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
_BACKOFF_S = (0.25, 1.0)  # at most three attempts per record
_MAX_RETRY_AFTER_S = 60.0
_MAX_FAILURE_PAUSE_S = 10.0  # a recovered collector is found again within 10 s
_TIMEOUT_S = 10.0  # jawn's per-route timeout (``setRouteTimeout``)


def retry_after_s(value: Optional[str]) -> Optional[float]:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Backoff:
    """One pause shared by all sender threads: a collector that says "wait" (429/503 with
    ``Retry-After``) is not hit again by the other connections meanwhile."""

    def __init__(self) -> None:
        self._until = 0.0
        self._failures = 0

    def failure(self) -> None:
        """A record failed after its retries (down, timing out, 429/5xx): every sender pauses,
        0.5 s doubling to 10 s, so a struggling collector gets probes, not one POST per record
        (2,206 POSTs for 2,200 records at exit before this; benchmarks/fault_matrix.py)."""
        self.pause(min(0.5 * 2 ** self._failures, _MAX_FAILURE_PAUSE_S))
        self._failures = min(self._failures + 1, 16)

    def success(self) -> None:
        """The collector stored a record: back to full speed."""
        self._failures = 0

    def pause(self, seconds: float) -> None:
        """Hold every sender for ``seconds`` (with up to 10 % jitter), never shortening a pause."""
        self._until = max(self._until, time.monotonic() + min(seconds, _MAX_RETRY_AFTER_S) * random.uniform(1.0, 1.1))

    def wait(self, stopping: threading.Event, deadline: float) -> bool:
        """Sleep out the pause (interruptibly); False if shutdown or the deadline came first."""
        remaining = self._until - time.monotonic()
        if remaining <= 0:
            return True
        if time.monotonic() + remaining >= deadline:
            return False
        return not stopping.wait(remaining)


class HeliconeSender:
    """One keep-alive connection to ``url``; not thread-safe (one per sender thread)."""

    def __init__(
        self, url: str, api_key: Optional[str], backoff: Optional[Backoff] = None, errors: Optional[dict[str, str]] = None
    ) -> None:
        headers = {"User-Agent": f"helicone-otel-python/{__version__}", "Content-Type": "application/json"}
        # Helicone answers 401 to a request without Authorization (``RequestWrapper.authHeader``),
        # and so does the local collector, which takes any key: a local URL (the only place
        # config allows no key) gets a placeholder.
        headers["Authorization"] = f"Bearer {api_key or LOCAL_API_KEY}"
        self.url = url
        self._transport = HttpTransport(url, headers, _TIMEOUT_S)
        self._backoff = backoff or Backoff()
        # The last error of each kind seen, retried or not (shared by the pipeline's senders).
        self.errors: dict[str, str] = {} if errors is None else errors
        self.last_error: Optional[str] = None
        self.auth_failed = False
        # The last send failed with an answer a resend cannot change (a 3xx/4xx other than
        # 408/429): the spool keeps only records that may yet be taken.
        self.rejected = False

    def send(self, body: bytes, deadline: float, stopping: threading.Event, attempts: Optional[int] = None) -> bool:
        """Deliver ``body``; retry transient failures while time allows (``attempts``, 3 by
        default). True if stored."""
        attempts = attempts or len(_BACKOFF_S) + 1
        self.rejected = False
        for attempt in range(attempts):
            if not self._backoff.wait(stopping, deadline):
                return False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                status, data, retry_after = self._transport.post(
                    body, timeout_s=min(remaining, _TIMEOUT_S) if stopping.is_set() else None
                )
            except Exception as exc:  # noqa: BLE001 - network errors of every kind
                self.last_error = f"{type(exc).__name__}: {exc}"
                self.errors[type(exc).__name__] = self.last_error
            else:
                if 200 <= status < 300:
                    self._backoff.success()
                    return True
                self.last_error = f"HTTP {status}: {data[:200].decode('utf-8', 'replace')}"
                self.errors[f"HTTP {status}"] = self.last_error
                wait_s = retry_after_s(retry_after)
                if wait_s is not None and status in (429, 503):
                    self._backoff.pause(wait_s)
                    continue
                if status in (401, 403) and not self.auth_failed:
                    self.auth_failed = True
                    logger.error("helicone_otel: %s rejected the API key (HTTP %d); check HELICONE_API_KEY", self.url, status)
                if status not in _RETRYABLE:
                    self.rejected = status < 500  # a 5xx may be gone later (a proxy's 520, a 501 mid-deploy)
                    return False
            if attempt + 1 == attempts or stopping.is_set():
                break
            # Interruptible sleep, with jitter so senders do not retry in step.
            delay = _BACKOFF_S[attempt] * random.uniform(0.8, 1.2)
            if stopping.wait(min(delay, max(0.0, deadline - time.monotonic()))):
                break
        if attempts > 1:  # a spool probe (one attempt) is paced by the spool's own down window
            self._backoff.failure()
        return False

    def reset(self) -> None:
        """Forget the connection without a word on it (after fork it is the parent's)."""
        self._transport.abandon()

    def close(self) -> None:
        """Close the connection."""
        self._transport.close()
