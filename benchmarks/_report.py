"""Prints what ``benchmarks.overhead`` measured: the details, then one compact markdown table
(for the README's Performance section) and the starvation table."""

from __future__ import annotations

from . import _harness as H
from . import starvation

SPAN = "bare + OTel span"


def _us(value: float) -> str:
    return f"{value:+.1f} µs" if abs(value) < 100 else f"{value:+.0f} µs"


def _details(label: str, r: dict) -> list[str]:
    plain, chunk, fixed = r["plain"], r["chunk"], r["stream_fixed"]
    span = plain[SPAN]
    lines = [f"{label}: bare call {r['bare_caller_us']:.0f} µs caller / {r['bare_process_us']:.0f} µs process; "
             f"bare {H.CHUNKS}-chunk stream {r['bare_stream_us']:.0f} µs caller",
             f"  {'one bare OTel span over OTLP':<34} per call: caller {_us(span['caller'])}, whole process {_us(span['process'])}"]
    for mode in chunk:
        name = {"impl": "instrumented"}.get(mode, mode.replace("impl", "instrumented,"))
        p = plain[mode]
        lines.append(f"  {name:<34} per call: caller {_us(p['caller'])}, whole process {_us(p['process'])} "
                     f"({p['process'] / span['process']:.2f}× one bare span); per chunk: caller {_us(chunk[mode]['caller'])}, "
                     f"whole process {_us(chunk[mode]['process'])}; per stream beyond that: caller "
                     f"{_us(fixed[mode]['caller'])}, whole process {_us(fixed[mode]['process'])}")
    lines.append(f"  calls > 10 ms in the plain blocks: bare {plain['bare']['over_10ms']}, instrumented "
                 f"{plain['impl']['over_10ms']} (worst {plain['impl']['max_ms']:.1f} ms; bare {plain['bare']['max_ms']:.1f} ms)")
    if "threads" in r:
        threads, nopost = r["threads"], plain["impl without POST"]
        lines += [f"  so the POST costs {_us(plain['impl']['process'] - nopost['process'])} per call (whole process, "
                  f"run minus run without POST); export side without the POST {_us(nopost['process'] - nopost['caller'])}",
                  f"  on the export threads (thread_time per item): build + encode {threads['plain']['build']:.1f} µs "
                  f"plain / {threads['stream']['build']:.1f} µs {H.CHUNKS}-chunk stream; one POST on a sender thread "
                  f"{threads['plain']['send']:.1f} µs plain / {threads['stream']['send']:.1f} µs stream",
                  f"  per chunk, isolated (stream proxy vs the SDK Stream's own iteration, no parsing): "
                  f"{r['chunk_micro_us']['plain']:+.2f} µs; with the check for the usage chunk we asked for: "
                  f"{r['chunk_micro_us']['usage requested']:+.2f} µs",
                  f"  logger.stats(): {r['export']['exported']} exported (bodies of the runs without POST count as "
                  f"exported), {r['export']['dropped']} dropped"]
    return lines


def _row(label: str, r: dict, mode: str = "impl") -> str:
    p, span, c = r["plain"][mode], r["plain"][SPAN], r["chunk"][mode]
    return (f"| {label} | {_us(p['caller'])} | {_us(p['process'])} | {p['process'] / span['process']:.2f}× | "
            f"{_us(c['caller'])} | {_us(c['process'])} | {r['plain']['bare']['over_10ms']} → {p['over_10ms']} |")


def print_all(results: dict, starved: dict | None, args) -> None:
    print(H.machine())
    print(f"{args.blocks} paired blocks × {args.calls} plain calls (streams: {max(10, args.calls // 4)} × {H.CHUNKS} "
          f"and {max(4, args.calls // 25)} × 200 chunks), order rotating; each figure is the median over blocks "
          "of (mode − bare) in the same block. Caller = time.thread_time() on the calling thread; whole process = "
          "time.process_time() after a flush, export threads included. Content capture on; exports to a loopback "
          "sink process.\n")
    ok = {}
    for label, r in results.items():
        if r is None:
            print(f"{label}: not measured (--no-peers, or not installed: pip install -e '.[bench]')")
        elif "error" in r:
            print(f"{label}: failed: {r['error']}")
        else:
            ok[label] = r
            print("\n".join(_details(label, r)))
        print()
    ours = ok.get("helicone_otel")
    print("| CPU added to the bare call | caller's thread, per call | whole process, per call | × one bare OTel span "
          "(whole process) | caller's thread, per stream chunk | whole process, per chunk | calls > 10 ms (bare → instr.) |")
    print("|---|---|---|---|---|---|---|")
    if ours:
        span = ours["plain"][SPAN]
        print(f"| (bare openai call, absolute) | {ours['bare_caller_us']:.0f} µs | {ours['bare_process_us']:.0f} µs | | | | |")
        print(f"| one bare OTel span (BatchSpanProcessor, OTLP http/protobuf) | {_us(span['caller'])} | "
              f"{_us(span['process'])} | 1.00× | | | {ours['plain']['bare']['over_10ms']} → {span['over_10ms']} |")
    for label, r in ok.items():
        print(_row(label, r))
        if "threads" in r:
            plain, threads = r["plain"], r["threads"]
            print(_row("↳ helicone_otel, senders drop bodies (no POST)", r, "impl without POST"))
            print(_row("↳ helicone_otel, recording only (finished calls discarded)", r, "impl recording only"))
            print(f"| ↳ helicone_otel build + encode (builder thread) | | {threads['plain']['build']:.0f} µs "
                  f"({threads['stream']['build']:.0f} µs per {H.CHUNKS}-chunk stream) | | | | |")
            print(f"| ↳ helicone_otel POST (run minus run without POST) | | "
                  f"{_us(plain['impl']['process'] - plain['impl without POST']['process'])} "
                  f"({threads['plain']['send']:.0f} µs on the sender thread) | | | | |")
    print("\nTargets (issue 13): caller ≤ 15 µs per call and ≤ 1 µs per chunk; whole process ≤ 1.5× one bare span; "
          "build + encode ≤ 30 µs.")
    if starved:
        print(f"\n{next(iter(starved.values())).get('calls', '')} plain calls back to back, healthy sink, each run in its "
              "own process (gate: the caller's sleeps in the pipeline's backpressure gate, GIL re-acquisition included)\n")
        print("\n".join(starvation.table(starved)))
