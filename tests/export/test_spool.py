"""The spool: records the collector did not take wait on disk and are sent when it answers again,
by this process or the next, each once. Real exporter, real local collector, real processes."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import stat
import struct
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import helicone_otel
from helicone_otel import HeliconeAsyncLogger
from helicone_otel.collector import Collector
from helicone_otel.config import Settings
from helicone_otel.export.pipeline import ExportPipeline
from helicone_otel.export.sender import HeliconeSender
from helicone_otel.export.spool import Spool

# A process of the app: ``write N`` records N steps and exits normally; ``spin`` records steps
# until killed; ``replay`` waits until the spool has nothing left to send. Each prints its stats
# from an exit handler registered before the logger's, so they are the final counts.
CHILD = r"""
import atexit, json, os, sys, time
import helicone_otel
from helicone_otel import HeliconeAsyncLogger

mode, url, spool = sys.argv[1], sys.argv[2], sys.argv[3]
logger = None

def report():
    stats = logger.stats()
    print(json.dumps({"spooled": stats.spooled, "replayed": stats.replayed, "exported": stats.exported,
                      "dropped": stats.dropped, "torn": stats.dropped_spool_torn}), flush=True)

atexit.register(report)
logger = HeliconeAsyncLogger(base_url=url, providers=[], spool_dir=spool).init()
if mode in ("write", "spin"):
    i = 0
    while mode == "spin" or i < int(sys.argv[4]):
        with helicone_otel.tool("lookup", input={"i": i}) as step:
            step.set_output({"found": i})
        i += 1
        if mode == "spin":
            time.sleep(0.002)
else:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(n.endswith(".rec") for _, _, names in os.walk(spool) for n in names):
        time.sleep(0.02)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _child(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _valid_body(data: bytes) -> bytes | None:
    """The record format, read independently: ``HOS1``, body length, CRC-32, body."""
    if len(data) < 12:
        return None
    magic, length, crc = struct.unpack(">4sII", data[:12])
    body = data[12:]
    return body if magic == b"HOS1" and length == len(body) and zlib.crc32(body) == crc else None


def _request_id(body: bytes) -> str:
    return json.loads(body)["providerRequest"]["meta"]["Helicone-Request-Id"]


def _records(spool: Path) -> list[Path]:
    """Every record file in the spool, ready, claimed or half-written."""
    # os.walk, not Path.rglob: on Python 3.10 rglob raises if a claim directory is removed while it walks.
    return sorted(Path(d, f) for d, _, files in os.walk(spool) for f in files if f.endswith((".rec", ".rec.tmp")))


def _spooled_ids(spool: Path) -> set[str]:
    return {_request_id(body) for p in _records(spool) if (body := _valid_body(p.read_bytes())) is not None}


def _wait(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _steps(n: int) -> None:
    for i in range(n):
        with helicone_otel.tool("lookup", input={"i": i}) as step:
            step.set_output({"found": i})


class _Counting(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server = self.server
        time.sleep(server.delay_s)
        status = server.status
        server.posts.append((_request_id(body), status))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _counting_server(port: int = 0, status: int = 200, delay_s: float = 0.0) -> ThreadingHTTPServer:
    """Counts POSTs by request id; answers ``server.status`` after ``server.delay_s``."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _Counting)
    server.daemon_threads = True
    server.handle_error = lambda *args: None  # a client that gave up on purpose
    server.posts, server.status, server.delay_s = [], status, delay_s
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


def _stop(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()


# -- across processes -------------------------------------------------------------------------
def test_next_process_delivers_every_record_written_while_the_collector_was_down(tmp_path):
    port = _free_port()
    url, spool = f"http://127.0.0.1:{port}", tmp_path / "spool"
    wrote = _child("write", url, str(spool), "1000")  # collector down: nothing listens on the port
    assert wrote == {"spooled": 1000, "replayed": 0, "exported": 0, "dropped": 0, "torn": 0}
    written = _spooled_ids(spool)
    assert len(written) == 1000

    with Collector(str(tmp_path / "requests.db"), port=port) as collector:
        replayed = _child("replay", url, str(spool))
        rows = collector.store.requests()
    assert replayed["replayed"] == 1000 and replayed["dropped"] == 0
    assert sorted(r.id for r in rows) == sorted(written)  # every record, stored once
    assert os.listdir(spool) == []  # no record, claim or lock left behind


def test_kill_9_while_spooling_keeps_every_whole_record_and_skips_a_torn_one(tmp_path):
    port = _free_port()
    url, spool = f"http://127.0.0.1:{port}", tmp_path / "spool"
    child = subprocess.Popen([sys.executable, "-c", CHILD, "spin", url, str(spool)], stdout=subprocess.DEVNULL)
    try:
        _wait(lambda: spool.is_dir() and len(os.listdir(spool)) > 300)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    ready = sorted(spool.glob("*.rec"))
    # A record torn mid-write (what a kill -9 between write and rename, or a power cut, leaves).
    torn = ready[len(ready) // 2]
    torn.write_bytes(torn.read_bytes()[:40])
    assert [p.name for p in spool.iterdir() if p.is_dir()]  # the killed process's claims, lock released
    whole = _spooled_ids(spool)

    with Collector(str(tmp_path / "requests.db"), port=port) as collector:
        logger = HeliconeAsyncLogger(base_url=url, providers=[], spool_dir=str(spool)).init()
        _wait(lambda: not _records(spool))
        logger.shutdown(1.0)
        rows = collector.store.requests()
    stats = logger.stats()
    assert sorted(r.id for r in rows) == sorted(whole) and len(whole) >= len(ready) - 1
    assert stats.replayed == len(whole) and stats.dropped_spool_torn >= 1
    assert os.listdir(spool) == []


def test_two_processes_replaying_one_spool_send_each_record_once(tmp_path):
    port = _free_port()
    url, spool = f"http://127.0.0.1:{port}", tmp_path / "spool"
    logger = HeliconeAsyncLogger(base_url=url, providers=[], spool_dir=str(spool)).init()
    _steps(300)
    logger.shutdown(1.0)  # collector down: every record goes to disk, at the latest at shutdown
    assert logger.stats().spooled == 300
    written = _spooled_ids(spool)

    server = _counting_server(port, delay_s=0.02)  # 4 connections each: slow enough for the two to overlap
    try:
        children = [
            subprocess.Popen([sys.executable, "-c", CHILD, "replay", url, str(spool)], stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        results = [json.loads(c.communicate(timeout=30)[0].strip().splitlines()[-1]) for c in children]
    finally:
        _stop(server)
    ids = [request_id for request_id, _ in server.posts]
    assert len(ids) == 300 and set(ids) == written  # one POST per record, whichever process sent it
    assert sum(r["replayed"] for r in results) == 300
    assert all(r["replayed"] > 0 for r in results), results  # both took part
    assert os.listdir(spool) == []


# -- in one process ---------------------------------------------------------------------------
def test_503_after_the_retry_budget_goes_to_disk_and_is_sent_when_the_collector_answers(tmp_path):
    server = _counting_server(status=503)
    try:
        logger = HeliconeAsyncLogger(base_url=server.url, providers=[], spool_dir=str(tmp_path / "spool")).init()
        _steps(20)
        _wait(lambda: logger.stats().spooled == 20)
        assert logger.stats().dropped == 0
        server.status = 200
        _wait(lambda: logger.stats().replayed == 20)
        logger.shutdown(1.0)
    finally:
        _stop(server)
    stored = [request_id for request_id, status in server.posts if status == 200]
    assert len(stored) == 20 == len(set(stored))
    # While down, records went to disk without a retry budget each: 4 senders x 3 attempts, then probes.
    assert len(server.posts) - 20 <= 12 + 4


def test_collector_timing_out_at_shutdown_records_in_flight_and_queued_go_to_disk(tmp_path):
    server = _counting_server(delay_s=5.0)
    try:
        logger = HeliconeAsyncLogger(base_url=server.url, providers=[], spool_dir=str(tmp_path / "spool")).init()
        _steps(10)
        time.sleep(0.1)  # four POSTs are in flight, six records wait for a sender
        started = time.monotonic()
        logger.shutdown(0.3)
        elapsed = time.monotonic() - started
    finally:
        _stop(server)
    stats = logger.stats()
    assert elapsed < 1.5
    assert stats.spooled == 10 and stats.dropped == 0 and stats.exported == 0
    assert len(_spooled_ids(tmp_path / "spool")) == 10


def test_a_final_4xx_is_not_spooled(tmp_path):
    server = _counting_server(status=400)
    try:
        logger = HeliconeAsyncLogger(base_url=server.url, providers=[], spool_dir=str(tmp_path / "spool")).init()
        _steps(3)
        assert logger.flush(5.0)
        logger.shutdown(1.0)
    finally:
        _stop(server)
    stats = logger.stats()
    assert stats.spooled == 0 and stats.dropped_export_failed == 3 and len(server.posts) == 3


def test_queue_full_goes_to_disk(tmp_path):
    spool = Spool(str(tmp_path / "spool"), "dest", 1 << 20, 60.0)
    url = f"http://127.0.0.1:{_free_port()}"
    pipeline = ExportPipeline(lambda item: item, lambda backoff, errors: HeliconeSender(url, None, backoff, errors),
                              max_queue_bytes=1, spool=spool)
    for i in range(5):
        pipeline.enqueue(b'{"i": %d}' % i)
    assert pipeline.flush(2.0)
    stats = pipeline.stats()
    pipeline.shutdown(0.2)
    assert stats.spooled == 5 and stats.dropped == 0


def test_capture_off_puts_no_prompt_text_on_disk(client, capture, tmp_path):
    down = f"http://127.0.0.1:{_free_port()}"
    secret = "my card is 4111 1111 1111 1111"
    for content, spool in ((False, tmp_path / "off"), (True, tmp_path / "on")):
        logger = HeliconeAsyncLogger(base_url=down, providers=["openai"], tracer_provider=capture.tracer_provider,
                                     spool_dir=str(spool), capture_content=content).init()
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": secret}])
        logger.shutdown(0.5)
        assert logger.stats().spooled == 1
        on_disk = b"".join(p.read_bytes() for p in _records(spool))
        assert (secret.encode() in on_disk) is content  # found with capture on: the check can see it


# -- bounds, safety ---------------------------------------------------------------------------
def test_size_cap_drops_the_oldest_and_counts_them(tmp_path):
    spool = Spool(str(tmp_path), "dest", max_bytes=10 * 4096, max_age_s=60.0)  # ten 4 KiB blocks
    for i in range(25):
        assert spool.put(b'{"i": %d}' % i)
    left = sorted(json.loads(_valid_body(p.read_bytes()))["i"] for p in tmp_path.glob("*.rec"))
    counts = spool.counts()
    assert counts.spooled == 25 and counts.dropped_full + len(left) == 25
    assert 0 < len(left) <= 10 and left == list(range(25 - len(left), 25))  # the newest kept


def test_records_past_the_age_limit_are_dropped_and_counted(tmp_path):
    spool = Spool(str(tmp_path), "dest", max_bytes=1 << 20, max_age_s=0.05)
    for i in range(3):
        spool.put(b"{}")
    time.sleep(0.1)
    assert spool.scan() == [] and spool.counts().dropped_expired == 3
    assert not list(tmp_path.glob("*.rec"))


def test_files_are_the_owners_only_whatever_the_umask(tmp_path):
    path = tmp_path / "spool"
    path.mkdir(mode=0o755)
    old = os.umask(0)
    try:
        spool = Spool(str(path), "dest", 1 << 20, 60.0)
        spool.put(b"{}")  # makes this process's claims directory and its lock too
    finally:
        os.umask(old)
    modes = {p.relative_to(path).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in [path, *path.rglob("*")]}
    assert modes.pop(".") == 0o700
    assert modes and all(mode == (0o700 if (path / name).is_dir() else 0o600) for name, mode in modes.items()), modes
    spool.close()


def test_a_dead_processs_claims_return_and_a_live_ones_are_left_alone(tmp_path):
    writer = Spool(str(tmp_path), "dest", 1 << 20, 60.0)
    for i in range(3):
        writer.put(b'{"i": %d}' % i)
    first, *_ = sorted(tmp_path.glob("*.rec"))
    whole = first.read_bytes()
    for owner, locked in (("dead", False), ("alive", True)):
        claims = tmp_path / f"claims-{owner}"
        claims.mkdir(mode=0o700)
        (claims / "lock").touch()
        (claims / f"{time.time_ns():016x}-{owner}-10-x-1.rec").write_bytes(whole)  # claimed, maybe mid-POST
        (claims / f"{time.time_ns():016x}-{owner}-10-x-2.rec.tmp").write_bytes(whole[:-3])  # killed mid-write
        if locked:  # its process is alive: it holds the lock
            holder = os.open(claims / "lock", os.O_RDONLY)
            fcntl.flock(holder, fcntl.LOCK_EX)
    reader = Spool(str(tmp_path), "dest", 1 << 20, 60.0)
    reader.scan()
    assert not (tmp_path / "claims-dead").exists()
    assert len(list(tmp_path.glob("*-dead-10-x-1.rec"))) == 1  # back in the spool
    assert reader.counts().dropped_torn == 1
    assert len(list((tmp_path / "claims-alive").iterdir())) == 3  # untouched
    os.close(holder)


def test_records_only_go_where_they_were_addressed(tmp_path):
    Spool(str(tmp_path), "http://a/v1\nkey-a", 1 << 20, 60.0).put(b"{}")
    assert Spool(str(tmp_path), "http://a/v1\nkey-b", 1 << 20, 60.0).scan() == []
    assert len(Spool(str(tmp_path), "http://a/v1\nkey-a", 1 << 20, 60.0).scan()) == 1


def test_settings_from_arguments_and_environment(tmp_path):
    env = {"HELICONE_SPOOL_DIR": str(tmp_path), "HELICONE_SPOOL_MAX_BYTES": "1000", "HELICONE_SPOOL_MAX_AGE_S": "60"}
    settings = Settings.resolve(base_url="http://127.0.0.1:1", env=env)
    assert (settings.spool_dir, settings.spool_max_bytes, settings.spool_max_age_s) == (str(tmp_path), 1000, 60.0)
    assert Settings.resolve(base_url="http://127.0.0.1:1", env={}).spool_dir is None
    with pytest.raises(ValueError, match="HELICONE_SPOOL_MAX_BYTES"):
        Settings.resolve(base_url="http://127.0.0.1:1", env={**env, "HELICONE_SPOOL_MAX_BYTES": "-1"})
    with pytest.raises(TypeError, match="spool_max_age_s"):
        Settings.resolve(base_url="http://127.0.0.1:1", spool_max_age_s="1d", env={})
