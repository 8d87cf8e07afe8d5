"""OTLP cases (``/v1/trace/log`` OTLP/JSON under tsoa validation, ``/v1/trace/log-python``
OTLP/protobuf) and the HTTP edge cases (auth, unknown route, body limit)."""

from __future__ import annotations

import copy

from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, InstrumentationScope, KeyValue
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status, TracesData

from fixture_cases import CUSTOM_LOG, JSON_HEADERS, OTLP_JSON, OTLP_PROTOBUF, PROTOBUF_HEADERS, T0, b64, case

START_NS = T0 * 1_000_000_000 + 100_000_000
END_NS = START_NS + 1_250_000_000
ASSOC = "traceloop.association.properties."


def _llm_attributes(int_tokens: list) -> list[tuple[str, dict]]:
    prompt, completion, total = int_tokens
    return [
        ("gen_ai.system", {"stringValue": "openai"}),
        ("gen_ai.request.model", {"stringValue": "gpt-4o-mini"}),
        ("gen_ai.response.model", {"stringValue": "gpt-4o-mini-2024-07-18"}),
        ("llm.request.type", {"stringValue": "chat"}),
        ("gen_ai.usage.prompt_tokens", {"intValue": prompt}),
        ("gen_ai.usage.completion_tokens", {"intValue": completion}),
        ("llm.usage.total_tokens", {"intValue": total}),
        ("gen_ai.response.max_tokens", {"intValue": 256}),
        ("gen_ai.prompt.0.role", {"stringValue": "system"}),
        ("gen_ai.prompt.0.content", {"stringValue": "Be brief."}),
        ("gen_ai.prompt.1.role", {"stringValue": "user"}),
        ("gen_ai.prompt.1.content", {"stringValue": "Say hello"}),
        ("gen_ai.completion.0.role", {"stringValue": "assistant"}),
        ("gen_ai.completion.0.content", {"stringValue": "Hello!"}),
        ("gen_ai.completion.0.finish_reason", {"stringValue": "stop"}),
        (ASSOC + "Helicone-Session-Id", {"stringValue": "trip-42"}),
        (ASSOC + "Helicone-Session-Path", {"stringValue": "/plan"}),
        (ASSOC + "Helicone-Session-Name", {"stringValue": "Trip planner"}),
        (ASSOC + "Helicone-User-Id", {"stringValue": "user-7"}),
        (ASSOC + "Helicone-Property-AppName", {"stringValue": "demo"}),
        (ASSOC + "env", {"stringValue": "dropped: no Helicone- prefix"}),
    ]


def _json_span(name: str, attributes: list[tuple[str, dict]], span_id: str = "051581bf3cb55c13") -> dict:
    return {
        "traceId": "5b8efff798038103d269b633813fc60c", "spanId": span_id, "name": name, "kind": 3,
        "startTimeUnixNano": str(START_NS), "endTimeUnixNano": str(END_NS),
        "attributes": [{"key": k, "value": v} for k, v in attributes],
        "droppedAttributesCount": 0, "events": [], "droppedEventsCount": 0, "status": {"code": 1},
        "links": [], "droppedLinksCount": 0,
    }


def otlp_json(spans: list[dict]) -> dict:
    """An OTLP/JSON body in exactly the shape jawn's tsoa model ``OTELTrace`` accepts."""
    return {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "trip-planner"}},
                                    {"key": "tags", "value": {"arrayValue": {"values": [{"stringValue": "a"}]}}}],
                     "droppedAttributesCount": 0},
        "scopeSpans": [{"scope": {"name": "opentelemetry.instrumentation.openai", "version": "0.33.12"}, "spans": spans}],
    }]}


def _valid() -> dict:
    return otlp_json([_json_span("openai.chat", _llm_attributes([42, "7", 49])),
                      _json_span("workflow", [("traceloop.span.kind", {"stringValue": "workflow"})], "151581bf3cb55c14")])


@case("OTLP/JSON that passes jawn's tsoa validation: an LLM span (tokens as number and as text) and a non-LLM span")
def otlp_json_valid():
    return [{"path": OTLP_JSON, "headers": JSON_HEADERS, "json": _valid()}]


def _broken(change) -> dict:
    body = copy.deepcopy(_valid())
    change(body["resourceSpans"][0]["scopeSpans"][0]["spans"][0], body)
    return {"path": OTLP_JSON, "headers": JSON_HEADERS, "json": body}


@case("OTLP/JSON rejected by tsoa (422): missing droppedAttributesCount; extra parentSpanId; doubleValue; status.message")
def otlp_json_rejected():
    return [
        _broken(lambda span, body: span.pop("droppedAttributesCount")),
        _broken(lambda span, body: span.update(parentSpanId="0102030405060708")),
        _broken(lambda span, body: span["attributes"].append({"key": "gen_ai.request.temperature", "value": {"doubleValue": 0.2}})),
        _broken(lambda span, body: span["status"].update(message="ok")),
        _broken(lambda span, body: span["attributes"].append({"key": "n", "value": {"intValue": "forty"}})),
        _broken(lambda span, body: body["resourceSpans"][0]["resource"].pop("droppedAttributesCount")),
    ]


@case("OTLP/JSON as a general encoder writes it (parentSpanId, flags, no dropped counts, boolValue): 422 with every field")
def otlp_json_general_encoder():
    span = {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "051581bf3cb55c13", "parentSpanId": "",
            "flags": 257, "name": "chat gpt-4o-mini", "kind": 3, "startTimeUnixNano": str(START_NS),
            "endTimeUnixNano": str(END_NS),
            "attributes": [{"key": "gen_ai.system", "value": {"stringValue": "openai"}},
                           {"key": "gen_ai.request.stream", "value": {"boolValue": False}}],
            "status": {}}
    body = {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]},
                               "scopeSpans": [{"scope": {"name": "helicone_otel"}, "spans": [span]}], "schemaUrl": ""}]}
    return [{"path": OTLP_JSON, "headers": JSON_HEADERS, "json": body}]


@case("OTLP/JSON valid for tsoa whose second span has an intValue gen_ai.system: the first span is stored, then 500")
def otlp_json_partial_failure():
    bad = _json_span("odd", [("gen_ai.system", {"intValue": 5})], "251581bf3cb55c15")
    body = otlp_json([_json_span("openai.chat", _llm_attributes([42, 7, 49])), bad])
    return [{"path": OTLP_JSON, "headers": JSON_HEADERS, "json": body}]


def _kv(key: str, value) -> KeyValue:
    if isinstance(value, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    if isinstance(value, float):
        return KeyValue(key=key, value=AnyValue(double_value=value))
    if isinstance(value, list):
        return KeyValue(key=key, value=AnyValue(array_value=ArrayValue(values=[AnyValue(string_value=v) for v in value])))
    return KeyValue(key=key, value=AnyValue(string_value=value))


def _pb_span(attributes: dict, span_id: bytes = b"\x05\x15\x81\xbf\x3c\xb5\x5c\x13") -> Span:
    return Span(trace_id=bytes.fromhex("5b8efff798038103d269b633813fc60c"), span_id=span_id,
                parent_span_id=b"\x01\x02\x03\x04\x05\x06\x07\x08", name="openai.chat", kind=Span.SPAN_KIND_CLIENT,
                start_time_unix_nano=START_NS, end_time_unix_nano=END_NS, flags=0x301,
                attributes=[_kv(k, v) for k, v in attributes.items()], status=Status(code=Status.STATUS_CODE_OK),
                events=[Span.Event(time_unix_nano=START_NS + 5, name="gen_ai.content.prompt")])


def otlp_protobuf(spans: list[Span]) -> bytes:
    traces = TracesData(resource_spans=[ResourceSpans(
        resource=Resource(attributes=[_kv("service.name", "trip-planner")]),
        scope_spans=[ScopeSpans(scope=InstrumentationScope(name="opentelemetry.instrumentation.openai", version="0.33.12"), spans=spans)])])
    return traces.SerializeToString()


PB_LLM = {
    "gen_ai.system": "openai", "gen_ai.response.model": "gpt-4o-mini-2024-07-18", "llm.request.type": "chat",
    "gen_ai.usage.prompt_tokens": 42, "gen_ai.usage.completion_tokens": 7, "llm.usage.total_tokens": 49,
    "gen_ai.usage.cache_read_input_tokens": 32, "gen_ai.usage.cost": 0.5, "llm.is_streaming": False,
    "gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "Say hello",
    "gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "Hello!", "gen_ai.completion.0.finish_reason": "stop",
    ASSOC + "Helicone-Session-Id": "trip-42", ASSOC + "Helicone-Property-AppName": "demo", ASSOC + "Helicone-User-Id": "user-7",
    ASSOC + "tags": ["x"],
}


@case("OTLP/protobuf (what OTLPSpanExporter sends): int64 tokens arrive as text; bool/double/array attributes dropped")
def otlp_protobuf_openai():
    return [{"path": OTLP_PROTOBUF, "headers": PROTOBUF_HEADERS, "body_b64": b64(otlp_protobuf([_pb_span(PB_LLM)]))}]


@case("OTLP/protobuf span with gen_ai.system 'Anthropic': Helicone's Anthropic body processor finds no usage")
def otlp_protobuf_anthropic():
    attrs = {**PB_LLM, "gen_ai.system": "Anthropic", "gen_ai.response.model": "claude-haiku-4-5-20251001"}
    return [{"path": OTLP_PROTOBUF, "headers": PROTOBUF_HEADERS, "body_b64": b64(otlp_protobuf([_pb_span(attrs)]))}]


@case("OTLP/protobuf failures (500): a span with no attributes, bytes that are not protobuf, an empty body")
def otlp_protobuf_failures():
    no_attributes = otlp_protobuf([_pb_span({})])
    return [
        {"path": OTLP_PROTOBUF, "headers": PROTOBUF_HEADERS, "body_b64": b64(no_attributes)},
        {"path": OTLP_PROTOBUF, "headers": PROTOBUF_HEADERS, "body_b64": b64(b"\xff\xff\xff\xff not protobuf")},
        {"path": OTLP_PROTOBUF, "headers": PROTOBUF_HEADERS, "body_b64": ""},
    ]


_SMALL_LOG = {"providerRequest": {"url": "u", "json": {"model": "gpt-4o-mini"}, "meta": {}},
              "providerResponse": {"json": {"model": "gpt-4o-mini-2024-07-18"}, "status": 200, "headers": {}},
              "timing": {"startTime": {"seconds": T0, "milliseconds": 0}, "endTime": {"seconds": T0, "milliseconds": 10}}}


@case("HTTP: no Authorization (401), JSON helicone-authorization (accepted), unknown route (404), body over 10 MiB (500), exactly 10 MiB (accepted)")
def http_edges():
    no_auth = {k: v for k, v in JSON_HEADERS.items() if k != "Authorization"}
    helicone_auth = {**no_auth, "helicone-authorization": '{"_type": "bearer", "token": "Bearer sk-helicone-test"}'}
    return [
        {"path": CUSTOM_LOG, "headers": no_auth, "json": _SMALL_LOG},
        {"path": CUSTOM_LOG, "headers": helicone_auth, "json": _SMALL_LOG},
        {"path": "/v1/trace/unknown", "headers": JSON_HEADERS, "json": _SMALL_LOG},
        {"path": CUSTOM_LOG, "headers": JSON_HEADERS, "json": {**_SMALL_LOG, "pad": ""}, "pad_to": 10 * 1024 * 1024 + 1},
        {"path": CUSTOM_LOG, "headers": JSON_HEADERS, "json": {**_SMALL_LOG, "pad": ""}, "pad_to": 10 * 1024 * 1024},
    ]


@case("OTLP/protobuf scope with no spans (500), and a span whose attribute has no value (500)")
def otlp_protobuf_empty_scope():
    traces = TracesData(resource_spans=[ResourceSpans(scope_spans=[ScopeSpans(scope=InstrumentationScope(name="x"))])])
    valueless = _pb_span({"gen_ai.system": "openai"})
    valueless.attributes.append(KeyValue(key="no.value"))
    return [
        {"path": OTLP_PROTOBUF, "headers": PROTOBUF_HEADERS, "body_b64": b64(traces.SerializeToString())},
        {"path": OTLP_PROTOBUF, "headers": PROTOBUF_HEADERS, "body_b64": b64(otlp_protobuf([valueless]))},
    ]


@case("OTLP/JSON sent to the protobuf route and protobuf sent to the JSON route")
def otlp_wrong_route():
    return [
        {"path": OTLP_PROTOBUF, "headers": JSON_HEADERS, "json": _valid()},
        {"path": OTLP_JSON, "headers": PROTOBUF_HEADERS, "body_b64": b64(otlp_protobuf([_pb_span(PB_LLM)])[:40])},
    ]
