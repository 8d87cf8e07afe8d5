"""Groq through the instrumentation: the real ``groq`` SDK, a stand-in server speaking Groq's
wire format, the real exporter and the real local collector."""

from __future__ import annotations

import json

import pytest

import helicone_otel
from helicone_otel import attributes as A
from helicone_otel.testing import GroqStandIn

groq = pytest.importorskip("groq")

MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hello"}]  # 5 words
REPLY = "Hello from the stand-in model."  # 5 words
M = 1_000_000


@pytest.fixture
def groq_server():
    with GroqStandIn() as server:
        yield server


@pytest.fixture
def groq_logger(make_logger):
    return make_logger(providers=["groq"])


def only_span(capture):
    spans = capture.llm_spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def test_chat_span_and_record(groq_logger, groq_server, capture, collector):
    client = groq.Groq(base_url=groq_server.base_url, api_key="k", max_retries=0)
    with helicone_otel.session("s-g", path="/groq"), helicone_otel.user("u-1"):
        completion = client.chat.completions.create(model="llama-3.3-70b-versatile", messages=MESSAGES, temperature=0.2)
    assert type(completion).__name__ == "ChatCompletion" and completion.choices[0].message.content == REPLY
    span = only_span(capture)
    attrs = span.attributes
    assert span.name == "chat llama-3.3-70b-versatile"
    assert (attrs[A.PROVIDER_NAME], attrs[A.OPERATION_NAME], attrs[A.SERVER_ADDRESS]) == ("groq", "chat", "127.0.0.1")
    assert attrs[A.REQUEST_TEMPERATURE] == 0.2 and attrs[A.RESPONSE_FINISH_REASONS] == ("stop",)
    assert (attrs[A.USAGE_INPUT_TOKENS], attrs[A.USAGE_OUTPUT_TOKENS]) == (5, 5)
    assert attrs[A.USAGE_COST] == pytest.approx((5 * 0.59 + 5 * 0.79) / M)
    assert json.loads(attrs[A.OUTPUT_MESSAGES])[0]["parts"] == [{"type": "text", "content": REPLY}]
    assert groq_logger.flush(5.0)
    (record,) = collector.store.requests()
    assert (record.provider, record.model, record.status) == ("GROQ", "llama-3.3-70b-versatile", 200)
    assert (record.prompt_tokens, record.completion_tokens) == (5, 5)
    assert record.request_body["messages"] == MESSAGES
    assert record.response_body["x_groq"]["id"].startswith("req_standin_")
    assert record.properties["Helicone-Session-Id"] == "s-g" and record.user_id == "u-1"


def test_stream_takes_usage_from_x_groq_and_keeps_every_chunk(groq_logger, groq_server, capture, collector):
    client = groq.Groq(base_url=groq_server.base_url, api_key="k", max_retries=0)
    chunks = list(client.chat.completions.create(model="llama-3.1-8b-instant", messages=MESSAGES, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == REPLY
    assert chunks[-1].x_groq.usage.prompt_tokens == 5
    # Groq reports stream usage itself: the request is sent as the user made it.
    assert "stream_options" not in groq_server.chat_requests[-1]
    attrs = only_span(capture).attributes
    assert (attrs[A.USAGE_INPUT_TOKENS], attrs[A.USAGE_OUTPUT_TOKENS]) == (5, 5)
    assert attrs[A.REQUEST_STREAM] is True and attrs[A.RESPONSE_TIME_TO_FIRST_CHUNK] > 0
    assert json.loads(attrs[A.OUTPUT_MESSAGES])[0]["parts"] == [{"type": "text", "content": REPLY}]
    assert groq_logger.flush(5.0)
    (record,) = collector.store.requests()
    assert (record.provider, record.prompt_tokens, record.completion_tokens) == ("GROQ", 5, 5)
    assert record.time_to_first_token_ms is not None


async def test_async_chat_and_embeddings(groq_logger, groq_server, capture, collector):
    async with groq.AsyncGroq(base_url=groq_server.base_url, api_key="k", max_retries=0) as client:
        completion = await client.chat.completions.create(model="llama-3.3-70b-versatile", messages=MESSAGES)
        stream = await client.chat.completions.create(model="llama-3.3-70b-versatile", messages=MESSAGES, stream=True)
        texts = [chunk.choices[0].delta.content async for chunk in stream if chunk.choices]
        await client.embeddings.create(model="nomic-embed-text-v1_5", input=["one two"])
    assert completion.choices[0].message.content == REPLY and "".join(t or "" for t in texts) == REPLY
    chat, streamed, embeddings = sorted(capture.llm_spans(), key=lambda s: s.start_time)
    assert chat.attributes[A.USAGE_OUTPUT_TOKENS] == streamed.attributes[A.USAGE_OUTPUT_TOKENS] == 5
    assert embeddings.name == "embeddings nomic-embed-text-v1_5"
    assert embeddings.attributes[A.USAGE_INPUT_TOKENS] == 2 and embeddings.attributes[A.PROVIDER_NAME] == "groq"
    assert groq_logger.flush(5.0)
    assert len(collector.store.requests()) == 3


def test_error_is_recorded_and_reraised_unchanged(groq_logger, groq_server, capture, collector):
    groq_server.fail_next(429, "Rate limit reached", "rate_limit_exceeded")
    client = groq.Groq(base_url=groq_server.base_url, api_key="k", max_retries=0)
    with pytest.raises(groq.RateLimitError):
        client.chat.completions.create(model="llama-3.3-70b-versatile", messages=MESSAGES)
    span = only_span(capture)
    assert span.status.status_code.name == "ERROR" and span.attributes[A.ERROR_TYPE] == "429"
    assert groq_logger.flush(5.0)
    (record,) = collector.store.requests()
    assert record.status == 429
