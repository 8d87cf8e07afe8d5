"""What a healthy, distant (50 ms), slow (5 s) or absent collector costs the application:
caller latency percentiles against the uninstrumented call, process exit time, drops counted,
memory.

    python -m benchmarks.collector_down [--calls 10000]

Each scenario runs in its own process: N plain chat calls through the real openai SDK on an
in-process transport, then a normal interpreter exit (our atexit shutdown included).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

from . import _harness as H


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Seconds the sink waits before answering each POST. "far": a collector across the internet,
# which the fixed set of sender threads can reach only that many times per second.
DELAYS = {"healthy": 0.0, "far (50 ms)": 0.05, "slow (5 s)": 5.0}


def child(scenario: str, calls: int) -> None:
    """One scenario in this process; prints a JSON line, then exits normally."""
    import atexit

    stop = None
    logger = None

    def at_exit() -> None:
        # Registered first, so it runs last: after our logger's own exit handler has finished.
        done = {"at": time.time()}
        if logger is not None:
            stats = logger.stats()
            done.update(exported=stats.exported, full=stats.dropped_queue_full, failed=stats.dropped_export_failed,
                        shutdown=stats.dropped_shutdown)
        print(f"EXIT_HANDLERS_DONE {json.dumps(done)}", flush=True)

    atexit.register(at_exit)
    if scenario != "bare":
        from helicone_otel import HeliconeAsyncLogger

        if scenario in DELAYS:
            sink = H.start_sink_process(delay_s=DELAYS[scenario])
            url, stop = sink.url, sink.stop
        else:
            import socket

            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                url = f"http://127.0.0.1:{s.getsockname()[1]}"  # nothing listens here
        logger = HeliconeAsyncLogger(base_url=url, providers=["openai"]).init()
        queue_limit = logger._pipeline._max_queue_size
    client = H.make_client()
    for _ in range(200):
        H.call_plain(client)
    latencies = []
    rss_start = 0.0
    for i in range(calls):
        if i == calls // 2:  # by now the call queue has long filled when the collector is away
            rss_start = _rss_mb()
        t = time.perf_counter()
        H.call_plain(client)
        latencies.append(time.perf_counter() - t)
    result = {
        "p50_ms": H.pct(latencies, 50) * 1e3,
        "p99_ms": H.pct(latencies, 99) * 1e3,
        "over_10ms": H.over(latencies, 0.010),
        "rss_start_mb": rss_start,
        "rss_end_mb": _rss_mb(),
    }
    if logger is not None:
        stats = logger.stats()
        result.update(exported=stats.exported, dropped=stats.dropped, queued=stats.queued, queue_limit=queue_limit)
    result["last_call_at"] = time.time()
    print(json.dumps(result), flush=True)
    # Exit as an application would: no explicit shutdown; atexit does it (bounded). The sink
    # process (if any) is left to notice its closed stdin.


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=10000)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.calls)
        return
    rows = {}
    for scenario in ("bare", "healthy", "far (50 ms)", "down", "slow (5 s)"):
        done = subprocess.run([sys.executable, "-m", "benchmarks.collector_down", "--child", scenario, "--calls", str(args.calls)],
                              capture_output=True, text=True)
        ended = time.time()
        row = json.loads([x for x in done.stdout.splitlines() if x.startswith("{")][-1])
        final = [json.loads(x.split(" ", 1)[1]) for x in done.stdout.splitlines() if x.startswith("EXIT_HANDLERS_DONE")]
        row["final"] = final[-1] if final else {"at": ended}
        # Exit cost: from the last call until every atexit handler (ours included) has run;
        # the interpreter's own teardown after that is the same with or without us.
        row["exit_s"] = row["final"]["at"] - row["last_call_at"]
        row["warnings"] = [x for x in done.stderr.splitlines() if "helicone_otel" in x][-1:]
        rows[scenario] = row
    bare = rows["bare"]
    print(f"{H.machine()}\n{args.calls} + 200 plain chat calls back to back per scenario, each in its own process; "
          "exit = from the last call until every atexit handler (ours included) has run\n")
    print("| collector | p50 (× bare) | p99 (× bare) | calls > 10 ms | exit | at the last call: exported / dropped / queued "
          "| after exit: exported / dropped (queue full, failed, at shutdown) | RSS at 50% → end |")
    print("|---|---|---|---|---|---|---|---|")
    for scenario, r in rows.items():
        at_last = after = "–"
        if "exported" in r:
            f = r["final"]
            at_last = f"{r['exported']} / {r['dropped']} / {r['queued']} (limit {r['queue_limit']})"
            after = (f"{f.get('exported', '?')} / {f.get('full', 0) + f.get('failed', 0) + f.get('shutdown', 0)} "
                     f"({f.get('full')}, {f.get('failed')}, {f.get('shutdown')})")
        print(f"| {scenario} | {r['p50_ms']:.3f} ms ({r['p50_ms'] / bare['p50_ms']:.2f}×) | {r['p99_ms']:.3f} ms "
              f"({r['p99_ms'] / bare['p99_ms']:.2f}×) | {r['over_10ms']} | {r['exit_s']:.2f} s | {at_last} | {after} | "
              f"{r['rss_start_mb']:.0f} → {r['rss_end_mb']:.0f} MB |")
    for scenario, r in rows.items():
        if r["warnings"]:
            print(f"\n{scenario}: {r['warnings'][0]}")


if __name__ == "__main__":
    main()
