"""OpenAIInstrumentor: traces the ``openai`` SDK at its single request point.

Every API call of ``OpenAI``/``AsyncOpenAI`` (and their Azure subclasses) goes through the
client's ``request`` method with the endpoint path and JSON body; we wrap only that, and pick an
extractor by path. New SDK endpoints pass through untraced rather than break.
"""

from __future__ import annotations

import json
from typing import Any, Collection, Optional

from opentelemetry import trace
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

from ... import attributes as A
from ..._version import __version__
from .._spans import (
    AsyncStreamProxy,
    InstrumentationOptions,
    LLMCall,
    SyncStreamProxy,
    guard,
    start_call,
)
from .._patching import Patch
from . import _chat, _completions, _embeddings, _media, _responses
from ._providers import provider_for

_INSTRUMENTS = ("openai >= 1.0",)


class _Endpoint:
    """What to do for one request path."""

    __slots__ = ("operation", "request_attributes", "response_attributes", "accumulator", "usage_option")

    def __init__(self, operation, request_attributes, response_attributes, accumulator=None, usage_option=False):
        self.operation = operation
        self.request_attributes = request_attributes
        self.response_attributes = response_attributes
        self.accumulator = accumulator
        # The endpoint accepts stream_options.include_usage (we may ask for usage on streams).
        self.usage_option = usage_option


_IMAGE = _Endpoint(
    _media.IMAGE_OPERATION, _media.image_request_attributes, _media.response_attributes, _media.MediaStreamAccumulator
)
_ENDPOINTS: dict[str, _Endpoint] = {
    "/chat/completions": _Endpoint(
        _chat.OPERATION, _chat.request_attributes, _chat.response_attributes, _chat.ChatStreamAccumulator, True
    ),
    "/responses": _Endpoint(
        _responses.OPERATION,
        _responses.request_attributes,
        _responses.response_attributes,
        _responses.ResponsesStreamAccumulator,
    ),
    "/embeddings": _Endpoint(_embeddings.OPERATION, _embeddings.request_attributes, _embeddings.response_attributes),
    "/completions": _Endpoint(
        _completions.OPERATION,
        _completions.request_attributes,
        _completions.response_attributes,
        _completions.CompletionStreamAccumulator,
        True,
    ),
    "/images/generations": _IMAGE,
    "/images/edits": _IMAGE,
    "/images/variations": _IMAGE,
    "/audio/transcriptions": _Endpoint(
        _media.TRANSCRIPTION_OPERATION, _media.audio_request_attributes, _media.response_attributes, _media.MediaStreamAccumulator
    ),
    "/audio/translations": _Endpoint(
        _media.TRANSLATION_OPERATION, _media.audio_request_attributes, _media.response_attributes
    ),
    "/audio/speech": _Endpoint(_media.SPEECH_OPERATION, _media.speech_request_attributes, lambda *_: {}),
}


class _Prepared:
    __slots__ = ("endpoint", "name", "attributes", "options", "inject_usage")

    def __init__(self, endpoint, name, attributes, options, inject_usage):
        self.endpoint = endpoint
        self.name = name
        self.attributes = attributes
        self.options = options
        self.inject_usage = inject_usage


def _options_arg(args: tuple, kwargs: dict) -> Any:
    if len(args) > 1:
        return args[1]
    return kwargs.get("options")


def _prepare(instance: Any, args: tuple, kwargs: dict, opts: InstrumentationOptions) -> Optional[_Prepared]:
    options = _options_arg(args, kwargs)
    url = getattr(options, "url", None)
    endpoint = _ENDPOINTS.get(url) if isinstance(url, str) else None
    if endpoint is None or getattr(options, "method", "").lower() != "post":
        return None
    body = getattr(options, "json_data", None)
    if not isinstance(body, dict):
        return None
    provider, host, port = provider_for(str(instance.base_url), type(instance).__name__.startswith("AsyncAzure") or type(instance).__name__.startswith("Azure"))
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
        if not (isinstance(stream_options, dict) and "include_usage" in stream_options):
            inject_usage = True
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


def _finish(call: LLMCall, prepared: _Prepared, result: Any, is_async: bool) -> Any:
    endpoint = prepared.endpoint
    capture = call.capture_content
    if _is_stream(result):
        accumulator = endpoint.accumulator(capture)
        skip = _chat.is_injected_usage_chunk if prepared.inject_usage else None
        proxy = AsyncStreamProxy if is_async else SyncStreamProxy
        return proxy(result, call, accumulator, skip)
    if _is_raw_response(result):
        # with_raw_response / with_streaming_response: the SDK object is the user's to parse.
        # When the body has already been read we read our own copy of it; an unread (streamed)
        # body stays untouched and the span keeps the request side and HTTP status.
        attrs = guard("reading a raw OpenAI response", _raw_body_attributes, endpoint, result, capture) or {}
        attrs[A.HTTP_STATUS_CODE] = getattr(result, "status_code", None) or 0
        call.finish(attrs)
        return result
    call.finish(guard("reading an OpenAI response", endpoint.response_attributes, result, capture))
    return result


def _raw_body_attributes(endpoint: _Endpoint, result: Any, capture: bool) -> dict[str, Any]:
    raw = result.http_response
    if "json" not in raw.headers.get("content-type", ""):
        return {}
    try:
        content = raw.content  # raises while a streamed body is still unread: leave it be
    except Exception:  # noqa: BLE001
        return {}
    return endpoint.response_attributes(json.loads(content), capture)


def _is_stream(result: Any) -> bool:
    cls = type(result)
    return cls.__name__ in ("Stream", "AsyncStream") and hasattr(result, "response")


def _is_raw_response(result: Any) -> bool:
    return hasattr(result, "http_response") and hasattr(result, "parse")


def _make_wrappers(tracer: trace.Tracer, opts: InstrumentationOptions):
    def begin(instance, args, kwargs):
        """Start the span; returns (call, prepared, args, kwargs), call None when untraced."""
        prepared = guard("preparing an OpenAI span", _prepare, instance, args, kwargs, opts)
        call = prepared and start_call(tracer, prepared.name, prepared.attributes, opts)
        if call is not None and prepared.inject_usage:
            args, kwargs = guard("requesting stream usage", _with_usage_requested, args, kwargs, prepared.options) or (args, kwargs)
        return call, prepared, args, kwargs

    def failed(call: LLMCall, exc: BaseException) -> None:
        call.detach()
        guard("recording an OpenAI error", call.fail, exc)

    def succeeded(call: LLMCall, prepared: _Prepared, result: Any, is_async: bool) -> Any:
        call.detach()
        finished = guard("reading an OpenAI response", _finish, call, prepared, result, is_async)
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


class OpenAIInstrumentor(BaseInstrumentor):
    """Instrument the ``openai`` SDK (sync, async, streaming; Azure and compatible providers).

    ``OpenAIInstrumentor().instrument(tracer_provider=tp, options=InstrumentationOptions())``
    """

    def instrumentation_dependencies(self) -> Collection[str]:
        return _INSTRUMENTS

    def _instrument(self, **kwargs: Any) -> None:
        import openai

        opts = kwargs.get("options") or InstrumentationOptions()
        tracer = trace.get_tracer(__name__, __version__, tracer_provider=kwargs.get("tracer_provider"))
        sync_request, async_request = _make_wrappers(tracer, opts)
        self._patches = [
            Patch(openai.OpenAI, "request", sync_request),
            Patch(openai.AsyncOpenAI, "request", async_request),
        ]

    def _uninstrument(self, **kwargs: Any) -> None:
        for patch in reversed(getattr(self, "_patches", ())):
            patch.undo()
        self._patches = []
