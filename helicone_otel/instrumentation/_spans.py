"""Shared by every instrumentor: start/end of an LLM span, error recording, guarded extraction
and the stream proxies that observe chunks without changing them.

Nothing here may raise into the user's call: every step that touches the user's data runs
under :func:`guard`, which logs a failure once per kind and lets the call go on.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable, Optional, Protocol

import wrapt
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.instrumentation.utils import is_instrumentation_enabled
from opentelemetry.trace import SpanKind, Status, StatusCode

from .. import attributes as A
from ..cost import PriceBook, span_cost

logger = logging.getLogger("helicone_otel")

_reported: set[str] = set()
_reported_lock = threading.Lock()


def report_once(kind: str, exc: BaseException) -> None:
    """Log an internal failure the first time a given ``kind`` of it happens."""
    key = f"{kind}:{type(exc).__name__}"
    with _reported_lock:
        if key in _reported:
            return
        _reported.add(key)
    logger.warning(
        "helicone_otel: %s failed (%s: %s); the call goes on, this telemetry is incomplete. "
        "Further failures of this kind are not logged.",
        kind,
        type(exc).__name__,
        exc,
        exc_info=exc,
    )


def guard(kind: str, func: Callable[..., Any], *args: Any) -> Any:
    """Run one step of our instrumentation; on failure report it once and return None."""
    try:
        return func(*args)
    except Exception as exc:  # noqa: BLE001 - our bug must never reach the user
        report_once(kind, exc)
        return None


class InstrumentationOptions:
    """Runtime switches an instrumentor reads on every call (shared with the logger)."""

    __slots__ = ("capture_content", "enabled", "request_stream_usage", "price_book")

    def __init__(
        self,
        capture_content: bool = True,
        enabled: bool = True,
        request_stream_usage: bool = True,
        price_book: Optional[PriceBook] = None,
    ):
        self.capture_content = capture_content
        self.enabled = enabled
        self.request_stream_usage = request_stream_usage
        self.price_book = price_book

    def active(self) -> bool:
        """True when spans should be made for calls now."""
        return self.enabled and is_instrumentation_enabled()


class StreamAccumulator(Protocol):
    """Collects what a stream's chunks say, for the span at the stream's end."""

    def add(self, chunk: Any) -> None: ...

    def attributes(self, capture_content: bool) -> dict[str, Any]: ...


class LLMCall:
    """One traced SDK call: its span, timing and the guarantee that it ends exactly once."""

    __slots__ = (
        "span", "_token", "_started", "_first_chunk", "_ended", "capture_content", "_price_book", "_provider",
        "_request_model", "_lock",
    )

    def __init__(self, tracer: trace.Tracer, name: str, attributes: dict[str, Any], opts: InstrumentationOptions):
        self.span = tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attributes)
        # Current while the SDK runs, so HTTP-client spans nest under ours.
        self._token = otel_context.attach(trace.set_span_in_context(self.span))
        self._started = time.monotonic()
        self._first_chunk: Optional[float] = None
        self._ended = False
        self.capture_content = opts.capture_content
        self._price_book = opts.price_book
        self._provider = attributes.get(A.PROVIDER_NAME) or ""
        self._request_model = attributes.get(A.REQUEST_MODEL)
        self._lock = threading.Lock()

    def detach(self) -> None:
        """Stop being the current span (the SDK call has returned or raised)."""
        token, self._token = self._token, None
        if token is not None:
            try:
                otel_context.detach(token)
            except Exception:  # noqa: BLE001 - detaching in another context is harmless here
                pass

    def mark_chunk(self) -> None:
        """Note the arrival of a stream chunk (the first sets time to first chunk)."""
        if self._first_chunk is None:
            self._first_chunk = time.monotonic()
            self.span.set_attribute(A.RESPONSE_TIME_TO_FIRST_CHUNK, self._first_chunk - self._started)

    def _claim_end(self) -> bool:
        with self._lock:
            if self._ended:
                return False
            self._ended = True
            return True

    def finish(self, attributes: Optional[dict[str, Any]]) -> None:
        """End the span with the response attributes (None when extraction failed)."""
        if not self._claim_end():
            return
        if attributes:
            self._add_cost(attributes)
            self.span.set_attributes(attributes)
        self.span.end()

    def _add_cost(self, attributes: dict[str, Any]) -> None:
        if self._price_book is not None:
            cost = guard("computing cost", span_cost, self._price_book, self._provider, self._request_model, attributes)
            if cost is not None:
                attributes[A.USAGE_COST] = cost

    def fail(self, exc: BaseException, attributes: Optional[dict[str, Any]] = None) -> None:
        """End the span as an error caused by ``exc`` (which the caller re-raises unchanged)."""
        if not self._claim_end():
            return
        try:
            if attributes:
                self._add_cost(attributes)
                self.span.set_attributes(attributes)
            record_error(self.span, exc)
        finally:
            self.span.end()

    @property
    def ended(self) -> bool:
        """True once the span has ended."""
        return self._ended


def _error_type(exc: BaseException) -> str:
    status = getattr(exc, "status_code", None)
    return str(status) if isinstance(status, int) else type(exc).__qualname__


def record_error(span: trace.Span, exc: BaseException) -> None:
    """Mark ``span`` failed by ``exc``: ``error.type``, one exception event, ERROR status."""
    span.set_attribute(A.ERROR_TYPE, _error_type(exc))
    span.record_exception(exc)
    span.set_status(Status(StatusCode.ERROR, str(exc)[:1024]))


def start_call(
    tracer: trace.Tracer, name: str, attributes: dict[str, Any], opts: InstrumentationOptions
) -> Optional[LLMCall]:
    """Start a span for an SDK call, or return None if even that failed (reported once)."""
    try:
        return LLMCall(tracer, name, attributes, opts)
    except Exception as exc:  # noqa: BLE001
        report_once("starting a span", exc)
        return None


class SyncStreamProxy(wrapt.ObjectProxy):  # type: ignore[misc]
    """Wraps an SDK stream: the user iterates the real chunks; we watch them go by."""

    def __init__(self, wrapped: Any, call: LLMCall, accumulator: StreamAccumulator, skip: Callable[[Any], bool] | None = None):
        super().__init__(wrapped)
        self._self_call = call
        self._self_acc = accumulator
        self._self_skip = skip

    def __iter__(self) -> "SyncStreamProxy":
        return self

    def __next__(self) -> Any:
        while True:
            try:
                chunk = self.__wrapped__.__next__()
            except StopIteration:
                self._self_end()
                raise
            except BaseException as exc:
                self._self_fail(exc)
                raise
            self._self_observe(chunk)
            skip = self._self_skip
            if skip is None or not guard("reading a stream chunk", skip, chunk):
                return chunk

    def _self_observe(self, chunk: Any) -> None:
        # Per chunk, so one try block instead of a guard() call per step.
        try:
            call = self._self_call
            if call._first_chunk is None:
                call.mark_chunk()
            self._self_acc.add(chunk)
        except Exception as exc:  # noqa: BLE001
            report_once("reading a stream chunk", exc)

    def _self_end(self) -> None:
        call = self._self_call
        if not call.ended:
            call.finish(guard("reading a finished stream", self._self_acc.attributes, call.capture_content))

    def _self_fail(self, exc: BaseException) -> None:
        call = self._self_call
        if not call.ended:
            partial = guard("reading a broken stream", self._self_acc.attributes, call.capture_content)
            guard("recording a stream error", call.fail, exc, partial)

    def close(self) -> None:
        try:
            self.__wrapped__.close()
        finally:
            self._self_end()

    def __enter__(self) -> "SyncStreamProxy":
        self.__wrapped__.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> Any:
        try:
            return self.__wrapped__.__exit__(*exc_info)
        finally:
            self._self_end()

    def __del__(self) -> None:
        # A stream the user abandoned still ends its span with what was seen.
        try:
            self._self_end()
        except Exception:  # noqa: BLE001
            pass


class AsyncStreamProxy(wrapt.ObjectProxy):  # type: ignore[misc]
    """Async twin of :class:`SyncStreamProxy`."""

    def __init__(self, wrapped: Any, call: LLMCall, accumulator: StreamAccumulator, skip: Callable[[Any], bool] | None = None):
        super().__init__(wrapped)
        self._self_call = call
        self._self_acc = accumulator
        self._self_skip = skip

    def __aiter__(self) -> "AsyncStreamProxy":
        return self

    async def __anext__(self) -> Any:
        while True:
            try:
                chunk = await self.__wrapped__.__anext__()
            except StopAsyncIteration:
                self._self_end()
                raise
            except BaseException as exc:
                self._self_fail(exc)
                raise
            self._self_observe(chunk)
            skip = self._self_skip
            if skip is None or not guard("reading a stream chunk", skip, chunk):
                return chunk

    _self_observe = SyncStreamProxy._self_observe
    _self_end = SyncStreamProxy._self_end
    _self_fail = SyncStreamProxy._self_fail
    __del__ = SyncStreamProxy.__del__

    async def close(self) -> None:
        try:
            await self.__wrapped__.close()
        finally:
            self._self_end()

    async def __aenter__(self) -> "AsyncStreamProxy":
        await self.__wrapped__.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> Any:
        try:
            return await self.__wrapped__.__aexit__(*exc_info)
        finally:
            self._self_end()
