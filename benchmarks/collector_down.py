"""What a healthy, slow (5 s) or absent collector costs the application: caller latency
percentiles against the uninstrumented call, process exit time, drops counted, memory.

    python -m benchmarks.collector_down [--calls 20000]

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


def child(scenario: str, calls: int) -> None:
    """One scenario in this process; prints a JSON line, then exits normally."""
    import atexit

    # Registered first, so it runs last: after our logger's own exit handler has finished.
    atexit.register(lambda: print(f"EXIT_HANDLERS_DONE {time.time()!r}", flush=True))
    stop = None
    logger = None
    if scenario != "bare":
        from helicone_otel import HeliconeAsyncLogger

        if scenario == "healthy":
            url, stop = H.start_sink_process()
        elif scenario == "slow":
            url, stop = H.start_sink_process(delay_s=5.0)
        else:
            import socket

            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                url = f"http://127.0.0.1:{s.getsockname()[1]}"  # nothing listens here
        logger = HeliconeAsyncLogger(base_url=url, providers=["openai"]).init()
    client = H.make_client()
    for _ in range(200):
        H.call_plain(client)
    latencies = []
    rss_start = 0.0
    for i in range(calls):
        if i == calls // 2:  # the queue (4096 spans) has long filled when the collector is away
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
        result.update(exported=stats.exported, dropped=stats.dropped, queued=stats.queued)
    result["last_call_at"] = time.time()
    print(json.dumps(result), flush=True)
    # Exit as an application would: no explicit shutdown; atexit does it (bounded). The sink
    # process (if any) is left to notice its closed stdin.


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.calls)
        return
    rows = {}
    for scenario in ("bare", "healthy", "down", "slow"):
        done = subprocess.run([sys.executable, "-m", "benchmarks.collector_down", "--child", scenario, "--calls", str(args.calls)],
                              capture_output=True, text=True)
        ended = time.time()
        line = [x for x in done.stdout.splitlines() if x.startswith("{")][-1]
        row = json.loads(line)
        handlers_done = [float(x.split()[1]) for x in done.stdout.splitlines() if x.startswith("EXIT_HANDLERS_DONE")]
        # Exit cost: from the last call until every atexit handler (ours included) has run;
        # the interpreter's own teardown after that is the same with or without us.
        row["exit_s"] = (handlers_done[-1] if handlers_done else ended) - row["last_call_at"]
        row["warnings"] = [x for x in done.stderr.splitlines() if "helicone_otel" in x][-1:]
        rows[scenario] = row
    bare = rows["bare"]
    print(f"{args.calls} plain chat calls per scenario, each in its own process\n")
    print("| collector | p50 (x bare) | p99 (x bare) | calls > 10 ms | exit handlers done after last call | exported | dropped (counted) | RSS at 50% → end |")
    print("|---|---|---|---|---|---|---|---|")
    for scenario, r in rows.items():
        exported = r.get("exported", "-")
        dropped = r.get("dropped", "-")
        if "exported" in r:
            # spans still queued at the last call are exported or counted as dropped at exit
            exported = f"{r['exported']} (+{r['queued']} queued at exit)"
        print(f"| {scenario} | {r['p50_ms']:.3f} ms ({r['p50_ms'] / bare['p50_ms']:.2f}x) | {r['p99_ms']:.3f} ms "
              f"({r['p99_ms'] / bare['p99_ms']:.2f}x) | {r['over_10ms']} | {r['exit_s']:.2f} s | {exported} | {dropped} | "
              f"{r['rss_start_mb']:.0f} → {r['rss_end_mb']:.0f} MB |")
    for scenario, r in rows.items():
        if r["warnings"]:
            print(f"\n{scenario}: {r['warnings'][0]}")


if __name__ == "__main__":
    main()
