"""Background export cost per span (translation + encoding + POST) and exporter throughput.

    python -m benchmarks.export [--spans 64] [--rounds 200]

Spans are real chat spans made by the instrumentation (content capture on). The POST goes to a
loopback sink; only the exporting thread's CPU is counted (``time.thread_time``), so the sink's
own work is not charged to us.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

from . import _harness as H


def make_spans(n: int):
    from helicone_otel import HeliconeAsyncLogger
    from helicone_otel.testing import SpanCapture

    capture = SpanCapture()
    logger = HeliconeAsyncLogger(base_url="http://127.0.0.1:9", providers=["openai"], tracer_provider=capture.tracer_provider)
    logger.init()
    logger._export_processor.shutdown(0)  # nothing leaves: we only want the spans
    client = H.make_client()
    for i in range(n):
        (H.call_stream if i % 2 else H.call_plain)(client)
    logger.shutdown(0)
    return capture.llm_spans()


def measure(encoding: str, spans, rounds: int, url: str) -> dict:
    from helicone_otel.export.helicone import HeliconeExporter

    exporter = HeliconeExporter(url, "bench-key", encoding=encoding)
    never = threading.Event()
    encode_cpu, export_cpu, walls = [], [], []
    for _ in range(rounds):
        t = time.thread_time()
        body = exporter.encode(spans)
        encode_cpu.append((time.thread_time() - t) / len(spans))
        t, w = time.thread_time(), time.perf_counter()
        assert exporter.export(spans, float("inf"), never) == len(spans)
        export_cpu.append((time.thread_time() - t) / len(spans))
        walls.append(time.perf_counter() - w)
    exporter.shutdown()
    per_span = statistics.median(export_cpu)
    return {
        "encode_us": statistics.median(encode_cpu) * 1e6,
        "export_us": per_span * 1e6,
        "bytes_per_span": len(body) / len(spans),
        "spans_per_cpu_s": 1 / per_span,
        "spans_per_wall_s": len(spans) / statistics.median(walls),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spans", type=int, default=64, help="spans per batch (the processor's batch size)")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    spans = make_spans(args.spans)
    url, stop, _ = H.start_sink()
    print(f"batch of {len(spans)} chat spans (half streamed), content capture on\n")
    print("| encoding | translate+encode CPU/span | + POST, CPU/span | bytes/span | spans/s per export-thread CPU-second | spans/s wall (loopback) |")
    print("|---|---|---|---|---|---|")
    for encoding in ("json", "protobuf"):
        r = measure(encoding, spans, args.rounds, url)
        print(f"| OTLP/{encoding} | {r['encode_us']:.1f} us | {r['export_us']:.1f} us | {r['bytes_per_span']:.0f} | "
              f"{r['spans_per_cpu_s']:,.0f} | {r['spans_per_wall_s']:,.0f} |")
    stop()


if __name__ == "__main__":
    main()
