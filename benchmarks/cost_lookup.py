"""Cost of pricing one call on the export thread (``read_call`` → ``span_cost``): loading the
price table, the first look-up of a model, then the cached look-up every later call takes.

    python -m benchmarks.cost_lookup
"""

from __future__ import annotations

import logging
import time

from helicone_otel import attributes as A
from helicone_otel.cost import PriceBook, span_cost

ATTRS = {
    A.PROVIDER_NAME: "openai",
    A.REQUEST_MODEL: "gpt-4o-mini",
    A.RESPONSE_MODEL: "gpt-4o-mini-2024-07-18",
    A.USAGE_INPUT_TOKENS: 1200,
    A.USAGE_OUTPUT_TOKENS: 300,
    A.USAGE_CACHE_READ_INPUT_TOKENS: 400,
}


def main(n: int = 200_000) -> None:
    started = time.perf_counter()
    book = PriceBook()
    load_ms = (time.perf_counter() - started) * 1e3

    first, priced = [], 0
    # The unknown model's one-time warning is expected here; keep the table readable.
    logging.getLogger("helicone_otel").setLevel(logging.ERROR)
    for provider, model in (("anthropic", "claude-sonnet-4-5-20250929"), ("gcp.gemini", "gemini-2.5-flash"),
                            ("openai", "o4-mini-2025-04-16"), ("openai", "unknown-model-x")):
        attrs = {**ATTRS, A.RESPONSE_MODEL: model}
        t = time.perf_counter()
        priced += span_cost(book, provider, model, attrs) is not None
        first.append((time.perf_counter() - t) * 1e6)

    response = {k: v for k, v in ATTRS.items() if k not in (A.PROVIDER_NAME, A.REQUEST_MODEL)}
    span_cost(book, "openai", "gpt-4o-mini", response)
    t = time.perf_counter()
    for _ in range(n):
        span_cost(book, "openai", "gpt-4o-mini", response)  # what read_call does per call
    cached_us = (time.perf_counter() - t) / n * 1e6

    print("| measure | value |")
    print("|---|---|")
    print(f"| load the price table (once, at logger construction) | {load_ms:.2f} ms |")
    print(f"| first lookup of a model (mean of 4: {priced} priced, one unknown) | {sum(first) / len(first):.1f} µs |")
    print(f"| cached lookup + cost arithmetic per call | {cached_us:.2f} µs |")


if __name__ == "__main__":
    main()
