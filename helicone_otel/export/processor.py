"""A span processor that never makes the application wait: a bounded queue drained by one
background thread in small batches, with exact drop counts and a time-limited shutdown.

Why not the SDK's BatchSpanProcessor: its ``force_flush`` exports on the caller's thread with no
time limit, its shutdown waits out the exporter's retries (≈30 s with a dead collector), and
spans dropped at shutdown are not counted.
"""

from __future__ import annotations

import collections
import logging
import os
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Optional, Protocol, Sequence

from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor

logger = logging.getLogger("helicone_otel")

_REPORT_INTERVAL_S = 30.0


class SpanBatchExporter(Protocol):
    """What the processor drives: cheap filtering on the caller's thread, the rest on ours."""

    def accepts(self, span: ReadableSpan) -> bool: ...

    def export(self, spans: Sequence[ReadableSpan], deadline: float, stopping: threading.Event) -> int:
        """Send a batch; return how many of its spans were delivered."""
        ...

    def describe(self) -> str: ...

    def shutdown(self) -> None: ...


@dataclass
class ExportStats:
    """Counts since start. ``dropped`` is the sum of the three drop reasons."""

    exported: int = 0
    dropped_queue_full: int = 0
    dropped_export_failed: int = 0
    dropped_shutdown: int = 0
    queued: int = 0
    last_error: Optional[str] = None

    @property
    def dropped(self) -> int:
        """All spans that will never reach the collector."""
        return self.dropped_queue_full + self.dropped_export_failed + self.dropped_shutdown


class BackgroundExportProcessor(SpanProcessor):
    """Queue ended spans; export them from a daemon thread.

    ``max_queue_size`` bounds memory; when full, new spans are dropped and counted.
    ``max_batch_size`` keeps each encode/POST slice short so the export thread never holds the
    GIL long enough to show up in the application's latency.
    """

    def __init__(
        self,
        exporter: SpanBatchExporter,
        *,
        max_queue_size: int = 4096,
        max_batch_size: int = 64,
        schedule_delay_s: float = 0.5,
    ) -> None:
        self._exporter = exporter
        self._max_queue_size = max_queue_size
        self._max_batch_size = max_batch_size
        self._delay = schedule_delay_s
        self._queue: collections.deque[ReadableSpan] = collections.deque()
        self._lock = threading.Lock()
        self._stats = ExportStats()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._flush_waiters: list[threading.Event] = []
        self._closed = False
        self._deadline = float("inf")
        self._last_report = time.monotonic()
        self._reported_drops = 0
        self._in_flight = 0
        self._abandoned = False
        self._thread = self._start_thread()
        if hasattr(os, "register_at_fork"):
            ref = weakref.ref(self)
            os.register_at_fork(after_in_child=lambda: (p := ref()) is not None and p._after_fork())

    def _start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self._run, name="helicone-otel-export", daemon=True)
        thread.start()
        return thread

    def _after_fork(self) -> None:
        # The child inherits the queue but not the thread; its spans are its own.
        self._queue.clear()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._flush_waiters = []
        if not self._closed:
            self._thread = self._start_thread()

    # -- caller's thread: must stay O(1) and lock-free on the common path -----------------------
    def on_start(self, span, parent_context=None) -> None:  # noqa: D401 - SpanProcessor API
        pass

    def on_end(self, span: ReadableSpan) -> None:
        if not self._exporter.accepts(span):
            return
        if self._closed:
            with self._lock:
                self._stats.dropped_shutdown += 1
            return
        queue = self._queue
        if len(queue) >= self._max_queue_size:
            with self._lock:
                self._stats.dropped_queue_full += 1
            return
        queue.append(span)
        if len(queue) >= self._max_batch_size and not self._wake.is_set():
            self._wake.set()

    # -- export thread ------------------------------------------------------------------------
    def _run(self) -> None:
        # Our own HTTP traffic must never be traced by an instrumented HTTP library.
        with suppress_instrumentation():
            while True:
                self._wake.wait(self._delay)
                self._wake.clear()
                self._drain()
                self._release_flush_waiters()
                self._maybe_report()
                if self._stopping.is_set():
                    return

    def _drain(self) -> None:
        queue = self._queue
        while queue:
            if self._stopping.is_set() and time.monotonic() >= self._deadline:
                return
            # A backlog (slow or contended export) is sent in bigger POSTs: fewer round trips,
            # each span still encoded on its own so no single GIL hold grows with the batch.
            size = self._max_batch_size * (8 if len(queue) >= 8 * self._max_batch_size else 1)
            batch = []
            try:
                for _ in range(size):
                    batch.append(queue.popleft())
            except IndexError:
                pass
            delivered = 0
            self._in_flight = len(batch)
            try:
                delivered = self._exporter.export(batch, self._deadline, self._stopping)
            except Exception as exc:  # noqa: BLE001 - an exporter bug must not kill the thread
                logger.exception("helicone_otel: exporter failed")
                self._stats.last_error = f"{type(exc).__name__}: {exc}"
            with self._lock:
                self._in_flight = 0
                if self._abandoned:
                    return  # shutdown gave up on this batch and already counted it
                self._stats.exported += delivered
                self._stats.dropped_export_failed += len(batch) - delivered

    def _release_flush_waiters(self) -> None:
        if self._queue:
            return
        with self._lock:
            waiters, self._flush_waiters = self._flush_waiters, []
        for waiter in waiters:
            waiter.set()

    def _maybe_report(self) -> None:
        now = time.monotonic()
        if now - self._last_report < _REPORT_INTERVAL_S:
            return
        self._last_report = now
        self._report_drops()

    def _report_drops(self) -> None:
        stats = self.stats()
        new = stats.dropped - self._reported_drops
        if new <= 0:
            return
        self._reported_drops = stats.dropped
        logger.warning(
            "helicone_otel: %d span(s) dropped (queue full %d, export failed %d, at shutdown %d; "
            "%d exported) sending to %s%s",
            new,
            stats.dropped_queue_full,
            stats.dropped_export_failed,
            stats.dropped_shutdown,
            stats.exported,
            self._exporter.describe(),
            f"; last error: {stats.last_error}" if stats.last_error else "",
        )

    # -- control ------------------------------------------------------------------------------
    def stats(self) -> ExportStats:
        """A snapshot of the counters."""
        with self._lock:
            snapshot = ExportStats(**{k: v for k, v in vars(self._stats).items()})
        snapshot.queued = len(self._queue)
        error = getattr(self._exporter, "last_error", None)
        if error:
            snapshot.last_error = error
        return snapshot

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Wait until everything queued so far has been attempted, at most ``timeout_millis``.
        Never exports on the caller's thread."""
        if self._closed or not self._thread.is_alive():
            return not self._queue
        waiter = threading.Event()
        with self._lock:
            self._flush_waiters.append(waiter)
        self._wake.set()
        return waiter.wait(timeout_millis / 1000.0)

    def shutdown(self, timeout_millis: int = 2000) -> None:
        """Export what fits in ``timeout_millis``, count the rest as dropped, stop the thread."""
        if self._closed:
            return
        self._deadline = time.monotonic() + timeout_millis / 1000.0
        self._closed = True
        self._stopping.set()
        self._wake.set()
        self._thread.join(max(0.0, self._deadline - time.monotonic()))
        with self._lock:
            leftover = len(self._queue)
            self._queue.clear()
            self._stats.dropped_shutdown += leftover
            if self._thread.is_alive() and self._in_flight:
                # A POST still hanging on a slow collector: we stop waiting for it.
                self._stats.dropped_shutdown += self._in_flight
                self._abandoned = True
            waiters, self._flush_waiters = self._flush_waiters, []
        for waiter in waiters:
            waiter.set()
        try:
            self._exporter.shutdown()
        except Exception:  # noqa: BLE001
            logger.exception("helicone_otel: exporter shutdown failed")
        self._report_drops()
