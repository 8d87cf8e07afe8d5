"""The export side's threads: a bounded queue of recorded calls, one builder thread (span and
Helicone body) and a few sender threads (one keep-alive POST each), with exact counts and a
time-limited shutdown.

Backpressure instead of silent drops: a caller in a tight loop releases the GIL only for
microseconds, so a waiting thread's 5 ms switch request never matures and the builder starves
(measured: 528–3,392 of 5,200–8,000 calls dropped with a healthy collector). Once the queue is
past ``gate_at``, the caller sleeps ``_GATE_S`` at most once per ``_GATE_EVERY_S``: ≤ 1–2 % of
its time, and the builder gets the GIL. The caller never waits longer than that, whatever the
collector does; a full queue drops and counts.

With a spool (``spool_dir``, ``spool.py``), a record that would be dropped goes to disk instead,
and a sender thread with nothing live to send takes the oldest one from there.
"""

from __future__ import annotations

import collections
import logging
import os
import queue
import threading
import time
import weakref
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Optional

from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.trace import SpanProcessor

from ..guard import report_once
from .sender import Backoff, HeliconeSender
from .spool import Spool

logger = logging.getLogger("helicone_otel")

_REPORT_INTERVAL_S = 30.0
_GATE_S = 0.0001
_GATE_EVERY_S = 0.01
_POLL_S = 0.05
_SPOOL_AT_EXIT_S = 1.0  # after the deadline, at most this long writing leftovers to disk (40–200 µs each, ext4)


@dataclass
class ExportStats:
    """Counts since start (of this process). ``dropped`` is the sum of the drop reasons."""

    exported: int = 0
    dropped_queue_full: int = 0
    dropped_export_failed: int = 0
    dropped_shutdown: int = 0
    queued: int = 0
    # Not losses: calls a ``should_export`` hook kept from Helicone (or that its proxy logged),
    # and calls not recorded by ``sample_rate``.
    not_sent: int = 0
    sampled_out: int = 0
    last_error: Optional[str] = None
    # The last error of each kind (``HTTP 429``, ``ConnectionRefusedError``, ``build``, …): a later
    # success or another kind of failure never hides the cause of earlier drops.
    errors: dict[str, str] = field(default_factory=dict)
    # With ``spool_dir``: records written to disk instead of dropped; records sent from it by
    # this process (whoever wrote them); records it lost to the size cap, the age limit or a
    # crash mid-write (torn).
    spooled: int = 0
    replayed: int = 0
    dropped_spool_full: int = 0
    dropped_spool_expired: int = 0
    dropped_spool_torn: int = 0

    @property
    def dropped(self) -> int:
        """All records that will never reach the collector."""
        return (
            self.dropped_queue_full + self.dropped_export_failed + self.dropped_shutdown
            + self.dropped_spool_full + self.dropped_spool_expired + self.dropped_spool_torn
        )


class ExportPipeline:
    """``enqueue(item)`` on the caller's thread; ``build(item) -> bytes | None`` and the POSTs
    run on ours. ``build`` returning None means nothing to send for that item."""

    def __init__(
        self,
        build: Callable[[Any], Optional[bytes]],
        make_sender: Callable[[Backoff, dict[str, str]], HeliconeSender],
        *,
        max_queue_size: int = 4096,
        max_queue_bytes: int = 64 * 1024 * 1024,
        senders: int = 4,
        spool: Optional[Spool] = None,
    ) -> None:
        self._build = build
        self._spool = spool
        self._make_sender = make_sender
        self._max_queue_size = max_queue_size
        self._gate_at = max(1, max_queue_size // 4)
        self._wake_at = min(64, self._gate_at)
        self._sender_count = max(1, senders)
        self._max_bytes = max_queue_bytes
        self._closed = False
        self._stopping = threading.Event()
        self._deadline = float("inf")
        self._last_report = time.monotonic()
        self._reported_drops = 0
        self._reset()
        if hasattr(os, "register_at_fork"):
            ref = weakref.ref(self)
            os.register_at_fork(after_in_child=lambda: (p := ref()) is not None and p._after_fork())

    def _reset(self) -> None:
        self._calls: collections.deque[Any] = collections.deque()
        # queue.Queue, not SimpleQueue: with several consumers, SimpleQueue.get(timeout=...) can
        # lose the race for an item past its deadline and then wait forever (CPython 3.11's
        # _queuemodule.c retries with a negative timeout): a sender stuck so made every
        # shutdown wait its whole timeout, and its thread outlived the logger.
        self._bodies: queue.Queue[bytes] = queue.Queue()
        self._lock = threading.Lock()
        self._stats = ExportStats()
        self._busy = 0  # taken off the queue and not yet sent or dropped (under _lock)
        self._bytes = 0  # encoded bodies waiting for a sender (under _lock)
        self._abandoned = False
        self._next_gate = 0.0
        self._wake = threading.Event()
        backoff = Backoff()
        self._senders = [self._make_sender(backoff, self._stats.errors) for _ in range(self._sender_count)]
        self._threads = [threading.Thread(target=self._run_builder, name="helicone-otel-build", daemon=True)]
        self._threads += [
            threading.Thread(target=self._run_sender, args=(s, i), name=f"helicone-otel-send-{i}", daemon=True)
            for i, s in enumerate(self._senders)
        ]
        self._in_flight: dict[int, bytes] = {}  # sender index -> the body it is POSTing (with a spool)
        for thread in self._threads:
            thread.start()

    def _after_fork(self) -> None:
        # The child inherits the parent's queue, counters and sockets but none of its threads:
        # its calls and counts are its own, and it must never write on the parent's connection.
        for sender in self._senders:
            sender.reset()
        if self._spool is not None:
            self._spool.after_fork()
        if not self._closed:
            self._reset()

    # -- caller's thread: O(1), no lock on the common path -------------------------------------
    def enqueue(self, item: Any) -> None:
        """Hand a finished call to the export side (never blocks beyond the gate)."""
        if self._closed:
            with self._lock:
                self._stats.dropped_shutdown += 1
            return
        calls = self._calls
        size = len(calls)
        if size >= self._max_queue_size:
            with self._lock:
                self._stats.dropped_queue_full += 1
            return
        calls.append(item)
        if size >= self._wake_at:
            if not self._wake.is_set():
                self._wake.set()
            if size >= self._gate_at:
                now = time.monotonic()
                if now >= self._next_gate:
                    self._next_gate = now + _GATE_EVERY_S
                    time.sleep(_GATE_S)

    # -- builder thread -------------------------------------------------------------------------
    def _run_builder(self) -> None:
        with suppress_instrumentation():  # our own work must never be traced
            calls, bodies = self._calls, self._bodies
            while True:
                self._wake.wait(_POLL_S)
                self._wake.clear()
                while calls:
                    if self._stopping.is_set() and time.monotonic() >= self._deadline:
                        return
                    with self._lock:  # busy before the queue looks empty: flush() must not miss it
                        self._busy += 1
                        item = calls.popleft()
                    try:
                        body = self._build(item)
                    except Exception as exc:  # noqa: BLE001 - a build bug must not kill the thread
                        report_once("building a Helicone record", exc)
                        self._finish(failed=1, error=f"build: {type(exc).__name__}: {exc}")
                        continue
                    if body is None:
                        self._finish(not_sent=1)
                        continue
                    # Memory is bounded in bytes where records wait longest (a slow or down
                    # collector): encoded bodies, not a count of calls of unknown size.
                    with self._lock:
                        full = self._bytes + len(body) > self._max_bytes
                        if not full:
                            self._bytes += len(body)
                    if full:
                        self._spool_or_drop(body, full=1, error="queue full: more than max_queue_bytes waiting for the collector")
                    else:
                        bodies.put(body)
                self._maybe_report()
                if self._stopping.is_set():
                    return

    # -- sender threads -------------------------------------------------------------------------
    def _run_sender(self, sender: HeliconeSender, index: int) -> None:
        with suppress_instrumentation():
            bodies, spool = self._bodies, self._spool
            replaying = False
            while True:
                try:
                    # Records on disk go out when the live ones leave a sender idle.
                    body = bodies.get(timeout=0 if replaying else _POLL_S)
                except queue.Empty:
                    if self._stopping.is_set():
                        if not self._threads[0].is_alive():
                            return
                    elif spool is not None:
                        replaying = self._replay_one(sender, spool)
                    continue
                with self._lock:
                    self._bytes -= len(body)
                if self._stopping.is_set() and time.monotonic() >= self._deadline:
                    self._spool_or_drop(body, shutdown=1)
                    continue
                if spool is not None:
                    self._send_or_spool(sender, index, body, spool)
                    continue
                delivered = sender.send(body, self._deadline, self._stopping)
                if delivered:
                    self._finish(exported=1)
                else:
                    self._finish(failed=1, error=sender.last_error)

    def _send_or_spool(self, sender: HeliconeSender, index: int, body: bytes, spool: Spool) -> None:
        if spool.down:  # it failed a moment ago: to disk at once, not a retry budget per record
            self._spool_or_drop(body, failed=1)
            return
        with self._lock:
            self._in_flight[index] = body
        delivered = sender.send(body, self._deadline, self._stopping)
        with self._lock:
            if self._in_flight.pop(index, None) is None:
                return  # shutdown did not wait for this POST: the record is on disk, and counted
        if delivered:
            spool.succeeded()
            self._finish(exported=1)
        elif sender.rejected:
            self._finish(failed=1, error=sender.last_error)
        else:
            spool.failed()
            self._spool_or_drop(body, failed=1, error=sender.last_error)

    def _spool_or_drop(self, body: bytes, error: str | None = None, **reason: int) -> None:
        """Where a record would be dropped: to the spool instead, when there is one."""
        if self._spool is not None and self._spool.put(body):
            reason = {}
        self._finish(error=error, **reason)

    def _replay_one(self, sender: HeliconeSender, spool: Spool) -> bool:
        """Send the oldest record waiting on disk, if any; True if there was one."""
        claim = spool.claim()
        if claim is None:
            return False
        delivered = sender.send(claim.body, self._deadline, self._stopping, attempts=1 if claim.probe else None)
        spool.settle(claim, delivered, sender.rejected)
        return True

    def _finish(
        self, exported: int = 0, failed: int = 0, full: int = 0, shutdown: int = 0, error: str | None = None, not_sent: int = 0
    ) -> None:
        with self._lock:
            if self._abandoned:
                return  # shutdown gave up on this record and already counted it
            stats = self._stats
            stats.exported += exported
            stats.dropped_export_failed += failed
            stats.dropped_queue_full += full
            stats.dropped_shutdown += shutdown
            stats.not_sent += not_sent
            if error:
                stats.last_error = error
                if error.startswith("build"):
                    stats.errors["build"] = error
            self._busy -= 1

    def _maybe_report(self) -> None:
        now = time.monotonic()
        if now - self._last_report >= _REPORT_INTERVAL_S:
            self._last_report = now
            self._report_drops()

    def _report_drops(self) -> None:
        stats = self.stats()
        new = stats.dropped - self._reported_drops
        if new <= 0:
            return
        self._reported_drops = stats.dropped
        spool = stats.dropped_spool_full + stats.dropped_spool_expired + stats.dropped_spool_torn
        logger.warning(
            "helicone_otel: %d record(s) dropped (queue full %d, export failed %d, at shutdown %d%s; %d exported) "
            "sending to %s%s",
            new, stats.dropped_queue_full, stats.dropped_export_failed, stats.dropped_shutdown,
            f", from the spool {spool} (size cap {stats.dropped_spool_full}, age {stats.dropped_spool_expired}, "
            f"torn {stats.dropped_spool_torn})" if spool else "",
            stats.exported, self._senders[0].url, f"; last error: {stats.last_error}" if stats.last_error else "",
        )

    # -- control --------------------------------------------------------------------------------
    def pending(self) -> int:
        """Calls accepted and not yet sent or dropped."""
        return len(self._calls) + self._busy

    def stats(self) -> ExportStats:
        """A snapshot of the counters."""
        with self._lock:
            snapshot = ExportStats(**{f.name: getattr(self._stats, f.name) for f in fields(ExportStats)})
            snapshot.errors = dict(self._stats.errors)  # written by the senders too
        if self._spool is not None:
            counts = self._spool.counts()
            snapshot.spooled, snapshot.replayed = counts.spooled, counts.replayed
            snapshot.dropped_spool_full, snapshot.dropped_spool_expired = counts.dropped_full, counts.dropped_expired
            snapshot.dropped_spool_torn = counts.dropped_torn
            snapshot.dropped_export_failed += counts.rejected
        snapshot.queued = max(0, self.pending())
        return snapshot

    def flush(self, timeout_s: float) -> bool:
        """Wait until everything enqueued so far was sent or dropped, at most ``timeout_s``.
        Never sends on the caller's thread."""
        deadline = time.monotonic() + timeout_s
        self._wake.set()
        while self.pending():
            if self._closed or time.monotonic() >= deadline or not self._threads[0].is_alive():
                return not self.pending()
            time.sleep(0.002)
        return True

    def shutdown(self, timeout_s: float) -> None:
        """Send what fits in ``timeout_s``, count the rest as dropped, stop the threads."""
        if self._closed:
            return
        self._deadline = time.monotonic() + timeout_s
        self._closed = True
        self._stopping.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(max(0.0, self._deadline - time.monotonic()))
        if self._spool is not None:
            self._spool_leftovers()
        with self._lock:
            self._stats.dropped_shutdown += len(self._calls) + self._busy
            self._calls.clear()
            self._busy = 0
            self._abandoned = True
        for sender in self._senders:
            try:
                sender.close()
            except Exception:  # noqa: BLE001 - a socket error at exit changes nothing
                pass
        if self._spool is not None:
            self._spool.close()
        self._report_drops()

    def _spool_leftovers(self) -> None:
        """At the shutdown deadline, the records still waiting for a sender, and those whose
        POST is still running (it may yet succeed: a resend is stored once), go to disk."""
        with self._lock:
            leftovers = list(self._in_flight.values())
            self._in_flight.clear()
        while True:
            try:
                body = self._bodies.get_nowait()
            except queue.Empty:
                break
            with self._lock:
                self._bytes -= len(body)
            leftovers.append(body)
        until = time.monotonic() + _SPOOL_AT_EXIT_S
        for body in leftovers:
            if time.monotonic() < until:
                self._spool_or_drop(body, shutdown=1)
            else:
                self._finish(shutdown=1)


class FlushHook(SpanProcessor):
    """A span processor that makes ``TracerProvider.force_flush()`` wait for the calls still
    being turned into spans, so a user's flush before reading spans (or at exit) sees them."""

    reads_no_spans = True  # SpanBuilder.wanted: this processor alone is no reason to build spans

    def __init__(self, pipeline: ExportPipeline) -> None:
        self._pipeline = weakref.ref(pipeline)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        pipeline = self._pipeline()
        return True if pipeline is None else pipeline.flush(timeout_millis / 1000.0)

    def install(self, provider: Any) -> None:
        """Add to ``provider`` ahead of its other processors: a batch processor flushed before
        our spans exist would miss them."""
        provider.add_span_processor(self)
        multi = getattr(provider, "_active_span_processor", None)
        processors = getattr(multi, "_span_processors", None)
        if isinstance(processors, tuple) and processors and processors[-1] is self:
            with getattr(multi, "_lock", threading.Lock()):
                multi._span_processors = (self, *processors[:-1])
