"""The collector treats its input as hostile: body framing with hard limits, decompression bombs,
web pages' POSTs, idle sockets, and a store that cannot grow without end. Each of these failed
on the collector before (issue 14): a negative Content-Length read to EOF, a 398 KB gzip body
inflated to 828 MB, a text/plain POST from a foreign Origin was stored, 300 idle connections held
300 threads, and the store had no cap."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
import tracemalloc
import zlib

import pytest

from helicone_otel.collector import Collector, Store

from .webview_data import chat_log, otlp_document, otlp_span, post

LOG = "/v1/trace/custom/log"


def raw_request(collector, head: str, body: bytes = b"", read_timeout: float = 5.0) -> tuple[int, bool]:
    """Send bytes as they are; (status, whether the server closed the connection after)."""
    host, port = collector.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=read_timeout) as sock:
        # Send from another thread, as a client streaming a body does: the server may answer and
        # close before the last byte is sent (an oversized body), which must not fail the read.
        def send() -> None:
            try:
                sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
            except OSError:
                pass

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        data = b""
        while b"\r\n\r\n" not in data:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
        sender.join(read_timeout)
        status = int(data.split(b" ", 2)[1])
        try:
            while sock.recv(65536):
                pass
            closed = True
        except TimeoutError:
            closed = False
        except ConnectionResetError:
            closed = True
        return status, closed


HEAD = f"POST {LOG} HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer k\nContent-Type: application/json\n"


@pytest.mark.parametrize("length", ["-1", "1e3", "+5", "5, 6", "0x10", "١٢"])
def test_malformed_content_length_is_a_400_not_an_unbounded_read(collector, length):
    status, closed = raw_request(collector, HEAD + f"Content-Length: {length}\n", b"{}", read_timeout=2)
    assert (status, closed) == (400, True)
    assert collector.store.requests() == []


def test_conflicting_content_lengths_are_refused(collector):
    assert raw_request(collector, HEAD + "Content-Length: 2\nContent-Length: 3\n", b"{}")[0] == 400


def test_huge_content_length_is_answered_at_once_without_reading(collector):
    started = time.monotonic()
    status, closed = raw_request(collector, HEAD + f"Content-Length: {10 ** 12}\n", b"{", read_timeout=3)
    assert (status, closed) == (500, True) and time.monotonic() - started < 2  # jawn's body parser: 500


def test_body_over_the_limit_is_drained_and_refused(collector):
    status, body = post(collector.url + LOG, b"x" * (12 * 1024 * 1024))
    assert status == 500 and collector.store.requests() == []


def test_chunked_bodies_have_the_same_limit(collector):
    chunked = HEAD + "Transfer-Encoding: chunked\n"
    piece = b"x" * (1024 * 1024)
    body = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(12)) + b"0\r\n\r\n"
    assert raw_request(collector, chunked, body)[0] == 500
    assert raw_request(collector, chunked, b"zz\r\nab\r\n0\r\n\r\n") == (400, True)
    log = json.dumps(chat_log()).encode()
    assert raw_request(collector, chunked + "Connection: close\n", b"%x\r\n%s\r\n0\r\n\r\n" % (len(log), log))[0] == 200


@pytest.mark.parametrize("route,encoding", [(LOG, "gzip"), (LOG, "deflate"), ("/v1/traces", "gzip")])
def test_decompression_bomb_is_capped(collector, route, encoding):
    zeros = b"\0" * (1024 * 1024)
    packer = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    bomb = b"".join(packer.compress(zeros) for _ in range(200)) + packer.flush()  # 200 MiB inflated
    assert len(bomb) < 300_000
    tracemalloc.start()
    try:
        status, _ = post(collector.url + route, bomb, {"Content-Encoding": encoding})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert status in (400, 500)
    assert peak < 40 * 1024 * 1024, f"{peak / 1e6:.0f} MB allocated for a {len(bomb)} byte body"


@pytest.mark.parametrize("headers", [
    {"Origin": "https://attacker.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Content-Type": "text/plain", "Origin": "http://127.0.0.1:1"},
    {"Content-Type": "text/plain;charset=UTF-8", "Sec-Fetch-Mode": "no-cors"},
    {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"},
])
@pytest.mark.parametrize("route", [LOG, "/v1/traces", "/v1/trace/log"])
def test_web_pages_cannot_write_into_the_store(collector, headers, route):
    body = chat_log() if route == LOG else otlp_document("s", [otlp_span("ab" * 16, "cd" * 8, "x", 1.7e9, 1.7e9 + 1, {})])
    status, answer = post(collector.url + route, body, headers)
    assert status == 403 and b"refused" in answer
    assert collector.store.requests() == [] and collector.store.read("SELECT count(*) FROM spans") == [(0,)]


def test_same_origin_json_and_non_browser_clients_still_work(collector):
    own = collector.url
    assert post(collector.url + LOG, chat_log(), {"Origin": own, "Sec-Fetch-Site": "same-origin"})[0] == 200
    assert post(collector.url + LOG, chat_log())[0] == 200  # SDKs and servers send no Origin
    assert post(collector.url + LOG, b"hello", {"Content-Type": "text/plain"})[0] == 500  # Helicone's answer, unchanged


def test_idle_connections_cost_no_thread_and_are_closed(tmp_path):
    with Collector(str(tmp_path / "idle.db"), port=0, idle_timeout=1.0) as collector:
        host, port = collector.url.removeprefix("http://").split(":")
        before = threading.active_count()
        idle = [socket.create_connection((host, int(port))) for _ in range(300)]
        try:
            kept = idle[:50]
            for sock in kept:  # a request each, then silence on a keep-alive connection
                sock.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = b""
                while not answer.endswith(b":)\"}"):
                    answer += sock.recv(4096)
                assert answer.startswith(b"HTTP/1.1 200")
            assert threading.active_count() - before <= 16  # the worker pool, not one thread per socket
            started = time.monotonic()
            assert post(collector.url + LOG, chat_log())[0] == 200
            assert time.monotonic() - started < 1.0
            for sock in idle:
                sock.settimeout(5)
            assert all(sock.recv(1) == b"" for sock in idle)  # closed by the server after idle_timeout
        finally:
            for sock in idle:
                sock.close()


def test_store_size_cap_deletes_the_oldest(tmp_path):
    cap = 2 * 1024 * 1024
    with Collector(str(tmp_path / "cap.db"), port=0, max_bytes=cap) as collector:
        for i in range(40):
            assert post(collector.url + LOG, chat_log(prompt="x" * 100_000, start=1.7e9 + i))[0] == 200
        collector.store.prune()
        kept = collector.store.requests()
        assert collector.store.used_bytes() <= cap and 5 < len(kept) < 40
        assert kept[-1].created_at == 1.7e9 + 39  # the newest stays
        assert collector.store.pruned == 40 - len(kept)


def test_store_retention_deletes_old_rows(tmp_path):
    store = Store(str(tmp_path / "r.db"), retention_days=1)
    try:
        from helicone_otel.collector import RequestRecord

        now = time.time()
        store.add([RequestRecord(id=str(i), created_at=now - age * 86400, provider="OPENAI", model="m", prompt_tokens=0,
                                 completion_tokens=0, total_tokens=0, latency_ms=1, user_id="") for i, age in enumerate((3, 0.5))])
        assert [r.id for r in store.requests()] == ["1"]
    finally:
        store.close()


def test_resent_otlp_spans_are_stored_once(collector):
    document = otlp_document("s", [otlp_span("ab" * 16, "cd" * 8, "x", 1.7e9, 1.7e9 + 1, {})])
    for _ in range(3):
        assert post(collector.url + "/v1/traces", gzip.compress(json.dumps(document).encode()), {"Content-Encoding": "gzip"})[0] == 200
    assert collector.store.read("SELECT count(*) FROM spans") == [(1,)]
