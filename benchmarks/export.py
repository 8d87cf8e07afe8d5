"""Export-side CPU per record: building the span and the Helicone custom-log body from a
recorded call, encoding it, and the POST — each step timed alone on the builder's own objects.

    python -m benchmarks.export [--n 1000]

Calls are recorded by the real instrumentation (openai SDK on the in-process transport, content
capture on) and captured before they reach the queue; then each step runs ``n`` times on one
thread (``thread_time``, median of 5 rounds). The POST goes to the loopback sink process over
one keep-alive connection, beside a lean raw-socket POST of the same body (benchmark-only
reference: one ``sendall`` of prepared head + body, one ``recv``) to show what the
``http.client`` machinery costs.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import threading
import time

from . import _harness as H


def per_op_us(fn, n: int) -> float:
    rounds = []
    for _ in range(5):
        t = time.thread_time()
        for _ in range(n):
            fn()
        rounds.append((time.thread_time() - t) / n)
    return statistics.median(rounds) * 1e6


def record_calls():
    """One plain and one streamed chat call, as the builder thread receives them, and the
    logger's own record builder and price book."""
    from helicone_otel import HeliconeAsyncLogger, session

    logger = HeliconeAsyncLogger(base_url="http://127.0.0.1:9", providers=["openai"], properties={"App": "bench"},
                                 stream_usage_hosts=["bench.local"]).init()
    calls = []
    logger._recorder.submit = calls.append  # benchmark-only: keep the calls, send nothing
    client = H.make_client()
    with session("s-bench", path="/bench"):
        H.call_plain(client)
        H.call_stream(client)
    builder, book = logger._pipeline._build, logger._price_book
    return logger, calls[0], calls[1], builder, book


class LeanPost:
    """Reference only: what one keep-alive POST costs with the head prepared once."""

    def __init__(self, url: str, path: str, headers: dict[str, str]) -> None:
        host, port = url.split("//", 1)[1].split(":")
        self.sock = socket.create_connection((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", *(f"{k}: {v}" for k, v in headers.items())]
        self.head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode()

    def post(self, body: bytes) -> int:
        self.sock.sendall(b"".join((self.head, str(len(body)).encode(), b"\r\n\r\n", body)))
        data = self.sock.recv(65536)
        head, _, rest = data.partition(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
        while len(rest) < length:
            rest += self.sock.recv(65536)
        return int(head[9:12])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    n = args.n

    from helicone_otel.cost import span_cost
    from helicone_otel.export.extract import event_chunks, read_call, to_dict
    from helicone_otel.export.helicone import CUSTOM_LOG_PATH, custom_log, encode
    from helicone_otel.export.sender import HeliconeSender

    logger, plain, stream, builder, book = record_calls()
    spans = builder._spans
    print(f"{H.machine()}\n")
    print("| export step, per record | plain chat call | 20-chunk stream |")
    print("|---|---|---|")
    rows: dict[str, list[str]] = {}
    bodies = {}
    for call in (plain, stream):
        record = read_call(call, book)
        endpoint, capture = call.endpoint, call.capture_content
        body = custom_log(call, record)
        bodies[call is stream] = builder(call)

        def attrs_of_request():
            endpoint.request_attributes(call.request, {}, capture)

        def attrs_of_response():
            if call.chunks is None:
                endpoint.response_attributes(to_dict(call.result), capture)
            else:
                accumulator = endpoint.accumulator(capture)
                for chunk in record.chunks:
                    accumulator.add(chunk)
                accumulator.attributes(capture)

        steps = [
            ("**builder(call) → bytes: everything below**", lambda: builder(call)),
            ("read_call: extract + cost (below)", lambda: read_call(call, book)),
            ("  to_dict: model_dump of the response / event_chunks: one JSON parse of the stream's events",
             (lambda: to_dict(call.result)) if call.chunks is None else (lambda: event_chunks(call.events))),
            ("  request attributes (input messages JSON)", attrs_of_request),
            ("  response attributes (output JSON; streams: fold the chunks)", attrs_of_response),
            ("  cost (cached price look-up)", lambda: span_cost(book, record.provider, call.request.get("model"), record.attributes)),
            ("span: SDK start_span + end (attribute checks, processors)", lambda: spans.build(call, record)),
            ("custom-log body dict (streams: SSE text from the provider's own event text)", lambda: custom_log(call, record)),
            ("json.dumps + encode of the body", lambda: json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str).encode()),
            ("encode(custom_log, …): body dict + JSON", lambda: encode(custom_log, call, record)),
        ]
        for label, fn in steps:
            rows.setdefault(label, []).append(f"{per_op_us(fn, n if call is plain else max(50, n // 5)):.1f} µs")
    for label, values in rows.items():
        print(f"| {label} | {' | '.join(values)} |")
    print(f"| body size | {len(bodies[False]):,} bytes | {len(bodies[True]):,} bytes |")

    sink = H.start_sink_process()
    url = sink.url + CUSTOM_LOG_PATH
    sender = HeliconeSender(url, "sk-helicone-bench")
    never = threading.Event()
    lean = LeanPost(sink.url, CUSTOM_LOG_PATH, dict(sender._transport._headers))
    print("\n| one POST, keep-alive, loopback sink | CPU on the posting thread | wall (posts/s on one connection) |")
    print("|---|---|---|")
    for label, post in (("HeliconeSender.send (http.client)", lambda b: sender.send(b, float("inf"), never)),
                        ("reference: raw socket, head prepared once", lambda b: lean.post(b) == 200)):
        for is_stream, body in bodies.items():
            assert post(body)
            rounds, walls = [], []
            for _ in range(5):
                t, w = time.thread_time(), time.perf_counter()
                for _ in range(n):
                    post(body)
                rounds.append((time.thread_time() - t) / n)
                walls.append((time.perf_counter() - w) / n)
            kind = "stream body" if is_stream else "plain body"
            print(f"| {label}, {kind} | {statistics.median(rounds) * 1e6:.1f} µs | {statistics.median(walls) * 1e6:.0f} µs "
                  f"({1 / statistics.median(walls):,.0f}/s) |")
    sender.close()
    lean.sock.close()
    sink.stop()
    logger.shutdown(0)


if __name__ == "__main__":
    main()
