"""``POST /v1/traces``: standard OTLP/HTTP, as the OpenTelemetry SDKs' exporters send it
(``application/x-protobuf`` or ``application/json``, optionally gzip), stored as generic spans.

These are not Helicone requests: Helicone's own intake routes are ``/v1/trace/log`` and
``/v1/trace/log-python`` (otlp.py), which keep only what jawn keeps. Here every span is kept as
sent — ids, parent, name, kind, times, status, attributes, resource, scope and events — so any
instrumented application can be looked at in the web view. Answers follow the OTLP/HTTP
specification: 200 with an ``ExportTraceServiceResponse`` in the request's encoding (with
``partialSuccess`` when spans without valid ids were dropped), 400 with a ``google.rpc.Status``
for a body that does not decode, 415 for another content type.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from .http_body import BodyError, decode_content
from .intake import media_type

logger = logging.getLogger("helicone_otel.collector")
PROTOBUF = "application/x-protobuf"
JSON = "application/json"
_HEX = re.compile(r"[0-9a-fA-F]*")
_KINDS = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"]
_STATUSES = ["UNSET", "OK", "ERROR"]


class BadTraces(ValueError):
    """The body is not an OTLP trace export request."""


@dataclass(frozen=True)
class SpanRow:
    """One stored span (ids in lower-case hex, times in unix seconds)."""

    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    kind: str
    service: str
    scope: str
    start_time: float
    end_time: float
    status_code: str
    status_message: str
    attributes: dict[str, Any]
    resource: dict[str, Any]
    events: list[dict[str, Any]]


def receive(store: Any, headers: Mapping[str, str], raw: Optional[bytes], authorized: bool) -> tuple[int, bytes, str]:
    """Answer one ``POST /v1/traces``: (status, body, content type)."""
    kind = media_type(headers.get("content-type"))
    reply = kind if kind == PROTOBUF else JSON
    if not authorized:
        return 401, status(reply, 16, "Authentication failed"), reply
    if kind not in (PROTOBUF, JSON):
        return 415, status(JSON, 3, f"use {PROTOBUF} or {JSON}"), JSON
    try:
        rows, rejected = decode(decode_content(raw or b"", headers.get("content-encoding", "")), kind)
    except (BadTraces, BodyError) as error:
        return 400, status(kind, 3, str(error)[:500]), kind
    try:
        store.add_spans(rows)
    except Exception:  # noqa: BLE001 - the exporter may retry
        logger.exception("collector: could not store OTLP spans")
        return 503, status(kind, 14, "could not store the spans"), kind
    return 200, success(kind, rejected, f"{rejected} span(s) without a valid trace or span id" if rejected else ""), kind


def decode(body: bytes, content_type: str) -> tuple[list[SpanRow], int]:
    """The spans of an export request and how many were rejected (no valid trace or span id)."""
    if content_type == PROTOBUF:
        try:
            document: Any = MessageToDict(ExportTraceServiceRequest.FromString(body))
        except (DecodeError, ValueError, RecursionError) as error:
            raise BadTraces(f"not an OTLP protobuf ExportTraceServiceRequest: {error}") from None
    else:
        try:
            document = json.loads(body)
        except (ValueError, RecursionError) as error:
            raise BadTraces(f"not JSON: {error}") from None
    if not isinstance(document, dict):
        raise BadTraces("the body must be a JSON object")
    rows: list[SpanRow] = []
    rejected = 0
    for resource_spans in _list(document.get("resourceSpans")):
        resource = _attributes(_dict(_dict(resource_spans).get("resource")).get("attributes"))
        service = resource.get("service.name")
        for scope_spans in _list(_dict(resource_spans).get("scopeSpans")):
            scope = _dict(_dict(scope_spans).get("scope"))
            for span in _list(_dict(scope_spans).get("spans")):
                row = _row(_dict(span), resource, str(service) if service is not None else "", _text(scope.get("name")))
                if row is None:
                    rejected += 1
                else:
                    rows.append(row)
    return rows, rejected


def _row(span: dict[str, Any], resource: dict[str, Any], service: str, scope: str) -> Optional[SpanRow]:
    trace_id, span_id = _id(span.get("traceId"), 16), _id(span.get("spanId"), 8)
    if not trace_id or not span_id or set(trace_id) == {"0"} or set(span_id) == {"0"}:
        return None
    status = _dict(span.get("status"))
    start = _seconds(span.get("startTimeUnixNano"))
    end = _seconds(span.get("endTimeUnixNano"))
    return SpanRow(
        trace_id=trace_id,
        span_id=span_id,
        parent_span_id=_id(span.get("parentSpanId"), 8) or "",
        name=_text(span.get("name")),
        kind=_enum(span.get("kind"), _KINDS, "SPAN_KIND_"),
        service=service,
        scope=scope,
        start_time=start,
        end_time=max(end, start),
        status_code=_enum(status.get("code"), _STATUSES, "STATUS_CODE_"),
        status_message=_text(status.get("message")),
        attributes=_attributes(span.get("attributes")),
        resource=resource,
        events=[{"name": _text(_dict(e).get("name")), "time": _seconds(_dict(e).get("timeUnixNano")),
                 "attributes": _attributes(_dict(e).get("attributes"))} for e in _list(span.get("events"))],
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _id(value: Any, size: int) -> str:
    """An id as lower-case hex: OTLP/JSON sends hex, protobuf's JSON mapping base64."""
    if not isinstance(value, str) or not value:
        return ""
    if len(value) == 2 * size and _HEX.fullmatch(value):
        return value.lower()
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return ""
    return raw.hex() if len(raw) == size else ""


def _seconds(value: Any) -> float:
    try:
        number = int(value) / 1e9 if isinstance(value, (str, int)) and not isinstance(value, bool) else 0.0
    except ValueError:
        return 0.0
    return number if math.isfinite(number) and 0 <= number < 1e11 else 0.0


def _enum(value: Any, names: list[str], prefix: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    if isinstance(value, str) and value.removeprefix(prefix) in names:
        return value.removeprefix(prefix)
    return names[0]


def _attributes(values: Any) -> dict[str, Any]:
    return {_text(_dict(kv).get("key")): _value(_dict(kv).get("value")) for kv in _list(values)}


def _value(value: Any, depth: int = 0) -> Any:
    """An ``AnyValue`` as plain JSON."""
    value = _dict(value)
    if depth > 8:
        return None
    if "stringValue" in value:
        return _text(value["stringValue"])
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "intValue" in value:
        try:
            return int(value["intValue"])
        except (TypeError, ValueError):
            return _text(value["intValue"])
    if "doubleValue" in value:
        number = value["doubleValue"]
        return number if isinstance(number, (int, float)) and math.isfinite(number) else _text(number)
    if "arrayValue" in value:
        return [_value(v, depth + 1) for v in _list(_dict(value["arrayValue"]).get("values"))]
    if "kvlistValue" in value:
        return {_text(_dict(kv).get("key")): _value(_dict(kv).get("value"), depth + 1)
                for kv in _list(_dict(value["kvlistValue"]).get("values"))}
    if "bytesValue" in value:
        return _text(value["bytesValue"])
    return None


def success(content_type: str, rejected: int, message: str = "") -> bytes:
    """An ``ExportTraceServiceResponse``."""
    if content_type == PROTOBUF:
        if not rejected:
            return b""
        inner = b"\x08" + _varint(rejected) + (b"\x12" + _varint(len(message.encode())) + message.encode() if message else b"")
        return b"\x0a" + _varint(len(inner)) + inner
    if not rejected:
        return b"{}"
    return json.dumps({"partialSuccess": {"rejectedSpans": str(rejected), "errorMessage": message}}).encode()


def status(content_type: str, code: int, message: str) -> bytes:
    """A ``google.rpc.Status`` (3 = INVALID_ARGUMENT)."""
    if content_type == PROTOBUF:
        text = message.encode()
        return b"\x08" + _varint(code) + b"\x12" + _varint(len(text)) + text
    return json.dumps({"code": code, "message": message}).encode()


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte, number = number & 0x7F, number >> 7
        out.append(byte | (0x80 if number else 0))
        if not number:
            return bytes(out)
