"""Apps that call through Helicone's proxy: the context travels as Helicone headers, and the
call is logged once (by the proxy). Real SDKs; the stand-in servers play the proxy."""

from __future__ import annotations

import asyncio
import concurrent.futures

import anthropic
import openai
import pytest

import helicone_otel
from helicone_otel import attributes as A
from helicone_otel.providers import is_helicone_proxy

MESSAGES = [{"role": "user", "content": "hi"}]


def helicone_headers(received: dict) -> dict:
    return {k.lower(): v for k, v in received["headers"].items() if k.lower().startswith("helicone-")}


@pytest.fixture
def proxy_logger(make_logger):
    # The stand-ins listen on 127.0.0.1: declared a self-hosted gateway, as a user would.
    return make_logger(proxy_hosts=["127.0.0.1"])


def test_context_goes_as_headers_and_no_log_is_posted(proxy_logger, client, openai_server, capture, collector):
    with helicone_otel.session("s-1", path="/plan", name="Trip"), helicone_otel.user("u-1"):
        with helicone_otel.properties(Env="prod"), helicone_otel.prompt("greeting"):
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    sent = helicone_headers(openai_server.received[-1])
    (span,) = capture.llm_spans()
    assert sent == {
        "helicone-session-id": "s-1", "helicone-session-path": "/plan", "helicone-session-name": "Trip",
        "helicone-user-id": "u-1", "helicone-property-env": "prod", "helicone-prompt-id": "greeting",
        "helicone-request-id": span.attributes[A.HELICONE_REQUEST_ID],
    }
    assert span.attributes[A.LOGGED_BY] == "proxy"
    assert proxy_logger.flush(5.0)
    assert collector.store.requests() == [] and proxy_logger.stats().exported == 0


def test_headers_the_user_set_win(proxy_logger, openai_server):
    client = openai.OpenAI(base_url=openai_server.base_url, api_key="k", max_retries=0,
                           default_headers={"Helicone-Property-Env": "mine"})
    with helicone_otel.properties(Env="ours", Other="x"):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES,
                                       extra_headers={"Helicone-Session-Id": "explicit"})
    sent = helicone_headers(openai_server.received[-1])
    assert sent["helicone-property-env"] == "mine" and sent["helicone-session-id"] == "explicit"
    assert sent["helicone-property-other"] == "x"


async def test_nested_contexts_tasks_and_threads(proxy_logger, openai_server, async_client, client):
    async def tagged(n: int):
        with helicone_otel.session(f"task-{n}"):
            await async_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    await asyncio.gather(*(tagged(n) for n in range(3)))
    with helicone_otel.session("outer"), helicone_otel.session("inner", path="/in"):
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            pool.submit(helicone_otel.wrap(lambda: client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES))).result()
    sessions = sorted(helicone_headers(r)["helicone-session-id"] for r in openai_server.received)
    assert sessions == ["inner", "task-0", "task-1", "task-2"]
    assert helicone_headers(openai_server.received[-1])["helicone-session-path"] == "/in"


def test_anthropic_through_the_proxy(proxy_logger, claude, anthropic_server, capture):
    with helicone_otel.user("u-9"):
        claude.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=MESSAGES)
    assert helicone_headers(anthropic_server.received[-1])["helicone-user-id"] == "u-9"
    assert capture.llm_spans()[0].attributes[A.LOGGED_BY] == "proxy"


def test_helicone_tags_on_direct_calls_become_the_calls_context(logger, openai_server, capture, collector):
    client = openai.OpenAI(base_url=openai_server.base_url, api_key="k", max_retries=0,
                           default_headers={"Helicone-Property-Team": "search", "Helicone-User-Id": "from-client"})
    with helicone_otel.user("from-context"):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, extra_headers={
            "Helicone-Session-Id": "s-h", "Helicone-Request-Id": "6f1b6a8e-5d3c-4b2a-9c1d-0e2f3a4b5c6d"})
    (span,) = capture.llm_spans()
    a = span.attributes
    assert a[A.PROPERTY_PREFIX + "Team"] == "search" and a[A.SESSION_ID] == "s-h"
    assert a[A.USER_ID] == "from-context"  # the context API is the most explicit
    assert a[A.HELICONE_REQUEST_ID] == "6f1b6a8e-5d3c-4b2a-9c1d-0e2f3a4b5c6d"
    assert logger.flush(5.0)
    (record,) = collector.store.requests()
    assert record.id == "6f1b6a8e-5d3c-4b2a-9c1d-0e2f3a4b5c6d" and record.properties["team"] == "search"


def test_headers_function_and_known_hosts():
    with helicone_otel.session("s"), helicone_otel.properties(City="東京"):
        assert helicone_otel.headers() == {"Helicone-Session-Id": "s", "Helicone-Property-city": "%E6%9D%B1%E4%BA%AC"}
    for url in ("https://oai.helicone.ai/v1", "https://anthropic.helicone.ai", "https://ai-gateway.helicone.ai/v1",
                "https://gateway.helicone.ai"):
        assert is_helicone_proxy(url)
    for url in ("https://api.helicone.ai", "https://eu.api.helicone.ai", "https://api.openai.com/v1"):
        assert not is_helicone_proxy(url)
    assert is_helicone_proxy("http://gw.internal:8080/v1", frozenset({"gw.internal"}))
