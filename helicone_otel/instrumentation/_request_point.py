"""The one wrapper every Stainless-generated SDK (openai, anthropic, …) needs.

Those SDKs send every API call through their client's ``request(cast_to, options, stream=…,
stream_cls=…)`` with the endpoint path and JSON body in ``options``. We wrap that single point
and pick an :class:`Endpoint` by path; unknown endpoints pass through untraced.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping, Optional

from opentelemetry import trace
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

from .._version import __version__
from ._patching import Patch

from .. import attributes as A
from ._spans import AsyncStreamProxy, InstrumentationOptions, LLMCall, SyncStreamProxy, guard, start_call

# (provider name, server host, server port) of a client instance
ProviderOf = Callable[[Any], tuple[str, Optional[str], Optional[int]]]


class Endpoint:
    """How to trace one request path: operation name, extractors, stream accumulator."""

    __slots__ = ("operation", "request_attributes", "response_attributes", "accumulator", "usage_option", "skip_chunk")

    def __init__(
        self,
        operation: str,
        request_attributes: Callable[[dict[str, Any], dict[str, Any], bool], None],
        response_attributes: Callable[[Any, bool], dict[str, Any]],
        accumulator: Optional[Callable[[bool], Any]] = None,
        usage_option: bool = False,
        skip_chunk: Optional[Callable[[Any], bool]] = None,
    ) -> None:
        self.operation = operation
        self.request_attributes = request_attributes
        self.response_attributes = response_attributes
        self.accumulator = accumulator
        # OpenAI-style ``stream_options.include_usage``: we may ask for usage on streams and then
        # hold back the usage-only chunk (``skip_chunk``) the user did not ask for.
        self.usage_option = usage_option
        self.skip_chunk = skip_chunk


class _Prepared:
    __slots__ = ("endpoint", "name", "attributes", "options", "inject_usage")

    def __init__(self, endpoint: Endpoint, name: str, attributes: dict[str, Any], options: Any, inject_usage: bool):
        self.endpoint = endpoint
        self.name = name
        self.attributes = attributes
        self.options = options
        self.inject_usage = inject_usage


def _options_arg(args: tuple, kwargs: dict) -> Any:
    return args[1] if len(args) > 1 else kwargs.get("options")


def _prepare(
    endpoints: Mapping[str, Endpoint], provider_of: ProviderOf, instance: Any, args: tuple, kwargs: dict,
    opts: InstrumentationOptions,
) -> Optional[_Prepared]:
    options = _options_arg(args, kwargs)
    url = getattr(options, "url", None)
    if not isinstance(url, str) or getattr(options, "method", "").lower() != "post":
        return None
    endpoint = endpoints.get(url.split("?", 1)[0])
    body = getattr(options, "json_data", None)
    if endpoint is None or not isinstance(body, dict):
        return None
    provider, host, port = provider_of(instance)
    model = body.get("model")
    model = model if isinstance(model, str) else ""
    attrs: dict[str, Any] = {
        A.OPERATION_NAME: endpoint.operation,
        A.PROVIDER_NAME: provider,
        A.SYSTEM: provider,
        A.REQUEST_MODEL: model,
    }
    if host:
        attrs[A.SERVER_ADDRESS] = host
    if port:
        attrs[A.SERVER_PORT] = port
    endpoint.request_attributes(body, attrs, opts.capture_content)
    inject_usage = False
    if body.get("stream") and opts.request_stream_usage and endpoint.usage_option:
        stream_options = body.get("stream_options")
        inject_usage = not (isinstance(stream_options, dict) and "include_usage" in stream_options)
    name = f"{endpoint.operation} {model}" if model else endpoint.operation
    return _Prepared(endpoint, name, attrs, options, inject_usage)


def _with_usage_requested(args: tuple, kwargs: dict, options: Any) -> tuple[tuple, dict]:
    """Same call, asking the API to append a usage chunk to the stream. The user's options
    object is not touched; the SDK copies options per attempt anyway."""
    body = dict(options.json_data)
    stream_options = body.get("stream_options")
    body["stream_options"] = {**(stream_options if isinstance(stream_options, dict) else {}), "include_usage": True}
    patched = options.model_copy(update={"json_data": body})
    if len(args) > 1:
        return (args[0], patched, *args[2:]), kwargs
    return args, {**kwargs, "options": patched}


def _is_stream(result: Any) -> bool:
    return type(result).__name__ in ("Stream", "AsyncStream") and hasattr(result, "response")


def _is_raw_response(result: Any) -> bool:
    return hasattr(result, "http_response") and hasattr(result, "parse")


def _raw_body_attributes(endpoint: Endpoint, result: Any, capture: bool) -> dict[str, Any]:
    raw = result.http_response
    if "json" not in raw.headers.get("content-type", ""):
        return {}
    try:
        content = raw.content  # raises while a streamed body is still unread: leave it be
    except Exception:  # noqa: BLE001
        return {}
    return endpoint.response_attributes(json.loads(content), capture)


def _finish(call: LLMCall, prepared: _Prepared, result: Any, is_async: bool, sdk: str) -> Any:
    endpoint = prepared.endpoint
    capture = call.capture_content
    if _is_stream(result):
        accumulator = endpoint.accumulator(capture) if endpoint.accumulator else _NoAccumulator()
        skip = endpoint.skip_chunk if prepared.inject_usage else None
        proxy = AsyncStreamProxy if is_async else SyncStreamProxy
        return proxy(result, call, accumulator, skip)
    if _is_raw_response(result):
        # with_raw_response / with_streaming_response: the SDK object is the user's to parse.
        # When the body has already been read we read our own copy of it; an unread (streamed)
        # body stays untouched and the span keeps the request side and HTTP status.
        attrs = guard(f"reading a raw {sdk} response", _raw_body_attributes, endpoint, result, capture) or {}
        attrs[A.HTTP_STATUS_CODE] = getattr(result, "status_code", None) or 0
        call.finish(attrs)
        return result
    call.finish(guard(f"reading an {sdk} response", endpoint.response_attributes, result, capture))
    return result


class _NoAccumulator:
    def add(self, chunk: Any) -> None:
        pass

    def attributes(self, capture_content: bool) -> dict[str, Any]:
        return {}


def make_request_wrappers(
    tracer: trace.Tracer,
    opts: InstrumentationOptions,
    endpoints: Mapping[str, Endpoint],
    provider_of: ProviderOf,
    sdk: str,
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """wrapt wrappers for the sync and async ``request`` methods of one SDK."""

    def begin(instance: Any, args: tuple, kwargs: dict):
        prepared = guard(f"preparing an {sdk} span", _prepare, endpoints, provider_of, instance, args, kwargs, opts)
        call = prepared and start_call(tracer, prepared.name, prepared.attributes, opts)
        if call is not None and prepared.inject_usage:
            args, kwargs = guard("requesting stream usage", _with_usage_requested, args, kwargs, prepared.options) or (args, kwargs)
        return call, prepared, args, kwargs

    def failed(call: LLMCall, exc: BaseException) -> None:
        call.detach()
        guard(f"recording an {sdk} error", call.fail, exc)

    def succeeded(call: LLMCall, prepared: _Prepared, result: Any, is_async: bool) -> Any:
        call.detach()
        finished = guard(f"reading an {sdk} response", _finish, call, prepared, result, is_async, sdk)
        return result if finished is None else finished

    def sync_request(wrapped, instance, args, kwargs):
        if not opts.active():
            return wrapped(*args, **kwargs)
        call, prepared, args, kwargs = begin(instance, args, kwargs)
        if call is None:
            return wrapped(*args, **kwargs)
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as exc:
            failed(call, exc)
            raise
        return succeeded(call, prepared, result, False)

    async def async_request(wrapped, instance, args, kwargs):
        if not opts.active():
            return await wrapped(*args, **kwargs)
        call, prepared, args, kwargs = begin(instance, args, kwargs)
        if call is None:
            return await wrapped(*args, **kwargs)
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as exc:
            failed(call, exc)
            raise
        return succeeded(call, prepared, result, True)

    return sync_request, async_request


class RequestPointInstrumentor(BaseInstrumentor):
    """Base of the instrumentors for Stainless-generated SDKs: subclasses name the SDK, its
    endpoint table, how to tell the provider from a client, and the two client classes whose
    ``request`` to wrap."""

    sdk_name = ""
    endpoints: Mapping[str, Endpoint] = {}

    def provider_of(self, client: Any) -> tuple[str, Optional[str], Optional[int]]:
        raise NotImplementedError

    def request_classes(self) -> tuple[type, type]:
        """(sync client class, async client class) that define or inherit ``request``."""
        raise NotImplementedError

    def _instrument(self, **kwargs: Any) -> None:
        opts = kwargs.get("options") or InstrumentationOptions()
        tracer = trace.get_tracer(type(self).__module__, __version__, tracer_provider=kwargs.get("tracer_provider"))
        sync_request, async_request = make_request_wrappers(tracer, opts, self.endpoints, self.provider_of, self.sdk_name)
        sync_class, async_class = self.request_classes()
        self._patches = [Patch(sync_class, "request", sync_request), Patch(async_class, "request", async_request)]

    def _uninstrument(self, **kwargs: Any) -> None:
        for patch in reversed(getattr(self, "_patches", ())):
            patch.undo()
        self._patches = []
