"""What instrumenting an openai call costs: CPU added on the caller's thread and in the whole
process (export threads included), per call and per stream chunk, beside one bare OTel span
exported over OTLP and the peer instrumentors; then the tight-loop starvation run.

    python -m benchmarks.overhead [--calls 200] [--blocks 15] [--no-peers] [--starve 5000]

Real openai SDK on the in-process transport of ``_harness``; content capture on; exports go to
the loopback sink process. Each implementation runs in its own subprocess (peers' patches never
meet ours) with the same layout: paired blocks of bare and instrumented calls, order rotating,
figures = median over blocks of (mode − bare) in the same block. Whole-process figures are
taken after a flush, so the export work a block caused is charged to that block.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import wrapt

from . import _harness as H
from . import starvation

LONG = 200  # content chunks of the long stream; per-chunk cost = slope between 20 and LONG


def _figures(sink: H.Sink, bare, impl_modes, args) -> dict:
    """The shared layout: plain blocks (bare, bare + span, the implementation's modes), then
    short and long stream blocks (bare and the implementation's modes). ``impl_modes(call)``
    gives the implementation's modes for one kind of call."""
    client, short, long_ = H.make_client(), H.make_client(H.CHUNKS), H.make_client(LONG)
    span_mode, span_shutdown = H.bare_span_mode(client, sink.url)
    plain_call = lambda: H.call_plain(client)  # noqa: E731
    plain = H.run_blocks([H.Mode("bare", bare, plain_call), span_mode, *impl_modes(plain_call)], args.calls, args.blocks)
    span_shutdown()
    out = {"bare_caller_us": H.median_us(plain, "bare", "caller"), "bare_process_us": H.median_us(plain, "bare", "process"),
           "plain": {}, "chunk": {}, "stream_fixed": {}}
    for mode, runs in plain.items():
        added = {k: H.added_us(plain, mode, k) for k in ("caller", "process")} if mode != "bare" else {}
        out["plain"][mode] = {**added, "over_10ms": H.over(runs["lat"], 0.010), "max_ms": max(runs["lat"]) * 1e3}
    added = {}
    for chunks, c, calls in ((H.CHUNKS, short, max(10, args.calls // 4)), (LONG, long_, max(4, args.calls // 25))):
        stream_call = lambda c=c: H.call_stream(c)  # noqa: E731
        runs = H.run_blocks([H.Mode("bare", bare, stream_call), *impl_modes(stream_call)], calls, args.blocks)
        added[chunks] = {m: {k: H.added_us(runs, m, k) for k in ("caller", "process")} for m in runs if m != "bare"}
        if chunks == H.CHUNKS:
            out["bare_stream_us"] = H.median_us(runs, "bare", "caller")
    for mode in added[LONG]:
        out["chunk"][mode] = {k: (added[LONG][mode][k] - added[H.CHUNKS][mode][k]) / (LONG - H.CHUNKS) for k in ("caller", "process")}
        # What a stream costs beyond a plain call's added cost and its chunks (usage chunk, proxy…).
        out["stream_fixed"][mode] = {k: added[H.CHUNKS][mode][k] - (H.CHUNKS + 2) * out["chunk"][mode][k]
                                     - out["plain"][mode][k] for k in ("caller", "process")}
    return out


def run_ours(args) -> dict:
    from helicone_otel import HeliconeAsyncLogger
    from helicone_otel.instrumentation.openai import OpenAIInstrumentor

    sink = H.start_sink_process()
    # stream_usage_hosts: the stand-in host is treated as api.openai.com is (stream usage requested).
    logger = HeliconeAsyncLogger(base_url=sink.url, providers=["openai"], stream_usage_hosts=["bench.local"]).init()
    instrumentor = OpenAIInstrumentor()  # the singleton the logger instrumented
    pipeline = logger._pipeline

    def bare():
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()

    recorder, enqueue = logger._recorder, logger._recorder.submit

    def ours(post: bool = True, export: bool = True):
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument(recorder=recorder)  # benchmark-only re-patch, same recorder
        # Benchmark-only switches: a recorder that discards each finished call (the caller's own
        # recording, with no export thread competing for the GIL), and senders that drop each
        # body instead of POSTing it (the POST apart from building and encoding).
        recorder.submit = enqueue if export else (lambda call: None)
        for sender in pipeline._senders:
            if post:
                sender.__dict__.pop("send", None)
            else:
                sender.send = lambda body, deadline, stopping: True

    settle = lambda: logger.flush(60)  # noqa: E731
    impl = lambda call: [H.Mode("impl", ours, call, settle),  # noqa: E731
                         H.Mode("impl without POST", lambda: ours(post=False), call, settle),
                         H.Mode("impl recording only", lambda: ours(export=False), call, settle)]
    out = _figures(sink, bare, impl, args)
    out["threads"] = _thread_cpu(logger, ours)
    out["chunk_micro_us"] = _chunk_micro()
    logger.flush(60)
    stats = logger.stats()
    out["export"] = {"exported": stats.exported, "dropped": stats.dropped, "sink_posts": sink.posts()}
    logger.shutdown()
    sink.stop()
    return out


def _thread_cpu(logger, enter) -> dict:
    """CPU per item on the builder thread (build + encode) and on a sender thread (one POST),
    measured on those threads with ``thread_time`` around each item."""
    pipeline = logger._pipeline
    spent = {"build": [0.0, 0], "send": [0.0, 0]}

    def timed(kind, fn):
        def wrapper(*a):
            t = time.thread_time()
            try:
                return fn(*a)
            finally:
                spent[kind][0] += time.thread_time() - t
                spent[kind][1] += 1
        return wrapper

    enter()
    build = pipeline._build
    pipeline._build = timed("build", build)
    for sender in pipeline._senders:
        sender.send = timed("send", sender.send)
    out = {}
    for kind, client in (("plain", H.make_client()), ("stream", H.make_client(H.CHUNKS))):
        for v in spent.values():
            v[:] = [0.0, 0]
        for _ in range(500):
            (H.call_plain if kind == "plain" else H.call_stream)(client)
        logger.flush(60)
        out[kind] = {k: v[0] / max(1, v[1]) * 1e6 for k, v in spent.items()}
    pipeline._build = build
    for sender in pipeline._senders:
        sender.__dict__.pop("send", None)
    return out


def _chunk_micro() -> dict:
    """Added caller CPU per chunk, isolated: the stream proxy over ready chunk objects, against
    iterating a stand-in with the SDK Stream's own ``__iter__``/``__next__`` (no parsing);
    with and without the per-chunk check for the usage chunk we asked for."""
    from openai.types.chat import ChatCompletionChunk

    from helicone_otel.capture.call import Call, Recorder
    from helicone_otel.capture.streams import SyncStreamProxy
    from helicone_otel.instrumentation.openai import OpenAIInstrumentor

    chunk = ChatCompletionChunk.model_validate(json.loads(H._sse(1, False).split(b"\n\n")[1][6:]))
    chunks = [chunk] * 1000

    class Stream:  # openai._streaming.Stream's iteration protocol, without the parsing
        def __init__(self):
            self._iterator = iter(chunks)

        def __next__(self):
            return self._iterator.__next__()

        def __iter__(self):
            yield from self._iterator

    endpoint = OpenAIInstrumentor.endpoints["/chat/completions"]
    recorder = Recorder(submit=lambda call: None, id_generator=None)
    out = {}
    for usage in (False, True):
        samples = []
        for _ in range(200):
            t = time.thread_time()
            for _ in Stream():
                pass
            bare = time.thread_time() - t
            call = Call(endpoint, None, "/chat/completions", {}, recorder)
            call.chunks, call.stream_usage_added = [], usage
            proxy = SyncStreamProxy(Stream(), call, recorder)
            t = time.thread_time()
            for _ in proxy:
                pass
            samples.append((time.thread_time() - t - bare) / len(chunks))
        out["usage requested" if usage else "plain"] = statistics.median(samples) * 1e6
    return out


class PatchToggle:
    """Switches a peer's patches off and on by putting back the attributes its ``instrument()``
    replaced in the openai modules and classes: OpenLLMetry's ``uninstrument()`` leaves its
    wrappers in place with openai 3.x (module paths moved), so a second ``instrument()`` would
    stack another layer on top. Same treatment for both peers."""

    def __init__(self, instrument) -> None:
        before = self._snapshot()
        instrument()
        after = self._snapshot()
        # Only wrappers: instrumenting also imports modules whose pydantic models finish
        # building (``__pydantic_*__`` attributes appear); those are not patches.
        self.patches = [(owner, name, old.get(name, _ABSENT), value)
                        for key, (owner, new) in after.items() if key in before
                        for old in (before[key][1],) for name, value in new.items()
                        if old.get(name, _ABSENT) is not value and isinstance(value, wrapt.BaseObjectProxy)]

    @staticmethod
    def _snapshot() -> dict:
        out = {}
        for name, module in list(sys.modules.items()):
            if module is None or not (name == "openai" or name.startswith("openai.")):
                continue
            out[id(module)] = (module, dict(vars(module)))
            for value in list(vars(module).values()):
                if isinstance(value, type) and value.__module__ == name:
                    out[id(value)] = (value, dict(vars(value)))
        return out

    def set(self, on: bool) -> None:
        for owner, name, old, new in self.patches:
            if on:
                setattr(owner, name, new)
            elif old is _ABSENT:
                delattr(owner, name)
            else:
                setattr(owner, name, old)


_ABSENT = object()


def run_peer(name: str, args) -> dict:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    if name == "openllmetry":
        os.environ["TRACELOOP_TRACE_CONTENT"] = "true"
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor
    else:  # content on the span, as ours: current semconv, span-only content mode
        os.environ["OTEL_SEMCONV_STABILITY_OPT_IN"] = "gen_ai_latest_experimental"
        os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "span_only"
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
    sink = H.start_sink_process()
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=sink.url + "/v1/traces")))
    client = H.make_client()
    for _ in range(5):  # import every openai module the calls use before the snapshot
        H.call_plain(client)
        H.call_stream(client)
    toggle = PatchToggle(lambda: OpenAIInstrumentor().instrument(tracer_provider=provider))
    impl = lambda call: [H.Mode("impl", lambda: toggle.set(True), call, provider.force_flush)]  # noqa: E731
    out = _figures(sink, lambda: toggle.set(False), impl, args)
    out["patches"] = len(toggle.patches)
    provider.shutdown()
    sink.stop()
    return out


PEERS = {"openai-v2 (official)": ("openai_v2", "opentelemetry.instrumentation.openai_v2"),
         "OpenLLMetry": ("openllmetry", "opentelemetry.instrumentation.openai")}


def _subprocess(impl: str, args) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.overhead", "--impl", impl, "--calls", str(args.calls), "--blocks", str(args.blocks)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {args.timeout} s"}
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": " / ".join((done.stderr or done.stdout).strip().splitlines()[-2:])}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200, help="plain calls per block (streams: fewer)")
    parser.add_argument("--blocks", type=int, default=15)
    parser.add_argument("--starve", type=int, default=5000, help="calls in each tight-loop run (0: skip)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed per implementation")
    parser.add_argument("--no-peers", action="store_true", help="measure helicone_otel only")
    parser.add_argument("--impl", default=None, help=argparse.SUPPRESS)  # subprocess entry for one implementation
    args = parser.parse_args()
    if args.impl:
        print(json.dumps(run_ours(args) if args.impl == "helicone_otel" else run_peer(args.impl, args)))
        return
    import importlib.util

    results = {"helicone_otel": _subprocess("helicone_otel", args)}
    for label, (impl, module) in PEERS.items():
        try:
            installed = importlib.util.find_spec(module) is not None
        except ImportError:
            installed = False
        results[label] = None if args.no_peers or not installed else _subprocess(impl, args)
    starved = starvation.run_all(args.starve) if args.starve else None
    from . import _report

    _report.print_all(results, starved, args)


if __name__ == "__main__":
    main()
