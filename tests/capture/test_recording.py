"""The caller's thread records; the export thread computes. What users rely on stays true."""

from __future__ import annotations

import json
import threading

import helicone_otel
from helicone_otel import attributes as A
from helicone_otel.capture.call import Call

MESSAGES = [{"role": "user", "content": "Say hello"}]


def test_context_and_messages_are_those_at_call_time(logger, client, capture):
    messages = [{"role": "user", "content": "original question"}]
    with helicone_otel.session("s-1", path="/a"), helicone_otel.properties(Stage="one"):
        stream = client.chat.completions.create(model="gpt-4o-mini", messages=messages, stream=True)
    # The user changes everything before the stream is read and before the span is built.
    messages[0]["content"] = "changed afterwards"
    with helicone_otel.session("s-2", path="/b"), helicone_otel.properties(Stage="two"):
        list(stream)
    logger.set_properties({"Helicone-Property-Late": "yes"})
    (span,) = capture.llm_spans()
    a = span.attributes
    assert a[A.SESSION_ID] == "s-1" and a[A.SESSION_PATH] == "/a" and a[A.PROPERTY_PREFIX + "Stage"] == "one"
    assert A.PROPERTY_PREFIX + "Late" not in a
    assert json.loads(a[A.INPUT_MESSAGES])[0]["parts"][0]["content"] == "original question"


def test_span_has_the_calls_own_times_and_children_nest_under_it(logger, client, capture):
    from opentelemetry import trace

    seen = []
    original = client._client.send

    def send(*args, **kwargs):  # runs inside the SDK call, where an HTTP span would be made
        seen.append(trace.get_current_span().get_span_context())
        return original(*args, **kwargs)

    client._client.send = send
    tracer = capture.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("job") as job:
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    llm = capture.llm_spans()[0]
    assert seen[0].span_id == llm.context.span_id and seen[0].trace_id == job.get_span_context().trace_id
    assert llm.parent.span_id == job.get_span_context().span_id
    assert job.start_time <= llm.start_time < llm.end_time <= job.end_time


def test_the_caller_hands_over_references_only(logger, client, monkeypatch):
    """Nothing is computed on the caller's thread: the recorded call holds the SDK's own
    request dict and result object, and the extractors run on another thread."""
    submitted, extractor_threads = [], []
    from helicone_otel.instrumentation.openai import _ENDPOINTS

    endpoint = _ENDPOINTS["/chat/completions"]

    def response_attributes(response, capture):
        extractor_threads.append(threading.current_thread().name)
        return endpoint.response_attributes(response, capture)

    monkeypatch.setitem(_ENDPOINTS, "/chat/completions", endpoint._replace(response_attributes=response_attributes))
    submit = logger._recorder.submit
    logger._recorder.submit = lambda call: (submitted.append(call), submit(call))
    result = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    (call,) = submitted
    assert isinstance(call, Call) and call.result is result and call.request["messages"] == MESSAGES
    assert call.end_ns >= call.start_ns
    assert logger.flush(5.0)
    assert extractor_threads == ["helicone-otel-build"]


def _submitted(logger):
    submitted = []
    submit = logger._recorder.submit
    logger._recorder.submit = lambda call: (submitted.append(call), submit(call))
    return submitted


def test_a_stream_is_recorded_as_the_providers_own_events(logger, client, claude, capture):
    """Stainless streams keep each Server-Sent Event's text, not the chunk objects the user
    got (those would be garbage-collector work on the caller's thread); the user's chunks and
    the span are what they were."""
    submitted = _submitted(logger)
    chunks = list(client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
    with claude.messages.stream(model="claude-sonnet-4-5", max_tokens=50, messages=MESSAGES) as stream:
        text = "".join(stream.text_stream)
    chat_call, claude_call = submitted
    assert chat_call.chunks == [] and chat_call.events[-1] == "[DONE]"
    assert [json.loads(e) for e in chat_call.events[:-1]][1]["choices"][0]["delta"] == chunks[1].choices[0].delta.model_dump(exclude_unset=True)
    assert claude_call.chunks == [] and claude_call.events[0].startswith("message_start\n{")
    assert logger.flush(5.0)
    chat_span, claude_span = capture.llm_spans()
    assert json.loads(chat_span.attributes[A.OUTPUT_MESSAGES])[0]["parts"][0]["content"] == "".join(
        c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert json.loads(claude_span.attributes[A.OUTPUT_MESSAGES])[0]["parts"][0]["content"] == text
    assert chat_span.attributes[A.USAGE_INPUT_TOKENS] > 0 and claude_span.attributes[A.USAGE_INPUT_TOKENS] > 0


async def test_an_async_stream_is_recorded_as_the_providers_own_events(logger, async_client, capture):
    submitted = _submitted(logger)
    stream = await async_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    chunks = [chunk async for chunk in stream]
    (call,) = submitted
    assert call.chunks == [] and len(call.events) >= len(chunks) and call.events[-1] == "[DONE]"
    assert logger.flush(5.0)
    assert capture.llm_spans()[0].attributes[A.RESPONSE_ID] == chunks[0].id
