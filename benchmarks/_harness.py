"""Shared by the benchmarks: an openai client on an in-process transport (no sockets), canned
responses, paired CPU blocks (caller's thread and whole process), the loopback sink process
and the "one bare OTel span over OTLP" reference."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from typing import Callable, NamedTuple

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


def _sse(chunks: int, include_usage: bool) -> bytes:
    head = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini-2024-07-18"}
    events = [{**head, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
    events += [{**head, "choices": [{"index": 0, "delta": {"content": f" w{i}"}, "finish_reason": None}]} for i in range(chunks)]
    events.append({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    if include_usage:
        events.append({**head, "choices": [], "usage": CHAT["usage"]})
    return b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events) + b"data: [DONE]\n\n"


def make_client(chunks: int = CHUNKS):
    """An ``openai.OpenAI`` whose transport answers in process (httpx2 or httpx, per SDK major).
    Streams carry ``chunks`` content chunks (+ role, finish and, when asked, usage chunks)."""
    import openai

    try:
        import httpx2 as httpx_module

        if "httpx2" not in str(openai.OpenAI.__init__.__annotations__.get("http_client", "")):
            raise ImportError
    except ImportError:
        import httpx as httpx_module  # openai 1.x/2.x

    chat_body = json.dumps(CHAT).encode()
    streams = {True: _sse(chunks, True), False: _sse(chunks, False)}

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


# -- paired blocks ---------------------------------------------------------------------------
class Mode(NamedTuple):
    """One way of making the call: ``enter()`` switches to it, ``call()`` is one call,
    ``settle()`` ends a block (flush: its export work is charged to the block that caused it)."""

    name: str
    enter: Callable[[], None]
    call: Callable[[], None]
    settle: Callable[[], None] = lambda: None


def run_blocks(modes: list[Mode], calls: int, blocks: int) -> dict[str, dict[str, list[float]]]:
    """Per mode and block: CPU per call of the calling thread (``thread_time``) and of the
    whole process after ``settle`` (``process_time``: export threads included), plus every
    call's wall latency. The order of the modes rotates per block, so drift cancels."""
    out = {m.name: {"caller": [], "process": [], "lat": []} for m in modes}
    for m in modes:  # warm every path (imports, caches, first-lookup of prices)
        m.enter()
        for _ in range(max(5, calls // 10)):
            m.call()
        m.settle()
    for block in range(blocks):
        for m in modes[block % len(modes):] + modes[:block % len(modes)]:
            m.enter()
            call, lat, perf = m.call, out[m.name]["lat"], time.perf_counter
            p0, t0 = time.process_time(), time.thread_time()
            for _ in range(calls):
                s = perf()
                call()
                lat.append(perf() - s)
            t1 = time.thread_time()
            m.settle()
            p1 = time.process_time()
            out[m.name]["caller"].append((t1 - t0) / calls)
            out[m.name]["process"].append((p1 - p0) / calls)
    return out


def added_us(results: dict, mode: str, key: str, base: str = "bare") -> float:
    """Median over blocks of (mode − base) in the same block, in µs per call."""
    pairs = zip(results[mode][key], results[base][key])
    return statistics.median(a - b for a, b in pairs) * 1e6


def median_us(results: dict, mode: str, key: str) -> float:
    return statistics.median(results[mode][key]) * 1e6


def over(latencies: list[float], seconds: float) -> int:
    return sum(1 for x in latencies if x > seconds)


def pct(latencies: list[float], p: float) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


# -- the reference: one bare SDK span exported over OTLP -----------------------------------
# The attributes a GenAI span carries without content (request, response, usage): what the
# cheapest hand-written instrumentation of this call would record.
SPAN_ATTRIBUTES = {
    "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.system": "openai",
    "gen_ai.request.model": "gpt-4o-mini", "gen_ai.request.temperature": 0.3, "gen_ai.request.max_tokens": 64,
    "server.address": "bench.local", "server.port": 443, "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
    "gen_ai.response.id": "chatcmpl-bench", "gen_ai.response.finish_reasons": ("stop",),
    "gen_ai.usage.input_tokens": 42, "gen_ai.usage.output_tokens": 7, "gen_ai.usage.cache_read.input_tokens": 0,
}


def bare_span_mode(client, sink_url: str):
    """Mode "bare + span": the bare call inside one SDK span with ``SPAN_ATTRIBUTES``, through a
    BatchSpanProcessor and the real OTLP http/protobuf exporter to the sink; (mode, shutdown)."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.trace import SpanKind

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=sink_url + "/v1/traces")))
    tracer = provider.get_tracer("bench")

    def call():
        with tracer.start_as_current_span("chat gpt-4o-mini", kind=SpanKind.CLIENT, attributes=SPAN_ATTRIBUTES):
            call_plain(client)

    return Mode("bare + OTel span", lambda: None, call, provider.force_flush), provider.shutdown


# -- loopback sink in its own process ----------------------------------------------------------
class Sink(NamedTuple):
    url: str
    stop: Callable[[], None]

    def posts(self) -> int:
        """POSTs the sink has answered so far."""
        with urllib.request.urlopen(self.url + "/count", timeout=5) as response:
            return int(response.read())


def start_sink_process(delay_s: float = 0.0) -> Sink:
    """``benchmarks._sink`` in its own process, so its CPU is not charged to the measured one."""
    # Its own stderr: a caller timing our exit must not wait for the sink to go away too.
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks._sink", "--delay", str(delay_s)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    url = proc.stdout.readline().strip()

    def stop():
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()

    return Sink(url, stop)


def code_state() -> str:
    """The commit measured, and whether the library had uncommitted changes (read-only git)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
        changed = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--", "helicone_otel"], cwd=root,
                                 capture_output=True, text=True).stdout.splitlines()
    except OSError:
        return "unknown"
    return head + (f" + uncommitted changes in {len(changed)} files under helicone_otel/" if changed else "")


def machine() -> str:
    import openai
    import opentelemetry.sdk.version as otel_version

    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"openai {openai.__version__}, opentelemetry-sdk {otel_version.__version__}; helicone_otel at {code_state()}")
