"""Fitting an OpenTelemetry setup: any OTLP backend beside Helicone, sampling and filtering,
spans-only loggers for tests."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

import helicone_otel
from helicone_otel import HeliconeAsyncLogger
from helicone_otel import attributes as A
from helicone_otel.testing import SpanCapture

MESSAGES = [{"role": "user", "content": "hi"}]


class _OtlpSink(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                self.server.spans.extend(scope_spans.spans)
        self.server.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def otlp_sink():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OtlpSink)
    server.spans, server.paths = [], []
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_spans_go_to_an_otlp_backend_beside_helicone(collector, client, otlp_sink):
    logger = HeliconeAsyncLogger(base_url=collector.url, providers=["openai"],
                                 otlp_endpoint=f"http://127.0.0.1:{otlp_sink.server_address[1]}").init()
    with helicone_otel.session("s-otlp"):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert logger.flush(5.0)
    logger.shutdown()  # flushes the OTLP batch processor of our private provider
    assert len(collector.store.requests()) == 1
    (span,) = otlp_sink.spans
    attributes = {kv.key: kv.value for kv in span.attributes}
    assert span.name == "chat gpt-4o-mini" and otlp_sink.paths == ["/v1/traces"]
    assert attributes["gen_ai.usage.input_tokens"].int_value == 1
    assert attributes[A.SESSION_ID].string_value == "s-otlp"


def test_standard_otlp_variables_turn_it_on(monkeypatch, collector, client, otlp_sink):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{otlp_sink.server_address[1]}")
    logger = HeliconeAsyncLogger(providers=["openai"], helicone=False).init()
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    logger.shutdown()
    assert len(otlp_sink.spans) == 1 and otlp_sink.paths == ["/v1/traces"]


def test_spans_only_logger_for_tests_needs_no_collector(client, caplog):
    capture = SpanCapture()
    logger = HeliconeAsyncLogger(helicone=False, providers=["openai"], tracer_provider=capture.tracer_provider).init()
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert len(capture.llm_spans()) == 1
    logger.shutdown(1.0)
    stats = logger.stats()
    assert stats.exported == 0 and stats.dropped == 0 and stats.not_sent == 1
    assert "dropped" not in caplog.text and "rejected" not in caplog.text


def test_sample_rate_keeps_or_drops_whole_traces(make_logger, client, capture):
    logger = make_logger(sample_rate=0.0)
    tracer = capture.tracer_provider.get_tracer("app")
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # a new trace: dropped
    with tracer.start_as_current_span("sampled request"):  # inside a sampled trace: kept
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert len(capture.llm_spans()) == 1
    stats = logger.stats()
    assert stats.sampled_out == 1 and stats.dropped == 0
    with pytest.raises(ValueError, match="sample_rate must be between 0 and 1"):
        HeliconeAsyncLogger(base_url="http://127.0.0.1:1", sample_rate=1.5)


def test_half_sampling_follows_the_trace_id(make_logger, client, capture):
    logger = make_logger(sample_rate=0.5)
    for _ in range(200):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    kept = len(capture.llm_spans())
    assert 60 < kept < 140 and kept + logger.stats().sampled_out == 200
    for span in capture.llm_spans():
        assert (span.context.trace_id & 0xFFFFFFFFFFFFFFFF) < 1 << 63


def test_should_export_keeps_calls_from_helicone_but_not_from_spans(make_logger, client, capture, collector):
    logger = make_logger(should_export=lambda span: span.attributes.get(A.PROPERTY_PREFIX + "Private") != "yes")
    with helicone_otel.properties(Private="yes"):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert logger.flush(5.0)
    assert len(capture.llm_spans()) == 2 and len(collector.store.requests()) == 1
    stats = logger.stats()
    assert stats.exported == 1 and stats.not_sent == 1 and stats.dropped == 0


def test_zero_code_with_opentelemetry_instrument(collector, openai_server, tmp_path):
    """``opentelemetry-instrument python app.py`` traces LLM calls with no code change."""
    import os
    import shutil
    import subprocess
    import sys

    app = tmp_path / "app.py"
    app.write_text(
        "import os, openai\n"
        "c = openai.OpenAI(base_url=os.environ['STANDIN'], api_key='k', max_retries=0)\n"
        "for _ in range(3):\n"
        "    c.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'user', 'content': 'hi'}])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELICONE_", "OTEL_"))}
    env.update(HELICONE_BASE_URL=collector.url, STANDIN=openai_server.base_url, OTEL_TRACES_EXPORTER="none",
               OTEL_METRICS_EXPORTER="none", OTEL_LOGS_EXPORTER="none")
    command = shutil.which("opentelemetry-instrument", path=os.path.dirname(sys.executable))
    result = subprocess.run([command, sys.executable, str(app)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(collector.store.requests()) == 3


async def test_one_client_only(make_logger, openai_server, capture):
    import openai

    logger = make_logger(providers=[])
    traced = logger.instrument_client(openai.OpenAI(base_url=openai_server.base_url, api_key="k", max_retries=0))
    traced_async = logger.instrument_client(openai.AsyncOpenAI(base_url=openai_server.base_url, api_key="k", max_retries=0))
    other = openai.OpenAI(base_url=openai_server.base_url, api_key="k", max_retries=0)
    traced.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    await traced_async.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    list(traced.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
    other.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert len(capture.llm_spans()) == 3
    assert "request" not in openai.OpenAI.__dict__
    with pytest.raises(TypeError, match="not a client of a supported SDK"):
        logger.instrument_client(object())


def _app_span(capture, name):
    return next(s for s in capture.spans() if s.name == name)


def test_context_goes_on_llm_and_step_spans_only_by_default(make_logger, client, capture):
    make_logger()
    tracer = capture.tracer_provider.get_tracer("app")
    with helicone_otel.session("s-app", path="/job"), helicone_otel.user("u-1"):
        with tracer.start_as_current_span("app work"):
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    capture.tracer_provider.force_flush()
    assert not any(key.startswith("helicone.") for key in _app_span(capture, "app work").attributes)
    assert capture.llm_spans()[0].attributes[A.SESSION_ID] == "s-app"


def test_context_on_all_spans_when_asked(make_logger, client, capture, monkeypatch):
    logger = make_logger(context_on_all_spans=True)
    logger.set_properties({"Helicone-Property-App": "web"})
    tracer = capture.tracer_provider.get_tracer("app")
    with helicone_otel.session("s-app", path="/job"), helicone_otel.properties(Tier="gold"):
        with tracer.start_as_current_span("app work"):
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    with tracer.start_as_current_span("outside any session"):
        pass
    capture.tracer_provider.force_flush()
    app = _app_span(capture, "app work").attributes
    assert app[A.SESSION_ID] == "s-app" and app[A.SESSION_PATH] == "/job"
    assert app[A.PROPERTY_PREFIX + "Tier"] == "gold" and app[A.PROPERTY_PREFIX + "App"] == "web"
    outside = _app_span(capture, "outside any session").attributes
    assert A.SESSION_ID not in outside and outside[A.PROPERTY_PREFIX + "App"] == "web"
    # The LLM span keeps the context of its own call, not a default laid over it.
    llm = capture.llm_spans()[0].attributes
    assert llm[A.SESSION_ID] == "s-app" and llm[A.PROPERTY_PREFIX + "Tier"] == "gold"
    monkeypatch.setenv("HELICONE_CONTEXT_ON_ALL_SPANS", "maybe")
    with pytest.raises(ValueError, match="HELICONE_CONTEXT_ON_ALL_SPANS"):
        HeliconeAsyncLogger(base_url="http://127.0.0.1:1")
    with pytest.raises(TypeError, match="context_on_all_spans must be a bool"):
        HeliconeAsyncLogger(base_url="http://127.0.0.1:1", context_on_all_spans="yes")
