"""Every OpenAI API the SDK offers, through the instrumentation: real SDK, stand-in server."""

from __future__ import annotations

import json
import logging

import openai
import pytest
from opentelemetry.trace import StatusCode
from pydantic import BaseModel

from helicone_otel import attributes as A

from .sdk_compat import BROKEN_STREAM_ERRORS
from helicone_otel.providers import provider_for

REPLY = "Hello from the stand-in model."
MESSAGES = [{"role": "user", "content": "What is the weather in Paris"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "description": "weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
}


def only_span(capture):
    spans = capture.llm_spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def output_parts(span):
    return json.loads(span.attributes[A.OUTPUT_MESSAGES])[0]["parts"]


class Answer(BaseModel):
    text: str


# -- chat helpers -------------------------------------------------------------------------------
def test_chat_parse_structured_output(logger, client, capture, openai_server):
    openai_server.reply = '{"text": "hi"}'
    parsed = client.chat.completions.parse(model="gpt-4o-mini", messages=MESSAGES, response_format=Answer)
    assert parsed.choices[0].message.parsed == Answer(text="hi")
    span = only_span(capture)
    assert span.attributes[A.OUTPUT_TYPE] == "json"
    assert span.attributes[A.USAGE_OUTPUT_TOKENS] == 2


def test_chat_stream_helper(logger, client, capture):
    with client.chat.completions.stream(model="gpt-4o-mini", messages=MESSAGES) as stream:
        kinds = {event.type for event in stream}
        final = stream.get_final_completion()
    assert "content.delta" in kinds and "content.done" in kinds
    assert final.choices[0].message.content == REPLY
    assert final.usage is None, "without include_usage the helper sees no usage, as without us"
    span = only_span(capture)
    assert span.attributes[A.USAGE_OUTPUT_TOKENS] == 5
    assert output_parts(span) == [{"type": "text", "content": REPLY}]


async def test_async_chat_stream_helper(logger, async_client, capture):
    async with async_client.chat.completions.stream(model="gpt-4o-mini", messages=MESSAGES) as stream:
        async for _ in stream:
            pass
        final = await stream.get_final_completion()
    assert final.choices[0].message.content == REPLY
    assert only_span(capture).attributes[A.USAGE_INPUT_TOKENS] == 6


# -- tool calls ---------------------------------------------------------------------------------
def test_tool_call_and_tool_result_round_trip(logger, client, capture, openai_server):
    openai_server.call_tool_next("get_weather", {"city": "Paris"})
    first = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, tools=[WEATHER_TOOL])
    call = first.choices[0].message.tool_calls[0]
    follow_up = MESSAGES + [
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "18C and sunny"},
    ]
    client.chat.completions.create(model="gpt-4o-mini", messages=follow_up, tools=[WEATHER_TOOL])
    asked, answered = capture.llm_spans()

    assert json.loads(asked.attributes[A.TOOL_DEFINITIONS])[0]["function"]["name"] == "get_weather"
    assert asked.attributes[A.RESPONSE_FINISH_REASONS] == ("tool_calls",)
    assert output_parts(asked) == [{"type": "tool_call", "id": "call_standin_1", "name": "get_weather", "arguments": '{"city": "Paris"}'}]
    history = json.loads(answered.attributes[A.INPUT_MESSAGES])
    assert history[1]["parts"][0]["type"] == "tool_call"
    assert history[2] == {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_standin_1", "response": "18C and sunny"}]}


def test_streamed_tool_call_arguments_are_joined(logger, client, capture, openai_server):
    openai_server.call_tool_next("get_weather", {"city": "Paris"})
    chunks = list(client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, tools=[WEATHER_TOOL], stream=True))
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.tool_calls) == 3
    span = only_span(capture)
    assert output_parts(span) == [{"type": "tool_call", "id": "call_standin_1", "name": "get_weather", "arguments": '{"city": "Paris"}'}]
    assert span.attributes[A.RESPONSE_FINISH_REASONS] == ("tool_calls",)


def test_error_event_mid_stream(logger, client, capture, openai_server):
    openai_server.error_next_stream(after_events=2)
    with pytest.raises(openai.APIError, match="stand-in stream error"):
        list(client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
    span = only_span(capture)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes[A.ERROR_TYPE] == "APIError"


# -- Responses API ------------------------------------------------------------------------------
def test_responses_create(logger, client, capture):
    response = client.responses.create(model="gpt-4.1", instructions="Be brief.", input="Say hello", max_output_tokens=40)
    assert response.output_text == REPLY
    span = only_span(capture)
    a = span.attributes
    assert span.name == "chat gpt-4.1"
    assert a[A.RESPONSE_ID] == response.id
    assert (a[A.USAGE_INPUT_TOKENS], a[A.USAGE_OUTPUT_TOKENS]) == (4, 5)
    assert a[A.REQUEST_MAX_TOKENS] == 40
    assert a[A.RESPONSE_FINISH_REASONS] == ("stop",)
    assert json.loads(a[A.SYSTEM_INSTRUCTIONS]) == [{"type": "text", "content": "Be brief."}]
    assert json.loads(a[A.INPUT_MESSAGES]) == [{"role": "user", "parts": [{"type": "text", "content": "Say hello"}]}]
    assert output_parts(span) == [{"type": "text", "content": REPLY}]
    assert a[A.USAGE_COST] == pytest.approx((4 * 0.15 + 5 * 0.6) / 1e6)  # the model that answered: gpt-4o-mini


def test_responses_stream_and_helper(logger, client, capture):
    events = list(client.responses.create(model="gpt-4.1", input=[{"role": "user", "content": "Say hello"}], stream=True))
    assert events[-1].type == "response.completed"
    with client.responses.stream(model="gpt-4.1", input="Say hello") as stream:
        for _ in stream:
            pass
        final = stream.get_final_response()
    assert final.output_text == REPLY
    spans = capture.llm_spans()
    assert len(spans) == 2
    for span in spans:
        assert span.attributes[A.USAGE_OUTPUT_TOKENS] == 5
        assert span.attributes[A.RESPONSE_TIME_TO_FIRST_CHUNK] > 0
        assert output_parts(span) == [{"type": "text", "content": REPLY}]


def test_responses_stream_cut_keeps_partial_text(logger, client, capture, openai_server):
    openai_server.break_next_stream(after_events=6)  # created, in_progress, item, part, 2 deltas
    with pytest.raises(BROKEN_STREAM_ERRORS):
        list(client.responses.create(model="gpt-4.1", input="Say hello", stream=True))
    span = only_span(capture)
    assert span.status.status_code is StatusCode.ERROR
    assert output_parts(span) == [{"type": "text", "content": "Hello from"}]


def test_responses_parse_and_tool_call(logger, client, capture, openai_server):
    openai_server.reply = '{"text": "hi"}'
    parsed = client.responses.parse(model="gpt-4.1", input="Say hi", text_format=Answer)
    assert parsed.output_parsed == Answer(text="hi")
    openai_server.call_tool_next("get_weather", {"city": "Paris"})
    tool = {"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {}}}
    client.responses.create(model="gpt-4.1", input="Weather in Paris?", tools=[tool])
    parsed_span, tool_span = capture.llm_spans()
    assert parsed_span.attributes[A.OUTPUT_TYPE] == "json"
    assert tool_span.attributes[A.RESPONSE_FINISH_REASONS] == ("tool_calls",)
    assert output_parts(tool_span)[0]["name"] == "get_weather"
    assert json.loads(tool_span.attributes[A.TOOL_DEFINITIONS])[0]["name"] == "get_weather"


def test_responses_background_create(logger, client, capture):
    queued = client.responses.create(model="gpt-4.1", input="Long task", background=True)
    assert queued.status == "queued"
    span = only_span(capture)
    assert span.attributes[A.RESPONSE_ID] == queued.id
    assert span.attributes[A.RESPONSE_FINISH_REASONS] == ("queued",)


# -- embeddings, completions, images, audio -----------------------------------------------------
def test_embeddings(logger, client, capture, openai_server):
    openai_server.response_model = None
    result = client.embeddings.create(model="text-embedding-3-small", input=["one two", "three"], dimensions=8)
    assert len(result.data) == 2 and len(result.data[0].embedding) == 8
    span = only_span(capture)
    a = span.attributes
    assert span.name == "embeddings text-embedding-3-small"
    assert a[A.OPERATION_NAME] == "embeddings"
    assert a[A.USAGE_INPUT_TOKENS] == 3
    assert a[A.EMBEDDINGS_DIMENSION_COUNT] == 8
    assert a[A.USAGE_COST] == pytest.approx(3 * 0.02 / 1e6)


def test_legacy_completions_plain_and_stream(logger, client, capture):
    result = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hello", max_tokens=20)
    assert result.choices[0].text == REPLY
    text = "".join(c.choices[0].text for c in client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hello", stream=True))
    assert text == REPLY
    for span in capture.llm_spans():
        assert span.attributes[A.OPERATION_NAME] == "text_completion"
        assert (span.attributes[A.USAGE_INPUT_TOKENS], span.attributes[A.USAGE_OUTPUT_TOKENS]) == (2, 5)
        assert output_parts(span) == [{"type": "text", "content": REPLY}]


def test_image_generation(logger, client, capture):
    client.images.generate(model="gpt-image-1", prompt="a red fox", n=2)
    a = only_span(capture).attributes
    assert a[A.OPERATION_NAME] == "image_generation" and a[A.REQUEST_MODEL] == "gpt-image-1"
    assert (a[A.USAGE_INPUT_TOKENS], a[A.USAGE_OUTPUT_TOKENS]) == (3, 2112)
    assert a[A.REQUEST_CHOICE_COUNT] == 2


def test_audio_transcription_and_speech(logger, client, capture):
    transcript = client.audio.transcriptions.create(model="gpt-4o-transcribe", file=("a.wav", b"RIFF....", "audio/wav"))
    assert transcript.text == REPLY
    audio = client.audio.speech.create(model="gpt-4o-mini-tts", voice="alloy", input="Hello there")
    assert audio.content == b"RIFF-stand-in-audio"
    heard, spoken = capture.llm_spans()
    assert heard.attributes[A.OPERATION_NAME] == "transcription"
    assert heard.attributes[A.REQUEST_MODEL] == "gpt-4o-transcribe"
    assert heard.attributes[A.USAGE_INPUT_TOKENS] == 40
    assert spoken.attributes[A.OPERATION_NAME] == "text_to_speech"
    assert spoken.attributes[f"{A.OPENAI_REQUEST_PREFIX}voice"] == "alloy"


def test_batches_make_a_generic_span_and_no_record(logger, client, capture, collector):
    with pytest.raises(openai.NotFoundError):
        client.batches.create(completion_window="24h", endpoint="/v1/chat/completions", input_file_id="file-1")
    assert capture.llm_spans() == []
    (span,) = capture.spans()
    assert span.name == "OpenAI POST /batches"
    assert span.attributes[A.HTTP_STATUS_CODE] == 404 and span.attributes[A.ERROR_TYPE] == "404"
    assert logger.flush(5.0) and collector.store.requests() == []


# -- raw responses ------------------------------------------------------------------------------
def test_with_raw_response_unchanged_and_fully_traced(logger, client, capture):
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MESSAGES)
    assert type(raw).__name__ == "LegacyAPIResponse"
    completion = raw.parse()
    assert completion.choices[0].message.content == REPLY
    a = only_span(capture).attributes
    assert a[A.USAGE_OUTPUT_TOKENS] == 5 and a[A.HTTP_STATUS_CODE] == 200
    assert a[A.RESPONSE_MODEL] == "gpt-4o-mini-2024-07-18"


def test_with_streaming_response_body_left_for_the_user(logger, client, capture):
    with client.chat.completions.with_streaming_response.create(model="gpt-4o-mini", messages=MESSAGES) as response:
        assert type(response).__name__ == "APIResponse"
        body = b"".join(response.iter_bytes())
    assert json.loads(body)["choices"][0]["message"]["content"] == REPLY
    span = only_span(capture)
    assert span.attributes[A.HTTP_STATUS_CODE] == 200
    assert span.attributes[A.REQUEST_MODEL] == "gpt-4o-mini"


# -- providers ----------------------------------------------------------------------------------
def test_azure_client_and_deployment_paths(logger, openai_server, capture):
    client = openai.AzureOpenAI(azure_endpoint=openai_server.origin, api_key="k", api_version="2024-10-21", max_retries=0)
    result = client.chat.completions.create(model="my-gpt4o-deployment", messages=MESSAGES)
    assert result.choices[0].message.content == REPLY
    assert openai_server.received[-1]["path"] == "/openai/deployments/my-gpt4o-deployment/chat/completions"
    a = only_span(capture).attributes
    assert a[A.PROVIDER_NAME] == "azure.ai.openai"
    assert a[A.REQUEST_MODEL] == "my-gpt4o-deployment"


async def test_async_azure_client(logger, openai_server, capture):
    client = openai.AsyncAzureOpenAI(azure_endpoint=openai_server.origin, api_key="k", api_version="2024-10-21", max_retries=0)
    await client.chat.completions.create(model="dep", messages=MESSAGES)
    assert only_span(capture).attributes[A.PROVIDER_NAME] == "azure.ai.openai"


@pytest.mark.parametrize(
    "base_url,provider",
    [
        ("https://api.openai.com/v1", "openai"),
        ("https://my-resource.openai.azure.com/openai/deployments/x", "azure.ai.openai"),
        ("https://api.groq.com/openai/v1", "groq"),
        ("https://api.x.ai/v1", "x_ai"),
        ("https://api.deepseek.com", "deepseek"),
        ("https://api.together.xyz/v1", "together"),
        ("https://api.fireworks.ai/inference/v1", "fireworks"),
        ("https://openrouter.ai/api/v1", "openrouter"),
        ("https://api.mistral.ai/v1", "mistral_ai"),
        ("https://api.perplexity.ai", "perplexity"),
        ("http://localhost:11434/v1", "ollama"),
        ("https://integrate.api.nvidia.com/v1", "nvidia"),
        ("https://api.studio.nebius.ai/v1", "nebius"),
        ("https://api.novita.ai/v3/openai", "novita"),
        ("https://api.deepinfra.com/v1/openai", "deepinfra"),
        ("https://generativelanguage.googleapis.com/v1beta/openai/", "gcp.gemini"),
        ("https://llm.internal.example.com/v1", "openai"),
    ],
)
def test_provider_from_base_url(base_url, provider):
    assert provider_for(base_url)[0] == provider


def test_unknown_host_stays_openai_with_host_recorded(logger, client, capture):
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    a = only_span(capture).attributes
    assert a[A.PROVIDER_NAME] == "openai"
    assert a[A.SERVER_ADDRESS] == "127.0.0.1" and isinstance(a[A.SERVER_PORT], int)


def test_unsupported_sdk_version_disables_instrumentor_with_one_warning(monkeypatch, collector, capture, client, caplog):
    from helicone_otel import HeliconeAsyncLogger
    from helicone_otel.instrumentation import openai as instrumentation

    monkeypatch.setattr(instrumentation.OpenAIInstrumentor, "_instruments", ("openai >= 999",))
    caplog.set_level(logging.WARNING)
    logger = HeliconeAsyncLogger(base_url=collector.url, tracer_provider=capture.tracer_provider, providers=["openai"]).init()
    try:
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        assert capture.llm_spans() == []
        warnings = [r for r in caplog.records if "helicone_otel" in r.getMessage() and "not supported" in r.getMessage()]
        assert len(warnings) == 1
    finally:
        logger.shutdown()
