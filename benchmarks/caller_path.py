"""Where the caller's thread spends its µs: each step of the recording path timed alone, on the
real objects (an openai client, its request options, a response, the stream proxy).

    python -m benchmarks.caller_path [--n 20000]

Each figure is the median of 7 rounds of ``n`` repetitions, ``thread_time`` per repetition, the
cost of an empty loop subtracted. Steps are timed in isolation (warm caches), so their sum is a
floor for what ``benchmarks.overhead`` measures end to end under real conditions.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from . import _harness as H


def per_call_us(fn, n: int) -> float:
    def loop(f):
        t = time.thread_time()
        for _ in range(n):
            f()
        return time.thread_time() - t

    empty = lambda: None  # noqa: E731
    rounds = [(loop(fn) - loop(empty)) / n for _ in range(7)]
    return statistics.median(rounds) * 1e6


def paired_us(a, b, n: int) -> float:
    """Median over ``n`` alternations of (CPU of ``a()`` − CPU of ``b()``): drift cancels."""
    diffs = []
    for _ in range(n):
        t = time.thread_time()
        a()
        ta = time.thread_time() - t
        t = time.thread_time()
        b()
        diffs.append(ta - (time.thread_time() - t))
    return statistics.median(diffs) * 1e6


def stream_chunk_us(client, chunks: int, rounds: int, usage: bool) -> float:
    """Added CPU per SDK chunk of iterating a real SDK stream (parsing included) through our
    proxy recording it (each Server-Sent Event's text, ``tap_events``), against iterating it bare; ``usage``: the usage chunk is requested
    and, through the proxy, held back by the endpoint's ``skip_chunk`` check."""
    from helicone_otel.capture.call import Call, Recorder
    from helicone_otel.capture.streams import SyncStreamProxy
    from helicone_otel.instrumentation.openai import OpenAIInstrumentor

    endpoint, recorder = OpenAIInstrumentor.endpoints["/chat/completions"], Recorder(lambda call: None, None)
    extra = {"stream_options": {"include_usage": True}} if usage else {}
    streams = []

    def make(record: bool):
        stream = client.chat.completions.create(model="gpt-4o-mini", messages=H.MESSAGES, stream=True, **extra)
        if record:
            call = Call(endpoint, client, "/chat/completions", {}, recorder)
            call.chunks, call.stream_usage_added = [], usage
            stream = SyncStreamProxy(stream, call, recorder)
        streams.append(stream)

    def iterate():
        for _ in streams.pop():
            pass

    diffs = []
    for _ in range(rounds):  # the streams are made outside the timing: only iteration counts
        make(True)
        a = per_iteration(iterate)
        make(False)
        diffs.append(a - per_iteration(iterate))
    return statistics.median(diffs) / (chunks + 2 + usage) * 1e6


def per_iteration(fn) -> float:
    t = time.thread_time()
    fn()
    return time.thread_time() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    n = args.n

    from openai._models import FinalRequestOptions
    from openai.types.chat import ChatCompletion
    from opentelemetry import context as otel_context
    from opentelemetry import trace
    from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
    from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

    import wrapt
    from helicone_otel.capture import request_point as rp
    from helicone_otel.capture import sdk_point as sp
    from helicone_otel.capture.call import Call, Recorder
    from helicone_otel.capture.streams import SyncStreamProxy, finish
    from helicone_otel.context import current_attributes
    from helicone_otel.export.pipeline import ExportPipeline
    from helicone_otel.export.sender import HeliconeSender
    from helicone_otel.instrumentation.openai import OpenAIInstrumentor

    client = H.make_client()
    endpoints = OpenAIInstrumentor.endpoints
    endpoint = endpoints["/chat/completions"]
    body = {"model": "gpt-4o-mini", "messages": H.MESSAGES, "temperature": 0.3, "max_tokens": 64}
    options = FinalRequestOptions.construct(method="post", url="/chat/completions", json_data=body)
    stream_options = FinalRequestOptions.construct(method="post", url="/chat/completions", json_data={**body, "stream": True})
    result = ChatCompletion.model_validate(H.CHAT)
    # A real pipeline whose builder discards calls: enqueue as the caller sees it.
    pipeline = ExportPipeline(lambda item: None, lambda *a: HeliconeSender("http://127.0.0.1:9/x", None), senders=1,
                              max_queue_size=1 << 30)  # never gated nor full: the common path
    # stream_usage_hosts: the stand-in host is treated as api.openai.com is (usage requested).
    recorder = Recorder(pipeline.enqueue, RandomIdGenerator(), stream_usage_hosts=frozenset({"bench.local"}))
    ids = recorder.id_generator
    accepts = OpenAIInstrumentor.accepts_stream_usage
    sync_request, _ = rp.make_request_wrappers(recorder, endpoints, "OpenAI", accepts)
    wrapped = lambda *a, **k: result  # noqa: E731 - the SDK's request, answered at once
    args_ = (ChatCompletion, options)

    def begin_detach():
        sp.end_scope(rp._begin(recorder, endpoints, {}, client, args_, {}))

    def attach_detach():
        parent = otel_context.get_current()
        span = NonRecordingSpan(SpanContext(1, 2, False, TraceFlags(TraceFlags.SAMPLED)))
        otel_context.detach(otel_context.attach(trace.set_span_in_context(span, parent)))

    def finish_enqueue():
        call = Call(endpoint, client, "/chat/completions", body, recorder)
        finish(call, recorder)

    bare_fn = lambda: wrapped()  # noqa: E731
    fw = wrapt.FunctionWrapper(bare_fn, lambda w, i, a, k: w(*a, **k))
    steps = [
        ("whole wrapper around an SDK request that answers at once (sync_request)", lambda: sync_request(wrapped, client, args_, {})),
        ("  wrapt dispatch (FunctionWrapper → wrapper → wrapped), over a direct call", lambda: fw()),
        ("  recorder.active() (is_instrumentation_enabled: two context look-ups)", recorder.active),
        ("  _begin + _detach (everything below)", begin_detach),
        ("    Call(...) (time_ns + perf_counter_ns, 19 slots)", lambda: Call(endpoint, client, "/chat/completions", body, recorder)),
        ("    current_attributes()", current_attributes),
        ("    parent: context.get_current + get_current_span + get_span_context",
         lambda: trace.get_current_span(otel_context.get_current()).get_span_context()),
        ("    ids: generate_trace_id + generate_span_id", lambda: (ids.generate_trace_id(), ids.generate_span_id())),
        ("    NonRecordingSpan + set_span_in_context + attach + detach", attach_detach),
        ("  finish: Call(...) + now_ns + pipeline.enqueue (below the gate)", finish_enqueue),
        ("  guard(_wants_usage) on a plain call", lambda: rp.guard("x", rp._wants_usage, Call(endpoint, client, "", body, recorder),
                                                                    recorder, accepts)),
        ("stream: accepts_stream_usage(client) (str(base_url), urlsplit, host tables)", lambda: accepts(client, recorder.stream_usage_hosts)),
        ("stream: _with_usage_requested (options.model_copy, body copy)", lambda: rp._with_usage_requested((ChatCompletion, stream_options), {})),
        ("stream: SyncStreamProxy(...) creation", lambda: SyncStreamProxy(iter(()), Call(endpoint, client, "", body, recorder), recorder)),
    ]
    print(f"{H.machine()}\n")
    print("| caller-path step | CPU per call |")
    print("|---|---|")
    for label, fn in steps:
        for _ in range(1000):
            fn()
        pipeline._calls.clear()
        print(f"| {label} | {per_call_us(fn, n):.2f} µs |")
        pipeline._calls.clear()
    pipeline.shutdown(0)

    # The usage chunk we ask for (and hide): the SDK parses one more chunk on the caller's thread.
    def stream(include_usage: bool):
        extra = {"stream_options": {"include_usage": True}} if include_usage else {}
        for _ in client.chat.completions.create(model="gpt-4o-mini", messages=H.MESSAGES, stream=True, **extra):
            pass

    usage = paired_us(lambda: stream(True), lambda: stream(False), max(100, n // 50))
    print(f"| stream: the SDK parsing the requested usage chunk (bare SDK, include_usage on − off) | {usage:.1f} µs |")
    long_client = H.make_client(200)
    for usage, label in ((False, "usage not requested"), (True, "usage requested: skip_chunk checked per chunk")):
        per_chunk = stream_chunk_us(long_client, 200, max(40, n // 400), usage)
        print(f"| per chunk, real 200-chunk SDK stream: proxy recording events − bare ({label}) | {per_chunk:+.2f} µs |")
    print(f"\nrequest body {len(json.dumps(body))} bytes; {len(H.MESSAGES)} messages")


if __name__ == "__main__":
    main()
