"""Recording at the deep patch point of an SDK that is not Stainless-generated (google-genai's
API client, mistralai's resource methods, …).

The instrumentation only says which call this is: ``name_call(instance, args, kwargs)`` returns
``(endpoint, client, path, request)`` or None to let the call pass untraced. Everything else is
done as the Stainless request point does it: ids allocated up front with a non-recording span
current while the SDK runs, the context snapshot, streams wrapped in the proxies of
``streams.py``, and the finished :class:`Call` handed to ``recorder.submit``.

    sync_wrapper, async_wrapper = make_method_wrappers(recorder, "Gemini", name_call, is_stream)
"""

from __future__ import annotations

from typing import Any, Callable

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from ..context import current_attributes
from ..guard import guard, report_once
from .call import Call, Endpoint, Recorder
from .streams import AsyncStreamProxy, SyncStreamProxy, finish

_SAMPLED = TraceFlags(TraceFlags.SAMPLED)

# (instance, args, kwargs) -> (endpoint, client, path, request) for a call to trace, else None
NameCall = Callable[[Any, tuple, dict], "tuple[Endpoint, Any, str, Any] | None"]


def start_call(recorder: Recorder, endpoint: Endpoint, client: Any, path: str, request: Any) -> Call | None:
    """A :class:`Call` with its ids and context snapshot, current (as a non-recording span with
    our ids) until :func:`end_scope`, so spans made while the SDK runs nest under it. None when
    ``sample_rate`` leaves this trace out."""
    parent = otel_context.get_current()
    parent_span = trace.get_current_span(parent).get_span_context()
    ids = recorder.id_generator
    if parent_span.is_valid:
        trace_id, flags = parent_span.trace_id, parent_span.trace_flags
        # Parent-based when sampling: a trace is kept or dropped whole. Keeping all (the
        # default) records every LLM call, whatever the app's own sampler did to its spans.
        sampled = flags.sampled or recorder.sample_bound >> 64
    else:
        trace_id, flags = ids.generate_trace_id(), _SAMPLED
        sampled = (trace_id & 0xFFFFFFFFFFFFFFFF) < recorder.sample_bound
    if not sampled:
        recorder.sampled_out += 1
        return None
    call = Call(endpoint, client, path, request, recorder)
    call.context = current_attributes()
    call.trace_id = trace_id
    call.span_id = ids.generate_span_id()
    call.parent = parent
    span = NonRecordingSpan(SpanContext(trace_id, call.span_id, False, flags))
    call.token = otel_context.attach(trace.set_span_in_context(span, parent))
    return call


def end_scope(call: Call) -> None:
    """Detach the span :func:`start_call` made current (once)."""
    token, call.token = call.token, None
    if token is not None:
        try:
            otel_context.detach(token)
        except Exception:  # noqa: BLE001 - detaching in another context is harmless here
            pass


# (instance, args, kwargs) -> (the call or None to pass untraced, args and kwargs to call with)
Begin = Callable[[Any, tuple, dict], "tuple[Call | None, tuple, dict]"]


def make_wrappers(
    recorder: Recorder,
    sdk: str,
    begin: Begin,
    is_stream: Callable[[Any], bool],
    hand_over: Callable[[Call, Any], bool] | None = None,
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """wrapt wrappers for a sync method and its async twin: the call is recorded, a stream
    result (``is_stream``) is handed back wrapped in a stream proxy, the user's exception is
    re-raised unchanged. One core for every SDK family (Stainless request points included).
    ``hand_over(call, result)`` True: the result delivers its outcome later and ends the call
    itself (``with_raw_response`` streams, capture/raw_stream.py)."""
    preparing = f"recording a {sdk} call"

    def failed(call: Call, exc: BaseException) -> None:
        end_scope(call)
        call.error = exc
        guard(preparing, finish, call, recorder)

    def succeeded(call: Call, result: Any, is_async: bool) -> Any:
        end_scope(call)
        try:
            if is_stream(result):
                call.chunks = []
                return (AsyncStreamProxy if is_async else SyncStreamProxy)(result, call, recorder)
            if hand_over is not None and hand_over(call, result):
                return result
            call.result = result
            finish(call, recorder)
        except Exception as exc:  # noqa: BLE001 - our bug must never reach the user
            report_once(preparing, exc)
        return result

    def sync_method(wrapped, instance, args, kwargs):
        if not recorder.active():
            return wrapped(*args, **kwargs)
        call, args, kwargs = guard(preparing, begin, instance, args, kwargs) or (None, args, kwargs)
        if call is None:
            return wrapped(*args, **kwargs)
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as exc:
            failed(call, exc)
            raise
        return succeeded(call, result, False)

    async def async_method(wrapped, instance, args, kwargs):
        if not recorder.active():
            return await wrapped(*args, **kwargs)
        call, args, kwargs = guard(preparing, begin, instance, args, kwargs) or (None, args, kwargs)
        if call is None:
            return await wrapped(*args, **kwargs)
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as exc:
            failed(call, exc)
            raise
        return succeeded(call, result, True)

    return sync_method, async_method


def make_method_wrappers(
    recorder: Recorder, sdk: str, name_call: NameCall, is_stream: Callable[[Any], bool]
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """:func:`make_wrappers` for an SDK whose patch point only needs naming the call."""

    def begin(instance: Any, args: tuple, kwargs: dict) -> tuple[Call | None, tuple, dict]:
        named = name_call(instance, args, kwargs)
        return (None if named is None else start_call(recorder, *named)), args, kwargs

    return make_wrappers(recorder, sdk, begin, is_stream)


def recorder_of(kwargs: dict[str, Any]) -> Recorder | None:
    """The recorder an instrumentor's ``instrument(recorder=...)`` was given. Without one
    (``opentelemetry-instrument``, or a bare ``instrument()``) a logger configured from the
    environment is started, which instruments every SDK itself: then None."""
    recorder = kwargs.get("recorder")
    if recorder is None:
        from ..logger import zero_code_logger  # noqa: PLC0415 - the logger imports us

        zero_code_logger(kwargs.get("tracer_provider"))
    return recorder
