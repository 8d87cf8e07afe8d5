"""Bedrock extractors over plain dicts: Converse, the InvokeModel body formats, stream folding
and the bodies Helicone reads."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from helicone_otel import attributes as A
from helicone_otel.instrumentation.bedrock import _converse, _invoke, _wire

METRICS = {"amazon-bedrock-invocationMetrics": {"inputTokenCount": 4, "outputTokenCount": 2}}


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        ({"inputTokens": 3, "outputTokens": 2}, {A.USAGE_INPUT_TOKENS: 3, A.USAGE_OUTPUT_TOKENS: 2}),
        ({"inputTokens": 3, "outputTokens": 2, "cacheReadInputTokens": 4, "cacheWriteInputTokens": 1},
         {A.USAGE_INPUT_TOKENS: 8, A.USAGE_OUTPUT_TOKENS: 2, A.USAGE_CACHE_READ_INPUT_TOKENS: 4, A.USAGE_CACHE_CREATION_INPUT_TOKENS: 1}),
        ({"outputTokens": 2}, {A.USAGE_OUTPUT_TOKENS: 2}),
        ({}, {}),
        (None, {}),
        ({"inputTokens": True, "outputTokens": "2"}, {}),
    ],
)
def test_converse_usage(usage, expected):
    attrs: dict = {}
    _converse.usage_attributes(usage, attrs)
    assert attrs == expected


def test_converse_request_attributes():
    body = {
        "modelId": "amazon.nova-micro-v1:0",
        "messages": [{"role": "user", "content": [{"text": "hi"}, {"image": {"format": "png", "source": {"bytes": "AAAA"}}}]}],
        "system": [{"text": "be brief"}],
        "inferenceConfig": {"maxTokens": 9, "temperature": 0.5, "topP": 0.9, "stopSequences": ["x"]},
        "additionalModelRequestFields": {"top_k": 5},
        "toolConfig": {"tools": [{"toolSpec": {"name": "w"}}]},
    }
    attrs: dict = {}
    _converse.request_attributes(body, attrs, True)
    assert attrs[A.REQUEST_MODEL] == "amazon.nova-micro-v1:0"
    assert (attrs[A.REQUEST_MAX_TOKENS], attrs[A.REQUEST_TEMPERATURE], attrs[A.REQUEST_TOP_P], attrs[A.REQUEST_TOP_K]) == (9, 0.5, 0.9, 5)
    assert attrs[A.REQUEST_STOP_SEQUENCES] == ("x",)
    assert json.loads(attrs[A.INPUT_MESSAGES])[0]["parts"] == [
        {"type": "text", "content": "hi"}, {"type": "blob", "modality": "image", "content": "<omitted>"}]
    assert json.loads(attrs[A.SYSTEM_INSTRUCTIONS]) == [{"type": "text", "content": "be brief"}]
    assert json.loads(attrs[A.TOOL_DEFINITIONS]) == [{"toolSpec": {"name": "w"}}]
    no_content: dict = {}
    _converse.request_attributes(body, no_content, False)
    assert A.INPUT_MESSAGES not in no_content and A.SYSTEM_INSTRUCTIONS not in no_content


def test_converse_stream_fold_text_tool_use_and_metadata():
    events = [
        {"messageStart": {"role": "assistant"}},
        {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "Hel"}}},
        {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "lo"}}},
        {"contentBlockStop": {"contentBlockIndex": 0}},
        {"contentBlockStart": {"contentBlockIndex": 1, "start": {"toolUse": {"toolUseId": "t1", "name": "weather"}}}},
        {"contentBlockDelta": {"contentBlockIndex": 1, "delta": {"toolUse": {"input": '{"city":'}}}},
        {"contentBlockDelta": {"contentBlockIndex": 1, "delta": {"toolUse": {"input": '"Paris"}'}}}},
        {"messageStop": {"stopReason": "tool_use"}},
        {"metadata": {"usage": {"inputTokens": 3, "outputTokens": 7}, "metrics": {"latencyMs": 5}}},
    ]
    folded = _converse.fold(events)
    assert folded == {
        "output": {"message": {"role": "assistant", "content": [
            {"text": "Hello"}, {"toolUse": {"toolUseId": "t1", "name": "weather", "input": '{"city":"Paris"}'}}]}},
        "stopReason": "tool_use", "usage": {"inputTokens": 3, "outputTokens": 7}, "metrics": {"latencyMs": 5},
    }
    attrs = _converse.response_attributes(folded, True)
    assert attrs[A.RESPONSE_FINISH_REASONS] == ("tool_use",)
    assert json.loads(attrs[A.OUTPUT_MESSAGES])[0]["parts"][1] == {"type": "tool_call", "id": "t1", "name": "weather", "arguments": '{"city":"Paris"}'}


def test_converse_fold_of_a_cut_stream_keeps_what_arrived():
    assert _converse.fold([{"contentBlockDelta": {"delta": {"text": "Hi"}}}]) == {
        "output": {"message": {"role": "assistant", "content": [{"text": "Hi"}]}}}
    assert _converse.fold([]) == {"output": {"message": {"role": "assistant", "content": []}}}


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("anthropic.claude-3-haiku-20240307-v1:0", "anthropic"),
        ("us.anthropic.claude-3-5-sonnet-20241022-v2:0", "anthropic"),
        ("arn:aws:bedrock:us-east-1:123:inference-profile/eu.amazon.nova-lite-v1:0", "nova"),
        ("meta.llama3-8b-instruct-v1:0", "meta"),
        ("mistral.mistral-large-2402-v1:0", "mistral"),
        ("cohere.command-r-v1:0", None),
        (None, None),
    ],
)
def test_vendor_format(model_id, expected):
    assert _invoke.vendor_format(model_id) == expected


ANTHROPIC_RESPONSE = {"id": "m", "type": "message", "role": "assistant", "model": "claude-3-haiku-20240307",
                      "content": [{"type": "text", "text": "Hi"}], "stop_reason": "end_turn",
                      "usage": {"input_tokens": 3, "output_tokens": 2, "cache_read_input_tokens": 1}}
NOVA_RESPONSE = {"output": {"message": {"role": "assistant", "content": [{"text": "Hi"}]}}, "stopReason": "end_turn",
                 "usage": {"inputTokens": 3, "outputTokens": 2, "cacheReadInputTokenCount": 1, "cacheWriteInputTokenCount": 0}}
META_RESPONSE = {"generation": "Hi", "prompt_token_count": 3, "generation_token_count": 2, "stop_reason": "stop"}
MISTRAL_TEXT = {"outputs": [{"text": "Hi", "stop_reason": "stop"}], **METRICS}
MISTRAL_CHAT = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "stop_reason": "length"}]}


@pytest.mark.parametrize(
    ("response", "kind", "usage", "finish"),
    [
        (ANTHROPIC_RESPONSE, "anthropic", {"input_tokens": 3, "output_tokens": 2, "cache_read_input_tokens": 1}, "end_turn"),
        (NOVA_RESPONSE, "nova", {"input_tokens": 3, "output_tokens": 2, "cache_read_input_tokens": 1, "cache_creation_input_tokens": 0}, "end_turn"),
        (META_RESPONSE, "meta", {"input_tokens": 3, "output_tokens": 2}, "stop"),
        (MISTRAL_TEXT, "mistral", {"input_tokens": 4, "output_tokens": 2}, "stop"),
        (MISTRAL_CHAT, "mistral", {}, "length"),
    ],
    ids=["anthropic", "nova", "meta", "mistral-text", "mistral-chat"],
)
def test_invoke_response_formats(response, kind, usage, finish):
    assert _invoke.response_format(response) == kind
    assert _invoke.usage(response) == usage
    attrs = _invoke.response_attributes(response, True)
    assert attrs[A.RESPONSE_FINISH_REASONS] == (finish,)
    assert json.loads(attrs[A.OUTPUT_MESSAGES])[0]["parts"] == [{"type": "text", "content": "Hi"}]
    if "input_tokens" in usage:
        cache = usage.get("cache_read_input_tokens") or 0
        assert (attrs[A.USAGE_INPUT_TOKENS], attrs[A.USAGE_OUTPUT_TOKENS]) == (usage["input_tokens"] + cache, 2)
    assert A.OUTPUT_MESSAGES not in _invoke.response_attributes(response, False)


@pytest.mark.parametrize(
    ("chunks", "folded"),
    [
        ([{"type": "message_start", "message": {"id": "m", "type": "message", "role": "assistant", "model": "claude", "content": [],
                                                 "usage": {"input_tokens": 3, "output_tokens": 1}}},
          {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
          {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
          {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 2}},
          {"type": "message_stop", **METRICS}],
         {"id": "m", "type": "message", "role": "assistant", "model": "claude", "content": [{"type": "text", "text": "Hi"}],
          "stop_reason": "end_turn", "usage": {"input_tokens": 3, "output_tokens": 2}, **METRICS}),
        ([{"messageStart": {"role": "assistant"}}, {"contentBlockDelta": {"delta": {"text": "Hi"}, "contentBlockIndex": 0}},
          {"messageStop": {"stopReason": "end_turn"}}, {"metadata": {"usage": {"inputTokens": 3, "outputTokens": 2}}, **METRICS}],
         {"output": {"message": {"role": "assistant", "content": [{"text": "Hi"}]}}, "stopReason": "end_turn",
          "usage": {"inputTokens": 3, "outputTokens": 2}, **METRICS}),
        ([{"generation": "H", "prompt_token_count": 3, "generation_token_count": 1, "stop_reason": None},
          {"generation": "i", "prompt_token_count": None, "generation_token_count": 2, "stop_reason": "stop", **METRICS}],
         {"generation": "Hi", "prompt_token_count": 3, "generation_token_count": 2, "stop_reason": "stop", **METRICS}),
        ([{"outputs": [{"text": "H", "stop_reason": None}]}, {"outputs": [{"text": "i", "stop_reason": "stop"}], **METRICS}],
         {"outputs": [{"text": "Hi", "stop_reason": "stop"}], **METRICS}),
        ([{"choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "stop_reason": None}]}],
         {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "stop_reason": None}]}),
    ],
    ids=["anthropic", "nova", "meta", "mistral-text", "mistral-chat"],
)
def test_invoke_stream_fold(chunks, folded):
    assert _invoke.fold(chunks) == folded


def _record(request, response=None, chunks=None):
    return SimpleNamespace(request=request, response=response, chunks=chunks)


def test_helicone_body_for_claude_converse_is_anthropic_with_a_5m_cache_split():
    response = {"output": {"message": {"role": "assistant", "content": [{"text": "Hi"}]}},
                "usage": {"inputTokens": 3, "outputTokens": 2, "cacheReadInputTokens": 1, "cacheWriteInputTokens": 4}}
    body = _wire.converse_body(_record({"modelId": "us.anthropic.claude-3-5-sonnet-20241022-v2:0", "messages": []}, response))
    assert body["provider"] == "ANTHROPIC" and body["model"] == "us.anthropic.claude-3-5-sonnet-20241022-v2:0"
    assert body["request"] == {"messages": []}
    assert body["response"]["usage"] == {
        "inputTokens": 3, "outputTokens": 2, "cacheReadInputTokens": 1, "cacheWriteInputTokens": 4,
        "input_tokens": 3, "output_tokens": 2, "cache_read_input_tokens": 1, "cache_creation_input_tokens": 4,
        "cache_creation": {"ephemeral_5m_input_tokens": 4, "ephemeral_1h_input_tokens": 0},
    }


@pytest.mark.parametrize(
    ("model_id", "response", "provider", "usage"),
    [
        ("anthropic.claude-3-haiku-20240307-v1:0", ANTHROPIC_RESPONSE, "ANTHROPIC", ANTHROPIC_RESPONSE["usage"]),
        ("amazon.nova-micro-v1:0", NOVA_RESPONSE, "AWS", {**NOVA_RESPONSE["usage"], "input_tokens": 3, "output_tokens": 2,
                                                          "cache_read_input_tokens": 1, "cache_creation_input_tokens": 0}),
        ("meta.llama3-8b-instruct-v1:0", META_RESPONSE, "AWS", {"input_tokens": 3, "output_tokens": 2}),
        ("mistral.mistral-7b-instruct-v0:2", MISTRAL_TEXT, "AWS", {"input_tokens": 4, "output_tokens": 2}),
    ],
)
def test_helicone_body_for_invoke(model_id, response, provider, usage):
    body = _wire.invoke_body(_record({"modelId": model_id, "body": {"prompt": "hi"}}, response))
    assert body["provider"] == provider and body["request"] == {"prompt": "hi"} and body["model"] == model_id
    assert body["response"]["usage"] == usage


def test_helicone_body_keeps_an_error_body_as_it_is():
    error = {"error": {"type": "ThrottlingException", "message": "slow down"}}
    assert _wire.converse_body(_record({"modelId": "amazon.nova-micro-v1:0"}, error))["response"] == error
    assert _wire.invoke_body(_record({"modelId": "amazon.nova-micro-v1:0", "body": {}}, error))["response"] == error


def test_read_json_decodes_events_and_blobs():
    assert _wire.read_json({"chunk": {"bytes": b'{"generation":"Hi"}'}}) == {"generation": "Hi"}
    assert _wire.read_json({"messageStart": {"role": "assistant"}}) == {"messageStart": {"role": "assistant"}}
    response = {"output": {}, "ResponseMetadata": {"HTTPStatusCode": 200}, "usage": {"inputTokens": 1}}
    assert _wire.read_json(response) == {"output": {}, "usage": {"inputTokens": 1}}
    assert _wire.jsonable({"bytes": b"\x00\x01", "list": (1, 2)}) == {"bytes": "AAE=", "list": [1, 2]}


def test_read_json_of_an_invoke_response_adds_header_counts_only_where_the_body_has_none():
    def response(body: bytes) -> dict:
        headers = {"x-amzn-bedrock-input-token-count": "4", "x-amzn-bedrock-output-token-count": "2"}
        return {"body": SimpleNamespace(body_read=lambda: body), "ResponseMetadata": {"HTTPHeaders": headers}}

    assert _wire.read_json(response(b'{"outputs":[{"text":"Hi"}]}')) == {"outputs": [{"text": "Hi"}], **METRICS}
    assert _wire.read_json(response(json.dumps(META_RESPONSE).encode())) == META_RESPONSE
    assert _wire.read_json(response(b'{"outputs": [{"te')) == METRICS  # read in part, then dropped


def test_read_request_decodes_the_invoke_body_and_builds_the_url():
    client = SimpleNamespace(meta=SimpleNamespace(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com"))
    request, url = _wire.read_request(client, "invoke", {"modelId": "amazon.nova-micro-v1:0", "body": b'{"messages":[]}', "accept": "application/json"})
    assert request == {"modelId": "amazon.nova-micro-v1:0", "body": {"messages": []}, "accept": "application/json"}
    assert url == "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-micro-v1%3A0/invoke"


@pytest.mark.parametrize(
    ("provider", "model", "override"),
    [
        ("AWS", "amazon.nova-micro-v1:0", "amazon.nova-micro-v1%3a0"),  # Helicone keys Bedrock ids as its proxy sees the path
        ("AWS", "us.amazon.nova-lite-v1:0", "us.amazon.nova-lite-v1%3a0"),
        ("AWS", "us.anthropic.claude-3-5-sonnet-20241022-v2:0", None),  # priced as it is
        ("ANTHROPIC", "us.anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet-20241022"),
        ("AWS", "mistral.mistral-large-2402-v1:0", None),  # unknown to Helicone
    ],
)
def test_model_override_for_bedrock_ids(provider, model, override):
    from helicone_otel.export.helicone_models import model_override

    assert model_override(provider, model) == override
