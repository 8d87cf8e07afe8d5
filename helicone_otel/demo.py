"""``helicone-otel demo``: everything on one machine, no accounts and no keys.

Starts the local collector and a stand-in OpenAI server on 127.0.0.1, makes real ``openai`` SDK
calls through the instrumentation (plain, streaming, async, one failing), and prints what the
collector stored.
"""

from __future__ import annotations

import asyncio
import time

import helicone_otel

from .cli import format_requests
from .collector import Collector
from .logger import HeliconeAsyncLogger
from .testing import OpenAIStandIn


def run_demo(db_path: str) -> int:
    """Run the demo against a collector storing into ``db_path``; returns an exit code."""
    try:
        import openai
    except ImportError:
        print("the demo needs the openai SDK: pip install 'helicone_otel[openai]'")
        return 1
    started = time.time()
    with Collector(db_path, port=0) as collector, OpenAIStandIn(
        "Observability means you can answer new questions about your system.",
        response_model="gpt-4o-mini-2024-07-18",
        cached_tokens=2,
    ) as provider:
        logger = HeliconeAsyncLogger(base_url=collector.url, providers=["openai"]).init()
        client = openai.OpenAI(base_url=provider.base_url, api_key="demo-key", max_retries=0)
        async_client = openai.AsyncOpenAI(base_url=provider.base_url, api_key="demo-key", max_retries=0)
        messages = [{"role": "user", "content": "What is observability, in one sentence?"}]
        with helicone_otel.session("demo-session", path="/demo", name="Demo"), helicone_otel.user("demo-user"):
            with helicone_otel.properties(Step="plain"):
                client.chat.completions.create(model="gpt-4o-mini", messages=messages)
            with helicone_otel.properties(Step="stream"):
                for _ in client.chat.completions.create(model="gpt-4o-mini", messages=messages, stream=True):
                    pass
            with helicone_otel.properties(Step="async"):
                asyncio.run(async_client.chat.completions.create(model="gpt-4o-mini", messages=messages))
            with helicone_otel.properties(Step="error"):
                provider.fail_next(429, "rate limited (stand-in)", "rate_limit_error")
                try:
                    client.chat.completions.create(model="gpt-4o-mini", messages=messages)
                except openai.RateLimitError:
                    pass
        logger.flush(5.0)
        stats = logger.stats()
        logger.shutdown()
        records = [r for r in collector.store.requests() if r.created_at >= started - 1]
    print(f"local collector {collector.url} stored {len(records)} request(s) in {db_path}:\n")
    print(format_requests(records))
    print(f"\nexported {stats.exported} span(s), dropped {stats.dropped}.")
    print("Run `helicone-otel requests` to see everything stored so far.")
    return 0 if len(records) == 4 else 1
