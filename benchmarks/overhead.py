"""Added CPU per call (export thread included) of helicone_otel — and of the peer
instrumentations when installed — against the uninstrumented call in the same run.

    python -m benchmarks.overhead [--calls 200] [--blocks 15]

Real openai SDK, in-process transport (no sockets), paired bare/instrumented blocks in one
process; content capture on, cost on, a healthy loopback collector. Peers run in their own
subprocess with the same layout so their patches never meet ours.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys

from . import _harness as H


def floor_us(calls: int) -> float:
    """One bare OTel SDK span with 20 attributes through a BatchSpanProcessor (no-op exporter)."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    class Discard(SpanExporter):
        def export(self, spans):
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    processor = BatchSpanProcessor(Discard())
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("floor")
    attrs = {f"attr.{i}": ("value" if i % 2 else i) for i in range(20)}

    def one():
        tracer.start_span("chat gpt-4o-mini", attributes=attrs).end()

    cpu, _ = H.cpu_block(one, calls * 20)
    processor.shutdown()
    return cpu * 1e6


def run_ours(calls: int, blocks: int) -> dict:
    from helicone_otel import HeliconeAsyncLogger
    from helicone_otel.instrumentation.openai import OpenAIInstrumentor

    url, stop = H.start_sink_process()
    logger = HeliconeAsyncLogger(base_url=url, providers=["openai"]).init()
    instrumentor = OpenAIInstrumentor()  # the singleton the logger instrumented

    def bare_mode():
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()

    def instrumented_mode():
        if not instrumentor.is_instrumented_by_opentelemetry:
            # benchmark-only: re-patch with the logger's own provider and options
            instrumentor.instrument(tracer_provider=logger.tracer_provider, options=logger._options)

    return _measure(calls, blocks, bare_mode, instrumented_mode, after=lambda: (logger.flush(10), logger.shutdown(), stop()),
                    stats=lambda: logger.stats())


def run_peer(name: str, calls: int, blocks: int) -> dict:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    url, stop = H.start_sink_process()
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url + "/v1/traces")))
    if name == "openllmetry":
        import os

        os.environ["TRACELOOP_TRACE_CONTENT"] = "true"
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor
    else:
        import os

        os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "true"
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
    instrumentor = OpenAIInstrumentor()

    def bare_mode():
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()

    def instrumented_mode():
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument(tracer_provider=provider)

    return _measure(calls, blocks, bare_mode, instrumented_mode, after=lambda: (provider.shutdown(), stop()))


def _measure(calls, blocks, bare_mode, instrumented_mode, after, stats=None) -> dict:
    client = H.make_client()
    out = {}
    for kind, fn in (("plain", H.call_plain), ("stream", H.call_stream)):
        for _ in range(20):  # warm up both paths
            bare_mode(); fn(client); instrumented_mode(); fn(client)
        bare, instr, lat_b, lat_i = H.paired(lambda: fn(client), lambda: fn(client), bare_mode, instrumented_mode, calls, blocks)
        out[kind] = {
            "bare_us": bare * 1e6, "instrumented_us": instr * 1e6,
            "added_us": (instr - bare) * 1e6, "ratio": instr / bare,
            "over_10ms_bare": H.over(lat_b, 0.010), "over_10ms_instr": H.over(lat_i, 0.010),
            "p99_bare_ms": H.pct(lat_b, 99) * 1e3, "p99_instr_ms": H.pct(lat_i, 99) * 1e3,
            "calls": len(lat_i),
        }
    after()
    if stats is not None:
        s = stats()
        out["export"] = {"exported": s.exported, "dropped": s.dropped}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200, help="calls per block")
    parser.add_argument("--blocks", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed per implementation")
    parser.add_argument("--no-peers", action="store_true", help="measure helicone_otel only")
    parser.add_argument("--impl", default=None, help=argparse.SUPPRESS)  # subprocess entry for one implementation
    args = parser.parse_args()
    if args.impl:
        result = run_ours(args.calls, args.blocks) if args.impl == "helicone_otel" else run_peer(args.impl, args.calls, args.blocks)
        print(json.dumps(result))
        return

    import openai
    import opentelemetry.sdk.version as otel_version

    floor = floor_us(args.calls)
    results = {}
    for impl, module in (("helicone_otel", None), ("openllmetry", "opentelemetry.instrumentation.openai"),
                         ("openai-v2 (official)", "opentelemetry.instrumentation.openai_v2")):
        if module is not None:
            import importlib.util

            if args.no_peers or importlib.util.find_spec(module) is None:
                results[impl] = None
                continue
        name = {"openai-v2 (official)": "openai_v2"}.get(impl, impl)
        try:
            done = subprocess.run([sys.executable, "-m", "benchmarks.overhead", "--impl", name, "--calls", str(args.calls),
                                   "--blocks", str(args.blocks)], capture_output=True, text=True, timeout=args.timeout)
            results[impl] = json.loads(done.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            results[impl] = {"error": [f"did not finish in {args.timeout} s"]}
        except (ValueError, IndexError):
            results[impl] = {"error": (done.stderr or done.stdout).strip().splitlines()[-1:]}

    print(f"machine: {platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}, "
          f"openai {openai.__version__}, opentelemetry-sdk {otel_version.__version__}")
    print(f"{args.blocks} paired blocks x {args.calls} calls; CPU of the whole process (export thread included)")
    print(f"floor: one bare OTel span, 20 attributes, BatchSpanProcessor = {floor:.1f} us\n")
    print("| implementation | plain: added CPU/call | plain: ratio to bare | added / floor | stream: added CPU/call | stream: ratio | stream added / floor | calls > 10 ms (bare → instr) |")
    print("|---|---|---|---|---|---|---|---|")
    for impl, r in results.items():
        if r is None:
            print(f"| {impl} | not measured (--no-peers, or not installed: pip install -e '.[bench]') | | | | | | |")
            continue
        if "error" in r:
            print(f"| {impl} | failed: {r['error']} | | | | | | |")
            continue
        p, s = r["plain"], r["stream"]
        print(f"| {impl} | {p['added_us']:.0f} us | {p['ratio']:.2f}x | {p['added_us'] / floor:.2f}x | "
              f"{s['added_us']:.0f} us | {s['ratio']:.2f}x | {s['added_us'] / floor:.2f}x | "
              f"{p['over_10ms_bare'] + s['over_10ms_bare']} → {p['over_10ms_instr'] + s['over_10ms_instr']} |")
    ours = results.get("helicone_otel") or {}
    if ours and "plain" in ours:
        print(f"\nbare call: {ours['plain']['bare_us']:.0f} us plain, {ours['stream']['bare_us']:.0f} us stream "
              f"({H.CHUNKS + 2} chunks); helicone_otel exported {ours['export']['exported']} spans, dropped {ours['export']['dropped']}")
        per_chunk = max(0.0, ours['stream']['added_us'] - ours['plain']['added_us']) / (H.CHUNKS + 2)
        print(f"stream extra over plain, per chunk: {per_chunk:.2f} us")


if __name__ == "__main__":
    main()
