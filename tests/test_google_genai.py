"""google-genai through the instrumentation: the real SDK (Gemini API and Vertex AI clients)
against a stand-in server speaking the Gemini wire format, the real exporter and the real local
collector."""

from __future__ import annotations

import asyncio
import inspect
import json

import pytest

import helicone_otel
from helicone_otel import attributes as A
from helicone_otel.testing import GeminiStandIn, Reply

genai = pytest.importorskip("google.genai")
from google.genai import errors, types  # noqa: E402

REPLY = "Hello from the stand-in Gemini."  # 5 words
M = 1_000_000


@pytest.fixture
def gemini_server():
    with GeminiStandIn() as server:
        yield server


@pytest.fixture
def gemini_logger(make_logger):
    return make_logger(providers=["google-genai"])


@pytest.fixture
def gemini(gemini_server):
    return genai.Client(api_key="k", http_options={"base_url": gemini_server.base_url})


def _client_class(api_client_module):
    return getattr(api_client_module, "BaseApiClient", None) or api_client_module.ApiClient


def only_span(capture):
    spans = capture.llm_spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def test_generate_content_with_thoughts_and_cache(gemini_logger, gemini, gemini_server, capture, collector):
    gemini_server.thoughts_tokens, gemini_server.cached_tokens, gemini_server.thought_text = 4, 2, "the user greets"
    config = types.GenerateContentConfig(system_instruction="be brief", temperature=0.2, max_output_tokens=100)
    with helicone_otel.session("s-g", path="/gemini"), helicone_otel.user("u-3"):
        response = gemini.models.generate_content(model="gemini-2.5-flash", contents="Say hello to me", config=config)
    assert type(response).__name__ == "GenerateContentResponse" and response.text == REPLY
    span = only_span(capture)
    attrs = span.attributes
    assert span.name == "chat gemini-2.5-flash"
    assert (attrs[A.PROVIDER_NAME], attrs[A.SERVER_ADDRESS], attrs[A.REQUEST_MODEL]) == ("gcp.gemini", "127.0.0.1", "gemini-2.5-flash")
    assert (attrs[A.REQUEST_TEMPERATURE], attrs[A.REQUEST_MAX_TOKENS]) == (0.2, 100)
    # prompt: 4 user words + 2 system words, 2 of them cached; output: 5 words + 4 thoughts
    assert (attrs[A.USAGE_INPUT_TOKENS], attrs[A.USAGE_OUTPUT_TOKENS]) == (6, 9)
    assert (attrs[A.USAGE_CACHE_READ_INPUT_TOKENS], attrs[A.USAGE_REASONING_OUTPUT_TOKENS]) == (2, 4)
    assert attrs[A.USAGE_COST] == pytest.approx((4 * 0.3 + 2 * 0.03 + 9 * 2.5) / M)
    assert json.loads(attrs[A.SYSTEM_INSTRUCTIONS]) == [{"type": "text", "content": "be brief"}]
    assert json.loads(attrs[A.OUTPUT_MESSAGES])[0]["parts"] == [
        {"type": "reasoning", "content": "the user greets"}, {"type": "text", "content": REPLY}]
    assert gemini_logger.flush(5.0)
    (record,) = collector.store.requests()
    assert (record.provider, record.model, record.status) == ("GOOGLE", "gemini-2.5-flash", 200)
    sent = gemini_server.requests_to(":generateContent")[-1]
    assert record.request_body == {"model": "gemini-2.5-flash", **sent}  # the wire body, and the model of its URL
    assert record.response_body["usageMetadata"]["thoughtsTokenCount"] == 4
    assert record.properties["Helicone-Session-Id"] == "s-g" and record.user_id == "u-3"


def test_stream_same_chunks_usage_from_the_last(gemini_logger, gemini, gemini_server, capture, collector):
    chunks = list(gemini.models.generate_content_stream(model="gemini-2.5-flash", contents="Say hello"))
    assert "".join(c.text for c in chunks) == REPLY and type(chunks[0]).__name__ == "GenerateContentResponse"
    attrs = only_span(capture).attributes
    assert (attrs[A.USAGE_INPUT_TOKENS], attrs[A.USAGE_OUTPUT_TOKENS]) == (2, 5)
    assert attrs[A.REQUEST_STREAM] is True and attrs[A.RESPONSE_TIME_TO_FIRST_CHUNK] > 0
    assert json.loads(attrs[A.OUTPUT_MESSAGES])[0]["parts"] == [{"type": "text", "content": REPLY}]
    assert gemini_logger.flush(5.0)
    (record,) = collector.store.requests()
    assert (record.provider, record.model, record.prompt_tokens, record.completion_tokens) == ("GOOGLE", "gemini-2.5-flash", 2, 5)
    assert record.time_to_first_token_ms is not None


def test_async_generate_stream_and_chat(gemini_logger, gemini, capture, collector):
    async def run():
        first = await gemini.aio.models.generate_content(model="gemini-2.5-flash", contents="Say hello")
        texts = [c.text async for c in await gemini.aio.models.generate_content_stream(model="gemini-2.5-flash", contents="Say hello")]
        chat = gemini.aio.chats.create(model="gemini-2.5-flash")
        await chat.send_message("Say hello")
        second = await chat.send_message("Again")
        return first, texts, second

    first, texts, second = asyncio.run(run())
    assert first.text == REPLY and "".join(texts) == REPLY and second.text == REPLY
    spans = sorted(capture.llm_spans(), key=lambda s: s.start_time)
    assert [s.attributes.get(A.REQUEST_STREAM, False) for s in spans] == [False, True, False, False]
    # The chat's second turn sends the whole history: 2 + 5 + 1 words.
    assert spans[-1].attributes[A.USAGE_INPUT_TOKENS] == 8
    assert [m["role"] for m in json.loads(spans[-1].attributes[A.INPUT_MESSAGES])] == ["user", "assistant", "user"]
    assert gemini_logger.flush(5.0)
    assert len(collector.store.requests()) == 4


def test_sync_chat_stream(gemini_logger, gemini, capture):
    chat = gemini.chats.create(model="gemini-2.5-flash")
    assert "".join(c.text for c in chat.send_message_stream("Say hello")) == REPLY
    assert only_span(capture).attributes[A.USAGE_OUTPUT_TOKENS] == 5


def test_vertex_ai_client_and_predict_embeddings(gemini_logger, gemini_server, capture, collector):
    vertex = genai.Client(vertexai=True, api_key="k", http_options={"base_url": gemini_server.base_url})
    assert vertex.models.generate_content(model="gemini-2.0-flash", contents="Say hello").text == REPLY
    embedded = vertex.models.embed_content(model="text-embedding-004", contents=["one two", "three"])
    assert len(embedded.embeddings) == 2
    chat, embeddings = sorted(capture.llm_spans(), key=lambda s: s.start_time)
    assert chat.attributes[A.PROVIDER_NAME] == embeddings.attributes[A.PROVIDER_NAME] == "gcp.vertex_ai"
    assert chat.attributes[A.USAGE_COST] == pytest.approx((2 * 0.1 + 5 * 0.4) / M)
    assert embeddings.name == "embeddings text-embedding-004"
    assert (embeddings.attributes[A.USAGE_INPUT_TOKENS], embeddings.attributes[A.EMBEDDINGS_DIMENSION_COUNT]) == (3, 8)
    assert gemini_logger.flush(5.0)
    records = {r.model: r for r in collector.store.requests()}
    assert records["gemini-2.0-flash"].provider == "GOOGLE"
    # Sent as Helicone reads Gemini usage: the 0 cached tokens the API leaves out is named.
    assert records["gemini-2.0-flash"].response_body["usageMetadata"]["cachedContentTokenCount"] == 0


def test_gemini_api_embeddings(gemini_logger, gemini, capture):
    config = types.EmbedContentConfig(output_dimensionality=4)
    embedded = gemini.models.embed_content(model="text-embedding-004", contents=["one two"], config=config)
    assert len(embedded.embeddings[0].values) == 4
    attrs = only_span(capture).attributes
    assert attrs[A.OPERATION_NAME] == "embeddings" and attrs[A.EMBEDDINGS_DIMENSION_COUNT] == 4
    assert A.USAGE_INPUT_TOKENS not in attrs  # the Gemini API reports no usage for embeddings


def test_untraced_calls_pass_through(gemini_logger, gemini, gemini_server, capture):
    gemini_server.add_route(":countTokens", lambda body, headers: Reply(200, {"totalTokens": 3}))
    assert gemini.models.count_tokens(model="gemini-2.5-flash", contents="one two three").total_tokens == 3
    assert capture.llm_spans() == []


def test_error_is_recorded_and_reraised_unchanged(gemini_logger, gemini, gemini_server, capture, collector):
    gemini_server.fail_next(429)
    with pytest.raises(errors.ClientError) as raised:
        gemini.models.generate_content(model="gemini-2.5-flash", contents="Say hello")
    assert raised.value.code == 429
    span = only_span(capture)
    # spans.error_type reads ``status_code``; google-genai names the status ``code``.
    assert span.status.status_code.name == "ERROR" and span.attributes[A.ERROR_TYPE] == "ClientError"
    assert gemini_logger.flush(5.0)
    (record,) = collector.store.requests()
    assert record.status == 429 and record.response_body["error"]["status"] == "RESOURCE_EXHAUSTED"


def test_stream_error_mid_way_is_reraised_and_recorded(gemini_logger, gemini, gemini_server, capture):
    from google.genai import _api_client

    if "raise_error" not in inspect.getsource(_client_class(_api_client).request_streamed):
        pytest.skip("this google-genai does not raise an error sent inside a stream")
    gemini_server.error_next_stream(after_events=2)
    seen = []
    with pytest.raises(errors.APIError):
        for chunk in gemini.models.generate_content_stream(model="gemini-2.5-flash", contents="Say hello"):
            seen.append(chunk.text)
    assert seen == ["Hello", " from"]
    span = only_span(capture)
    assert span.status.status_code.name == "ERROR"
    assert json.loads(span.attributes[A.OUTPUT_MESSAGES])[0]["parts"] == [{"type": "text", "content": "Hello from"}]


def test_content_capture_off_sends_no_text(make_logger, gemini, capture, collector):
    logger = make_logger(providers=["google-genai"], capture_content=False)
    gemini.models.generate_content(model="gemini-2.5-flash", contents="secret words here")
    attrs = only_span(capture).attributes
    assert A.INPUT_MESSAGES not in attrs and A.OUTPUT_MESSAGES not in attrs
    assert logger.flush(5.0)
    (record,) = collector.store.requests()
    assert "secret" not in json.dumps(record.request_body) and "stand-in" not in json.dumps(record.response_body)
    assert record.completion_tokens == 5


def test_uninstrument_restores_the_sdk(make_logger, gemini, capture):
    from google.genai import _api_client

    original = _client_class(_api_client).__dict__["request"]
    logger = make_logger(providers=["google-genai"])
    assert _client_class(_api_client).__dict__["request"] is not original
    logger.shutdown()
    assert _client_class(_api_client).__dict__["request"] is original
    gemini.models.generate_content(model="gemini-2.5-flash", contents="Say hello")
    assert capture.llm_spans() == []
