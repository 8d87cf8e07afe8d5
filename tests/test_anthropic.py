"""Anthropic Messages through the instrumentation: real SDK, stand-in server, real collector."""

from __future__ import annotations

import json
import anthropic
import pytest
from opentelemetry.trace import StatusCode
from pydantic import BaseModel

import helicone_otel
from helicone_otel import attributes as A

from .sdk_compat import BROKEN_STREAM_ERRORS

pytestmark = pytest.mark.filterwarnings("ignore:The model .* is deprecated:DeprecationWarning")

REPLY = "Hello from the stand-in Claude."
MESSAGES = [{"role": "user", "content": "say hello to me please"}]  # 5 words
M = 1_000_000


def only_span(capture):
    spans = capture.llm_spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def parts(span, key=A.OUTPUT_MESSAGES):
    return json.loads(span.attributes[key])[0]["parts"]


def test_create_span_contract_with_cache_tiers_and_cost(logger, claude, capture, anthropic_server):
    anthropic_server.cache_read, anthropic_server.cache_write_5m, anthropic_server.cache_write_1h = 2, 1, 1
    message = claude.messages.create(
        model="claude-sonnet-4-5", max_tokens=100, system="be brief", messages=MESSAGES, stop_sequences=["###"]
    )
    assert type(message).__name__ == "Message" and message.content[0].text == REPLY
    span = only_span(capture)
    a = span.attributes
    assert span.name == "chat claude-sonnet-4-5"
    assert (a[A.PROVIDER_NAME], a[A.OPERATION_NAME]) == ("anthropic", "chat")
    assert (a[A.REQUEST_MAX_TOKENS], a[A.REQUEST_STOP_SEQUENCES]) == (100, ("###",))
    assert a[A.RESPONSE_ID] == message.id and a[A.RESPONSE_FINISH_REASONS] == ("end_turn",)
    # prompt = 7 words (system 2 + user 5): 3 uncached + 2 read + 1 written 5m + 1 written 1h
    assert message.usage.input_tokens == 3
    assert a[A.USAGE_INPUT_TOKENS] == 7 and a[A.USAGE_OUTPUT_TOKENS] == 5
    assert a[A.USAGE_CACHE_READ_INPUT_TOKENS] == 2
    assert a[A.USAGE_CACHE_CREATION_INPUT_TOKENS] == 2
    assert a[A.USAGE_CACHE_CREATION_1H_INPUT_TOKENS] == 1
    assert a[A.USAGE_COST] == pytest.approx((3 * 3 + 2 * 0.3 + 1 * 3.75 + 1 * 6 + 5 * 15) / M)
    assert json.loads(a[A.SYSTEM_INSTRUCTIONS]) == [{"type": "text", "content": "be brief"}]
    assert parts(span, A.INPUT_MESSAGES) == [{"type": "text", "content": "say hello to me please"}]
    assert parts(span) == [{"type": "text", "content": REPLY}]


def test_images_tool_use_tool_result_and_thinking(logger, claude, capture, anthropic_server):
    anthropic_server.thinking = "the user wants weather"
    anthropic_server.call_tool_next("get_weather", {"city": "Paris"})
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgoAAAANSUhEUg" * 50}}
    first = claude.messages.create(
        model="claude-sonnet-4-5", max_tokens=100,
        messages=[{"role": "user", "content": [image, {"type": "text", "text": "weather here?"}]}],
        tools=[{"name": "get_weather", "input_schema": {"type": "object"}}],
    )
    tool_use = first.content[-1]
    claude.messages.create(
        model="claude-sonnet-4-5", max_tokens=100,
        messages=[
            {"role": "user", "content": "weather here?"},
            {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool_use.id, "content": "18C"}]},
        ],
    )
    asked, answered = capture.llm_spans()
    blob = json.dumps(dict(asked.attributes))
    assert "iVBORw0KGgo" not in blob, "image bytes must never reach a span"
    assert parts(asked, A.INPUT_MESSAGES)[0] == {"type": "blob", "modality": "image", "content": "<omitted>", "mime_type": "image/png"}
    assert parts(asked) == [
        {"type": "reasoning", "content": "the user wants weather"},
        {"type": "tool_call", "id": "toolu_standin_1", "name": "get_weather", "arguments": {"city": "Paris"}},
    ]
    assert asked.attributes[A.RESPONSE_FINISH_REASONS] == ("tool_use",)
    assert json.loads(asked.attributes[A.TOOL_DEFINITIONS])[0]["name"] == "get_weather"
    history = json.loads(answered.attributes[A.INPUT_MESSAGES])
    assert history[1]["parts"][1]["type"] == "tool_call"
    assert history[2]["parts"] == [{"type": "tool_call_response", "id": "toolu_standin_1", "response": "18C"}]


async def test_async_create(logger, async_claude, capture):
    message = await async_claude.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=MESSAGES)
    assert message.content[0].text == REPLY
    a = only_span(capture).attributes
    assert (a[A.USAGE_INPUT_TOKENS], a[A.USAGE_OUTPUT_TOKENS]) == (5, 5)
    assert a[A.USAGE_COST] == pytest.approx((5 * 1 + 5 * 5) / M)


def test_stream_true_events_unchanged_usage_from_start_and_delta(make_logger, claude, capture, anthropic_server):
    anthropic_server.cache_read = 2
    bare = [e.model_dump() for e in claude.messages.create(model="claude-sonnet-4-5", max_tokens=50, messages=MESSAGES, stream=True)]
    make_logger()
    stream = claude.messages.create(model="claude-sonnet-4-5", max_tokens=50, messages=MESSAGES, stream=True)
    assert isinstance(stream, anthropic.Stream)
    seen = [e.model_dump() for e in stream]
    assert [e["type"] for e in seen] == [e["type"] for e in bare]
    a = only_span(capture).attributes
    assert (a[A.USAGE_INPUT_TOKENS], a[A.USAGE_OUTPUT_TOKENS], a[A.USAGE_CACHE_READ_INPUT_TOKENS]) == (5, 5, 2)
    assert a[A.RESPONSE_FINISH_REASONS] == ("end_turn",)
    assert a[A.RESPONSE_TIME_TO_FIRST_CHUNK] > 0
    assert parts(only_span(capture)) == [{"type": "text", "content": REPLY}]


def test_stream_helper_text_stream_and_final_message(logger, claude, capture, anthropic_server):
    anthropic_server.call_tool_next("get_weather", {"city": "Paris"})
    with claude.messages.stream(model="claude-sonnet-4-5", max_tokens=50, messages=MESSAGES) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "" and final.content[0].input == {"city": "Paris"}
    with claude.messages.stream(model="claude-sonnet-4-5", max_tokens=50, messages=MESSAGES) as stream:
        assert "".join(stream.text_stream) == REPLY
    tool_span, text_span = capture.llm_spans()
    assert parts(tool_span) == [{"type": "tool_call", "id": "toolu_standin_1", "name": "get_weather", "arguments": '{"city": "Paris"}'}]
    assert parts(text_span) == [{"type": "text", "content": REPLY}]


def test_stream_helper_early_exit_ends_span_once(logger, claude, capture):
    with claude.messages.stream(model="claude-sonnet-4-5", max_tokens=50, messages=MESSAGES) as stream:
        for event in stream:
            if event.type == "content_block_delta":
                break
    span = only_span(capture)
    assert span.end_time is not None and span.status.status_code is StatusCode.UNSET
    assert span.attributes[A.USAGE_INPUT_TOKENS] == 5  # message_start already said so


async def test_async_stream_helper(logger, async_claude, capture):
    async with async_claude.messages.stream(model="claude-sonnet-4-5", max_tokens=50, messages=MESSAGES) as stream:
        text = "".join([t async for t in stream.text_stream])
        final = await stream.get_final_message()
    assert text == REPLY and final.usage.output_tokens == 5
    assert only_span(capture).attributes[A.USAGE_OUTPUT_TOKENS] == 5


def test_error_event_mid_stream_and_cut_connection(logger, claude, capture, anthropic_server):
    anthropic_server.error_next_stream(after_events=4)
    with pytest.raises(anthropic.APIStatusError) as raised:
        list(claude.messages.create(model="claude-sonnet-4-5", max_tokens=50, messages=MESSAGES, stream=True))
    assert "Overloaded" in str(raised.value)
    anthropic_server.break_next_stream(after_events=5)
    with pytest.raises(BROKEN_STREAM_ERRORS):
        list(claude.messages.create(model="claude-sonnet-4-5", max_tokens=50, messages=MESSAGES, stream=True))
    for span in capture.llm_spans():
        assert span.status.status_code is StatusCode.ERROR
        assert span.attributes[A.USAGE_INPUT_TOKENS] == 5


def test_api_error_unchanged(logger, claude, capture, anthropic_server):
    anthropic_server.fail_next(529)
    with pytest.raises(anthropic.APIStatusError) as raised:
        claude.messages.create(model="claude-sonnet-4-5", max_tokens=50, messages=MESSAGES)
    assert raised.value.status_code == 529
    span = only_span(capture)
    assert span.attributes[A.ERROR_TYPE] == "529" and span.status.status_code is StatusCode.ERROR


class Weather(BaseModel):
    city: str


def test_parse_beta_and_count_tokens(logger, claude, capture, anthropic_server):
    anthropic_server.reply = '{"city": "Paris"}'
    parsed = claude.messages.parse(model="claude-sonnet-4-5", max_tokens=50, messages=MESSAGES, output_format=Weather)
    assert parsed.parsed_output == Weather(city="Paris")
    claude.beta.messages.create(model="claude-sonnet-4-5", max_tokens=50, messages=MESSAGES)
    assert claude.messages.count_tokens(model="claude-sonnet-4-5", messages=MESSAGES).input_tokens == 5
    parse_span, beta_span = capture.llm_spans()  # count_tokens is not an LLM call: a generic span
    assert [s.name for s in capture.spans()][-1] == "Anthropic POST /v1/messages/count_tokens"
    assert parse_span.attributes[A.OUTPUT_TYPE] == "json"
    assert beta_span.attributes[A.USAGE_OUTPUT_TOKENS] == 2


def test_content_capture_off(make_logger, claude, capture, anthropic_server):
    anthropic_server.thinking = "secret reasoning"
    make_logger(capture_content=False)
    claude.messages.create(model="claude-sonnet-4-5", max_tokens=50, system="sys prompt", messages=MESSAGES)
    list(claude.messages.create(model="claude-sonnet-4-5", max_tokens=50, messages=MESSAGES, stream=True))
    for span in capture.llm_spans():
        blob = json.dumps(dict(span.attributes))
        assert "secret" not in blob and "say hello" not in blob and "stand-in Claude" not in blob and "sys prompt" not in blob
        assert span.attributes[A.USAGE_OUTPUT_TOKENS] > 0


def test_bedrock_and_vertex_clients(logger, anthropic_server, capture):
    bedrock = anthropic.AnthropicBedrock(
        aws_access_key="AKID", aws_secret_key="secret", aws_region="us-east-1", base_url=anthropic_server.base_url, max_retries=0
    )
    bedrock.messages.create(model="us.anthropic.claude-3-5-sonnet-20241022-v2:0", max_tokens=10, messages=MESSAGES)
    vertex = anthropic.AnthropicVertex(
        region="us-east5", project_id="p", access_token="token", base_url=anthropic_server.base_url, max_retries=0
    )
    vertex.messages.create(model="claude-3-5-sonnet-v2@20241022", max_tokens=10, messages=MESSAGES)
    list(vertex.messages.create(model="claude-3-5-sonnet-v2@20241022", max_tokens=10, messages=MESSAGES, stream=True))
    spans = capture.llm_spans()
    assert [s.attributes[A.PROVIDER_NAME] for s in spans] == ["aws.bedrock", "gcp.vertex_ai", "gcp.vertex_ai"]
    for span in spans:  # Claude on Bedrock/Vertex bills Anthropic's list price
        assert span.attributes[A.USAGE_COST] == pytest.approx((5 * 3 + 5 * 15) / M)


def test_anthropic_reaches_collector_with_tokens_via_custom_log(logger, claude, collector, anthropic_server):
    anthropic_server.cache_read = 2
    with helicone_otel.session("s-a", path="/claude"), helicone_otel.user("u-7"), helicone_otel.properties(App="docs"):
        claude.messages.create(model="claude-sonnet-4-5", max_tokens=100, system="be brief", messages=MESSAGES)
        with claude.messages.stream(model="claude-sonnet-4-5", max_tokens=100, messages=MESSAGES) as stream:
            stream.until_done()
    assert logger.flush(5.0)
    plain, streamed = collector.store.requests()
    for record in (plain, streamed):
        assert record.source == "custom_log"
        # Helicone prices dated ids only: the alias goes with Helicone-Model-Override.
        assert record.provider == "ANTHROPIC" and record.model == "claude-sonnet-4-5-20250929"
        assert record.completion_tokens == 5 and record.cache_read_tokens == 2
        assert record.user_id == "u-7"
        assert record.properties == {"Helicone-Session-Id": "s-a", "Helicone-Session-Path": "/claude", "app": "docs"}
        assert record.response_body["usage"]["cache_read_input_tokens"] == 2
        assert record.response_body["content"] == [{"type": "text", "text": REPLY}]
    assert plain.prompt_tokens == 5 and plain.response_body["usage"]["input_tokens"] == 5  # Helicone: uncached input
    assert plain.request_body["system"] == "be brief"  # the request exactly as the SDK sent it
    assert plain.request_body["messages"] == MESSAGES
    # Parameters not passed are absent, not the SDK's Omit/NotGiven placeholders.
    assert set(plain.request_body) == {"model", "max_tokens", "system", "messages"}
    assert plain.cost_usd == pytest.approx((5 * 3 + 2 * 0.3 + 5 * 15) / M)
    assert streamed.time_to_first_token_ms is not None
    assert logger.stats().exported == 2
