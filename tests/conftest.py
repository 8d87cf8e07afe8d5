"""Shared fixtures: real SDKs against stand-in servers on 127.0.0.1, the real exporter against
the real local collector over HTTP."""

from __future__ import annotations

import os

import pytest

from helicone_otel import HeliconeAsyncLogger
from helicone_otel.collector import Collector
from helicone_otel.testing import AnthropicStandIn, OpenAIStandIn, SpanCapture

# Tests must not pick up a developer's real configuration.
for _name in list(os.environ):
    if _name.startswith("HELICONE_") or _name.startswith("OTEL_"):
        del os.environ[_name]


@pytest.fixture
def openai_server():
    with OpenAIStandIn(response_model="gpt-4o-mini-2024-07-18") as server:
        yield server


@pytest.fixture
def collector(tmp_path):
    with Collector(str(tmp_path / "requests.db"), port=0) as c:
        yield c


@pytest.fixture
def capture():
    return SpanCapture()


@pytest.fixture
def make_logger(collector, capture):
    """Build and init a logger wired to the test collector and span capture; always shut down
    (which also uninstruments) after the test."""
    made = []

    def factory(**kwargs):
        kwargs.setdefault("base_url", collector.url)
        kwargs.setdefault("tracer_provider", capture.tracer_provider)
        kwargs.setdefault("providers", ["openai", "anthropic"])
        kwargs.setdefault("stream_usage_hosts", ["127.0.0.1"])  # the stand-in accepts stream_options
        logger = HeliconeAsyncLogger(**kwargs)
        made.append(logger)
        return logger.init()

    yield factory
    for logger in made:
        logger.shutdown(timeout_s=2.0)


@pytest.fixture
def logger(make_logger):
    return make_logger()


@pytest.fixture
def client(openai_server):
    import openai

    with openai.OpenAI(base_url=openai_server.base_url, api_key="test-key", max_retries=0) as c:
        yield c


@pytest.fixture
async def async_client(openai_server):
    import openai

    async with openai.AsyncOpenAI(base_url=openai_server.base_url, api_key="test-key", max_retries=0) as c:
        yield c


@pytest.fixture
def anthropic_server():
    with AnthropicStandIn() as server:
        yield server


@pytest.fixture
def claude(anthropic_server):
    import anthropic

    with anthropic.Anthropic(base_url=anthropic_server.base_url, api_key="test-key", max_retries=0) as c:
        yield c


@pytest.fixture
async def async_claude(anthropic_server):
    import anthropic

    async with anthropic.AsyncAnthropic(base_url=anthropic_server.base_url, api_key="test-key", max_retries=0) as c:
        yield c
