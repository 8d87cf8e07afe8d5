"""Cohere v2 through the instrumentation: the real ``cohere`` SDK against a stand-in server, the
real exporter, the real local collector."""

from __future__ import annotations

import json

import cohere
import pytest
from opentelemetry.trace import StatusCode

import helicone_otel
from helicone_otel import attributes as A
from helicone_otel.testing.cohere_server import CohereStandIn

REPLY = "Hello from the stand-in Command."
MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "say hello to me please"}]  # 2 + 5 words
M = 1_000_000


@pytest.fixture
def cohere_server():
    with CohereStandIn() as server:
        yield server


@pytest.fixture
def co(cohere_server):
    return cohere.ClientV2(api_key="k", base_url=cohere_server.base_url, max_retries=0)


@pytest.fixture
def logger(make_logger):
    return make_logger(providers=["cohere"])


def only_span(capture):
    spans = capture.llm_spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def output_parts(span):
    return json.loads(span.attributes[A.OUTPUT_MESSAGES])[0]["parts"]


def test_chat_span_contract(logger, co, capture):
    response = co.chat(model="command-a-03-2025", messages=MESSAGES, temperature=0.3, max_tokens=50, p=0.9, k=4, seed=7)
    assert type(response).__name__ == "V2ChatResponse" and response.message.content[0].text == REPLY
    span = only_span(capture)
    a = span.attributes
    assert span.name == "chat command-a-03-2025"
    assert (a[A.PROVIDER_NAME], a[A.OPERATION_NAME], a[A.REQUEST_MODEL]) == ("cohere", "chat", "command-a-03-2025")
    assert (a[A.REQUEST_TEMPERATURE], a[A.REQUEST_MAX_TOKENS], a[A.REQUEST_TOP_P], a[A.REQUEST_TOP_K], a[A.REQUEST_SEED]) == (0.3, 50, 0.9, 4, 7)
    assert a[A.RESPONSE_ID] == response.id and a[A.RESPONSE_FINISH_REASONS] == ("COMPLETE",)
    # billed units (7 in, 5 out), not ``usage.tokens`` (which adds Cohere's prompt template)
    assert (a[A.USAGE_INPUT_TOKENS], a[A.USAGE_OUTPUT_TOKENS]) == (7, 5)
    assert a[A.USAGE_COST] == pytest.approx((7 * 2.5 + 5 * 10) / M)
    assert json.loads(a[A.SYSTEM_INSTRUCTIONS]) == [{"type": "text", "content": "be brief"}]
    assert json.loads(a[A.INPUT_MESSAGES]) == [{"role": "user", "parts": [{"type": "text", "content": "say hello to me please"}]}]
    assert output_parts(span) == [{"type": "text", "content": REPLY}]


def test_chat_stream_same_events_one_span(logger, co, capture):
    events = list(co.chat_stream(model="command-a-03-2025", messages=MESSAGES))
    assert [e.type for e in events][:2] == ["message-start", "content-start"] and events[-1].type == "message-end"
    assert "".join(e.delta.message.content.text for e in events if e.type == "content-delta") == REPLY
    span = only_span(capture)
    a = span.attributes
    assert a[A.REQUEST_STREAM] is True and a[A.RESPONSE_TIME_TO_FIRST_CHUNK] > 0
    assert (a[A.USAGE_INPUT_TOKENS], a[A.USAGE_OUTPUT_TOKENS], a[A.RESPONSE_FINISH_REASONS]) == (7, 5, ("COMPLETE",))
    assert output_parts(span) == [{"type": "text", "content": REPLY}]


def test_stream_tool_call_is_folded(logger, co, capture, cohere_server):
    cohere_server.call_tool_next("weather", '{"city": "Paris"}')
    list(co.chat_stream(model="command-a-03-2025", messages=MESSAGES, tools=[{"type": "function", "function": {"name": "weather"}}]))
    span = only_span(capture)
    assert span.attributes[A.RESPONSE_FINISH_REASONS] == ("TOOL_CALL",)
    assert output_parts(span) == [{"type": "tool_call", "id": "call_1", "name": "weather", "arguments": '{"city": "Paris"}'}]
    assert json.loads(span.attributes[A.TOOL_DEFINITIONS]) == [{"type": "function", "function": {"name": "weather"}}]


async def test_async_chat_and_stream(logger, cohere_server, capture):
    client = cohere.AsyncClientV2(api_key="k", base_url=cohere_server.base_url, max_retries=0)
    response = await client.chat(model="command-a-03-2025", messages=MESSAGES)
    assert response.message.content[0].text == REPLY
    texts = [e.delta.message.content.text async for e in client.chat_stream(model="command-a-03-2025", messages=MESSAGES)
             if e.type == "content-delta"]
    assert "".join(texts) == REPLY
    spans = capture.llm_spans()
    assert len(spans) == 2
    for span in spans:
        assert (span.attributes[A.USAGE_INPUT_TOKENS], span.attributes[A.USAGE_OUTPUT_TOKENS]) == (7, 5)


def test_embed_and_rerank(logger, co, capture):
    embedded = co.embed(model="embed-v4.0", texts=["one two", "three"], input_type="search_document",
                        embedding_types=["float"], output_dimension=8)
    assert len(embedded.embeddings.float_[0]) == 8
    reranked = co.rerank(model="rerank-v3.5", query="which", documents=["a b c", "d"], top_n=1)
    assert [r.index for r in reranked.results] == [0]
    embed_span, rerank_span = capture.llm_spans()
    assert embed_span.name == "embeddings embed-v4.0"
    assert (embed_span.attributes[A.USAGE_INPUT_TOKENS], embed_span.attributes[A.EMBEDDINGS_DIMENSION_COUNT]) == (3, 8)
    assert embed_span.attributes[A.REQUEST_ENCODING_FORMATS] == ("float",)
    assert embed_span.attributes[A.USAGE_COST] == pytest.approx(3 * 0.12 / M)
    assert rerank_span.name == "rerank rerank-v3.5" and rerank_span.attributes[A.REQUEST_CHOICE_COUNT] == 1
    assert A.USAGE_COST not in rerank_span.attributes  # billed in search units


def test_http_error_is_recorded_and_reraised_unchanged(logger, co, capture, collector, cohere_server):
    cohere_server.fail_next(429)
    with pytest.raises(cohere.errors.TooManyRequestsError) as caught:
        co.chat(model="command-a-03-2025", messages=MESSAGES)
    assert caught.value.status_code == 429
    span = only_span(capture)
    assert span.status.status_code == StatusCode.ERROR and span.attributes[A.ERROR_TYPE] == "429"
    assert logger.flush(5.0)
    (record,) = collector.store.requests()
    assert (record.status, record.provider) == (429, "COHERE")


def test_stream_error_on_first_iteration(logger, co, capture, cohere_server):
    cohere_server.fail_next(500, "boom")
    with pytest.raises(cohere.core.api_error.ApiError):
        list(co.chat_stream(model="command-a-03-2025", messages=MESSAGES))
    span = only_span(capture)
    assert span.status.status_code == StatusCode.ERROR


def test_records_reach_the_collector_with_tokens(logger, co, collector):
    with helicone_otel.session("s-c", path="/cohere"), helicone_otel.user("u-3"):
        co.chat(model="command-r", messages=MESSAGES)
        list(co.chat_stream(model="command-a-03-2025", messages=MESSAGES))
        co.embed(model="embed-v4.0", texts=["one two"], input_type="search_query", embedding_types=["float"])
    assert logger.flush(5.0)
    chat, stream, embed = collector.store.requests()
    assert (chat.provider, chat.model) == ("COHERE", "cohere/command-r")  # the id Helicone prices
    assert chat.request_body == {"model": "command-r", "messages": MESSAGES}
    assert chat.response_body["usage"]["billed_units"] == {"input_tokens": 7.0, "output_tokens": 5.0}
    assert stream.response_body["message"]["content"] == [{"type": "text", "text": REPLY}]  # folded
    for record in (chat, stream):
        assert (record.prompt_tokens, record.completion_tokens, record.user_id) == (7, 5, "u-3")
        assert record.properties["Helicone-Session-Id"] == "s-c"
    assert (embed.provider, embed.prompt_tokens) == ("COHERE", 2)
    assert embed.response_body["embeddings"]["float"] == [[0.1, 0.1, 0.1, 0.1]]


def test_capture_off(make_logger, co, capture, collector):
    logger = make_logger(providers=["cohere"], capture_content=False)
    co.chat(model="command-a-03-2025", messages=MESSAGES)
    co.embed(model="embed-v4.0", texts=["say hello"], input_type="search_query", embedding_types=["float"])
    assert logger.flush(5.0)
    chat_span, _ = capture.llm_spans()
    assert A.INPUT_MESSAGES not in chat_span.attributes and A.OUTPUT_MESSAGES not in chat_span.attributes
    chat, embed = collector.store.requests()
    for record in (chat, embed):
        assert "say hello" not in json.dumps(record.request_body) + json.dumps(record.response_body)
    assert REPLY not in json.dumps(chat.response_body) and chat.completion_tokens == 5


def test_clients_made_before_init_and_v1_clients_v2_namespace_are_traced(make_logger, cohere_server, capture):
    from cohere.v2.raw_client import RawV2Client

    made_before = cohere.ClientV2(api_key="k", base_url=cohere_server.base_url)  # binds ``chat`` onto itself
    original = RawV2Client.__dict__["chat"]
    logger = make_logger(providers=["cohere"])
    made_before.chat(model="command-a-03-2025", messages=MESSAGES)
    cohere.Client(api_key="k", base_url=cohere_server.base_url).v2.chat(model="command-a-03-2025", messages=MESSAGES)
    assert len(capture.llm_spans()) == 2
    logger.shutdown()
    assert RawV2Client.__dict__["chat"] is original
    made_before.chat(model="command-a-03-2025", messages=MESSAGES)
    assert len(capture.llm_spans()) == 2


def test_raw_response_and_early_break(logger, co, capture):
    raw = co.with_raw_response.chat(model="command-a-03-2025", messages=MESSAGES)
    assert type(raw).__name__ == "HttpResponse" and raw.data.message.content[0].text == REPLY
    stream = co.chat_stream(model="command-a-03-2025", messages=MESSAGES)
    for event in stream:
        if event.type == "content-delta":
            break
    stream.close()  # leaving the SDK's ``with`` ends the call with what was seen
    spans = capture.llm_spans()
    assert len(spans) == 2
    assert (spans[0].attributes[A.USAGE_INPUT_TOKENS], spans[0].attributes[A.USAGE_OUTPUT_TOKENS]) == (7, 5)
    assert json.loads(spans[-1].attributes[A.OUTPUT_MESSAGES])[0]["parts"] == [{"type": "text", "content": "Hello"}]
