"""Groq and Mistral readers and extractors over plain dicts (both speak the OpenAI chat shape)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from helicone_otel import attributes as A
from helicone_otel.instrumentation.groq import _chat as groq_chat
from helicone_otel.instrumentation.groq import provider_of as groq_provider_of

HEAD = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "llama-3.3-70b-versatile"}
X_GROQ_USAGE = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7, "queue_time": 0.01}


@pytest.mark.parametrize("chunks, tokens", [
    # Groq's own stream: usage in the last chunk's ``x_groq``.
    ([{**HEAD, "choices": [{"index": 0, "delta": {"content": "Hi"}}], "x_groq": {"id": "req_1"}},
      {**HEAD, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "x_groq": {"id": "req_1", "usage": X_GROQ_USAGE}}], (5, 2)),
    # ``include_usage`` on: the chunk's own usage wins over ``x_groq``, whatever the order.
    ([{**HEAD, "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": "stop"}], "x_groq": {"usage": X_GROQ_USAGE}},
      {**HEAD, "choices": [], "usage": {"prompt_tokens": 6, "completion_tokens": 3}}], (6, 3)),
    ([{**HEAD, "choices": [], "usage": {"prompt_tokens": 6, "completion_tokens": 3}},
      {**HEAD, "choices": [], "x_groq": {"usage": X_GROQ_USAGE}}], (6, 3)),
    ([{**HEAD, "choices": [{"index": 0, "delta": {"content": "Hi"}}], "x_groq": None}], (None, None)),
])
def test_groq_stream_usage(chunks, tokens):
    accumulator = groq_chat.GroqChatStreamAccumulator(True)
    for chunk in chunks:
        accumulator.add(chunk)
    attrs = accumulator.attributes(True)
    assert (attrs.get(A.USAGE_INPUT_TOKENS), attrs.get(A.USAGE_OUTPUT_TOKENS)) == tokens
    if any(chunk["choices"] for chunk in chunks):
        assert json.loads(attrs[A.OUTPUT_MESSAGES])[0]["parts"] == [{"type": "text", "content": "Hi"}]


@pytest.mark.parametrize("base_url, provider", [
    ("https://api.groq.com", "groq"),
    ("http://127.0.0.1:9999", "groq"),  # a stand-in or gateway speaking Groq's API
    ("https://openrouter.ai/api", "openrouter"),
])
def test_groq_provider_by_base_url(base_url, provider):
    assert groq_provider_of(SimpleNamespace(base_url=base_url))[0] == provider


mistralai = pytest.importorskip("mistralai")
from helicone_otel.instrumentation.mistralai import _point as mistral_point  # noqa: E402


def _mistral_client(server_url="https://api.mistral.ai"):
    return SimpleNamespace(sdk_configuration=SimpleNamespace(get_server_details=lambda: (server_url, {})))


@pytest.mark.parametrize("path, arguments, body, url", [
    ("/v1/chat/completions", {"model": "mistral-small-latest", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.2,
                              "timeout_ms": 500, "http_headers": {"X": "y"}},
     {"model": "mistral-small-latest", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.2, "stream": False},
     "https://api.mistral.ai/v1/chat/completions"),
    ("/v1/chat/completions#stream", {"model": "m", "messages": [{"role": "user", "content": "hi"}]},
     {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}, "https://api.mistral.ai/v1/chat/completions"),
    ("/v1/embeddings", {"model": "mistral-embed", "inputs": ["a b"]}, {"model": "mistral-embed", "input": ["a b"]},
     "https://api.mistral.ai/v1/embeddings"),
])
def test_mistral_request_is_the_body_the_sdk_sends(path, arguments, body, url):
    request, sent_to = mistral_point.read_request(_mistral_client(), path, arguments)
    assert request == body and sent_to == url


def test_mistral_stream_events_read_as_their_chunks():
    models = mistral_point.sdk_module("models")
    chunk = {"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}]}
    event = models.CompletionEvent.model_validate({"data": chunk})
    assert mistral_point.read_json(event) == chunk
    assert mistral_point.is_stream(event) is False


@pytest.mark.parametrize("server_url, provider", [("https://api.mistral.ai", "mistral_ai"), ("http://127.0.0.1:1", "mistral_ai")])
def test_mistral_provider(server_url, provider):
    assert mistral_point.provider_of(_mistral_client(server_url))[0] == provider
