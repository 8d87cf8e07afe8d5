"""Another GenAI instrumentor (openai-v2, OpenLLMetry) or an httpx instrumentor active beside
ours: what spans appear, and that ours stays one LLM span and one Helicone record per call."""

from __future__ import annotations

import openai
import pytest
from opentelemetry.trace import SpanKind

from helicone_otel.helicone_headers import request_id_of
from helicone_otel.testing import Reply

MESSAGES = [{"role": "user", "content": "hi"}]
OURS = "helicone_otel"  # our tracer's instrumentation scope


@pytest.fixture
def instrumented(capture):
    """``instrumented(SomeInstrumentor())``: active on the test's provider until the test ends."""
    active = []

    def instrument(instrumentor):
        instrumentor.instrument(tracer_provider=capture.tracer_provider)
        active.append(instrumentor)

    yield instrument
    for instrumentor in reversed(active):
        instrumentor.uninstrument()


def _http_module(client: openai.OpenAI) -> str:
    """The HTTP library the SDK sends with: httpx2 for openai 3.x, httpx for 1.x and 2.x."""
    roots = (cls.__module__.split(".", 1)[0] for cls in type(client._client).__mro__)
    return next(root for root in roots if root in ("httpx", "httpx2"))


async def test_openai_v2_adds_its_span_above_ours(make_logger, client, async_client, capture, collector, instrumented):
    # OpenLLMetry (opentelemetry-instrumentation-openai 0.62) nests ours the same way, but its
    # uninstrument() leaves its 24 wraps in place, so it cannot run in this process's tests.
    openai_v2 = pytest.importorskip("opentelemetry.instrumentation.openai_v2")
    logger = make_logger()
    instrumented(openai_v2.OpenAIInstrumentor())
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    list(client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
    await async_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert logger.flush(5.0)

    spans = capture.spans()
    ours = [s for s in spans if s.instrumentation_scope.name == OURS]
    theirs = {s.context.span_id: s for s in spans if s.instrumentation_scope.name != OURS}
    # Two GenAI spans per call: theirs wraps the SDK method, ours its request point, so ours is
    # the child of theirs in the same trace. Nothing else, and never two of ours.
    assert len(ours) == 3 and len(theirs) == 3
    assert sorted(s.parent.span_id for s in ours) == sorted(theirs)
    for span in ours:
        parent = theirs[span.parent.span_id]
        assert parent.kind is SpanKind.CLIENT and parent.context.trace_id == span.context.trace_id
        assert parent.attributes["gen_ai.operation.name"] == "chat"
    # Helicone gets one record per call, under our span's id.
    records = collector.store.requests()
    assert sorted(r.id for r in records) == sorted(request_id_of(s.context.trace_id, s.context.span_id) for s in ours)


def test_http_client_spans_nest_under_ours(make_logger, openai_server, capture, collector, instrumented):
    httpx_instrumentation = pytest.importorskip("opentelemetry.instrumentation.httpx")
    logger = make_logger()
    client = openai.OpenAI(base_url=openai_server.base_url, api_key="k", max_retries=1)
    instrumentor = {"httpx": httpx_instrumentation.HTTPXClientInstrumentor,
                    "httpx2": httpx_instrumentation.HTTPX2ClientInstrumentor}[_http_module(client)]
    instrumented(instrumentor())
    openai_server.reply_next(Reply(500, {"error": {"message": "try again"}}, headers={"retry-after-ms": "1"}))
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # sent twice: the SDK retries
    list(client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
    client.close()
    assert logger.flush(5.0)

    spans = capture.spans()
    retried, streamed = sorted((s for s in spans if s.instrumentation_scope.name == OURS), key=lambda s: s.start_time)
    http = sorted((s for s in spans if s.instrumentation_scope.name != OURS), key=lambda s: s.start_time)
    assert len(spans) == 5 and all(s.kind is SpanKind.CLIENT for s in http)
    # Each request on the wire is a child of the LLM span of its call; a retry is one more HTTP
    # span, not one more LLM span.
    assert [s.parent.span_id for s in http] == [retried.context.span_id] * 2 + [streamed.context.span_id]
    assert {s.context.trace_id for s in http} == {retried.context.trace_id, streamed.context.trace_id}
    assert [s.attributes.get("http.status_code", s.attributes.get("http.response.status_code")) for s in http] == [500, 200, 200]
    assert len(collector.store.requests()) == 2


def test_the_httpx_instrumentor_does_not_see_openai_3(make_logger, client, capture, instrumented):
    """openai 3.x sends through httpx2: ``HTTPXClientInstrumentor`` sees nothing of it (only a
    legacy ``httpx.Client`` passed as ``http_client=``); ``HTTPX2ClientInstrumentor`` does."""
    httpx_instrumentation = pytest.importorskip("opentelemetry.instrumentation.httpx")
    if _http_module(client) != "httpx2":
        pytest.skip("this openai sends through httpx")
    make_logger()
    instrumented(httpx_instrumentation.HTTPXClientInstrumentor())
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert [s.instrumentation_scope.name for s in capture.spans()] == [OURS]


def test_a_client_traced_twice_is_one_span(make_logger, client, capture, collector, caplog):
    """``instrument_client`` on a client whose class is already instrumented changes nothing."""
    logger = make_logger()
    assert logger.instrument_client(client) is client
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert logger.flush(5.0)
    assert len(capture.spans()) == 1 and len(collector.store.requests()) == 1
    assert "already traced for every client" in caplog.text
