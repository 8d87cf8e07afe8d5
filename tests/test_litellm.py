"""LiteLLM through the instrumentation: the real ``litellm`` against the OpenAI and Anthropic
stand-ins, with the openai and anthropic instrumentors on too (one call, one span), the real
exporter and the real local collector."""

from __future__ import annotations

import json
import os

import pytest

# LiteLLM fetches its price map from GitHub at import unless told to use the bundled one.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm  # noqa: E402
from opentelemetry.trace import StatusCode  # noqa: E402

import helicone_otel  # noqa: E402
from helicone_otel import attributes as A  # noqa: E402

# LiteLLM's own typed dicts make pydantic warn when it first builds their schemas.
pytestmark = pytest.mark.filterwarnings("ignore:Items? .* ReadOnly:UserWarning")

MESSAGES = [{"role": "user", "content": "say hello to me please"}]  # 5 words
OPENAI_REPLY = "Hello from the stand-in model."
CLAUDE_REPLY = "Hello from the stand-in Claude."
M = 1_000_000


@pytest.fixture
def logger(make_logger):
    return make_logger(providers=["litellm", "openai", "anthropic"])


def only_span(capture):
    spans = capture.llm_spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def output_text(span):
    return json.loads(span.attributes[A.OUTPUT_MESSAGES])[0]["parts"][0]["content"]


def test_completion_is_one_span_with_the_real_provider(logger, openai_server, capture):
    response = litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES, api_base=openai_server.base_url,
                                  api_key="sk-secret", temperature=0.2)
    assert type(response).__name__ == "ModelResponse" and response.choices[0].message.content == OPENAI_REPLY
    span = only_span(capture)  # the openai SDK under LiteLLM made no second one
    a = span.attributes
    assert span.name == "chat gpt-4o-mini"
    assert (a[A.PROVIDER_NAME], a[A.REQUEST_MODEL], a[A.REQUEST_TEMPERATURE]) == ("openai", "gpt-4o-mini", 0.2)
    assert (a[A.USAGE_INPUT_TOKENS], a[A.USAGE_OUTPUT_TOKENS]) == (5, 5)
    assert a[A.USAGE_COST] == pytest.approx((5 * 0.15 + 5 * 0.6) / M)
    assert output_text(span) == OPENAI_REPLY


def test_anthropic_through_litellm_is_priced_as_anthropic(logger, anthropic_server, capture, collector):
    anthropic_server.cache_read = 2
    litellm.completion(model="anthropic/claude-3-5-sonnet-20241022", messages=MESSAGES, api_base=anthropic_server.base_url,
                       api_key="k", max_tokens=20)
    span = only_span(capture)
    a = span.attributes
    assert (a[A.PROVIDER_NAME], a[A.USAGE_INPUT_TOKENS], a[A.USAGE_CACHE_READ_INPUT_TOKENS]) == ("anthropic", 5, 2)
    assert a[A.USAGE_COST] == pytest.approx((3 * 3 + 2 * 0.3 + 5 * 15) / M)
    assert logger.flush(5.0)
    (record,) = collector.store.requests()
    # LiteLLM answers in the OpenAI shape; Helicone's Anthropic processor gets its own names too.
    assert (record.provider, record.model) == ("ANTHROPIC", "claude-3-5-sonnet-20241022")
    assert (record.prompt_tokens, record.cache_read_tokens, record.completion_tokens) == (3, 2, 5)
    assert record.response_body["usage"]["prompt_tokens"] == 5 and record.response_body["usage"]["input_tokens"] == 3
    assert record.cost_usd == pytest.approx(a[A.USAGE_COST])


def test_stream_same_chunks_one_span_and_a_folded_record(logger, openai_server, capture, collector):
    stream = litellm.completion(model="gpt-4o-mini", messages=MESSAGES, api_base=openai_server.base_url, api_key="k",
                                stream=True, stream_options={"include_usage": True})
    assert isinstance(stream, litellm.CustomStreamWrapper)
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == OPENAI_REPLY
    span = only_span(capture)
    assert (span.attributes[A.USAGE_INPUT_TOKENS], span.attributes[A.USAGE_OUTPUT_TOKENS]) == (5, 5)
    assert span.attributes[A.RESPONSE_TIME_TO_FIRST_CHUNK] > 0
    assert logger.flush(5.0)
    (record,) = collector.store.requests()
    assert record.response_body["choices"][0]["message"]["content"] == OPENAI_REPLY
    assert "stream" not in record.request_body and record.time_to_first_token_ms is not None
    assert (record.prompt_tokens, record.completion_tokens) == (5, 5)


async def test_acompletion_and_async_stream(logger, openai_server, anthropic_server, capture):
    response = await litellm.acompletion(model="openai/gpt-4o-mini", messages=MESSAGES, api_base=openai_server.base_url, api_key="k")
    assert response.choices[0].message.content == OPENAI_REPLY
    stream = await litellm.acompletion(model="anthropic/claude-3-5-sonnet-20241022", messages=MESSAGES, max_tokens=20,
                                       api_base=anthropic_server.base_url, api_key="k", stream=True,
                                       stream_options={"include_usage": True})
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == CLAUDE_REPLY
    first, second = capture.llm_spans()
    assert first.attributes[A.PROVIDER_NAME] == "openai" and second.attributes[A.PROVIDER_NAME] == "anthropic"
    assert output_text(second) == CLAUDE_REPLY
    assert (second.attributes[A.USAGE_INPUT_TOKENS], second.attributes[A.USAGE_OUTPUT_TOKENS]) == (5, 5)


async def test_embedding_and_aembedding(logger, openai_server, capture):
    litellm.embedding(model="openai/text-embedding-3-small", input=["one two"], api_base=openai_server.base_url, api_key="k")
    await litellm.aembedding(model="text-embedding-3-small", input=["three"], api_base=openai_server.base_url, api_key="k")
    spans = capture.llm_spans()
    assert [s.name for s in spans] == ["embeddings text-embedding-3-small"] * 2
    assert [s.attributes[A.USAGE_INPUT_TOKENS] for s in spans] == [2, 1]


def test_error_is_recorded_and_reraised_unchanged(logger, openai_server, capture, collector):
    openai_server.fail_next(429)
    with pytest.raises(litellm.RateLimitError):
        litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES, api_base=openai_server.base_url, api_key="k",
                           num_retries=0, max_retries=0)
    span = only_span(capture)
    assert span.status.status_code == StatusCode.ERROR and span.attributes[A.ERROR_TYPE] == "429"
    assert logger.flush(5.0)
    (record,) = collector.store.requests()
    assert record.status == 429


_HAS_HELICONE_ROUTE = "helicone" in [getattr(p, "value", p) for p in litellm.provider_list]


@pytest.mark.skipif(not _HAS_HELICONE_ROUTE, reason="this LiteLLM has no helicone/ route")
def test_helicone_route_is_a_proxy_call(logger, openai_server, capture, collector):
    with helicone_otel.session("s-l", path="/gw", name="Gateway"), helicone_otel.user("u-1"):
        litellm.completion(model="helicone/gpt-4o-mini", messages=MESSAGES, api_base=openai_server.base_url, api_key="k",
                           extra_headers={"Helicone-User-Id": "mine"})
    sent = {k.lower(): v for k, v in openai_server.received[-1]["headers"].items()}
    span = only_span(capture)
    assert sent["helicone-session-id"] == "s-l" and sent["helicone-session-path"] == "/gw"
    assert sent["helicone-user-id"] == "mine"  # the user's own header wins
    assert sent["helicone-request-id"] == span.attributes[A.HELICONE_REQUEST_ID]
    assert span.attributes[A.LOGGED_BY] == "proxy"
    assert logger.flush(5.0)
    assert collector.store.requests() == []  # Helicone logs it: no record of ours


def test_api_base_on_a_helicone_gateway_is_a_proxy_call(make_logger, openai_server, capture, collector):
    logger = make_logger(providers=["litellm", "openai"], proxy_hosts=["127.0.0.1"])  # a self-hosted gateway
    with helicone_otel.properties(App="docs"):
        litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES, api_base=openai_server.base_url, api_key="k")
    sent = {k.lower(): v for k, v in openai_server.received[-1]["headers"].items()}
    span = only_span(capture)
    assert sent["helicone-property-app"] == "docs" and span.attributes[A.LOGGED_BY] == "proxy"
    assert logger.flush(5.0)
    assert collector.store.requests() == []


def test_credentials_and_client_settings_are_never_sent(logger, openai_server, collector):
    litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES, api_base=openai_server.base_url, api_key="sk-secret",
                       timeout=30, metadata={"team": "x"}, max_tokens=9)
    assert logger.flush(5.0)
    (record,) = collector.store.requests()
    assert record.request_body == {"model": "gpt-4o-mini", "messages": MESSAGES, "max_tokens": 9}
    assert "sk-secret" not in json.dumps(record.request_body)


def test_capture_off(make_logger, openai_server, capture, collector):
    logger = make_logger(providers=["litellm", "openai"], capture_content=False)
    litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES, api_base=openai_server.base_url, api_key="k")
    assert logger.flush(5.0)
    span = only_span(capture)
    assert A.OUTPUT_MESSAGES not in span.attributes and A.INPUT_MESSAGES not in span.attributes
    (record,) = collector.store.requests()
    assert "say hello" not in json.dumps(record.request_body) and OPENAI_REPLY not in json.dumps(record.response_body)


def test_the_sdk_under_litellm_is_traced_again_outside_it(logger, openai_server, capture):
    import openai

    litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES, api_base=openai_server.base_url, api_key="k")
    openai.OpenAI(base_url=openai_server.base_url, api_key="k", max_retries=0).chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES)
    assert len(capture.llm_spans()) == 2


def test_uninstrument_restores_litellm(make_logger, openai_server, capture):
    original = litellm.__dict__["completion"]
    logger = make_logger(providers=["litellm"])
    assert litellm.__dict__["completion"] is not original
    logger.shutdown()
    assert litellm.__dict__["completion"] is original
    litellm.completion(model="openai/gpt-4o-mini", messages=MESSAGES, api_base=openai_server.base_url, api_key="k")
    assert capture.llm_spans() == []
