"""The application never waits on the collector; drops are counted; shutdown is bounded."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helicone_otel import HeliconeAsyncLogger
from helicone_otel.export.helicone import CUSTOM_LOG_PATH, encode, step_log
from helicone_otel.export.pipeline import ExportPipeline
from helicone_otel.export.sender import HeliconeSender
from helicone_otel.testing import SpanCapture

MESSAGES = [{"role": "user", "content": "hi"}]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _SlowHandler(BaseHTTPRequestHandler):
    delay_s = 5.0

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(self.delay_s)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def slow_collector():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    server.daemon_threads = True
    server.handle_error = lambda *args: None  # the client gives up on purpose
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_collector_down_calls_work_drops_counted_shutdown_bounded(client):
    capture = SpanCapture()
    logger = HeliconeAsyncLogger(
        base_url=f"http://127.0.0.1:{_closed_port()}", providers=["openai"], tracer_provider=capture.tracer_provider
    ).init()
    for _ in range(20):
        assert client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES).choices
    assert len(capture.llm_spans()) == 20
    started = time.monotonic()
    logger.shutdown(timeout_s=1.0)
    elapsed = time.monotonic() - started
    stats = logger.stats()
    assert elapsed < 3.0, f"shutdown took {elapsed:.1f}s with the collector down"
    assert stats.exported == 0
    assert stats.dropped == 20
    assert stats.last_error and "Connection" in stats.last_error


def test_slow_collector_flush_times_out_and_shutdown_is_bounded(client, slow_collector):
    capture = SpanCapture()
    logger = HeliconeAsyncLogger(base_url=slow_collector, providers=["openai"], tracer_provider=capture.tracer_provider).init()
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    started = time.monotonic()
    assert logger.flush(timeout_s=0.3) is False
    assert time.monotonic() - started < 1.5
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    started = time.monotonic()
    logger.shutdown(timeout_s=0.5)
    assert time.monotonic() - started < 2.0
    stats = logger.stats()
    assert stats.exported + stats.dropped == 2
    assert stats.dropped_shutdown >= 1


def _tool_log(i: int) -> bytes:
    attributes = {"helicone.step.kind": "tool", "gen_ai.tool.name": f"t{i}"}
    return encode(step_log, attributes, f"00000000-0000-4000-8000-{i:012d}", 0, 1_000_000, None)


def test_queue_full_drops_are_counted_exactly(collector):
    started, release = threading.Event(), threading.Event()

    def build(i):
        if i == 0:  # hold the builder on the first record so the queue fills behind it
            started.set()
            release.wait(5)
        return _tool_log(i)

    pipeline = ExportPipeline(build, lambda backoff, errors: HeliconeSender(collector.url + CUSTOM_LOG_PATH, None, backoff, errors), max_queue_size=10, senders=1)
    pipeline.enqueue(0)
    assert started.wait(5)
    for i in range(1, 25):
        pipeline.enqueue(i)
    stats = pipeline.stats()
    assert stats.queued == 11 and stats.dropped_queue_full == 14  # 10 queued + 1 being built
    release.set()
    assert pipeline.flush(5.0)
    pipeline.shutdown(2.0)
    stats = pipeline.stats()
    assert stats.exported == 11 and stats.dropped == 14 and stats.queued == 0
    assert len(collector.store.requests()) == 11


def test_retry_after_transient_failure(collector, client, capture, make_logger):
    from helicone_otel.collector import server as collector_server

    failures = {"left": 1}
    original = collector_server.Store.add

    def flaky(self, records):
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("transient storage failure")
        return original(self, records)

    collector.store.add = flaky.__get__(collector.store)
    logger = make_logger()
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert logger.flush(5.0)
    assert logger.stats().exported == 1
    assert len(collector.store.requests()) == 1
