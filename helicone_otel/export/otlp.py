"""OTLP/protobuf encoding of already-translated spans (export thread only)."""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, InstrumentationScope, KeyValue
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import StatusCode

from .._version import __version__


def _any_value(value: Any) -> AnyValue:
    if isinstance(value, bool):
        return AnyValue(bool_value=value)
    if isinstance(value, int):
        return AnyValue(int_value=value)
    if isinstance(value, float):
        return AnyValue(double_value=value)
    return AnyValue(string_value=str(value))


def _key_values(attributes: Mapping[str, Any]) -> list[KeyValue]:
    return [KeyValue(key=k, value=_any_value(v)) for k, v in attributes.items()]


def encode(spans: Iterable[tuple[ReadableSpan, Mapping[str, Any]]], resource: Mapping[str, Any]) -> bytes:
    """One ``ExportTraceServiceRequest`` for (span, wire attributes) pairs."""
    out = []
    for span, attributes in spans:
        ctx = span.context
        parent = span.parent
        status = span.status
        out.append(
            Span(
                trace_id=ctx.trace_id.to_bytes(16, "big"),
                span_id=ctx.span_id.to_bytes(8, "big"),
                parent_span_id=parent.span_id.to_bytes(8, "big") if parent else b"",
                name=span.name,
                kind=Span.SpanKind.SPAN_KIND_CLIENT,
                start_time_unix_nano=span.start_time or 0,
                end_time_unix_nano=span.end_time or 0,
                attributes=_key_values(attributes),
                status=Status(
                    code=Status.STATUS_CODE_ERROR if status.status_code is StatusCode.ERROR else Status.STATUS_CODE_UNSET,
                    message=status.description or "",
                ),
            )
        )
    request = ExportTraceServiceRequest(
        resource_spans=[
            ResourceSpans(
                resource=Resource(attributes=_key_values(resource)),
                scope_spans=[
                    ScopeSpans(scope=InstrumentationScope(name="helicone_otel", version=__version__), spans=out)
                ],
            )
        ]
    )
    return request.SerializeToString()


def _json_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": value}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": value if isinstance(value, str) else str(value)}


def encode_json(spans: Iterable[tuple[ReadableSpan, Mapping[str, Any]]], resource: Mapping[str, Any]) -> bytes:
    """The same request as :func:`encode`, as OTLP/JSON (for ``/v1/trace/log``).

    Each span is serialised on its own and the document joined afterwards, so the GIL is never
    held by one long C call for a whole batch (the application's threads get in between spans).
    """
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    out = []
    for span, attributes in spans:
        ctx = span.context
        parent = span.parent
        error = span.status.status_code is StatusCode.ERROR
        item = {
            "traceId": format(ctx.trace_id, "032x"),
            "spanId": format(ctx.span_id, "016x"),
            "name": span.name,
            "kind": 3,
            "startTimeUnixNano": str(span.start_time or 0),
            "endTimeUnixNano": str(span.end_time or 0),
            "attributes": [{"key": k, "value": _json_value(v)} for k, v in attributes.items()],
            "status": {"code": 2, "message": span.status.description or ""} if error else {},
        }
        if parent:
            item["parentSpanId"] = format(parent.span_id, "016x")
        out.append(dumps(item))
    head = dumps({"attributes": [{"key": k, "value": _json_value(v)} for k, v in resource.items()]})
    scope = dumps({"name": "helicone_otel", "version": __version__})
    document = f'{{"resourceSpans":[{{"resource":{head},"scopeSpans":[{{"scope":{scope},"spans":[{",".join(out)}]}}]}}]}}'
    return document.encode("utf-8")
