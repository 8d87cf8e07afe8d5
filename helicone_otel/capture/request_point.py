"""The one wrapper every Stainless-generated SDK (openai, anthropic, …) needs.

Those SDKs send every API call through their client's ``request(cast_to, options, stream=…,
stream_cls=…)`` with the endpoint path and JSON body in ``options``. We wrap that single point,
pick an :class:`Endpoint` by path (endpoints without one get the SDK's catch-all span) and record a
:class:`Call`: references and timestamps, nothing computed.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable, Mapping


from ..guard import guard
from ..helicone_headers import REQUEST_ID, context_headers, request_id_of
from ..providers import is_helicone_proxy
from .call import Call, Endpoint, Recorder
from .patching import Patch, PatchingInstrumentor
from .raw_stream import raw_stream_hand_over
from .sdk_point import make_wrappers, recorder_of, start_call

_STREAM_TYPES = frozenset({"Stream", "AsyncStream"})


def _begin(
    recorder: Recorder, endpoints: Mapping[str, Endpoint], generic: Mapping[str, Endpoint], instance: Any, args: tuple, kwargs: dict
) -> Call | None:
    options = args[1] if len(args) > 1 else kwargs.get("options")
    url = getattr(options, "url", None)
    method = getattr(options, "method", "")
    if type(url) is not str:
        return None
    path = url.split("?", 1)[0]
    endpoint = endpoints.get(path) if method == "post" else None
    body = getattr(options, "json_data", None)
    if endpoint is None or type(body) is not dict:
        # No dedicated extractor: the SDK's catch-all span for this method, so no request
        # through the patched client goes untraced (GETs and uploads have no JSON body).
        endpoint = generic.get(method)
        if endpoint is None:
            return None
        body = body if type(body) is dict else {}
    # Ids now, span later: a non-recording span with our ids is current while the SDK runs,
    # so HTTP-client spans and steps made during the call nest under the span we build later.
    call = start_call(recorder, endpoint, instance, path, body)
    if call is not None:
        call.headers = getattr(options, "headers", None)
        extra = getattr(options, "extra_json", None)
        if type(extra) is dict and extra:
            call.extra = extra
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


def base_url_key(client: Any) -> Any:
    """What changes when a Stainless client's base URL changes: the URL object it keeps in
    ``_configured_base_url`` (openai 3, where ``_base_url`` became a property chain costing ≈ 3 µs
    per read) or ``_base_url``; the URL setter replaces it. Per-client caches key on it."""
    own = getattr(client, "__dict__", None) or {}
    return own.get("_configured_base_url") or own.get("_base_url")


def _wants_usage(call: Call, recorder: Recorder, accepts: Callable[[Any, frozenset[str]], bool]) -> bool:
    body = call.request
    if not (body.get("stream") and call.endpoint.stream_usage and recorder.stream_usage):
        return False
    stream_options = body.get("stream_options")
    if isinstance(stream_options, dict) and "include_usage" in stream_options:
        return False
    client = call.client
    base_url = base_url_key(client)
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
    base_url = base_url_key(client)
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


def _is_stream(result: Any) -> bool:
    return type(result).__name__ in _STREAM_TYPES and hasattr(result, "response")


def make_request_wrappers(
    recorder: Recorder,
    endpoints: Mapping[str, Endpoint],
    sdk: str,
    accepts_stream_usage: Callable[[Any, frozenset[str]], bool],
    generic: Mapping[str, Endpoint] | None = None,
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """wrapt wrappers for the sync and async ``request`` methods of one SDK. ``generic`` maps an
    HTTP method (lower case) to the endpoint of requests that ``endpoints`` does not list."""
    preparing = f"recording an {sdk} call"
    generic = generic or {}

    def begin(instance: Any, args: tuple, kwargs: dict) -> tuple[Call | None, tuple, dict]:
        call = guard(preparing, _begin, recorder, endpoints, generic, instance, args, kwargs)
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

    return make_wrappers(recorder, sdk, begin, _is_stream, raw_stream_hand_over(recorder))


class RequestPointInstrumentor(PatchingInstrumentor):
    """Base of the instrumentors for Stainless-generated SDKs: subclasses name the SDK, its
    endpoint table and the two client classes whose ``request`` to wrap.

    ``OpenAIInstrumentor().instrument(recorder=Recorder(submit, RandomIdGenerator()))``
    """

    sdk_name = ""
    endpoints: Mapping[str, Endpoint] = {}
    # HTTP method (lower case) -> endpoint of the requests ``endpoints`` does not list
    generic_endpoints: Mapping[str, Endpoint] = {}


    def request_classes(self) -> tuple[type, type]:
        """(sync client class, async client class) that define or inherit ``request``."""
        raise NotImplementedError

    @staticmethod
    def accepts_stream_usage(client: Any, extra_hosts: frozenset[str]) -> bool:
        """True when ``client``'s endpoint accepts a request for stream usage (asked only for
        streams of endpoints that have the option)."""
        return False

    def _instrument(self, **kwargs: Any) -> None:
        recorder = recorder_of(kwargs)
        if recorder is None:
            return
        sync_request, async_request = make_request_wrappers(
            recorder, self.endpoints, self.sdk_name, self.accepts_stream_usage, self.generic_endpoints
        )
        sync_class, async_class = self.request_classes()
        self._patches = [Patch(sync_class, "request", sync_request), Patch(async_class, "request", async_request)]



def instrument_client(client: Any, recorder: Recorder, instrumentor: RequestPointInstrumentor) -> bool:
    """Trace one client object only (its ``request`` method), leaving its class and every
    other client untouched. False if the client's class is already traced."""
    import inspect

    if "request" in type(client).__dict__ and hasattr(type(client).__dict__["request"], "__wrapped__"):
        return False
    original = client.request
    sync_request, async_request = make_request_wrappers(
        recorder, instrumentor.endpoints, instrumentor.sdk_name, instrumentor.accepts_stream_usage, instrumentor.generic_endpoints
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
