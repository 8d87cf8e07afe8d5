"""Cohere v2 extractors over plain dicts: chat, stream folding, embed, rerank and the bodies
Helicone reads."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from helicone_otel import attributes as A
from helicone_otel.export.helicone_models import model_override
from helicone_otel.instrumentation.cohere import _chat, _retrieval, _wire


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        ({"billed_units": {"input_tokens": 7.0, "output_tokens": 5.0}, "tokens": {"input_tokens": 10, "output_tokens": 5}}, (7, 5)),
        ({"tokens": {"input_tokens": 10, "output_tokens": 5}}, (10, 5)),
        ({"billed_units": {"search_units": 1}}, (None, None)),
        ({"billed_units": {"input_tokens": 2.5}}, (None, None)),
        (None, (None, None)),
    ],
)
def test_usage_counts_prefer_billed_units(usage, expected):
    assert _chat.usage_counts(usage) == expected


def test_chat_request_attributes():
    body = {"model": "command-a-03-2025", "temperature": 0.2, "p": 0.9, "k": 3, "max_tokens": 9, "seed": 1,
            "stop_sequences": ["x"], "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": "be brief"},
                         {"role": "user", "content": [{"type": "text", "text": "hi"}, {"type": "image_url", "image_url": {"url": "https://x/i.png"}}]},
                         {"role": "assistant", "tool_plan": "p", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "w", "arguments": "{}"}}]},
                         {"role": "tool", "tool_call_id": "c", "content": [{"type": "text", "text": "sunny"}]}]}
    attrs: dict = {}
    _chat.request_attributes(body, attrs, True)
    assert (attrs[A.REQUEST_TEMPERATURE], attrs[A.REQUEST_TOP_P], attrs[A.REQUEST_TOP_K], attrs[A.REQUEST_MAX_TOKENS]) == (0.2, 0.9, 3, 9)
    assert attrs[A.REQUEST_STOP_SEQUENCES] == ("x",) and attrs[A.OUTPUT_TYPE] == "json"
    assert json.loads(attrs[A.SYSTEM_INSTRUCTIONS]) == [{"type": "text", "content": "be brief"}]
    assert json.loads(attrs[A.INPUT_MESSAGES]) == [
        {"role": "user", "parts": [{"type": "text", "content": "hi"}, {"type": "uri", "modality": "image", "uri": "https://x/i.png"}]},
        {"role": "assistant", "parts": [{"type": "tool_call", "id": "c", "name": "w", "arguments": "{}"}]},
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "c", "response": "sunny"}]},
    ]
    quiet: dict = {}
    _chat.request_attributes(body, quiet, False)
    assert A.INPUT_MESSAGES not in quiet and A.SYSTEM_INSTRUCTIONS not in quiet


def test_chat_response_attributes():
    response = {"id": "r1", "finish_reason": "COMPLETE", "message": {"role": "assistant", "content": [{"type": "text", "text": "Hi"}]},
                "usage": {"billed_units": {"input_tokens": 3, "output_tokens": 2}, "cached_tokens": 1}}
    attrs = _chat.response_attributes(response, True)
    assert attrs[A.RESPONSE_ID] == "r1" and attrs[A.RESPONSE_FINISH_REASONS] == ("COMPLETE",)
    assert (attrs[A.USAGE_INPUT_TOKENS], attrs[A.USAGE_OUTPUT_TOKENS], attrs[A.USAGE_CACHE_READ_INPUT_TOKENS]) == (3, 2, 1)
    assert json.loads(attrs[A.OUTPUT_MESSAGES])[0]["parts"] == [{"type": "text", "content": "Hi"}]


@pytest.mark.parametrize(
    ("events", "folded"),
    [
        ([{"id": "r", "type": "message-start", "delta": {"message": {"role": "assistant"}}},
          {"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "text", "text": ""}}}},
          {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "Hel"}}}},
          {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "lo"}}}},
          {"type": "content-end", "index": 0},
          {"type": "message-end", "delta": {"finish_reason": "COMPLETE", "usage": {"billed_units": {"input_tokens": 1, "output_tokens": 2}}}}],
         {"id": "r", "finish_reason": "COMPLETE", "usage": {"billed_units": {"input_tokens": 1, "output_tokens": 2}},
          "message": {"role": "assistant", "content": [{"type": "text", "text": "Hello"}]}}),
        ([{"type": "tool-plan-delta", "delta": {"message": {"tool_plan": "call it"}}},
          {"type": "tool-call-start", "index": 0, "delta": {"message": {"tool_calls": {"id": "c", "type": "function", "function": {"name": "w", "arguments": ""}}}}},
          {"type": "tool-call-delta", "index": 0, "delta": {"message": {"tool_calls": {"function": {"arguments": '{"a":1}'}}}}},
          {"type": "message-end", "delta": {"finish_reason": "TOOL_CALL"}}],
         {"finish_reason": "TOOL_CALL", "message": {"role": "assistant", "tool_plan": "call it", "tool_calls": [
             {"id": "c", "type": "function", "function": {"name": "w", "arguments": '{"a":1}'}}]}}),
        ([], {"message": {"role": "assistant"}}),
    ],
    ids=["text", "tool-call", "empty"],
)
def test_stream_fold(events, folded):
    assert _chat.fold(events) == folded


def test_embed_and_rerank_attributes():
    attrs: dict = {}
    _retrieval.embed_request_attributes({"embedding_types": ["float", "int8"], "output_dimension": 256}, attrs, True)
    assert attrs == {A.REQUEST_ENCODING_FORMATS: ("float", "int8"), A.EMBEDDINGS_DIMENSION_COUNT: 256}
    response = {"id": "e", "embeddings": {"float": [[0.1, 0.2, 0.3]]}, "meta": {"billed_units": {"input_tokens": 4.0}}}
    assert _retrieval.embed_response_attributes(response, True) == {
        A.RESPONSE_ID: "e", A.USAGE_INPUT_TOKENS: 4, A.EMBEDDINGS_DIMENSION_COUNT: 3}
    top: dict = {}
    _retrieval.rerank_request_attributes({"top_n": 2}, top, True)
    assert top == {A.REQUEST_CHOICE_COUNT: 2}
    assert _retrieval.rerank_response_attributes({"id": "r", "meta": {"billed_units": {"search_units": 1}}}, True) == {A.RESPONSE_ID: "r"}


def test_helicone_bodies_add_the_usage_names_helicone_reads():
    chat = {"id": "r", "message": {}, "usage": {"billed_units": {"input_tokens": 7.0, "output_tokens": 5.0}}}
    body = _wire.chat_body(SimpleNamespace(response=chat, chunks=None))
    assert body["provider"] == "COHERE"
    assert body["response"]["usage"] == {"billed_units": {"input_tokens": 7.0, "output_tokens": 5.0}, "input_tokens": 7, "output_tokens": 5}
    events = [{"type": "message-end", "delta": {"finish_reason": "COMPLETE", "usage": {"billed_units": {"input_tokens": 1, "output_tokens": 2}}}}]
    streamed = _wire.chat_body(SimpleNamespace(response=None, chunks=events))["response"]
    assert streamed["usage"]["input_tokens"] == 1 and streamed["finish_reason"] == "COMPLETE"
    embed = _wire.embed_body(SimpleNamespace(response={"meta": {"billed_units": {"input_tokens": 3.0}}}, chunks=None))["response"]
    assert embed["usage"] == {"input_tokens": 3, "output_tokens": 0}
    error = {"error": {"id": "x", "message": "slow down"}}
    assert _wire.chat_body(SimpleNamespace(response=error, chunks=None))["response"] == error


def test_helicone_knows_command_r_as_cohere_command_r():
    assert model_override("COHERE", "command-r") == "cohere/command-r"
    assert model_override("COHERE", "command-a-03-2025") is None
