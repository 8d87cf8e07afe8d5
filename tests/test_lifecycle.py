"""The logger's life in a real process: exit, SIGTERM, fork and multiprocessing, re-init, a
second logger, the standard off switch. Each process scenario runs in a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import openai
import pytest

import helicone_otel
from helicone_otel import HeliconeAsyncLogger
from helicone_otel import attributes as A

MESSAGES = [{"role": "user", "content": "hi"}]

PRELUDE = """
import os, sys, time, openai
from helicone_otel import HeliconeAsyncLogger
def client():
    return openai.OpenAI(base_url=os.environ["STANDIN"], api_key="k", max_retries=0)
def call(n):
    c = client()
    for _ in range(n):
        c.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
"""


def _run(script: str, collector, openai_server, **kwargs) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELICONE_", "OTEL_"))}
    # Children exit right after their calls, several at once: a loaded CI machine needs more
    # than the default 0.5 s exit budget to send them (the budget is what is under test here).
    env.update(HELICONE_BASE_URL=collector.url, STANDIN=openai_server.base_url, HELICONE_EXIT_TIMEOUT_S="10")
    return subprocess.Popen([sys.executable, "-c", PRELUDE + textwrap.dedent(script)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def _rows(collector, expected: int, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(collector.store.requests()) < expected:
        time.sleep(0.05)
    return len(collector.store.requests())


def test_exit_sends_the_queue_without_a_reference_to_the_logger(collector, openai_server):
    proc = _run("HeliconeAsyncLogger().init()\ncall(30)\n", collector, openai_server)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert _rows(collector, 30) == 30


def test_sigterm_sends_the_queue_then_dies_of_sigterm(collector, openai_server):
    proc = _run("HeliconeAsyncLogger().init()\ncall(20)\nprint('ready', flush=True)\ntime.sleep(60)\n",
                collector, openai_server)
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)
    assert proc.returncode == -signal.SIGTERM
    assert _rows(collector, 20) == 20


def test_multiprocessing_children_send_their_calls(collector, openai_server):
    script = """
    import multiprocessing as mp
    if __name__ == "__main__":
        HeliconeAsyncLogger().init()
        ctx = mp.get_context("fork")
        procs = [ctx.Process(target=call, args=(10,)) for _ in range(3)]
        for p in procs: p.start()
        for p in procs: p.join()
        with ctx.Pool(2) as pool:
            pool.map(call, [5] * 4)
            pool.close()
            pool.join()
        call(1)
    """
    proc = _run(script, collector, openai_server)
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    assert _rows(collector, 51) == 51


def test_forked_child_counts_only_its_own_calls(collector, openai_server):
    script = """
    logger = HeliconeAsyncLogger().init()
    call(3)
    logger.flush(5)
    pid = os.fork()
    if pid == 0:
        call(2)
        logger.flush(5)
        s = logger.stats()
        print("child", s.exported, s.dropped, flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
    s = logger.stats()
    print("parent", s.exported, s.dropped, flush=True)
    """
    proc = _run(script, collector, openai_server)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "child 2 0" in out and "parent 3 0" in out
    assert _rows(collector, 5) == 5


def test_init_after_shutdown_traces_again(make_logger, client, capture):
    logger = make_logger()
    logger.shutdown()
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert capture.llm_spans() == []
    logger.init()
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert len(capture.llm_spans()) == 1


def test_a_second_logger_takes_over(make_logger, client, capture, collector, caplog):
    first = make_logger(properties={"Who": "first"})
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    second = make_logger(properties={"Who": "second"})
    assert "replaces the first" in caplog.text
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert second.flush(5.0)
    whos = [s.attributes[A.PROPERTY_PREFIX + "Who"] for s in capture.llm_spans()]
    assert whos == ["first", "second"]
    assert first.stats().exported == 1 and second.stats().exported == 1
    assert sorted(r.properties.get("who") for r in collector.store.requests()) == ["first", "second"]


def test_otel_sdk_disabled_turns_everything_off(monkeypatch, collector, client, capture):
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    logger = HeliconeAsyncLogger(base_url=collector.url, tracer_provider=capture.tracer_provider).init()
    try:
        assert "request" not in openai.OpenAI.__dict__
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        assert capture.llm_spans() == [] and logger.stats().exported == 0
        assert logger._pipeline is None  # no export threads were started
    finally:
        logger.shutdown()


def test_shutdown_is_prompt_and_leaves_no_export_thread(collector, openai_server, monkeypatch):
    """Bursts of records shared by several sender threads, then shutdown: every record arrives,
    every export thread ends within the shutdown and none outlives its logger."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from helicone_otel.export import pipeline

    # Senders polling every 0.5 ms instead of 50: their timed waits meet new records far more
    # often, which is where a waiter could lose its item past its deadline.
    monkeypatch.setattr(pipeline, "_POLL_S", 0.0005)
    client = openai.OpenAI(base_url=openai_server.base_url, api_key="k", max_retries=0)
    ask = lambda _: client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])  # noqa: E731
    slow = []
    with ThreadPoolExecutor(8) as pool:
        for _ in range(12):
            logger = HeliconeAsyncLogger(base_url=collector.url, providers=["openai"]).init()
            for _ in range(3):
                list(pool.map(ask, range(16)))
                time.sleep(0.002)
            assert logger.flush(10.0)
            started = time.monotonic()
            logger.shutdown(timeout_s=3.0)
            if time.monotonic() - started > 1.0:
                slow.append(time.monotonic() - started)
            assert [t.name for t in threading.enumerate() if t.name.startswith("helicone-otel")] == []
    assert slow == []
    assert len(collector.store.requests()) == 12 * 3 * 16
