"""The one wrapper every Stainless-generated SDK (openai, anthropic, …) needs.

Those SDKs send every API call through their client's ``request(cast_to, options, stream=…,
stream_cls=…)`` with the endpoint path and JSON body in ``options``. We wrap that single point,
pick an :class:`Endpoint` by path (unknown endpoints pass through untraced) and record a
:class:`Call`: references and timestamps, nothing computed.
"""

from __future__ import annotations

from typing import Any, Callable, Collection, Mapping

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

import weakref

from ..context import current_attributes
from ..guard import guard, report_once
from ..helicone_headers import REQUEST_ID, context_headers, request_id_of
from ..providers import is_helicone_proxy
from .call import Call, Endpoint, Recorder
from .patching import Patch
from .streams import AsyncStreamProxy, SyncStreamProxy, finish

_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_STREAM_TYPES = frozenset({"Stream", "AsyncStream"})


def _begin(recorder: Recorder, endpoints: Mapping[str, Endpoint], instance: Any, args: tuple, kwargs: dict) -> Call | None:
    options = args[1] if len(args) > 1 else kwargs.get("options")
    url = getattr(options, "url", None)
    if type(url) is not str or getattr(options, "method", "") != "post":
        return None
    path = url.split("?", 1)[0]
    endpoint = endpoints.get(path)
    body = getattr(options, "json_data", None)
    if endpoint is None or type(body) is not dict:
        return None
    call = Call(endpoint, instance, path, body, recorder)
    call.context = current_attributes()
    # Ids now, span later: a non-recording span with our ids is current while the SDK runs,
    # so HTTP-client spans and steps made during the call nest under the span we build later.
    parent = otel_context.get_current()
    parent_span = trace.get_current_span(parent).get_span_context()
    ids = recorder.id_generator
    if parent_span.is_valid:
        call.trace_id, flags = parent_span.trace_id, parent_span.trace_flags
        # Parent-based when sampling: a trace is kept or dropped whole. Keeping all (the
        # default) records every LLM call, whatever the app's own sampler did to its spans.
        sampled = flags.sampled or recorder.sample_bound >> 64
    else:
        call.trace_id, flags = ids.generate_trace_id(), _SAMPLED
        sampled = (call.trace_id & 0xFFFFFFFFFFFFFFFF) < recorder.sample_bound
    if not sampled:  # the whole trace is dropped, not this call alone
        recorder.sampled_out += 1
        return None
    call.span_id = ids.generate_span_id()
    call.parent = parent
    call.headers = getattr(options, "headers", None)
    span = NonRecordingSpan(SpanContext(call.trace_id, call.span_id, False, flags))
    call.token = otel_context.attach(trace.set_span_in_context(span, parent))
    return call


def _with_usage_requested(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """Same call, asking the API to append a usage chunk to the stream. The user's options
    object is not touched; the SDK copies options per attempt anyway."""
    options = args[1] if len(args) > 1 else kwargs["options"]
    body = dict(options.json_data)
    stream_options = body.get("stream_options")
    body["stream_options"] = {**(stream_options if isinstance(stream_options, dict) else {}), "include_usage": True}
    patched = options.model_copy(update={"json_data": body})
    if len(args) > 1:
        return (args[0], patched, *args[2:]), kwargs
    return args, {**kwargs, "options": patched}


def _wants_usage(call: Call, recorder: Recorder, accepts: Callable[[Any, frozenset[str]], bool]) -> bool:
    body = call.request
    if not (body.get("stream") and call.endpoint.stream_usage and recorder.stream_usage):
        return False
    stream_options = body.get("stream_options")
    if isinstance(stream_options, dict) and "include_usage" in stream_options:
        return False
    client = call.client
    base_url = getattr(client, "_base_url", None)
    cached = _stream_usage.get(client)
    if cached is None or cached[0] is not base_url:  # formatting the URL costs ≈ 2 µs: once per client
        cached = (base_url, accepts(client, recorder.stream_usage_hosts))
        _stream_usage[client] = cached
    return cached[1]


# client → (its base URL object, goes through Helicone's proxy?): one dict probe per call
# instead of formatting the URL (≈ 2 µs).
_routes: "weakref.WeakKeyDictionary[Any, tuple[Any, bool]]" = weakref.WeakKeyDictionary()
_stream_usage: "weakref.WeakKeyDictionary[Any, tuple[Any, bool]]" = weakref.WeakKeyDictionary()


def _is_proxied(client: Any, recorder: Recorder) -> bool:
    base_url = getattr(client, "_base_url", None)
    route = _routes.get(client)
    if route is None or route[0] is not base_url:
        route = (base_url, is_helicone_proxy(str(client.base_url), recorder.proxy_hosts))
        _routes[client] = route
    return route[1]


def _with_helicone_headers(args: tuple, kwargs: dict, call: Call) -> tuple[tuple, dict]:
    """Same call, with the current context as Helicone headers for the proxy to record.
    Headers the user set on the client or the call win."""
    options = args[1] if len(args) > 1 else kwargs["options"]
    own = call.headers if isinstance(call.headers, dict) else {}
    taken = {name.lower() for name in (*own, *(getattr(call.client, "_custom_headers", None) or {}))}
    context = {**call.defaults, **call.context} if call.defaults else call.context
    added = {REQUEST_ID: request_id_of(call.trace_id, call.span_id), **context_headers(context)}
    headers = {name: value for name, value in added.items() if name.lower() not in taken}
    patched = options.model_copy(update={"headers": {**headers, **own}})
    if len(args) > 1:
        return (args[0], patched, *args[2:]), kwargs
    return args, {**kwargs, "options": patched}


def _detach(call: Call) -> None:
    token, call.token = call.token, None
    if token is not None:
        try:
            otel_context.detach(token)
        except Exception:  # noqa: BLE001 - detaching in another context is harmless here
            pass


def make_request_wrappers(
    recorder: Recorder, endpoints: Mapping[str, Endpoint], sdk: str, accepts_stream_usage: Callable[[Any, frozenset[str]], bool]
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """wrapt wrappers for the sync and async ``request`` methods of one SDK."""
    preparing = f"recording an {sdk} call"

    def begin(instance: Any, args: tuple, kwargs: dict) -> tuple[Call | None, tuple, dict]:
        call = guard(preparing, _begin, recorder, endpoints, instance, args, kwargs)
        if call is not None and guard(preparing, _is_proxied, instance, recorder):
            changed = guard("adding Helicone headers", _with_helicone_headers, args, kwargs, call)
            if changed is not None:
                args, kwargs = changed
                call.proxied = True
        if call is not None and call.request.get("stream") and guard(preparing, _wants_usage, call, recorder, accepts_stream_usage):
            changed = guard("requesting stream usage", _with_usage_requested, args, kwargs)
            if changed is not None:
                args, kwargs = changed
                call.stream_usage_added = True
        return call, args, kwargs

    def failed(call: Call, exc: BaseException) -> None:
        _detach(call)
        call.error = exc
        finish(call, recorder)

    def succeeded(call: Call, result: Any, is_async: bool) -> Any:
        _detach(call)
        try:
            if type(result).__name__ in _STREAM_TYPES and hasattr(result, "response"):
                call.chunks = []
                proxy = AsyncStreamProxy if is_async else SyncStreamProxy
                return proxy(result, call, recorder)
            call.result = result
            finish(call, recorder)
        except Exception as exc:  # noqa: BLE001 - our bug must never reach the user
            report_once(preparing, exc)
        return result

    def sync_request(wrapped, instance, args, kwargs):
        if not recorder.active():
            return wrapped(*args, **kwargs)
        call, args, kwargs = begin(instance, args, kwargs)
        if call is None:
            return wrapped(*args, **kwargs)
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as exc:
            failed(call, exc)
            raise
        return succeeded(call, result, False)

    async def async_request(wrapped, instance, args, kwargs):
        if not recorder.active():
            return await wrapped(*args, **kwargs)
        call, args, kwargs = begin(instance, args, kwargs)
        if call is None:
            return await wrapped(*args, **kwargs)
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as exc:
            failed(call, exc)
            raise
        return succeeded(call, result, True)

    return sync_request, async_request


class RequestPointInstrumentor(BaseInstrumentor):
    """Base of the instrumentors for Stainless-generated SDKs: subclasses name the SDK, its
    endpoint table and the two client classes whose ``request`` to wrap.

    ``OpenAIInstrumentor().instrument(recorder=Recorder(submit, RandomIdGenerator()))``
    """

    sdk_name = ""
    endpoints: Mapping[str, Endpoint] = {}
    _instruments: Collection[str] = ()

    def instrumentation_dependencies(self) -> Collection[str]:
        return self._instruments

    def request_classes(self) -> tuple[type, type]:
        """(sync client class, async client class) that define or inherit ``request``."""
        raise NotImplementedError

    @staticmethod
    def accepts_stream_usage(client: Any, extra_hosts: frozenset[str]) -> bool:
        """True when ``client``'s endpoint accepts a request for stream usage (asked only for
        streams of endpoints that have the option)."""
        return False

    def _instrument(self, **kwargs: Any) -> None:
        recorder = kwargs.get("recorder")
        if recorder is None:
            # Zero-code (``opentelemetry-instrument``) or a bare ``instrument()``: a logger
            # configured from the environment does the instrumenting, this one included.
            from ..logger import zero_code_logger

            zero_code_logger(kwargs.get("tracer_provider"))
            return
        sync_request, async_request = make_request_wrappers(recorder, self.endpoints, self.sdk_name, self.accepts_stream_usage)
        sync_class, async_class = self.request_classes()
        self._patches = [Patch(sync_class, "request", sync_request), Patch(async_class, "request", async_request)]

    def _uninstrument(self, **kwargs: Any) -> None:
        for patch in reversed(getattr(self, "_patches", ())):
            patch.undo()
        self._patches = []


def instrument_client(client: Any, recorder: Recorder, instrumentor: RequestPointInstrumentor) -> bool:
    """Trace one client object only (its ``request`` method), leaving its class and every
    other client untouched. False if the client's class is already traced."""
    import inspect

    if "request" in type(client).__dict__ and hasattr(type(client).__dict__["request"], "__wrapped__"):
        return False
    original = client.request
    sync_request, async_request = make_request_wrappers(
        recorder, instrumentor.endpoints, instrumentor.sdk_name, instrumentor.accepts_stream_usage
    )
    if inspect.iscoroutinefunction(original):

        async def request(*args: Any, **kwargs: Any) -> Any:
            return await async_request(original, client, args, kwargs)
    else:

        def request(*args: Any, **kwargs: Any) -> Any:
            return sync_request(original, client, args, kwargs)

    request.__wrapped__ = original  # type: ignore[attr-defined]
    client.request = request
    return True


def uninstrument_client(client: Any) -> None:
    """Undo :func:`instrument_client`."""
    if "request" in vars(client):
        del client.request
