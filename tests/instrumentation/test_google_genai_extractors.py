"""google-genai readers and extractors over plain wire dicts (Gemini API and Vertex AI shapes)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from helicone_otel import attributes as A
from helicone_otel.instrumentation.google_genai import _embed, _generate, _point

USAGE = {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 19, "cachedContentTokenCount": 2, "thoughtsTokenCount": 4}


@pytest.mark.parametrize("usage, expected", [
    (USAGE, {A.USAGE_INPUT_TOKENS: 10, A.USAGE_OUTPUT_TOKENS: 9, A.USAGE_CACHE_READ_INPUT_TOKENS: 2, A.USAGE_REASONING_OUTPUT_TOKENS: 4}),
    ({"promptTokenCount": 3, "candidatesTokenCount": 5}, {A.USAGE_INPUT_TOKENS: 3, A.USAGE_OUTPUT_TOKENS: 5}),
    ({"promptTokenCount": 3, "toolUsePromptTokenCount": 7, "candidatesTokenCount": 1}, {A.USAGE_INPUT_TOKENS: 10, A.USAGE_OUTPUT_TOKENS: 1}),
    ({"promptTokenCount": 3, "totalTokenCount": 3}, {A.USAGE_INPUT_TOKENS: 3}),  # a stream's first chunks
    ({"promptTokenCount": True}, {}),
    (None, {}),
])
def test_usage_metadata(usage, expected):
    attrs: dict = {}
    _generate.usage_attributes(usage, attrs)
    assert attrs == expected


def test_request_attributes_from_generation_config_and_content():
    body = {
        "contents": [
            {"role": "user", "parts": [{"text": "weather?"}, {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}]},
            {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}]},
            {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"t": 18}}}]},
        ],
        "systemInstruction": {"parts": [{"text": "be brief"}]},
        "generationConfig": {"temperature": 0.2, "topP": 0.9, "topK": 40, "maxOutputTokens": 100, "stopSequences": ["##"],
                             "candidateCount": 2, "responseMimeType": "application/json"},
        "tools": [{"functionDeclarations": [{"name": "get_weather"}]}],
        "stream": True,
    }
    attrs: dict = {}
    _generate.request_attributes(body, attrs, True)
    assert attrs[A.REQUEST_MAX_TOKENS] == 100 and attrs[A.REQUEST_TOP_K] == 40 and attrs[A.REQUEST_TOP_P] == 0.9
    assert attrs[A.REQUEST_STOP_SEQUENCES] == ("##",) and attrs[A.REQUEST_CHOICE_COUNT] == 2
    assert attrs[A.OUTPUT_TYPE] == "json" and attrs[A.REQUEST_STREAM] is True
    assert json.loads(attrs[A.SYSTEM_INSTRUCTIONS]) == [{"type": "text", "content": "be brief"}]
    messages = json.loads(attrs[A.INPUT_MESSAGES])
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[0]["parts"][1] == {"type": "blob", "modality": "image", "content": "<omitted>", "mime_type": "image/png"}
    assert "iVBORw0KGgo" not in attrs[A.INPUT_MESSAGES]
    assert messages[1]["parts"] == [{"type": "tool_call", "id": None, "name": "get_weather", "arguments": {"city": "Paris"}}]
    assert messages[2]["parts"][0]["type"] == "tool_call_response"
    assert json.loads(attrs[A.TOOL_DEFINITIONS]) == body["tools"]
    no_content: dict = {}
    _generate.request_attributes(body, no_content, False)
    assert not {A.INPUT_MESSAGES, A.SYSTEM_INSTRUCTIONS, A.TOOL_DEFINITIONS} & set(no_content)


def test_response_attributes_with_thought_parts():
    response = {
        "candidates": [{"content": {"role": "model", "parts": [{"text": "thinking", "thought": True}, {"text": "Hi"}]},
                        "finishReason": "STOP", "index": 0}],
        "usageMetadata": USAGE, "modelVersion": "gemini-2.5-flash", "responseId": "r-1",
    }
    attrs = _generate.response_attributes(response, True)
    assert (attrs[A.RESPONSE_MODEL], attrs[A.RESPONSE_ID], attrs[A.RESPONSE_FINISH_REASONS]) == ("gemini-2.5-flash", "r-1", ("stop",))
    assert json.loads(attrs[A.OUTPUT_MESSAGES]) == [{"role": "assistant", "finish_reason": "stop", "parts": [
        {"type": "reasoning", "content": "thinking"}, {"type": "text", "content": "Hi"}]}]
    assert A.OUTPUT_MESSAGES not in _generate.response_attributes(response, False)
    assert _generate.response_attributes({"error": {"code": 429}}, True) == {}


def _chunk(parts, usage, finish=None):
    candidate = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    return {"candidates": [candidate], "usageMetadata": usage, "modelVersion": "gemini-2.5-flash", "responseId": "r-2"}


@pytest.mark.parametrize("chunks, tokens, text", [
    ([_chunk([{"text": "Hel"}], {"promptTokenCount": 3}), _chunk([{"text": "lo"}], {"promptTokenCount": 3, "candidatesTokenCount": 2}, "STOP")],
     (3, 2), "Hello"),
    ([_chunk([{"text": "Hi"}], {"promptTokenCount": 3}, "MAX_TOKENS")], (3, None), "Hi"),  # cut short: no output count
    ([{"candidates": None}, _chunk([], None)], (None, None), None),
])
def test_stream_folding(chunks, tokens, text):
    accumulator = _generate.GenerateStreamAccumulator(True)
    for chunk in chunks:
        accumulator.add(chunk)
    attrs = accumulator.attributes(True)
    assert (attrs.get(A.USAGE_INPUT_TOKENS), attrs.get(A.USAGE_OUTPUT_TOKENS)) == tokens
    if text is not None:
        assert json.loads(attrs[A.OUTPUT_MESSAGES])[0]["parts"] == [{"type": "text", "content": text}]
        assert attrs[A.RESPONSE_MODEL] == "gemini-2.5-flash"


@pytest.mark.parametrize("response, tokens, dimensions", [
    ({"embeddings": [{"values": [0.1, 0.2, 0.3]}, {"values": [0.1, 0.2, 0.3]}]}, None, 3),  # Gemini API: no usage
    ({"predictions": [{"embeddings": {"values": [0.1, 0.2], "statistics": {"token_count": 2}}},
                      {"embeddings": {"values": [0.1, 0.2], "statistics": {"token_count": 1.0}}}]}, 3, 2),  # Vertex predict
    ({"embedding": {"values": [0.5]}, "usageMetadata": {"promptTokenCount": 4}}, 4, 1),  # embedContent
    ({}, None, None),
])
def test_embedding_responses(response, tokens, dimensions):
    attrs = _embed.response_attributes(response, True)
    assert attrs.get(A.USAGE_INPUT_TOKENS) == tokens and attrs.get(A.EMBEDDINGS_DIMENSION_COUNT) == dimensions


@pytest.mark.parametrize("body", [
    {"requests": [{"model": "models/text-embedding-004", "outputDimensionality": 64}]},
    {"instances": [{"content": "x"}], "parameters": {"outputDimensionality": 64}},
    {"content": {"parts": []}, "outputDimensionality": 64},
])
def test_embedding_request_dimensions(body):
    attrs: dict = {}
    _embed.request_attributes(body, attrs, True)
    assert attrs == {A.EMBEDDINGS_DIMENSION_COUNT: 64}


def _client(vertexai=False, base_url="https://generativelanguage.googleapis.com/", api_version="v1beta", project=None, location=None):
    return SimpleNamespace(vertexai=vertexai, project=project, location=location,
                           _http_options=SimpleNamespace(base_url=base_url, api_version=api_version))


@pytest.mark.parametrize("client, path, model, url, provider", [
    (_client(), "models/gemini-2.5-flash:generateContent", "gemini-2.5-flash",
     "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent", "gcp.gemini"),
    (_client(True, "https://us-central1-aiplatform.googleapis.com/", "v1beta1", "p", "us-central1"),
     "publishers/google/models/gemini-2.0-flash:streamGenerateContent?alt=sse", "gemini-2.0-flash",
     "https://us-central1-aiplatform.googleapis.com/v1beta1/projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash:streamGenerateContent?alt=sse",
     "gcp.vertex_ai"),
    (_client(True, "http://127.0.0.1:8080", "v1"), "projects/p/locations/l/endpoints/123:generateContent", "projects/p/locations/l/endpoints/123",
     "http://127.0.0.1:8080/v1/projects/p/locations/l/endpoints/123:generateContent", "gcp.vertex_ai"),
])
def test_request_as_helicone_reads_it(client, path, model, url, provider):
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    request, sent_to = _point.read_request(client, path, body)
    assert request["model"] == model and request["contents"] == body["contents"] and sent_to == url
    assert request.get("stream") is (True if "streamGenerateContent" in path else None)
    assert _point.provider_of(client)[0] == provider


def test_read_json_of_sdk_http_responses():
    assert _point.read_json(SimpleNamespace(body='{"candidates": []}')) == {"candidates": []}
    assert _point.read_json(SimpleNamespace(body="")) == {}
    assert _point.read_json({"candidates": []}) == {"candidates": []}  # google-genai 1.2x: already parsed
    assert _point.read_json(object()) is None


@pytest.mark.parametrize("response, chunks, sent", [
    ({"usageMetadata": {"promptTokenCount": 2, "candidatesTokenCount": 5}},
     None, {"usageMetadata": {"promptTokenCount": 2, "candidatesTokenCount": 5, "cachedContentTokenCount": 0}}),
    ({"usageMetadata": {"promptTokenCount": 2, "cachedContentTokenCount": 1}}, None, None),  # already there
    ({"error": {"code": 429}}, None, None),
    (None, [{"usageMetadata": {"promptTokenCount": 2}}], None),  # streams: Helicone defaults it itself
])
def test_helicone_body_names_the_zero_cached_count(response, chunks, sent):
    shaped = _point.helicone_body(SimpleNamespace(response=response, chunks=chunks))
    assert shaped.get("response") == sent


def test_only_generation_and_embedding_calls_are_named():
    name_call = _point.make_name_call({"generateContent": "gen", "predict": "emb"})
    client = object()
    assert name_call(client, ("post", "models/g:generateContent", {}), {}) == ("gen", client, "models/g:generateContent", {})
    assert name_call(client, ("get", "models/g", {}), {}) is None
    assert name_call(client, ("post", "models/g:countTokens", {}), {}) is None
    assert name_call(client, ("post", "models/imagen:predict", {"instances": [{"prompt": "cat"}]}), {}) is None
    assert name_call(client, ("post", "models/e:predict", {"instances": [{"content": "x"}]}), {})[0] == "emb"
