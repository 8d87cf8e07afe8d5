"""``context_on_all_spans``: the caller's session, user and properties on every span of a
shared TracerProvider, not only on LLM and step spans.

    HeliconeAsyncLogger(tracer_provider=provider, context_on_all_spans=True).init()

A span processor's ``on_start`` runs on the thread that starts the span, so the context it reads
is the caller's. Our own spans are left alone: LLM spans get the context recorded at call time
on the export thread (whose own context is empty), steps stamp theirs when they start.
"""

from __future__ import annotations

from typing import Any, Optional

from opentelemetry.sdk.trace import SpanProcessor

from .capture.call import Recorder
from .context import current_attributes

_OURS = "helicone_otel"


class ContextSpanProcessor(SpanProcessor):
    """Stamps ``helicone.session.*``, ``helicone.user.id`` and ``helicone.property.*`` (process
    defaults under the current context) on each span another instrumentation starts."""

    reads_no_spans = True  # SpanBuilder.wanted: stamping others' spans is no reason to build ours

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder  # its ``defaults`` mapping is replaced by set_properties, never mutated

    def on_start(self, span: Any, parent_context: Optional[Any] = None) -> None:
        scope = getattr(span, "instrumentation_scope", None)
        if scope is not None and (scope.name or "").startswith(_OURS):
            return
        current, defaults = current_attributes(), self._recorder.defaults
        if not current and not defaults:
            return
        try:
            span.set_attributes({**defaults, **current} if defaults else current)
        except Exception:  # noqa: BLE001 - a span that refuses attributes (ended, limits) stays as it is
            pass
