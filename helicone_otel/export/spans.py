"""Export thread: build the call's OpenTelemetry span, with the ids, parent and timestamps the
caller recorded, through the TracerProvider's own tracer (sampler, limits, processors)."""

from __future__ import annotations

import threading
from typing import Any, Callable

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.id_generator import IdGenerator, RandomIdGenerator
from opentelemetry.trace import SpanKind, Status, StatusCode

from .. import attributes as A
from .._version import __version__
from ..capture.call import Call
from .extract import CallRecord


class _PresetIds(IdGenerator):
    """Hands the SDK tracer the ids the caller's thread already gave the call (children made
    during the call point at them). Only the export thread builds spans with this tracer."""

    def __init__(self) -> None:
        self._local = threading.local()

    def preset(self, trace_id: int, span_id: int) -> None:
        self._local.ids = (trace_id, span_id)

    def generate_trace_id(self) -> int:
        return self._local.ids[0]

    def generate_span_id(self) -> int:
        return self._local.ids[1]


def id_generator_of(provider: Any) -> IdGenerator:
    """The provider's own id generator (X-Ray and other formats keep working), else random."""
    generator = getattr(provider, "id_generator", None)
    return generator if isinstance(generator, IdGenerator) else RandomIdGenerator()


def error_type(exc: BaseException) -> str:
    """semconv ``error.type``: the HTTP status of an API error, else the exception class. An
    error event inside a stream the server answered 200 (Anthropic's ``overloaded_error``)
    raises with status 200: that is no error status, so the class names it."""
    status = getattr(exc, "status_code", None)
    return str(status) if isinstance(status, int) and status >= 400 else type(exc).__qualname__


def record_error(
    span: trace.Span, exc: BaseException, timestamp: int | None = None, capture_content: bool = True,
    mask: Callable[[str], str] | None = None,
) -> None:
    """Mark ``span`` failed by ``exc``: ``error.type``, one exception event, ERROR status.

    An error message is content (a provider's 401 can echo the key, a 400 the prompt): with
    capture off only the error's type leaves the process, and ``mask`` sees every message."""
    kind = error_type(exc)
    span.set_attribute(A.ERROR_TYPE, kind)
    message = str(exc)[:1024] if capture_content else kind
    if mask is not None and capture_content:
        message = mask(message)
    if capture_content and mask is None:
        span.record_exception(exc, timestamp=timestamp)
    else:
        span.record_exception(exc, attributes={"exception.message": message, "exception.stacktrace": ""}, timestamp=timestamp)
    span.set_status(Status(StatusCode.ERROR, message))


class SpanBuilder:
    """``SpanBuilder(tracer_provider).build(call, record)`` → the ended span."""

    def __init__(self, tracer_provider: Any, mask: Callable[[str], str] | None = None) -> None:
        self._mask = mask
        self._provider = tracer_provider
        self._ids = _PresetIds()
        self._tracer = trace.get_tracer("helicone_otel", __version__, tracer_provider=tracer_provider)
        # The SDK tracer asks its id generator for the new span's ids; ours answers with the
        # preset ones. A tracer without one (an API-only provider) makes no real spans anyway.
        if hasattr(self._tracer, "id_generator"):
            self._tracer.id_generator = self._ids

    def wanted(self) -> bool:
        """False while the provider has no processor but our own (a private provider
        nobody reads): then building the span, ≈ 20 µs, and its message JSON are skipped. Asked
        per call, so a processor added later gets every span from then on."""
        multi = getattr(self._provider, "_active_span_processor", None)
        processors = getattr(multi, "_span_processors", None)
        if not isinstance(processors, tuple):
            return True
        return any(not getattr(p, "reads_no_spans", False) for p in processors)

    def build(self, call: Call, record: CallRecord) -> ReadableSpan | None:
        """Start and end the span of ``call`` with its recorded times; returns it if recorded."""
        self._ids.preset(call.trace_id, call.span_id)
        attributes = {**record.attributes, **record.context} if record.context else record.attributes
        span = self._tracer.start_span(
            record.name,
            context=call.parent,
            kind=SpanKind.CLIENT,
            attributes=attributes,
            start_time=call.start_ns,
        )
        if call.error is not None:
            record_error(span, call.error, call.end_ns, call.capture_content, self._mask)
        span.end(end_time=call.end_ns)
        return span if isinstance(span, ReadableSpan) else None
