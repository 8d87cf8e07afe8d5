"""Real recorded provider responses (tests/fixtures/recorded/, sources in MANIFEST.json) replayed
through the real openai and anthropic SDKs, once bare and once instrumented: the user must get
exactly the same result, and the one span must tell what the recording says.

The expected span values are read from the recorded response body here, with plain code, not
with our extractors (a test that ran them would agree with itself).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import anthropic
import openai
import pytest
from opentelemetry.trace import StatusCode

from helicone_otel import attributes as A
from helicone_otel.testing import ReplayServer

from .recorded_spans import EXPECT, OPERATIONS, TOKEN_KEYS, span_messages

RECORDED = Path(__file__).parent / "fixtures" / "recorded"
MANIFEST = json.loads((RECORDED / "MANIFEST.json").read_text())
RECORDINGS = {
    p.stem: json.loads(p.read_text())["recordings"] for p in sorted(RECORDED.glob("*.json")) if p.name != "MANIFEST.json"
}
CASES = [pytest.param(case, mode, id=f"{case['id']}-{mode}") for case in MANIFEST["cases"] for mode in case["modes"]]
SDKS = {"openai": openai, "anthropic": anthropic}


def interaction_of(case: dict[str, Any]) -> dict[str, Any]:
    stem, name = case["recording"].split("/")
    return RECORDINGS[stem][name][case["interaction"]]


# -- the recorded request, made through the real SDK ------------------------------------------
CLIENTS = {
    ("openai", "sync"): openai.OpenAI, ("openai", "async"): openai.AsyncOpenAI,
    ("anthropic", "sync"): anthropic.Anthropic, ("anthropic", "async"): anthropic.AsyncAnthropic,
}
WRAPPERS = {"raw": "with_raw_response", "streaming_response": "with_streaming_response"}


def make_client(case: dict[str, Any], mode: str, server: ReplayServer) -> Any:
    if case.get("client") == "azure":
        cls = openai.AsyncAzureOpenAI if mode == "async" else openai.AzureOpenAI
        return cls(azure_endpoint=server.origin, api_version=case["api_version"], api_key="test-key", max_retries=0)
    base_url = server.origin + "/v1" if case["sdk"] == "openai" else server.origin
    return CLIENTS[case["sdk"], mode](base_url=base_url, api_key="test-key", max_retries=0)


def resolve(client: Any, case: dict[str, Any]) -> tuple[Any, str]:
    """(resource object, method name) of the call; skips when this SDK version lacks it."""
    *path, method = case["call"].split(".")
    resource = client
    for part in path:
        resource = getattr(resource, part, None)
    wrapper = WRAPPERS.get(case["style"])
    if not hasattr(resource, method) or (wrapper and not hasattr(resource, wrapper)):
        pytest.skip(f"{case['sdk']} {SDKS[case['sdk']].__version__} has no {case['call']} ({case['style']})")
    return resource, method


def call_kwargs(case: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    kwargs = {**(request["body"] or {}), **case.get("params", {})}
    for key in case.get("sdk_adds", ()):
        del kwargs[key]  # the SDK put it in the recorded request itself; the user did not pass it
    for key, (name, content, content_type) in case.get("files", {}).items():
        kwargs[key] = (name, content.encode(), content_type)  # a multipart upload, in memory
    extra = {key: kwargs.pop(key) for key in case.get("extra_body", ())}
    if extra:
        kwargs["extra_body"] = extra  # a provider's own parameter, passed as its users pass it
    if case["style"] == "stream_helper":
        kwargs.pop("stream", None)  # .stream() always streams and takes no such argument
    return kwargs


def dump(value: Any) -> Any:
    """What the user holds, as plain data (SDK models dumped, lists element-wise)."""
    if isinstance(value, list):
        return [dump(v) for v in value]
    if hasattr(value, "model_dump"):
        try:
            return value.model_dump(warnings=False)  # parsed Responses unions warn on dump
        except TypeError:  # an SDK whose model_dump has no such argument
            return value.model_dump()
    return value


def failure(exc: BaseException) -> dict[str, Any]:
    return {"type": type(exc).__name__, "status_code": getattr(exc, "status_code", None), "body": getattr(exc, "body", None),
            "message": str(exc)}


STREAMS = (openai.Stream, openai.AsyncStream, anthropic.Stream, anthropic.AsyncStream)


def is_stream(value: Any) -> bool:
    return isinstance(value, STREAMS)


def _final(stream: Any) -> Any:
    """The helper's accumulated result: completion (chat), response (Responses) or message."""
    for name in ("get_final_completion", "get_final_response", "get_final_message"):
        if hasattr(stream, name):
            return getattr(stream, name)()
    raise AssertionError(f"no final result on {type(stream).__name__}")


def drive(case: dict[str, Any], client: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Make the call and read everything the user would read (sync client). Stream elements
    go to ``items`` one by one, so those read before an error are compared too."""
    kwargs = call_kwargs(case, request)
    got: dict[str, Any] = {"items": []}
    try:
        if case["style"] == "post":
            result = client.post(case["call"], body=kwargs, cast_to=object, stream=bool(kwargs.get("stream")),
                                 stream_cls=anthropic.Stream[object])
            got["result"] = read(result, got)
            return got
        resource, method = resolve(client, case)
        if case["style"] == "stream_helper":
            with getattr(resource, method)(**kwargs) as stream:
                read(stream, got)
                got["result"] = dump(_final(stream))
        elif case["style"] == "raw":
            raw = getattr(resource.with_raw_response, method)(**kwargs)
            got["http"] = (raw.http_response.status_code, raw.headers.get("content-type"))
            got["result"] = read(raw.parse(), got)
            if not got["items"]:
                got["text"] = raw.text() if callable(raw.text) else raw.text  # anthropic 2: a method
        elif case["style"] == "streaming_response":
            with getattr(resource.with_streaming_response, method)(**kwargs) as response:
                got["http"] = (response.http_response.status_code, response.headers.get("content-type"))
                got["result"] = read(response.parse(), got)
        else:
            got["result"] = read(getattr(resource, method)(**kwargs), got)
    except (openai.APIError, anthropic.APIError) as exc:
        got["error"] = failure(exc)
    return got


def read(value: Any, got: dict[str, Any]) -> Any:
    """A stream read to its end into ``got["items"]``, anything else dumped."""
    if not is_stream(value) and not hasattr(value, "__next__"):
        return dump(value)
    for item in value:
        got["items"].append(dump(item))
    return "stream"


async def aread(value: Any, got: dict[str, Any]) -> Any:
    """``read`` for async streams (and for what an async ``parse()`` returns)."""
    value = await value if asyncio.iscoroutine(value) else value
    if not is_stream(value) and not hasattr(value, "__anext__"):
        return dump(value)
    async for item in value:
        got["items"].append(dump(item))
    return "stream"


async def adrive(case: dict[str, Any], client: Any, request: dict[str, Any]) -> dict[str, Any]:
    """``drive`` for an async client."""
    kwargs = call_kwargs(case, request)
    got: dict[str, Any] = {"items": []}
    try:
        if case["style"] == "post":
            result = await client.post(case["call"], body=kwargs, cast_to=object, stream=bool(kwargs.get("stream")),
                                       stream_cls=anthropic.AsyncStream[object])
            got["result"] = await aread(result, got)
            return got
        resource, method = resolve(client, case)
        if case["style"] == "stream_helper":
            async with getattr(resource, method)(**kwargs) as stream:
                await aread(stream, got)
                got["result"] = dump(await _final(stream))
        elif case["style"] == "raw":
            raw = await getattr(resource.with_raw_response, method)(**kwargs)
            got["http"] = (raw.http_response.status_code, raw.headers.get("content-type"))
            got["result"] = await aread(raw.parse(), got)
            if not got["items"]:
                text = raw.text() if callable(raw.text) else raw.text
                got["text"] = await text if asyncio.iscoroutine(text) else text
        elif case["style"] == "streaming_response":
            async with getattr(resource.with_streaming_response, method)(**kwargs) as response:
                got["http"] = (response.http_response.status_code, response.headers.get("content-type"))
                got["result"] = await aread(response.parse(), got)
        else:
            got["result"] = await aread(getattr(resource, method)(**kwargs), got)
    except (openai.APIError, anthropic.APIError) as exc:
        got["error"] = failure(exc)
    return got


def replay(case: dict[str, Any], mode: str, server: ReplayServer) -> dict[str, Any]:
    """One call against the recording; closes the client."""
    interaction = interaction_of(case)
    response = interaction["response"]
    server.answer_next(response["status"], response["content_type"], response["body"])
    client = make_client(case, mode, server)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # openai 2+ deprecates Assistants
        if mode == "async":
            async def run() -> dict[str, Any]:
                async with client:
                    return await adrive(case, client, interaction["request"])

            return asyncio.run(run())
        with client:
            return drive(case, client, interaction["request"])


# -- the span against the recording ----------------------------------------------------------
def check_llm_span(case: dict[str, Any], span: Any, bare: dict[str, Any]) -> None:
    interaction = interaction_of(case)
    request, response = interaction["request"], interaction["response"]
    attrs = span.attributes
    assert attrs[A.OPERATION_NAME] == OPERATIONS[case["expect"]]
    assert attrs[A.PROVIDER_NAME] == case.get("provider", case["sdk"])
    assert attrs.get(A.REQUEST_MODEL) == request["body"].get("model")
    check_request_parameters(request["body"], attrs)
    error = bare.get("error")
    if error is not None and response["status"] >= 400:  # the SDK read no response object
        assert span.status.status_code is StatusCode.ERROR
        assert attrs[A.ERROR_TYPE] == str(response["status"]) == str(error["status_code"])
        for key in (A.RESPONSE_MODEL, A.RESPONSE_ID, A.RESPONSE_FINISH_REASONS, A.OUTPUT_MESSAGES, *TOKEN_KEYS):
            assert key not in attrs, key
        return
    streamed = response["content_type"].startswith("text/event-stream")
    want = EXPECT[case["expect"]](response["body"], streamed)
    if error is not None:  # an error event in a 200 stream: the call failed after it started
        # error.type names the exception the user got, not the stream's 200
        assert span.status.status_code is StatusCode.ERROR and attrs[A.ERROR_TYPE] == error["type"]
    else:
        assert span.status.status_code is not StatusCode.ERROR
    assert attrs.get(A.RESPONSE_MODEL) == want["model"]
    assert attrs.get(A.RESPONSE_ID) == want["id"]
    assert attrs.get(A.RESPONSE_FINISH_REASONS) == want["finish"]
    for key in TOKEN_KEYS:
        assert attrs.get(key) == want["usage"].get(key), key
    assert span_messages(attrs) == want["messages"]


MAX_TOKENS_KEYS = ("max_completion_tokens", "max_tokens", "max_output_tokens", "max_tokens_to_sample")


def check_request_parameters(body: dict[str, Any], attrs: Any) -> None:
    """The sampling parameters the recorded request sent."""
    max_tokens = next((body[k] for k in MAX_TOKENS_KEYS if k in body), None)
    assert attrs.get(A.REQUEST_MAX_TOKENS) == max_tokens
    assert attrs.get(A.REQUEST_TEMPERATURE) == body.get("temperature")
    assert attrs.get(A.REQUEST_SEED) == body.get("seed")
    choice_count = body["n"] if body.get("n", 1) != 1 else None
    assert attrs.get(A.REQUEST_CHOICE_COUNT) == choice_count
    assert attrs.get(A.REQUEST_STREAM) == (True if body.get("stream") else None)
    response_format = body.get("response_format")  # a string for audio ("json", "text", ...)
    json_output = isinstance(response_format, dict) and response_format.get("type") in ("json_schema", "json_object")
    assert (attrs.get(A.OUTPUT_TYPE) == "json") == json_output
    if "messages" in body:  # chat and Anthropic messages: every turn, in order, by role
        sent_roles = [m["role"] for m in json.loads(attrs[A.INPUT_MESSAGES])]
        assert sent_roles == [m["role"] for m in body["messages"]]
    assert (A.TOOL_DEFINITIONS in attrs) == bool(body.get("tools"))
    assert (A.SYSTEM_INSTRUCTIONS in attrs) == bool(body.get("system") or body.get("instructions"))


def check_generic_span(case: dict[str, Any], span: Any) -> None:
    interaction = interaction_of(case)
    attrs = span.attributes
    assert attrs[A.OPERATION_NAME] == case["operation"]
    assert span.name == f"{'Anthropic' if case['sdk'] == 'anthropic' else 'OpenAI'} {case['operation']}"
    assert attrs[A.PROVIDER_NAME] == case["sdk"]
    assert attrs["http.request.method"] == interaction["request"]["method"]
    assert attrs[A.HTTP_STATUS_CODE] == interaction["response"]["status"]
    assert attrs.get(A.REQUEST_MODEL) == (interaction["request"]["body"] or {}).get("model")
    assert A.INPUT_MESSAGES not in attrs and A.OUTPUT_MESSAGES not in attrs


def sent(received: dict[str, Any]) -> tuple[str, Any]:
    """(path after /v1, body without the stream-usage option we may add) of a request."""
    body = received["body"]
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k != "stream_options"}
    return received["path"].split("/v1", 1)[-1], body


@pytest.mark.parametrize("case, mode", CASES)
def test_recorded_response_replays_unchanged_and_faithfully(case, mode, make_logger, capture, collector):
    interaction = interaction_of(case)
    with ReplayServer() as server:
        try:
            bare = replay(case, mode, server)
        except (TypeError, ValueError) as exc:
            if server.received:
                raise
            # e.g. openai 1.x's chat .stream() helper refuses non-strict tools before sending
            pytest.skip(f"{case['sdk']} {SDKS[case['sdk']].__version__} refuses this call: {exc}")
        logger = make_logger()
        traced = replay(case, mode, server)
        received = list(server.received)

    assert traced == bare, "the instrumented SDK gave the user something else"
    assert bare.get("result") is not None or bare.get("error") is not None
    recorded_path = interaction["request"]["path"].split("?", 1)[0].split("/v1", 1)[-1]
    assert [r["path"].split("/v1", 1)[-1] for r in received] == [recorded_path] * 2
    recorded_body = interaction["request"]["body"] or {}
    made = dict(received[0]["body"])
    if "encoding_format" not in recorded_body:
        made.pop("encoding_format", None)  # newer SDKs ask for base64 embeddings on the user's behalf
    assert made == recorded_body, "the bare SDK did not make the recorded request"
    assert sent(received[1]) == sent(received[0]), "the instrumented request differs beyond stream usage"
    asked, traced_options = received[0]["body"].get("stream_options"), received[1]["body"].get("stream_options")
    assert traced_options == asked or (asked is None and traced_options == {"include_usage": True})

    spans = capture.spans()
    assert len(spans) == 1, [s.name for s in spans]
    if case["expect"] == "generic":
        assert capture.llm_spans() == []
        check_generic_span(case, spans[0])
    else:
        assert capture.llm_spans() == spans
        check_llm_span(case, spans[0], bare)

    assert logger.flush(5.0)
    # Everything was sent: shutdown is prompt and no export thread outlives the logger. (Senders
    # once waited forever in SimpleQueue.get(timeout=...): here, in most of these tests.)
    started = time.monotonic()
    logger.shutdown(timeout_s=2.0)
    assert time.monotonic() - started < 1.0
    assert [t.name for t in threading.enumerate() if t.name.startswith("helicone-otel")] == []
    records = collector.store.requests()
    if case["expect"] == "generic":
        assert records == []  # a thread or a run is no LLM request for Helicone
    elif bare.get("error") is None or interaction["response"]["status"] >= 400:
        assert [r.status for r in records] == [interaction["response"]["status"]]
        # the stored model is the response's, or the request's where Helicone's reading finds none
        # (a legacy /v1/complete stream whose events carry no id)
        attrs = spans[0].attributes
        assert records[0].model in {attrs.get(A.RESPONSE_MODEL, attrs.get(A.REQUEST_MODEL)), attrs.get(A.REQUEST_MODEL)}
    else:  # an error event in a 200 stream: stored as a failed request
        assert len(records) == 1 and records[0].status >= 400


def test_every_case_names_its_recording_and_source():
    ids = [case["id"] for case in MANIFEST["cases"]]
    assert len(ids) == len(set(ids)) and len(ids) >= 60
    for case in MANIFEST["cases"]:
        assert interaction_of(case)["response"]["body"] is not None, case["id"]
        assert case["covers"] and case["source"]["repository"] and case["source"]["path"] and case["source"]["license"], case["id"]
    used = {case["recording"] for case in MANIFEST["cases"]}
    assert used == {f"{stem}/{name}" for stem, recordings in RECORDINGS.items() for name in recordings}, "a recording no case replays"


def test_replay_server_answers_any_method_with_the_recorded_bytes():
    import http.client

    body = 'event: ping\ndata: {"type": "ping"}\n\ndata: [DONE]\n\n'
    with ReplayServer() as server:
        server.answer_next(200, "text/event-stream; charset=utf-8", body)
        server.answer_next(404, "application/json", '{"error": {"message": "gone"}}')
        connection = http.client.HTTPConnection(server.origin.split("//", 1)[1])
        connection.request("GET", "/v1/threads/thread_1/runs/run_1")
        first = connection.getresponse()
        assert (first.status, first.getheader("Content-Type"), first.read().decode()) == (200, "text/event-stream; charset=utf-8", body)
        connection.request("DELETE", "/v1/anything")
        second = connection.getresponse()
        assert (second.status, second.read()) == (404, b'{"error": {"message": "gone"}}')
        assert [r["path"] for r in server.received] == ["/v1/threads/thread_1/runs/run_1", "/v1/anything"]
