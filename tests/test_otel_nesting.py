"""Joining an app's tracing: a real server instrumentation (OpenTelemetry's WSGI middleware on
wsgiref) makes the server span of an incoming request, the handler calls the real openai SDK,
and our LLM spans, built later on the export thread, nest under that server span."""

from __future__ import annotations

import json
import threading
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from opentelemetry.trace import SpanKind

import helicone_otel
from helicone_otel import attributes as A
from helicone_otel.helicone_headers import request_id_of

wsgi = pytest.importorskip("opentelemetry.instrumentation.wsgi")

UPSTREAM_TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C
UPSTREAM_SPAN_ID = 0xB7AD6B7169203331


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def chat_app(client, capture):
    """A WSGI app on 127.0.0.1 under OpenTelemetry's middleware: GET /chat makes one chat call
    and one streamed call inside a session, and answers the reply."""

    def app(environ, start_response):
        with helicone_otel.session("s-web", path="/chat"), helicone_otel.user("u-7"):
            reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
            chunks = list(client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True))
        body = json.dumps({"reply": reply.choices[0].message.content, "chunks": len(chunks)}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    server = make_server("127.0.0.1", 0, wsgi.OpenTelemetryMiddleware(app, tracer_provider=capture.tracer_provider),
                         handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/chat"
    server.shutdown()
    server.server_close()


def test_llm_spans_nest_under_the_server_span(make_logger, chat_app, capture, collector):
    logger = make_logger()  # tracer_provider=capture.tracer_provider, the app's provider
    traceparent = f"00-{UPSTREAM_TRACE_ID:032x}-{UPSTREAM_SPAN_ID:016x}-01"
    with urllib.request.urlopen(urllib.request.Request(chat_app, headers={"traceparent": traceparent}), timeout=10) as response:
        assert json.loads(response.read())["reply"] == "Hello from the stand-in model."

    assert logger.flush(5.0)
    (server_span,) = [s for s in capture.spans() if s.kind is SpanKind.SERVER]
    llm_spans = capture.llm_spans()
    assert len(llm_spans) == 2 and len(capture.spans()) == 3  # nothing else: no span of ours per request
    # The server span continues the caller's trace; both LLM spans (one a stream) are its children.
    assert server_span.context.trace_id == UPSTREAM_TRACE_ID and server_span.parent.span_id == UPSTREAM_SPAN_ID
    for llm in llm_spans:
        assert llm.context.trace_id == UPSTREAM_TRACE_ID
        assert llm.parent.span_id == server_span.context.span_id
        assert server_span.start_time <= llm.start_time <= llm.end_time <= server_span.end_time
        assert llm.attributes[A.SESSION_ID] == "s-web" and llm.attributes[A.USER_ID] == "u-7"
    # helicone.* context goes on LLM spans only, never on the app's own spans.
    assert not [key for key in server_span.attributes if key.startswith("helicone.")]

    # Helicone gets the two LLM calls, not the server span, each under the id of its span.
    records = collector.store.requests()
    assert sorted(r.id for r in records) == sorted(request_id_of(s.context.trace_id, s.context.span_id) for s in llm_spans)
    assert {r.user_id for r in records} == {"u-7"}
    assert {r.properties.get("Helicone-Session-Id") for r in records} == {"s-web"}
