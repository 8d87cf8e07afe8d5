"""Mistral through the instrumentation: the real ``mistralai`` SDK, a stand-in server speaking
Mistral's wire format, the real exporter and the real local collector."""

from __future__ import annotations

import json
from importlib import metadata

import pytest

from helicone_otel import attributes as A
from helicone_otel.testing import MistralStandIn

pytest.importorskip("mistralai")
from helicone_otel.instrumentation.mistralai._point import sdk_module  # noqa: E402

# mistralai 2.x and later: ``mistralai.client``; 1.x: the top-level package.
Mistral = sdk_module("sdk").Mistral
Chat = sdk_module("chat").Chat
SDKError = getattr(sdk_module("models"), "SDKError", None) or sdk_module("errors").SDKError

MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hello"}]  # 5 words
REPLY = "Hello from the stand-in model."  # 5 words
M = 1_000_000


@pytest.fixture
def mistral_server():
    with MistralStandIn() as server:
        yield server


@pytest.fixture
def mistral_logger(make_logger):
    return make_logger(providers=["mistralai"])


@pytest.fixture
def mistral(mistral_server):
    return Mistral(api_key="k", server_url=mistral_server.base_url)


def only_span(capture):
    spans = capture.llm_spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def test_complete_span_and_record(mistral_logger, mistral, mistral_server, capture, collector):
    response = mistral.chat.complete(model="mistral-small-latest", messages=MESSAGES, max_tokens=50, temperature=0.3)
    assert type(response).__name__ == "ChatCompletionResponse" and response.choices[0].message.content == REPLY
    span = only_span(capture)
    attrs = span.attributes
    assert span.name == "chat mistral-small-latest"
    assert (attrs[A.PROVIDER_NAME], attrs[A.REQUEST_MAX_TOKENS], attrs[A.REQUEST_TEMPERATURE]) == ("mistral_ai", 50, 0.3)
    assert (attrs[A.USAGE_INPUT_TOKENS], attrs[A.USAGE_OUTPUT_TOKENS]) == (5, 5)
    # Mistral Small's list price in genai-prices 0.2; 0.1.x (the newest for Python 3.10) has $0.1/$0.3.
    small = (0.1, 0.3) if metadata.version("genai-prices").startswith("0.1.") else (0.15, 0.6)
    assert attrs[A.USAGE_COST] == pytest.approx((5 * small[0] + 5 * small[1]) / M)
    assert json.loads(attrs[A.OUTPUT_MESSAGES])[0]["parts"] == [{"type": "text", "content": REPLY}]
    assert mistral_logger.flush(5.0)
    (record,) = collector.store.requests()
    assert (record.provider, record.model, record.status) == ("MISTRAL", "mistral-small-latest", 200)
    assert (record.prompt_tokens, record.completion_tokens) == (5, 5)
    # The request exactly as the SDK sent it.
    assert record.request_body == mistral_server.chat_requests[-1]


def test_stream_same_events_and_usage_from_the_last_chunk(mistral_logger, mistral, mistral_server, capture, collector):
    with mistral.chat.stream(model="mistral-small-latest", messages=MESSAGES) as stream:
        events = list(stream)
    assert type(events[0]).__name__ == "CompletionEvent"
    assert "".join(e.data.choices[0].delta.content or "" for e in events) == REPLY
    attrs = only_span(capture).attributes
    assert (attrs[A.USAGE_INPUT_TOKENS], attrs[A.USAGE_OUTPUT_TOKENS]) == (5, 5)
    assert attrs[A.REQUEST_STREAM] is True and attrs[A.RESPONSE_TIME_TO_FIRST_CHUNK] > 0
    assert json.loads(attrs[A.OUTPUT_MESSAGES])[0]["parts"] == [{"type": "text", "content": REPLY}]
    assert mistral_logger.flush(5.0)
    (record,) = collector.store.requests()
    assert (record.provider, record.prompt_tokens, record.completion_tokens) == ("MISTRAL", 5, 5)
    assert record.request_body == mistral_server.chat_requests[-1]


async def test_async_complete_stream_and_embeddings(mistral_logger, mistral, capture, collector):
    response = await mistral.chat.complete_async(model="mistral-small-latest", messages=MESSAGES)
    stream = await mistral.chat.stream_async(model="mistral-small-latest", messages=MESSAGES)
    texts = [event.data.choices[0].delta.content async for event in stream]
    embedded = await mistral.embeddings.create_async(model="mistral-embed", inputs=["one two", "three"])
    assert response.choices[0].message.content == REPLY and "".join(t or "" for t in texts) == REPLY
    assert len(embedded.data) == 2
    chat, streamed, embeddings = sorted(capture.llm_spans(), key=lambda s: s.start_time)
    assert chat.attributes[A.USAGE_OUTPUT_TOKENS] == streamed.attributes[A.USAGE_OUTPUT_TOKENS] == 5
    assert embeddings.name == "embeddings mistral-embed"
    assert embeddings.attributes[A.USAGE_INPUT_TOKENS] == 3
    assert embeddings.attributes[A.USAGE_COST] == pytest.approx(3 * 0.1 / M)
    assert mistral_logger.flush(5.0)
    records = {r.model: r for r in collector.store.requests()}
    assert records["mistral-embed"].request_body == {"model": "mistral-embed", "input": ["one two", "three"]}


def test_sync_embeddings(mistral_logger, mistral, capture):
    mistral.embeddings.create(model="mistral-embed", inputs=["one two"])
    attrs = only_span(capture).attributes
    assert attrs[A.OPERATION_NAME] == "embeddings" and attrs[A.EMBEDDINGS_DIMENSION_COUNT] == 8


def test_error_is_recorded_and_reraised_unchanged(mistral_logger, mistral, mistral_server, capture, collector):
    mistral_server.fail_next(429)
    with pytest.raises(SDKError) as raised:
        mistral.chat.complete(model="mistral-small-latest", messages=MESSAGES)
    assert raised.value.status_code == 429
    span = only_span(capture)
    assert span.status.status_code.name == "ERROR" and span.attributes[A.ERROR_TYPE] == "429"
    assert mistral_logger.flush(5.0)
    (record,) = collector.store.requests()
    assert record.status == 429


def test_uninstrument_restores_the_sdk(make_logger, mistral, capture):
    original = Chat.__dict__["complete"]
    logger = make_logger(providers=["mistralai"])
    assert Chat.__dict__["complete"] is not original
    logger.shutdown()
    assert Chat.__dict__["complete"] is original
    mistral.chat.complete(model="mistral-small-latest", messages=MESSAGES)
    assert capture.llm_spans() == []
