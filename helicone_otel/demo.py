"""``helicone-otel demo``: everything on one machine, no accounts and no keys.

Starts the local collector and stand-in OpenAI (and Anthropic, when installed) servers on
127.0.0.1, runs a small agent through the real SDKs — plain, streaming, async and failing LLM
calls, a vector-database step and a tool call, in one session with nested paths — and prints
what the collector stored: the requests and the session tree.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import time

import helicone_otel

from .cli import format_requests, format_session
from .collector import Collector
from .collector.queries import sessions
from .logger import HeliconeAsyncLogger
from .testing import AnthropicStandIn, OpenAIStandIn

SESSION = "trip-42"


@helicone_otel.step("retrieve_guides", kind="vector_db")
def retrieve_guides(query: str) -> list[str]:
    """A stand-in vector search."""
    return ["Lisbon in spring", "Porto food guide"]


@helicone_otel.tool("weather")
def weather(city: str) -> dict:
    """A stand-in tool."""
    return {"city": city, "forecast": "sunny", "high_c": 21}


def run_agent(openai, client, async_client, claude, provider) -> None:
    """The demo agent: plan, research, write."""
    ask = [{"role": "user", "content": "Plan a three day trip to Portugal"}]
    with helicone_otel.session(SESSION, path="/plan", name="Trip planner"), helicone_otel.user("demo-user"):
        client.chat.completions.create(model="gpt-4o-mini", messages=ask)
        with helicone_otel.session(SESSION, path="/plan/research"):
            guides = retrieve_guides("Portugal spring trip")
            forecast = weather("Lisbon")
            stream = client.chat.completions.create(
                model="gpt-4o-mini", stream=True,
                messages=ask + [{"role": "user", "content": f"Use these guides {guides} and forecast {forecast}"}],
            )
            for _ in stream:
                pass
        with helicone_otel.session(SESSION, path="/plan/write"), helicone_otel.properties(Draft="1"):
            asyncio.run(async_client.chat.completions.create(model="gpt-4o-mini", messages=ask))
            if claude is not None:
                with claude.messages.stream(model="claude-haiku-4-5", max_tokens=300, messages=ask) as reply:
                    reply.until_done()
            provider.fail_next(429, "rate limited (stand-in)", "rate_limit_error")
            with contextlib.suppress(openai.RateLimitError):
                client.chat.completions.create(model="gpt-4o-mini", messages=ask)


def run_demo(db_path: str) -> int:
    """Run the demo against a collector storing into ``db_path``; returns an exit code."""
    try:
        import openai
    except ImportError:
        print("the demo needs the openai SDK: pip install 'helicone_otel[openai]'")
        return 1
    has_anthropic = importlib.util.find_spec("anthropic") is not None
    started = time.time()
    with Collector(db_path, port=0) as collector, OpenAIStandIn(
        "Day one Lisbon, day two Sintra, day three Porto.", response_model="gpt-4o-mini-2024-07-18", cached_tokens=2
    ) as provider, AnthropicStandIn("Lisbon, Sintra and Porto: a three day plan.") as claude_server:
        logger = HeliconeAsyncLogger(base_url=collector.url).init()
        client = openai.OpenAI(base_url=provider.base_url, api_key="demo-key", max_retries=0)
        async_client = openai.AsyncOpenAI(base_url=provider.base_url, api_key="demo-key", max_retries=0)
        claude = None
        if has_anthropic:
            import anthropic

            claude = anthropic.Anthropic(base_url=claude_server.base_url, api_key="demo-key", max_retries=0)
        run_agent(openai, client, async_client, claude, provider)
        logger.flush(5.0)
        stats = logger.stats()
        logger.shutdown()
        records = [r for r in collector.store.requests() if r.created_at >= started - 1]
    expected = 6 + (1 if has_anthropic else 0)  # 4 OpenAI calls, 2 steps, 1 Claude call
    print(f"local collector {collector.url} stored {len(records)} request(s) in {db_path}:\n")
    print(format_requests(records))
    print()
    for view in sessions(records):
        print(format_session(view))
    print(f"\nexported {stats.exported} span(s), dropped {stats.dropped}.")
    print("See everything stored so far: helicone-otel requests | sessions | costs --by model")
    return 0 if len(records) == expected else 1
