"""The builder thread's one job per item: a recorded call becomes its span and its Helicone
body; an ended step span becomes its Helicone body."""

from __future__ import annotations

from typing import Any, Callable, Optional

from opentelemetry.sdk.trace import ReadableSpan

from .. import attributes as A
from ..capture.call import Call
from ..cost import PriceBook
from ..guard import guard
from ..helicone_headers import request_id_of
from ..instrumentation.generic import generic_record, is_generic
from .extract import read_call
from .helicone import custom_log, encode, is_step, step_log
from .spans import SpanBuilder


class RecordBuilder:
    """``RecordBuilder(tracer_provider, price_book)(item) -> bytes | None``."""

    def __init__(
        self,
        tracer_provider: Any,
        price_book: Optional[PriceBook],
        mask: Optional[Callable[[str], str]] = None,
        should_export: Optional[Callable[[ReadableSpan], bool]] = None,
        helicone: bool = True,
    ) -> None:
        self._spans = SpanBuilder(tracer_provider, mask)
        self._price_book = price_book
        self._mask = mask
        self._should_export = should_export
        self._helicone = helicone

    def _wanted(self, span: Optional[ReadableSpan]) -> bool:
        if not self._helicone:
            return False
        if self._should_export is None or span is None:
            return True
        return bool(guard("calling should_export", self._should_export, span))

    def __call__(self, item: Any) -> Optional[bytes]:
        if isinstance(item, Call):
            # should_export decides on the span, so then it is always built.
            wanted = self._should_export is not None or self._spans.wanted()
            record = read_call(item, self._price_book, self._mask, for_span=wanted)
            generic = is_generic(item.endpoint)
            if generic:  # no dedicated extractor: name and operation from the request path
                record = guard("naming a span", generic_record, item.path, record) or record
            # A span that cannot be built must not cost the Helicone record.
            span = guard("building a span", self._spans.build, item, record) if wanted else None
            # Helicone's proxy logged it (one call, one record); a generic call is a span for
            # OpenTelemetry backends only (Helicone would keep it as a junk request).
            if item.proxied or generic or not self._wanted(span):
                return None
            return encode(custom_log, item, record)
        if isinstance(item, ReadableSpan):
            attributes = item.attributes or {}
            if not is_step(attributes) or not self._wanted(item):
                return None
            error = (item.status.description or "error") if not item.status.is_ok else None
            if error is None and attributes.get(A.ERROR_TYPE):
                error = str(attributes[A.ERROR_TYPE])
            start = item.start_time or 0
            request_id = str(attributes.get(A.HELICONE_REQUEST_ID) or request_id_of(item.context.trace_id, item.context.span_id))
            return encode(step_log, attributes, request_id, start, item.end_time or start, error)
        return None
