"""``POST /v1/traces``: standard OTLP/HTTP from the OpenTelemetry SDK's own exporter (protobuf,
plain and gzip) and OTLP/JSON, kept as generic spans (not Helicone requests) and shown by the
web view; answers as the OTLP specification says."""

from __future__ import annotations

import base64
import json

import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Status, StatusCode

from helicone_otel.collector import Collector
from helicone_otel.collector.reads import spans_page, trace_spans

from .webview_data import get, otlp_document, otlp_span, post


def export_with_sdk(url: str, compression: Compression = Compression.NoCompression, **exporter) -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": "checkout"}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=url + "/v1/traces", compression=compression,
                                                                     **exporter)))
    tracer = provider.get_tracer("tests.otlp", "1.0")
    with tracer.start_as_current_span("handle order", attributes={"order.id": 42, "vip": True, "ratio": 0.5,
                                                                   "tags": ["a", "b"]}) as root:
        root.add_event("validated", {"items": 3})
        with tracer.start_as_current_span("chat gpt-4o-mini", attributes={
                "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 11, "gen_ai.usage.output_tokens": 5}) as child:
            child.set_status(Status(StatusCode.ERROR, "rate limited"))
    provider.shutdown()


@pytest.mark.parametrize("compression", [Compression.NoCompression, Compression.Gzip])
def test_sdk_exporter_spans_are_stored_as_sent(collector, compression):
    export_with_sdk(collector.url, compression)
    page = spans_page(collector.store)
    assert page.total == 2 and collector.store.requests() == []  # generic spans, not Helicone requests
    child, root = page.rows
    assert (root.name, root.service, root.scope, root.kind, root.parent_span_id) == ("handle order", "checkout", "tests.otlp",
                                                                                      "INTERNAL", "")
    assert root.attributes == {"order.id": 42, "vip": True, "ratio": 0.5, "tags": ["a", "b"]}
    assert root.events[0]["name"] == "validated" and root.events[0]["attributes"] == {"items": 3}
    assert child.parent_span_id == root.span_id and child.trace_id == root.trace_id and len(root.trace_id) == 32
    assert (child.status_code, child.status_message) == ("ERROR", "rate limited")
    assert root.end_time >= child.end_time > child.start_time >= root.start_time > 1.7e9
    assert [s.name for s in trace_spans(collector.store, root.trace_id)] == ["handle order", "chat gpt-4o-mini"]
    view = get(collector.url + f"/traces/{root.trace_id}")[2]
    assert "handle order" in view and "rate limited" in view and "11 / 5" in view


def test_otlp_json_with_hex_or_base64_ids(collector):
    spans = [otlp_span("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "hex ids", 1.7e9, 1.7e9 + 1, {"n": 1}),
             otlp_span(base64.b64encode(bytes(range(16))).decode(), base64.b64encode(bytes(range(8))).decode(), "base64 ids",
                       1.7e9, 1.7e9 + 1, {})]
    status, body = post(collector.url + "/v1/traces", otlp_document("svc", spans))
    assert (status, json.loads(body)) == (200, {})
    names = {s.name: s for s in spans_page(collector.store).rows}
    assert names["hex ids"].trace_id == "0af7651916cd43dd8448eb211c80319c"
    assert names["base64 ids"].trace_id == bytes(range(16)).hex() and names["base64 ids"].span_id == bytes(range(8)).hex()


def test_spans_without_ids_are_counted_as_rejected(collector):
    spans = [otlp_span("", "b7ad6b7169203331", "no trace", 1.7e9, 1.7e9, {}),
             otlp_span("0" * 32, "b7ad6b7169203331", "zero trace", 1.7e9, 1.7e9, {}),
             otlp_span("ab" * 16, "cd" * 8, "kept", 1.7e9, 1.7e9, {})]
    status, body = post(collector.url + "/v1/traces", otlp_document("svc", spans))
    assert status == 200 and json.loads(body)["partialSuccess"]["rejectedSpans"] == "2"
    document = otlp_document("svc", spans)
    from google.protobuf.json_format import ParseDict
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    message = ExportTraceServiceRequest()
    for span in document["resourceSpans"][0]["scopeSpans"][0]["spans"]:
        span["traceId"] = base64.b64encode(bytes.fromhex(span["traceId"])).decode()
        span["spanId"] = base64.b64encode(bytes.fromhex(span["spanId"])).decode()
    ParseDict(document, message)
    status, body = post(collector.url + "/v1/traces", message.SerializeToString(), {"Content-Type": "application/x-protobuf"})
    assert status == 200 and ExportTraceServiceResponse.FromString(body).partial_success.rejected_spans == 2
    assert spans_page(collector.store).total == 1


@pytest.mark.parametrize("body,content_type,expected", [
    (b"\xff\xff\xff", "application/x-protobuf", 400),
    (b"{not json", "application/json", 400),
    (b"[1, 2]", "application/json", 400),
    (b"{}", "text/plain", 415),
])
def test_bad_bodies(collector, body, content_type, expected):
    assert post(collector.url + "/v1/traces", body, {"Content-Type": content_type})[0] == expected


def test_api_key_applies_when_set(tmp_path):
    with Collector(str(tmp_path / "k.db"), port=0, api_key="right") as secured:
        document = otlp_document("svc", [otlp_span("ab" * 16, "cd" * 8, "x", 1.7e9, 1.7e9, {})])
        assert post(secured.url + "/v1/traces", document, {"Authorization": "Bearer wrong"})[0] == 401
        assert post(secured.url + "/v1/traces", document, {"Authorization": "Bearer right"})[0] == 200
        export_with_sdk(secured.url, headers={"Authorization": "Bearer right"})
        assert spans_page(secured.store).total == 3


def test_logger_otlp_endpoint_sends_llm_spans_here(make_logger, client, collector, capture):
    make_logger(otlp_endpoint=collector.url + "/v1/traces")
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    capture.tracer_provider.force_flush()
    names = [s.name for s in spans_page(collector.store).rows]
    assert any("gpt-4o-mini" in name for name in names), names
