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
from .extract import read_call
from .helicone import custom_log, encode, is_step, step_log
from .spans import SpanBuilder


class RecordBuilder:
    """``RecordBuilder(tracer_provider, price_book)(item) -> bytes | None``."""

    def __init__(self, tracer_provider: Any, price_book: Optional[PriceBook], mask: Optional[Callable[[str], str]] = None) -> None:
        self._spans = SpanBuilder(tracer_provider, mask)
        self._price_book = price_book
        self._mask = mask

    def __call__(self, item: Any) -> Optional[bytes]:
        if isinstance(item, Call):
            record = read_call(item, self._price_book, self._mask)
            # A span that cannot be built must not cost the Helicone record.
            guard("building a span", self._spans.build, item, record)
            if item.proxied:  # Helicone's proxy logged it: one call, one record
                return None
            return encode(custom_log, item, record)
        if isinstance(item, ReadableSpan):
            attributes = item.attributes or {}
            if not is_step(attributes):
                return None
            error = item.status.description if not item.status.is_ok else None
            if error is None and attributes.get(A.ERROR_TYPE):
                error = str(attributes[A.ERROR_TYPE])
            start = item.start_time or 0
            request_id = str(attributes.get(A.HELICONE_REQUEST_ID) or request_id_of(item.context.trace_id, item.context.span_id))
            return encode(step_log, attributes, request_id, start, item.end_time or start, error)
        return None
