"""``helicone-otel demo``: everything on one machine, no accounts and no keys.

Starts the local collector and stand-in OpenAI (and Anthropic, when installed) servers on
127.0.0.1, runs a small agent through the real SDKs — plain, streaming, async and failing LLM
calls, a vector-database step and a tool call, in one session with nested paths — prints what the
collector stored (the requests and the session tree), then serves the web view until Ctrl-C.

The demo keeps its own store (``demo.db`` beside the default one) and gives every run a new
session id, so runs never merge into one session and never mix into your own requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import secrets

import helicone_otel

from .collector import Collector
from .collector.queries import sessions
from .collector.reads import session_records
from .collector.terminal import format_requests, format_session
from .config import DEFAULT_COLLECTOR_PORT
from .logger import HeliconeAsyncLogger
from .testing import AnthropicStandIn, OpenAIStandIn


@helicone_otel.step("retrieve_guides", kind="vector_db")
def retrieve_guides(query: str) -> list[str]:
    """A stand-in vector search."""
    return ["Lisbon in spring", "Porto food guide"]


@helicone_otel.tool("weather")
def weather(city: str) -> dict:
    """A stand-in tool."""
    return {"city": city, "forecast": "sunny", "high_c": 21}


def run_agent(openai, client, async_client, claude, provider, session_id: str) -> None:
    """The demo agent: plan, research, write."""
    ask = [{"role": "user", "content": "Plan a three day trip to Portugal"}]
    with helicone_otel.session(session_id, path="/plan", name="Trip planner"), helicone_otel.user("demo-user"):
        client.chat.completions.create(model="gpt-4o-mini", messages=ask)
        with helicone_otel.session(session_id, path="/plan/research"):
            guides = retrieve_guides("Portugal spring trip")
            forecast = weather("Lisbon")
            stream = client.chat.completions.create(
                model="gpt-4o-mini", stream=True,
                messages=ask + [{"role": "user", "content": f"Use these guides {guides} and forecast {forecast}"}],
            )
            for _ in stream:
                pass
        with helicone_otel.session(session_id, path="/plan/write"), helicone_otel.properties(Draft="1"):
            asyncio.run(async_client.chat.completions.create(model="gpt-4o-mini", messages=ask))
            if claude is not None:
                with claude.messages.stream(model="claude-haiku-4-5", max_tokens=300, messages=ask) as reply:
                    reply.until_done()
            provider.fail_next(429, "rate limited (stand-in)", "rate_limit_error")
            with contextlib.suppress(openai.RateLimitError):
                client.chat.completions.create(model="gpt-4o-mini", messages=ask)


def _collector(db_path: str, port: int) -> Collector:
    """The collector on ``port``, or on any free port when that one is taken."""
    try:
        return Collector(db_path, port=port)
    except OSError:
        return Collector(db_path, port=0)


def run_demo(db_path: str, *, port: int = DEFAULT_COLLECTOR_PORT, serve: bool = False) -> int:
    """Run the demo against a collector storing into ``db_path``; with ``serve``, keep serving
    the web view until interrupted. Returns an exit code."""
    try:
        import openai
    except ImportError:
        print("the demo needs the openai SDK: pip install 'helicone_otel[openai]'")
        return 1
    has_anthropic = importlib.util.find_spec("anthropic") is not None
    session_id = f"trip-{secrets.token_hex(3)}"
    collector = _collector(db_path, port).start()
    try:
        with OpenAIStandIn("Day one Lisbon, day two Sintra, day three Porto.", response_model="gpt-4o-mini-2024-07-18",
                           cached_tokens=2) as provider, \
                AnthropicStandIn("Lisbon, Sintra and Porto: a three day plan.") as claude_server:
            # Helicone's intake gets the requests; /v1/traces gets the same calls as plain OpenTelemetry spans.
            logger = HeliconeAsyncLogger(base_url=collector.url, otlp_endpoint=collector.url + "/v1/traces",
                                         stream_usage_hosts=["127.0.0.1"]).init()  # the stand-in reports stream usage
            client = openai.OpenAI(base_url=provider.base_url, api_key="demo-key", max_retries=0)
            async_client = openai.AsyncOpenAI(base_url=provider.base_url, api_key="demo-key", max_retries=0)
            claude = None
            if has_anthropic:
                import anthropic

                claude = anthropic.Anthropic(base_url=claude_server.base_url, api_key="demo-key", max_retries=0)
            # One trace for the whole run: its LLM calls and steps nest under this span on /spans.
            assert logger.tracer_provider is not None
            with logger.tracer_provider.get_tracer("helicone_otel.demo").start_as_current_span("trip planner agent"):
                run_agent(openai, client, async_client, claude, provider, session_id)
            logger.flush(5.0)
            stats = logger.stats()
            logger.shutdown()
        records = session_records(collector.store, session_id)
        expected = 6 + (1 if has_anthropic else 0)  # 4 OpenAI calls, 2 steps, 1 Claude call
        print(f"local collector {collector.url} stored {len(records)} request(s) in {db_path}:\n")
        print(format_requests(records))
        print()
        for view in sessions(records):
            print(format_session(view))
        print(f"\nexported {stats.exported} span(s), dropped {stats.dropped}.")
        print(f"See it in the browser: {collector.view_url}sessions/{session_id}")
        print(f"or in the terminal:    helicone-otel requests --db {db_path}   (also sessions, costs --by model)")
        if serve:
            print("Serving the web view; Ctrl-C to stop.")
            with contextlib.suppress(KeyboardInterrupt):
                collector.wait()
        return 0 if len(records) == expected else 1
    finally:
        collector.stop()
