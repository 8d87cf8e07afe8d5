"""Tight-loop starvation: N calls back to back, with a healthy sink, with and without a CPU-bound
thread beside the caller. Does the export side keep up, and what does the caller pay for it?

    python -m benchmarks.starvation [--calls 5000]

A caller in a tight loop holds the GIL almost all the time; the builder thread gets it only when
the caller sleeps in the pipeline's gate (0.1 ms at most once per 10 ms, once the queue is a
quarter full) or at the interpreter's 5 ms switch interval. Each run is its own process; the
sink is another process (asyncio, keep-alive, answers 200 at once), so its CPU is not ours.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import threading
import time

from . import _harness as H


class GateMeter:
    """Stands in for the ``time`` module inside ``helicone_otel.export.pipeline`` (benchmark
    only): counts the caller's sleeps in the gate and their wall time, GIL re-acquisition
    included, since that is what the caller loses."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0
        self.caller = threading.get_ident()
        self.on = False

    def __getattr__(self, name):
        return getattr(time, name)

    def sleep(self, seconds: float) -> None:
        if not (self.on and threading.get_ident() == self.caller):
            return time.sleep(seconds)
        start = time.perf_counter()
        time.sleep(seconds)
        self.seconds += time.perf_counter() - start
        self.count += 1


def child(calls: int, instrumented: bool, hog: bool) -> dict:
    sink = H.start_sink_process()
    logger = meter = pipeline = None
    if instrumented:
        from helicone_otel import HeliconeAsyncLogger
        from helicone_otel.export import pipeline as pipeline_module

        logger = HeliconeAsyncLogger(base_url=sink.url, providers=["openai"], stream_usage_hosts=["bench.local"]).init()
        pipeline = logger._pipeline
        meter = pipeline_module.time = GateMeter()
    client = H.make_client()
    for _ in range(200):
        H.call_plain(client)
    if logger is not None:
        logger.flush(30)
    stop = threading.Event()
    hog_cpu = [0.0]

    def burn() -> None:  # pure-Python CPU work: gives the GIL up only when asked to
        start = time.thread_time()
        while not stop.is_set():
            sum(i * i for i in range(200))
        hog_cpu[0] = time.thread_time() - start

    # Garbage-collector pauses during the loop: a long one is not the export's doing.
    pauses, gc_start = [], [0.0]
    gc.callbacks.append(lambda phase, info: gc_start.__setitem__(0, time.perf_counter()) if phase == "start"
                        else pauses.append((time.perf_counter() - gc_start[0], info["generation"])))

    hog_thread = threading.Thread(target=burn, daemon=True)
    if hog:
        hog_thread.start()
    latencies, depth = [], 0
    if meter is not None:
        meter.on = True
    started = time.perf_counter()
    for _ in range(calls):
        t = time.perf_counter()
        H.call_plain(client)
        latencies.append(time.perf_counter() - t)
        if pipeline is not None:
            depth = max(depth, len(pipeline._calls))
    loop_s = time.perf_counter() - started
    if meter is not None:
        meter.on = False
    stop.set()
    hog_thread.join() if hog else None
    gc.callbacks.clear()
    full = [p for p, generation in pauses if generation == 2]
    out = {"calls": calls, "loop_s": loop_s, "calls_per_s": calls / loop_s, "max_ms": max(latencies) * 1e3,
           "p99_ms": H.pct(latencies, 99) * 1e3, "over_10ms": H.over(latencies, 0.010),
           "switch_interval_ms": sys.getswitchinterval() * 1e3, "hog_share": hog_cpu[0] / loop_s,
           "gc_max_ms": max((p for p, _ in pauses), default=0.0) * 1e3, "gc_full": len(full),
           "gc_full_max_ms": max(full, default=0.0) * 1e3}
    if logger is not None:
        backlog = pipeline.pending()
        t = time.perf_counter()
        logger.flush(120)
        stats = logger.stats()
        out.update(queue_max=depth, backlog_at_end=backlog, drain_s=time.perf_counter() - t, gate_s=meter.seconds,
                   gates=meter.count, gate_fraction=meter.seconds / loop_s, exported=stats.exported,
                   dropped=stats.dropped, dropped_queue_full=stats.dropped_queue_full, sink_posts=sink.posts(),
                   queue_limit=pipeline._max_queue_size, gate_at=pipeline._gate_at)
        logger.shutdown()
    sink.stop()
    return out


RUNS = (("bare", False, False), ("helicone_otel", True, False), ("bare + CPU-bound thread", False, True),
        ("helicone_otel + CPU-bound thread", True, True))


def run_all(calls: int) -> dict:
    """Each run in its own process; {label: figures or {"error": ...}}."""
    out = {}
    for label, instrumented, hog in RUNS:
        cmd = [sys.executable, "-m", "benchmarks.starvation", "--child", json.dumps([calls, instrumented, hog])]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        try:
            out[label] = json.loads(done.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            out[label] = {"error": " / ".join((done.stderr or done.stdout).strip().splitlines()[-2:])}
    return out


def table(runs: dict) -> list[str]:
    lines = ["| tight loop, healthy sink | calls/s | worst call (longest GC pause; full GCs) | calls > 10 ms | dropped "
             "| caller time in the gate | call-queue high-water (gate at / limit) | pending at loop end (calls + bodies) → drained in "
             "| CPU-bound thread's CPU share |",
             "|---|---|---|---|---|---|---|---|---|"]
    for label, r in runs.items():
        if "error" in r:
            lines.append(f"| {label} | failed: {r['error']} |||||||| ")
            continue
        row = (f"| {label} | {r['calls_per_s']:,.0f} | {r['max_ms']:.1f} ms ({r['gc_max_ms']:.1f} ms; {r['gc_full']}) |"
               f" {r['over_10ms']} |")
        if "dropped" in r:
            row += (f" {r['dropped']} of {r['calls'] + 200} (sink got {r['sink_posts']}) |"
                    f" {r['gate_fraction']:.1%} ({r['gates']} × {r['gate_s'] * 1e3 / max(1, r['gates']):.2f} ms) |"
                    f" {r['queue_max']} ({r['gate_at']} / {r['queue_limit']}) | {r['backlog_at_end']} → {r['drain_s']:.2f} s |")
        else:
            row += " – | – | – | – |"
        lines.append(row + (f" {r['hog_share']:.0%} |" if "CPU-bound" in label else " – |"))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*json.loads(args.child))))
        return
    print(f"{H.machine()}\n{args.calls} plain calls back to back (+200 warm-up), each run in its own process\n")
    print("\n".join(table(run_all(args.calls))))


if __name__ == "__main__":
    main()
