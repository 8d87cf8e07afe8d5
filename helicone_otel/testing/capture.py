"""In-memory span capture: a TracerProvider whose finished spans you can inspect."""

from __future__ import annotations

from typing import Optional

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from ..instrumentation.generic import HTTP_REQUEST_METHOD


class SpanCapture:
    """``capture = SpanCapture(); HeliconeAsyncLogger(..., tracer_provider=capture.tracer_provider)``
    then ``capture.spans()`` lists every finished span."""

    def __init__(self, tracer_provider: Optional[TracerProvider] = None) -> None:
        self.tracer_provider = tracer_provider or TracerProvider()
        self._exporter = InMemorySpanExporter()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self._exporter))

    def spans(self) -> list[ReadableSpan]:
        """Finished spans, oldest first (after a ``force_flush``: LLM spans are built on the
        export thread)."""
        self.tracer_provider.force_flush()
        return list(self._exporter.get_finished_spans())

    def llm_spans(self) -> list[ReadableSpan]:
        """Finished spans that describe an LLM call (not the generic spans of other endpoints,
        which carry the HTTP method)."""
        return [
            s for s in self.spans()
            if (s.attributes or {}).get("gen_ai.provider.name") and HTTP_REQUEST_METHOD not in (s.attributes or {})
        ]

    def clear(self) -> None:
        """Forget the spans captured so far."""
        self._exporter.clear()
