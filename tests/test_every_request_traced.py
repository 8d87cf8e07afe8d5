"""Every request through a patched Stainless client makes a span: endpoints without a dedicated
extractor get a generic one (no Helicone record); ``with_raw_response`` streams are read."""

from __future__ import annotations

import asyncio
import gc
import json
import warnings

import anthropic
import openai
import pytest

from helicone_otel import attributes as A
from helicone_otel.testing import AnthropicStandIn

MESSAGES = [{"role": "user", "content": "say hello"}]
PROMPT = "\n\nHuman: say hello to me please\n\nAssistant:"


@pytest.fixture
def client(openai_server):
    return openai.OpenAI(base_url=openai_server.base_url, api_key="k", max_retries=0)


@pytest.fixture
def claude_server():
    with AnthropicStandIn() as server:
        yield server


@pytest.fixture
def claude(claude_server):
    return anthropic.Anthropic(base_url=claude_server.base_url, api_key="k", max_retries=0)


def test_assistants_threads_runs_make_generic_spans_and_no_record(logger, client, capture, collector):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # openai 2+ deprecates Assistants; 1.x does not
        with pytest.raises(openai.APIStatusError):
            client.beta.threads.runs.retrieve("run_abc123", thread_id="thread_Q1")
        with pytest.raises(openai.APIStatusError):
            client.beta.assistants.create(model="gpt-4o", instructions="be kind")
    get, post = capture.spans()
    assert get.name == "OpenAI GET /threads/{id}/runs/{id}"
    assert get.attributes[A.OPERATION_NAME] == "GET /threads/{id}/runs/{id}" and get.attributes["http.request.method"] == "GET"
    assert get.attributes[A.PROVIDER_NAME] == "openai" and A.REQUEST_MODEL not in get.attributes
    assert get.attributes[A.HTTP_STATUS_CODE] == 501  # the stand-in serves POSTs only
    assert post.name == "OpenAI POST /assistants" and post.attributes[A.REQUEST_MODEL] == "gpt-4o"
    assert A.INPUT_MESSAGES not in post.attributes  # no content from endpoints we do not read
    assert capture.llm_spans() == []
    assert logger.flush(5.0) and collector.store.requests() == []


def test_anthropic_legacy_complete(logger, claude, capture, collector):
    body = {"model": "claude-2.1", "max_tokens_to_sample": 50, "prompt": PROMPT}
    answer = claude.post("/v1/complete", body=body, cast_to=object)
    events = list(claude.post("/v1/complete", body={**body, "stream": True}, cast_to=object, stream=True,
                              stream_cls=anthropic.Stream[object]))
    assert answer["completion"] == " Hello from the stand-in Claude." and len(events) == 6  # pings are not yielded
    plain, stream = capture.llm_spans()
    for span in (plain, stream):
        assert span.name == "text_completion claude-2.1" and span.attributes[A.PROVIDER_NAME] == "anthropic"
        assert span.attributes[A.RESPONSE_FINISH_REASONS] == ("stop_sequence",)
        assert json.loads(span.attributes[A.OUTPUT_MESSAGES])[0]["parts"][0]["content"] == " Hello from the stand-in Claude."
    assert logger.flush(5.0)
    assert [(r.model, r.status) for r in collector.store.requests()] == [("claude-2.1", 200)] * 2


def _only_chat(capture):
    (span,) = capture.llm_spans()
    return span.attributes


def test_raw_response_stream_is_read_and_unchanged(logger, client, capture, openai_server):
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    assert type(raw).__name__ == "LegacyAPIResponse"
    assert capture.llm_spans() == []  # open until the stream ends
    stream = raw.parse()
    assert raw.parse() is stream and isinstance(stream, openai.Stream)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == openai_server.reply
    a = _only_chat(capture)
    assert a[A.RESPONSE_MODEL] == "gpt-4o-mini-2024-07-18" and a[A.RESPONSE_FINISH_REASONS] == ("stop",)
    assert a[A.USAGE_OUTPUT_TOKENS] == 5 and a[A.RESPONSE_ID].startswith("chatcmpl-")
    assert json.loads(a[A.OUTPUT_MESSAGES])[0]["parts"][0]["content"] == openai_server.reply


def test_async_raw_and_streaming_response_streams(logger, openai_server, capture):
    async def run():
        async with openai.AsyncOpenAI(base_url=openai_server.base_url, api_key="k", max_retries=0) as client:
            raw = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
            async for _ in raw.parse():
                pass
            async with client.chat.completions.with_streaming_response.create(
                model="gpt-4o-mini", messages=MESSAGES, stream=True
            ) as response:
                async for _ in await response.parse():
                    pass

    asyncio.run(run())
    spans = capture.llm_spans()
    assert len(spans) == 2 and all(s.attributes[A.USAGE_OUTPUT_TOKENS] == 5 for s in spans)


def test_raw_stream_never_parsed_still_ends(logger, client, capture):
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    raw.http_response.close()
    del raw
    gc.collect()
    a = _only_chat(capture)
    assert a[A.REQUEST_MODEL] == "gpt-4o-mini" and A.RESPONSE_MODEL not in a
