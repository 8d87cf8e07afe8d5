"""OpenAI chat completions through the instrumentation: real SDK, stand-in server."""

from __future__ import annotations

import gc
import json
import logging

import openai
import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from helicone_otel import attributes as A

from .sdk_compat import BROKEN_STREAM_ERRORS

MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Say hello to the tests"},
]
REPLY = "Hello from the stand-in model."


def only_span(capture):
    spans = capture.llm_spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def test_sync_chat_span_contract(logger, client, capture):
    result = client.chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, temperature=0.2, max_tokens=50, top_p=0.9, seed=7, stop=["\n\n"]
    )
    assert type(result).__name__ == "ChatCompletion"
    assert result.choices[0].message.content == REPLY

    span = only_span(capture)
    a = span.attributes
    assert span.name == "chat gpt-4o-mini"
    assert span.kind is SpanKind.CLIENT
    assert a[A.OPERATION_NAME] == "chat"
    assert a[A.PROVIDER_NAME] == "openai" and a[A.SYSTEM] == "openai"
    assert a[A.REQUEST_MODEL] == "gpt-4o-mini"
    assert a[A.RESPONSE_MODEL] == "gpt-4o-mini-2024-07-18"
    assert a[A.RESPONSE_ID] == result.id
    assert a[A.RESPONSE_FINISH_REASONS] == ("stop",)
    assert a[A.REQUEST_TEMPERATURE] == 0.2
    assert a[A.REQUEST_MAX_TOKENS] == 50
    assert a[A.REQUEST_TOP_P] == 0.9
    assert a[A.REQUEST_SEED] == 7
    assert a[A.REQUEST_STOP_SEQUENCES] == ("\n\n",)
    assert a[A.USAGE_INPUT_TOKENS] == result.usage.prompt_tokens == 8
    assert a[A.USAGE_OUTPUT_TOKENS] == result.usage.completion_tokens == 5
    assert a[A.SERVER_ADDRESS] == "127.0.0.1"
    assert json.loads(a[A.INPUT_MESSAGES]) == [
        {"role": "system", "parts": [{"type": "text", "content": "You are terse."}]},
        {"role": "user", "parts": [{"type": "text", "content": "Say hello to the tests"}]},
    ]
    assert json.loads(a[A.OUTPUT_MESSAGES]) == [
        {"role": "assistant", "parts": [{"type": "text", "content": REPLY}], "finish_reason": "stop"}
    ]
    assert span.status.status_code is StatusCode.UNSET


def test_cached_and_reasoning_tokens(logger, client, capture, openai_server):
    openai_server.cached_tokens = 3
    openai_server.reasoning_tokens = 4
    client.chat.completions.create(model="o4-mini", messages=MESSAGES)
    a = only_span(capture).attributes
    assert a[A.USAGE_CACHE_READ_INPUT_TOKENS] == 3
    assert a[A.USAGE_REASONING_OUTPUT_TOKENS] == 4
    assert a[A.USAGE_OUTPUT_TOKENS] == 5 + 4


async def test_async_chat(logger, async_client, capture):
    result = await async_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert result.choices[0].message.content == REPLY
    a = only_span(capture).attributes
    assert a[A.USAGE_INPUT_TOKENS] == 8 and a[A.USAGE_OUTPUT_TOKENS] == 5
    assert json.loads(a[A.OUTPUT_MESSAGES])[0]["parts"][0]["content"] == REPLY


def _chunks_without_instrumentation(client, **kwargs):
    return [c.model_dump() for c in client.chat.completions.create(stream=True, **kwargs)]


def test_stream_user_sees_identical_chunks_and_span_has_usage(make_logger, client, capture, openai_server):
    bare = _chunks_without_instrumentation(client, model="gpt-4o-mini", messages=MESSAGES)
    make_logger()
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    assert isinstance(stream, openai.Stream)
    seen = [c.model_dump() for c in stream]

    strip = lambda cs: [{k: v for k, v in c.items() if k not in ("id", "created")} for c in cs]  # noqa: E731
    assert strip(seen) == strip(bare), "the usage-only chunk we asked for must not reach the user"
    assert all(c["usage"] is None for c in seen)
    # We did ask the API for usage, without changing what the user passed.
    assert openai_server.chat_requests[-1]["stream_options"] == {"include_usage": True}
    assert "stream_options" not in openai_server.chat_requests[0]

    span = only_span(capture)
    a = span.attributes
    assert a[A.REQUEST_STREAM] is True
    assert a[A.USAGE_INPUT_TOKENS] == 8 and a[A.USAGE_OUTPUT_TOKENS] == 5
    assert a[A.RESPONSE_FINISH_REASONS] == ("stop",)
    assert a[A.RESPONSE_TIME_TO_FIRST_CHUNK] > 0
    assert json.loads(a[A.OUTPUT_MESSAGES])[0]["parts"] == [{"type": "text", "content": REPLY}]


def test_stream_user_asked_for_usage_keeps_usage_chunk(logger, client, capture):
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        )
    )
    assert chunks[-1].usage is not None and chunks[-1].choices == []
    assert only_span(capture).attributes[A.USAGE_OUTPUT_TOKENS] == 5


def test_stream_usage_request_can_be_switched_off(logger, client, capture, openai_server):
    logger._recorder.stream_usage = False  # as HeliconeAsyncLogger(stream_usage=False)
    list(client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
    assert "stream_options" not in openai_server.chat_requests[-1]
    a = only_span(capture).attributes
    assert A.USAGE_INPUT_TOKENS not in a
    assert a[A.RESPONSE_FINISH_REASONS] == ("stop",)


async def test_async_stream(logger, async_client, capture):
    stream = await async_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    assert isinstance(stream, openai.AsyncStream)
    text = "".join([c.choices[0].delta.content or "" async for c in stream])
    assert text == REPLY
    a = only_span(capture).attributes
    assert a[A.USAGE_OUTPUT_TOKENS] == 5
    assert json.loads(a[A.OUTPUT_MESSAGES])[0]["parts"][0]["content"] == REPLY


def test_stream_closed_early_ends_span_once(logger, client, capture):
    with client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True) as stream:
        first = next(iter(stream))
        assert first.choices[0].delta.role == "assistant"
    span = only_span(capture)
    assert span.end_time is not None
    assert span.status.status_code is StatusCode.UNSET


def test_abandoned_stream_still_ends_its_span(logger, client, capture):
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    next(iter(stream))
    del stream
    gc.collect()
    assert len(capture.llm_spans()) == 1


def test_stream_broken_mid_way_records_error_and_partial_output(logger, client, capture, openai_server):
    openai_server.break_next_stream(after_events=3)
    seen = []
    with pytest.raises(BROKEN_STREAM_ERRORS) as raised:
        for chunk in client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True):
            seen.append(chunk.choices[0].delta.content)
    span = only_span(capture)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes[A.ERROR_TYPE] == type(raised.value).__qualname__
    assert json.loads(span.attributes[A.OUTPUT_MESSAGES])[0]["parts"][0]["content"] == "".join(seen)
    assert [e.name for e in span.events] == ["exception"]


def test_api_error_is_reraised_unchanged_and_recorded(logger, client, capture, openai_server):
    openai_server.fail_next(400, "bad model", "invalid_request_error")
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="nope", messages=MESSAGES)
    assert raised.value.status_code == 400
    assert "bad model" in str(raised.value)
    span = only_span(capture)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes[A.ERROR_TYPE] == "400"
    assert [e.name for e in span.events] == ["exception"]
    assert span.events[0].attributes["exception.type"].endswith("BadRequestError")


def test_content_capture_off_keeps_text_out_of_spans(make_logger, client, capture):
    make_logger(capture_content=False)
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    list(client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
    spans = capture.llm_spans()
    assert len(spans) == 2
    for span in spans:
        blob = json.dumps(dict(span.attributes))
        assert "Say hello" not in blob and "stand-in model" not in blob and "terse" not in blob
        assert span.attributes[A.USAGE_OUTPUT_TOKENS] == 5


def test_parent_is_callers_current_span(logger, client, capture):
    tracer = capture.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("handle request") as parent:
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    span = only_span(capture)
    assert span.parent.span_id == parent.get_span_context().span_id
    assert span.context.trace_id == parent.get_span_context().trace_id
    # and our span is no longer current afterwards
    assert trace.get_current_span() is trace.INVALID_SPAN


def test_raw_response_returned_unchanged(logger, client, capture):
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MESSAGES)
    assert raw.http_response.status_code == 200
    assert raw.parse().choices[0].message.content == REPLY
    span = only_span(capture)
    assert span.attributes[A.REQUEST_MODEL] == "gpt-4o-mini"


def test_bug_in_our_extraction_leaves_call_untouched_and_is_logged_once(logger, client, capture, caplog, monkeypatch):
    from helicone_otel.instrumentation.openai import _ENDPOINTS

    def broken(*_args):
        raise RuntimeError("extractor bug")

    endpoint = _ENDPOINTS["/chat/completions"]
    monkeypatch.setitem(_ENDPOINTS, "/chat/completions", endpoint._replace(response_attributes=broken))
    caplog.set_level(logging.WARNING, logger="helicone_otel")
    for _ in range(3):
        result = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        assert result.choices[0].message.content == REPLY
    assert len(capture.llm_spans()) == 3  # spans still end, with the request side (and the export ran)
    reports = [r for r in caplog.records if "extractor bug" in r.getMessage()]
    assert len(reports) == 1


def test_disable_and_enable_logging(logger, client, capture):
    logger.disable_logging()
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert capture.llm_spans() == []
    logger.enable_logging()
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert len(capture.llm_spans()) == 1


def test_shutdown_uninstruments(logger, client, capture):
    logger.shutdown()
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert capture.llm_spans() == []
    assert "request" not in openai.OpenAI.__dict__


def test_stream_usage_is_asked_only_where_the_endpoint_accepts_it(make_logger, capture):
    """An endpoint that rejects ``stream_options`` (old Azure API versions, many compatible
    servers) must work exactly as without us: the request goes untouched."""
    from helicone_otel.testing import OpenAIStandIn

    make_logger(stream_usage_hosts=[])
    with OpenAIStandIn(reject_stream_options=True) as server:
        old_azure = openai.AzureOpenAI(azure_endpoint=server.origin, api_key="k", api_version="2024-06-01", max_retries=0)
        chunks = list(old_azure.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == REPLY
        compatible = openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0)
        assert list(compatible.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
        assert all("stream_options" not in body for body in server.chat_requests)
    spans = capture.llm_spans()
    assert len(spans) == 2 and all(A.USAGE_INPUT_TOKENS not in s.attributes for s in spans)
    assert all(s.status.status_code is StatusCode.UNSET for s in spans)


def test_new_azure_versions_and_openai_get_stream_usage():
    from helicone_otel.providers import accepts_stream_usage

    assert accepts_stream_usage("https://api.openai.com/v1/", None)
    assert accepts_stream_usage("https://x.openai.azure.com/openai/", "2024-10-21")
    assert accepts_stream_usage("https://x.openai.azure.com/openai/", "2025-01-01-preview")
    assert not accepts_stream_usage("https://x.openai.azure.com/openai/", "2024-06-01")
    assert not accepts_stream_usage("http://127.0.0.1:8000/v1", None)
    assert accepts_stream_usage("http://127.0.0.1:8000/v1", None, frozenset({"127.0.0.1"}))


def test_a_providers_own_usage_chunk_stays_visible():
    """Only the chunk our request caused is held back (its ``choices`` is an empty list)."""
    from helicone_otel.instrumentation.openai._chat import is_injected_usage_chunk

    assert is_injected_usage_chunk({"choices": [], "usage": {"prompt_tokens": 1}})
    assert not is_injected_usage_chunk({"choices": None, "usage": {"prompt_tokens": 1}})
    assert not is_injected_usage_chunk({"choices": [{"index": 0}], "usage": {"prompt_tokens": 1}})
