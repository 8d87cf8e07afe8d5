"""LiteLLM extractors over plain dicts: the call's arguments as a request body, stream folding,
and the usage names each Helicone provider reads."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from helicone_otel import attributes as A  # noqa: E402
from helicone_otel.instrumentation.litellm import _wire, chat_response_attributes  # noqa: E402
from helicone_otel.providers import litellm_provider  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Items? .* ReadOnly:UserWarning")
MESSAGES = [{"role": "user", "content": "hi"}]


def test_arguments_merge_positional_and_keyword():
    assert _wire.arguments((("gpt-4o", MESSAGES), {"stream": True}, ("model", "messages"))) == {
        "model": "gpt-4o", "messages": MESSAGES, "stream": True}


import litellm  # noqa: E402

_HAS_HELICONE_ROUTE = "helicone" in [getattr(p, "value", p) for p in litellm.provider_list]


@pytest.mark.parametrize(
    ("kwargs", "provider", "host"),
    [
        ({"model": "anthropic/claude-3-5-sonnet-20241022"}, "anthropic", None),
        ({"model": "gpt-4o-mini"}, "openai", None),
        ({"model": "bedrock/amazon.nova-micro-v1:0"}, "aws.bedrock", None),
        ({"model": "together_ai/meta-llama/Llama-3-8b"}, "together", ...),  # its API base moved between LiteLLM versions
        ({"model": "openai/gpt-4o", "api_base": "http://127.0.0.1:8080/v1"}, "openai", "127.0.0.1"),
        pytest.param({"model": "helicone/gpt-4o-mini"}, "helicone", "ai-gateway.helicone.ai",
                     marks=pytest.mark.skipif(not _HAS_HELICONE_ROUTE, reason="this LiteLLM has no helicone/ route")),
    ],
)
def test_provider_of_names_the_real_provider(kwargs, provider, host):
    named, found_host, _ = _wire.provider_of(((), kwargs, ("model", "messages")))
    assert named == provider and (host is ... or found_host == host)


def test_read_request_keeps_the_body_only():
    recorded = ((), {"model": "openai/gpt-4o-mini", "messages": MESSAGES, "api_key": "sk-secret", "api_base": "http://h/v1",
                     "temperature": 0.2, "metadata": {"a": 1}, "timeout": 3, "extra_headers": {"Authorization": "x"},
                     "aws_secret_access_key": "s", "stream": True}, ("model", "messages"))
    request, url = _wire.read_request(recorded, "/chat/completions", None)
    assert request == {"model": "gpt-4o-mini", "messages": MESSAGES, "temperature": 0.2, "stream": True}
    assert url == "http://h/v1/chat/completions"


def test_fold_text_tool_calls_and_usage():
    chunks = [
        {"id": "c", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}}]},
        {"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"content": "lo", "tool_calls": [
            {"index": 0, "id": "t", "function": {"name": "w", "arguments": '{"a":'}}]}}]},
        {"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "1}"}}]},
                                               "finish_reason": "tool_calls"}]},
        {"id": "c", "model": "m", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4}},
    ]
    assert _wire.fold(chunks) == {
        "object": "chat.completion", "id": "c", "created": 1, "model": "m", "usage": {"prompt_tokens": 3, "completion_tokens": 4},
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": "Hello",
            "tool_calls": [{"id": "t", "type": "function", "function": {"name": "w", "arguments": '{"a":1}'}}]}}],
    }
    assert _wire.fold([]) == {"object": "chat.completion", "choices": []}


@pytest.mark.parametrize(
    ("model", "provider", "helicone"),
    [
        ("claude-3-5-sonnet-20241022", "anthropic", "ANTHROPIC"),
        ("claude-3-5-sonnet@20240620", "gcp.vertex_ai", "ANTHROPIC"),
        ("us.anthropic.claude-3-5-sonnet-20241022-v2:0", "aws.bedrock", "ANTHROPIC"),
        ("gemini-2.5-flash", "gcp.vertex_ai", "GOOGLE"),
        ("llama-3.3-70b-versatile", "groq", "GROQ"),
        ("amazon.nova-micro-v1:0", "aws.bedrock", "AWS"),
        ("gpt-4o-mini", "openai", "OPENAI"),
    ],
)
def test_helicone_provider_by_model_family(model, provider, helicone):
    assert _wire.helicone_provider_of(model, provider) == helicone


def _record(request, response=None, chunks=None, provider="anthropic"):
    from types import SimpleNamespace

    return SimpleNamespace(request=request, response=response, chunks=chunks, provider=provider)


def test_chat_body_adds_anthropic_names_with_the_cache_split():
    usage = {"prompt_tokens": 10, "completion_tokens": 5, "cache_read_input_tokens": 2, "cache_creation_input_tokens": 3}
    body = _wire.chat_body(_record({"model": "claude-3-5-sonnet-20241022"}, {"choices": [], "usage": usage}))
    assert body["provider"] == "ANTHROPIC"
    assert body["response"]["usage"] == {**usage, "input_tokens": 5, "output_tokens": 5, "cache_read_input_tokens": 2,
                                         "cache_creation_input_tokens": 3,
                                         "cache_creation": {"ephemeral_5m_input_tokens": 3, "ephemeral_1h_input_tokens": 0}}


def test_chat_body_adds_gemini_usage_metadata_and_folds_streams_without_stream_flag():
    chunks = [{"model": "gemini-2.5-flash", "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": "stop"}],
               "usage": {"prompt_tokens": 4, "completion_tokens": 6, "prompt_tokens_details": {"cached_tokens": 1},
                         "completion_tokens_details": {"reasoning_tokens": 2}}}]
    body = _wire.chat_body(_record({"model": "gemini-2.5-flash", "stream": True, "stream_options": {}}, None, chunks, "gcp.gemini"))
    assert body["provider"] == "GOOGLE" and body["request"] == {"model": "gemini-2.5-flash"}
    assert body["response"]["usageMetadata"] == {"promptTokenCount": 4, "candidatesTokenCount": 4, "totalTokenCount": 10,
                                                 "cachedContentTokenCount": 1, "thoughtsTokenCount": 2}
    assert body["response"]["choices"][0]["message"]["content"] == "Hi"


def test_chat_body_leaves_openai_shaped_providers_and_errors_alone():
    response = {"choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 1}}
    assert _wire.chat_body(_record({"model": "gpt-4o"}, response, provider="openai"))["response"] == response
    error = {"error": {"type": "RateLimitError"}}
    assert _wire.chat_body(_record({"model": "claude-3-haiku"}, error))["response"] == error


def test_cache_writes_reach_the_span():
    attrs = chat_response_attributes({"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 1,
                                                               "cache_creation_input_tokens": 3}}, False)
    assert attrs[A.USAGE_CACHE_CREATION_INPUT_TOKENS] == 3 and attrs[A.USAGE_INPUT_TOKENS] == 10


@pytest.mark.parametrize(("name", "semconv"), [("together_ai", "together"), ("vertex_ai", "gcp.vertex_ai"),
                                               ("xai", "x_ai"), ("some_new_one", "some_new_one"), ("", "litellm")])
def test_litellm_provider_names(name, semconv):
    assert litellm_provider(name) == semconv
