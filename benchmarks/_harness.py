"""Shared by the benchmarks: an openai client on an in-process transport (no sockets), canned
responses, CPU timing of paired A/B blocks, and a loopback HTTP sink."""

from __future__ import annotations

import json
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

CHAT = {
    "id": "chatcmpl-bench",
    "object": "chat.completion",
    "created": 1,
    "model": "gpt-4o-mini-2024-07-18",
    "system_fingerprint": "fp_bench",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Benchmarks measure, they do not guess."},
                 "logprobs": None, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49,
              "prompt_tokens_details": {"cached_tokens": 0}, "completion_tokens_details": {"reasoning_tokens": 0}},
}
CHUNKS = 20
MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say something about benchmarks."}]


def _sse(include_usage: bool) -> bytes:
    head = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini-2024-07-18"}
    events = [{**head, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
    events += [{**head, "choices": [{"index": 0, "delta": {"content": f" w{i}"}, "finish_reason": None}]} for i in range(CHUNKS)]
    events.append({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    if include_usage:
        events.append({**head, "choices": [], "usage": CHAT["usage"]})
    return b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events) + b"data: [DONE]\n\n"


def make_client():
    """An ``openai.OpenAI`` whose transport answers in process (httpx2 or httpx, per SDK major)."""
    import openai

    try:
        import httpx2 as httpx_module

        if "httpx2" not in str(openai.OpenAI.__init__.__annotations__.get("http_client", "")):
            raise ImportError
    except ImportError:
        import httpx as httpx_module  # openai 1.x/2.x

    chat_body = json.dumps(CHAT).encode()
    streams = {True: _sse(True), False: _sse(False)}

    def handler(request):
        body = json.loads(request.content)
        if body.get("stream"):
            usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return httpx_module.Response(200, headers={"content-type": "text/event-stream"}, content=streams[usage])
        return httpx_module.Response(200, headers={"content-type": "application/json"}, content=chat_body)

    http_client = httpx_module.Client(transport=httpx_module.MockTransport(handler))
    return openai.OpenAI(base_url="http://bench.local/v1", api_key="bench", http_client=http_client, max_retries=0)


def call_plain(client) -> None:
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, temperature=0.3, max_tokens=64)


def call_stream(client) -> None:
    for _ in client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True):
        pass


def cpu_block(fn: Callable[[], None], calls: int) -> tuple[float, list[float]]:
    """(CPU seconds of the whole process — export thread included — per call, wall latencies)."""
    latencies = []
    cpu0 = time.process_time()
    for _ in range(calls):
        t = time.perf_counter()
        fn()
        latencies.append(time.perf_counter() - t)
    return (time.process_time() - cpu0) / calls, latencies


def paired(bare: Callable[[], None], instrumented: Callable[[], None], setup_bare, setup_instr, calls: int, blocks: int = 15):
    """Alternate bare and instrumented blocks; return median per-call CPU of each and latencies."""
    cpu_b, cpu_i, lat_b, lat_i = [], [], [], []
    for _ in range(blocks):
        setup_bare()
        c, l = cpu_block(bare, calls)
        cpu_b.append(c)
        lat_b += l
        setup_instr()
        c, l = cpu_block(instrumented, calls)
        cpu_i.append(c)
        lat_i += l
    return statistics.median(cpu_b), statistics.median(cpu_i), lat_b, lat_i


def over(latencies: list[float], seconds: float) -> int:
    return sum(1 for x in latencies if x > seconds)


def pct(latencies: list[float], p: float) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class _Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    delay_s = 0.0
    received = 0

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.delay_s:
            time.sleep(self.delay_s)
        type(self).received += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def start_sink_process(delay_s: float = 0.0):
    """The sink in its own process, so its CPU is not charged to the measured one; returns
    (url, stop)."""
    import subprocess
    import sys

    code = (
        "import sys,time; from benchmarks._harness import start_sink; "
        f"url,_,_=start_sink({delay_s!r}); print(url, flush=True); sys.stdin.read()"
    )
    # Its own stderr: a caller timing our exit must not wait for the sink to go away too.
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    url = proc.stdout.readline().strip()

    def stop():
        proc.stdin.close()
        proc.wait(10)

    return url, stop


def start_sink(delay_s: float = 0.0):
    """A loopback HTTP server that accepts anything (after ``delay_s``); returns (url, stop, handler class)."""
    handler = type("Sink", (_Sink,), {"delay_s": delay_s, "received": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    def stop():
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}", stop, handler
