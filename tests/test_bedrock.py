"""AWS Bedrock through the instrumentation: real boto3 against a stand-in that speaks Bedrock's
wire format (JSON and AWS event streams), the real exporter, the real local collector."""

from __future__ import annotations

import base64
import gc
import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EventStreamError
from botocore.response import StreamingBody
from opentelemetry.trace import StatusCode

import helicone_otel
from helicone_otel import attributes as A
from helicone_otel.testing.bedrock_server import BedrockStandIn

REPLY = "Hello from the stand-in Bedrock."
MESSAGES = [{"role": "user", "content": [{"text": "say hello to me please"}]}]  # 5 words
CLAUDE = "us.anthropic.claude-3-5-sonnet-20241022-v2:0"
NOVA = "amazon.nova-micro-v1:0"
M = 1_000_000


@pytest.fixture
def bedrock_server():
    with BedrockStandIn() as server:
        yield server


@pytest.fixture
def bedrock(bedrock_server):
    return boto3.client(
        "bedrock-runtime", endpoint_url=bedrock_server.origin, region_name="us-east-1",
        aws_access_key_id="k", aws_secret_access_key="s", config=Config(retries={"total_max_attempts": 1}),
    )


@pytest.fixture
def logger(make_logger):
    return make_logger(providers=["bedrock"])


def only_span(capture):
    spans = capture.llm_spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


def output_text(span):
    return json.loads(span.attributes[A.OUTPUT_MESSAGES])[0]["parts"][0]["content"]


def test_converse_span_contract_and_cost(logger, bedrock, capture, bedrock_server):
    bedrock_server.cache_read = 2
    response = bedrock.converse(
        modelId=CLAUDE, messages=MESSAGES, system=[{"text": "be brief"}],
        inferenceConfig={"maxTokens": 50, "temperature": 0.2, "stopSequences": ["###"]},
    )
    assert response["output"]["message"]["content"][0]["text"] == REPLY
    span = only_span(capture)
    a = span.attributes
    assert span.name == f"chat {CLAUDE}" and span.kind.name == "CLIENT"
    assert (a[A.PROVIDER_NAME], a[A.OPERATION_NAME], a[A.REQUEST_MODEL]) == ("aws.bedrock", "chat", CLAUDE)
    assert (a[A.REQUEST_MAX_TOKENS], a[A.REQUEST_TEMPERATURE], a[A.REQUEST_STOP_SEQUENCES]) == (50, 0.2, ("###",))
    assert a[A.SERVER_ADDRESS] == "127.0.0.1" and a[A.RESPONSE_FINISH_REASONS] == ("end_turn",)
    # prompt = 7 words (system 2 + user 5): 5 uncached + 2 read from the cache
    assert response["usage"]["inputTokens"] == 5
    assert (a[A.USAGE_INPUT_TOKENS], a[A.USAGE_OUTPUT_TOKENS], a[A.USAGE_CACHE_READ_INPUT_TOKENS]) == (7, 5, 2)
    assert a[A.USAGE_COST] == pytest.approx((5 * 3 + 2 * 0.3 + 5 * 15) / M)
    assert json.loads(a[A.SYSTEM_INSTRUCTIONS]) == [{"type": "text", "content": "be brief"}]
    assert output_text(span) == REPLY


def test_converse_stream_yields_the_same_events_and_one_span(logger, bedrock, capture):
    response = bedrock.converse_stream(modelId=NOVA, messages=MESSAGES)
    events = list(response["stream"])
    assert [next(iter(e)) for e in events][:2] == ["messageStart", "contentBlockDelta"]
    assert "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e) == REPLY
    assert events[-1]["metadata"]["usage"] == {"inputTokens": 5, "outputTokens": 5, "totalTokens": 10}
    span = only_span(capture)
    a = span.attributes
    assert (a[A.USAGE_INPUT_TOKENS], a[A.USAGE_OUTPUT_TOKENS]) == (5, 5)
    assert a[A.RESPONSE_TIME_TO_FIRST_CHUNK] > 0 and a[A.RESPONSE_FINISH_REASONS] == ("end_turn",)
    assert a[A.USAGE_COST] == pytest.approx((5 * 0.035 + 5 * 0.14) / M)
    assert output_text(span) == REPLY


@pytest.mark.parametrize(
    ("model", "body", "finish"),
    [
        (CLAUDE, {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 20, "messages": [{"role": "user", "content": "say hello to me please"}]}, "end_turn"),
        (NOVA, {"messages": MESSAGES, "inferenceConfig": {"maxTokens": 20}}, "end_turn"),
        ("meta.llama3-1-70b-instruct-v1:0", {"prompt": "say hello to me please", "max_gen_len": 20}, "stop"),
        ("mistral.mistral-large-2402-v1:0", {"prompt": "say hello to me please", "max_tokens": 20}, "stop"),
        ("mistral.mistral-large-2407-v1:0", {"messages": [{"role": "user", "content": "say hello to me please"}], "max_tokens": 20}, "stop"),
    ],
    ids=["anthropic", "nova", "meta", "mistral-text", "mistral-chat"],
)
def test_invoke_model_every_body_format(logger, bedrock, capture, model, body, finish):
    response = bedrock.invoke_model(modelId=model, body=json.dumps(body))
    assert isinstance(response["body"], StreamingBody)  # what the caller gets is unchanged
    answer = json.loads(response["body"].read())
    assert REPLY in json.dumps(answer)
    span = only_span(capture)
    a = span.attributes
    assert a[A.REQUEST_MODEL] == model and a[A.REQUEST_MAX_TOKENS] == 20
    # Mistral's body has no usage: the counts come from Bedrock's usage headers.
    assert (a[A.USAGE_INPUT_TOKENS], a[A.USAGE_OUTPUT_TOKENS]) == (5, 5)
    assert a[A.RESPONSE_FINISH_REASONS] == (finish,) and output_text(span) == REPLY


@pytest.mark.parametrize("model", [CLAUDE, NOVA, "meta.llama3-1-70b-instruct-v1:0", "mistral.mistral-large-2402-v1:0"])
def test_invoke_model_with_response_stream_every_format(logger, bedrock, capture, model):
    body = {"prompt": "say hello to me please"} if "meta" in model or "mistral" in model else {"messages": MESSAGES}
    response = bedrock.invoke_model_with_response_stream(modelId=model, body=json.dumps(body))
    chunks = [json.loads(event["chunk"]["bytes"]) for event in response["body"]]
    assert chunks[-1]["amazon-bedrock-invocationMetrics"]["outputTokenCount"] == 5
    span = only_span(capture)
    a = span.attributes
    assert (a[A.USAGE_INPUT_TOKENS], a[A.USAGE_OUTPUT_TOKENS]) == (5, 5)
    assert output_text(span) == REPLY and a[A.RESPONSE_TIME_TO_FIRST_CHUNK] > 0


def test_invoke_body_read_in_chunks_or_lines_is_recorded_whole(logger, bedrock, capture):
    body = json.dumps({"prompt": "say hello to me please"})
    chunks = list(bedrock.invoke_model(modelId="meta.llama3-1-70b-instruct-v1:0", body=body)["body"].iter_chunks(7))
    assert json.loads(b"".join(chunks))["generation"] == REPLY
    lines = list(bedrock.invoke_model(modelId="meta.llama3-1-70b-instruct-v1:0", body=body.encode())["body"].iter_lines())
    assert json.loads(b"".join(lines))["generation"] == REPLY
    spans = capture.llm_spans()
    assert [output_text(s) for s in spans] == [REPLY, REPLY]


def test_unread_invoke_body_ends_its_call_when_dropped(logger, bedrock, capture):
    response = bedrock.invoke_model(modelId=NOVA, body=json.dumps({"messages": MESSAGES}))
    assert capture.llm_spans() == []  # the caller has not read the answer yet
    del response
    gc.collect()
    logger.flush(5.0)
    span = only_span(capture)
    assert (span.attributes[A.USAGE_INPUT_TOKENS], span.attributes[A.USAGE_OUTPUT_TOKENS]) == (5, 5)  # from the headers


def test_http_error_is_recorded_and_reraised_unchanged(logger, bedrock, capture, collector, bedrock_server):
    bedrock_server.fail_next(429)
    with pytest.raises(ClientError) as caught:
        bedrock.converse(modelId=CLAUDE, messages=MESSAGES)
    assert caught.value.response["Error"]["Code"] == "ThrottlingException"
    span = only_span(capture)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes[A.ERROR_TYPE] == "ThrottlingException"
    assert logger.flush(5.0)
    (record,) = collector.store.requests()
    assert record.status == 429 and record.provider == "ANTHROPIC"


def test_exception_event_mid_stream_ends_the_span_failed(logger, bedrock, capture, bedrock_server):
    bedrock_server.error_next_stream(after_events=3)
    seen = []
    with pytest.raises(EventStreamError):
        for event in bedrock.converse_stream(modelId=NOVA, messages=MESSAGES)["stream"]:
            seen.append(event)
    assert len(seen) == 3
    span = only_span(capture)
    assert span.status.status_code == StatusCode.ERROR
    assert json.loads(span.attributes[A.OUTPUT_MESSAGES])[0]["parts"][0]["content"] == "Hello from"


def test_other_operations_and_services_pass_untraced(logger, bedrock_server, capture):
    s3 = boto3.client("s3", endpoint_url=bedrock_server.origin, region_name="us-east-1",
                      aws_access_key_id="k", aws_secret_access_key="s", config=Config(retries={"total_max_attempts": 1}))
    with pytest.raises(ClientError):
        s3.list_buckets()  # the stand-in has no such route
    assert capture.llm_spans() == []


def test_records_reach_the_collector_as_helicone_stores_them(logger, bedrock, collector):
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 20, "messages": [{"role": "user", "content": "say hello to me please"}]}
    with helicone_otel.session("s-b", path="/bedrock"), helicone_otel.user("u-9"):
        bedrock.converse(modelId=NOVA, messages=MESSAGES)
        list(bedrock.invoke_model_with_response_stream(modelId=CLAUDE, body=json.dumps(body))["body"])
    assert logger.flush(5.0)
    nova, claude = sorted(collector.store.requests(), key=lambda r: r.provider, reverse=True)
    assert (nova.provider, nova.model) == ("AWS", "amazon.nova-micro-v1%3a0")  # the id Helicone prices
    assert nova.request_body == {"messages": MESSAGES}  # Converse's own body; the model is in the path
    assert nova.response_body["usage"]["inputTokens"] == 5 and nova.response_body["usage"]["input_tokens"] == 5
    assert (claude.provider, claude.model) == ("ANTHROPIC", "claude-3-5-sonnet-20241022")
    assert claude.response_body["content"] == [{"type": "text", "text": REPLY}]  # the stream folded into its Message
    assert claude.time_to_first_token_ms is not None
    for record in (nova, claude):
        assert (record.prompt_tokens, record.completion_tokens, record.user_id) == (5, 5, "u-9")
        assert record.properties["Helicone-Session-Id"] == "s-b"


def test_capture_off_sends_no_content(make_logger, bedrock, capture, collector):
    logger = make_logger(providers=["bedrock"], capture_content=False)
    bedrock.invoke_model(modelId=NOVA, body=json.dumps({"messages": MESSAGES}))["body"].read()
    list(bedrock.converse_stream(modelId=NOVA, messages=MESSAGES)["stream"])
    list(bedrock.invoke_model_with_response_stream(modelId="meta.llama3-1-70b-instruct-v1:0",
                                                   body=json.dumps({"prompt": "say hello to me please"}))["body"])
    assert logger.flush(5.0)
    for span in capture.llm_spans():
        assert A.OUTPUT_MESSAGES not in span.attributes and A.INPUT_MESSAGES not in span.attributes
    for record in collector.store.requests():
        assert "say hello" not in json.dumps(record.request_body) and REPLY not in json.dumps(record.response_body)
        assert record.completion_tokens == 5


def test_image_blocks_are_placeholders_on_the_span(logger, bedrock, capture):
    image = {"image": {"format": "png", "source": {"bytes": b"\x89PNG" + bytes(64)}}}
    bedrock.converse(modelId=NOVA, messages=[{"role": "user", "content": [image, {"text": "what is this"}]}])
    parts = json.loads(only_span(capture).attributes[A.INPUT_MESSAGES])[0]["parts"]
    assert parts[0]["type"] == "blob" and parts[1] == {"type": "text", "content": "what is this"}


def test_uninstrument_restores_botocore(make_logger, bedrock, capture):
    from botocore.client import BaseClient

    original = BaseClient.__dict__["_make_api_call"]
    logger = make_logger(providers=["bedrock"])
    assert BaseClient.__dict__["_make_api_call"] is not original
    logger.shutdown()
    assert BaseClient.__dict__["_make_api_call"] is original
    bedrock.converse(modelId=NOVA, messages=MESSAGES)
    assert capture.llm_spans() == []


def test_stand_in_speaks_the_event_stream_encoding():
    """The frames decode with botocore's own event-stream parser, CRCs checked."""
    from botocore.eventstream import EventStreamBuffer

    from helicone_otel.testing.bedrock_server import event

    buffer = EventStreamBuffer()
    buffer.add_data(event("chunk", {"bytes": base64.b64encode(b'{"x":1}').decode()}))
    (message,) = list(buffer)
    assert message.headers[":event-type"] == "chunk"
    assert json.loads(message.payload) == {"bytes": "eyJ4IjoxfQ=="}
