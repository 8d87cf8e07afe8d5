"""The custom-log body, built from plain dicts: no SDK, no network."""

from __future__ import annotations

import json

import pytest

from helicone_otel import attributes as A
from helicone_otel.export.helicone import MAX_BODY_BYTES, TRUNCATED, encode, meta_of, redact, step_log
from helicone_otel.helicone_headers import header_value, request_id_of
from helicone_otel.export.helicone_models import model_override


def test_meta_lowercases_property_names_and_keeps_session_keys():
    context = {
        A.SESSION_ID: "s-1", A.SESSION_PATH: "/a/b", A.SESSION_NAME: "Trip", A.USER_ID: "u-1",
        A.PROPERTY_PREFIX + "Environment": "prod", A.PROPERTY_PREFIX + "app": "web",
    }
    assert meta_of(context, "rid") == {
        "Helicone-Request-Id": "rid",
        "Helicone-Session-Id": "s-1", "Helicone-Session-Path": "/a/b", "Helicone-Session-Name": "Trip",
        "Helicone-User-Id": "u-1",
        "Helicone-Property-environment": "prod", "Helicone-Property-app": "web",
    }


@pytest.mark.parametrize(
    "value, sent",
    [("plain", "plain"), ("café", "café"), ("東京", "%E6%9D%B1%E4%BA%AC"), ("a\r\nb", "a%0D%0Ab"), (" pad ", "%20pad%20")],
)
def test_header_values_are_sendable(value, sent):
    assert header_value(value) == sent
    header_value(value).encode("latin-1")


def test_redact_keeps_structure_and_usage_drops_text():
    request = {"model": "gpt-4o-mini", "temperature": 0.2, "messages": [{"role": "user", "content": "secret"}],
               "tools": [{"type": "function", "function": {"name": "f"}}]}
    response = {"id": "x", "choices": [{"message": {"role": "assistant", "content": "answer",
                                                    "tool_calls": [{"function": {"name": "f", "arguments": "{\"a\":1}"}}]}}],
                "usage": {"prompt_tokens": 3, "completion_tokens": 2}}
    assert redact(request) == {**request, "messages": [{"role": "user", "content": ""}]}
    out = redact(response)
    assert out["choices"][0]["message"] == {"role": "assistant", "content": "",
                                            "tool_calls": [{"function": {"name": "f", "arguments": ""}}]}
    assert out["usage"] == response["usage"]
    assert "secret" not in json.dumps(redact(request)) and "answer" not in json.dumps(out)
    anthropic_event = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "hi"}}
    assert redact(anthropic_event)["delta"] == {"type": "text_delta", "text": ""}
    assert redact({"type": "response.output_text.delta", "delta": "hi"})["delta"] == ""


def test_oversized_record_is_sent_with_a_marker_and_its_metrics():
    big = "x" * (MAX_BODY_BYTES + 10)

    def body(marker=None):
        return {"providerRequest": {"json": redact({"messages": [{"role": "user", "content": big}]}, marker)
                                    if marker is not None else {"messages": [{"role": "user", "content": big}]}},
                "providerResponse": {"json": {"usage": {"prompt_tokens": 9}}}}

    data = encode(body)
    assert len(data) < MAX_BODY_BYTES
    sent = json.loads(data)
    assert sent["providerRequest"]["json"]["messages"][0]["content"] == TRUNCATED
    assert sent["providerResponse"]["json"]["usage"] == {"prompt_tokens": 9}


def test_request_id_is_a_valid_uuid4_and_stable():
    rid = request_id_of(0x0123456789ABCDEF0123456789ABCDEF, 0x1122334455667788)
    assert rid == request_id_of(0x0123456789ABCDEF0123456789ABCDEF, 0x1122334455667788)
    assert rid[14] == "4" and rid[19] in "89ab"  # Helicone's getValidUUID accepts it
    assert rid != request_id_of(0x0123456789ABCDEF0123456789ABCDEF, 0x1122334455667789)


@pytest.mark.parametrize(
    "provider, model, override",
    [
        ("ANTHROPIC", "claude-sonnet-4-5-20250929", None),  # priced as it is
        ("ANTHROPIC", "claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),  # alias
        ("ANTHROPIC", "us.anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet-20241022"),  # Bedrock
        ("ANTHROPIC", "claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet-20241022"),  # Vertex
        ("ANTHROPIC", "claude-haiku-4-5", "claude-haiku-4-5-20251001"),
        ("OPENAI", "gpt-4o-mini", None),
        ("OPENAI", "no-such-model", None),
    ],
)
def test_model_override_names_an_id_helicone_prices(provider, model, override):
    assert model_override(provider, model) == override


def test_step_log_shapes():
    attrs = {A.STEP_KIND: "tool", A.TOOL_NAME: "weather", A.TOOL_CALL_ARGUMENTS: '{"city": "Paris"}',
             A.TOOL_CALL_RESULT: "sunny", A.SESSION_ID: "s", A.PROPERTY_PREFIX + "App": "x"}
    body = step_log(attrs, "rid", 1_000_000_000, 1_500_000_000, None)
    assert body["providerRequest"]["json"] == {"_type": "tool", "toolName": "weather", "input": {"city": "Paris"}}
    assert body["providerResponse"]["json"] == {"_type": "tool", "toolName": "weather", "output": "sunny"}
    assert body["providerRequest"]["meta"] == {"Helicone-Request-Id": "rid", "Helicone-Session-Id": "s", "Helicone-Property-app": "x"}
    assert body["timing"]["startTime"] == {"seconds": 1, "milliseconds": 0}
    assert body["timing"]["endTime"] == {"seconds": 1, "milliseconds": 500}
    failed = step_log({A.STEP_KIND: "vector_db", A.TOOL_NAME: "r"}, "rid", 0, 0, "boom")
    assert failed["providerResponse"]["status"] == 500


def test_a_body_still_too_big_without_content_keeps_its_metrics():
    chunks = [{"type": "delta", "index": i, "padding": "x" * 300} for i in range(40_000)]  # ~13 MB even redacted

    def body(marker=None):
        return {"providerRequest": {"json": {"model": "m", "stream": True, "messages": []}, "meta": {}},
                "providerResponse": {"status": 200, "json": {}, "textBody": json.dumps(chunks)},
                "timing": {"timeToFirstToken": 5}}

    data = encode(body)
    assert len(data) < MAX_BODY_BYTES
    sent = json.loads(data)
    assert sent["providerRequest"]["json"] == {"model": "m", "stream": True}
    assert "textBody" not in sent["providerResponse"] and sent["timing"]["timeToFirstToken"] == 5
