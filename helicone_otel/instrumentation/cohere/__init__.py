"""CohereInstrumentor: traces the ``cohere`` SDK's v2 API (``ClientV2``/``AsyncClientV2``, and
``client.v2`` of the v1 clients).

Every v2 call goes through the raw client (``RawV2Client``/``AsyncRawV2Client``) that the
public methods delegate to, looked up on each call; we wrap its ``chat``, ``chat_stream``,
``embed`` and ``rerank``. (The public ``ClientV2.chat`` is bound onto each client when the client
is made, so a wrap there would miss clients made before ``init()``.) The recorded request is the
method's keyword arguments, which the SDK sends as the JSON body; the result is the raw client's
``HttpResponse``, whose ``data`` is the parsed response. Other methods pass through untraced.
"""

from __future__ import annotations

from typing import Any, Optional

import wrapt

from ...capture.call import Call, Endpoint, Recorder
from ...capture.patching import Patch, PatchingInstrumentor
from ...capture.sdk_point import end_scope, make_method_wrappers, recorder_of, start_call
from ...capture.streams import AsyncStreamProxy, SyncStreamProxy, finish
from ...guard import guard
from ...providers import OPENAI, provider_for
from . import _chat, _retrieval, _wire

_RECORDING = "recording a Cohere call"


def provider_of(client: Any) -> tuple[str, Optional[str], Optional[int]]:
    """(semconv provider, host, port) behind a raw v2 client: Cohere, unless its base URL is a
    provider we know."""
    provider, host, port = provider_for(str(client._client_wrapper.get_base_url()))
    return ("cohere" if provider == OPENAI else provider), host, port


def _endpoint(operation: str, request: Any, response: Any, helicone_body: Any, accumulator: Any = None) -> Endpoint:
    return Endpoint(operation, request, response, accumulator, shape="cohere", provider_of=provider_of,
                    helicone_body=helicone_body, read_request=_wire.read_request, read_json=_wire.read_json)


class ChatStreamAccumulator:
    """v2 chat stream events, folded on the export thread into the chat response."""

    __slots__ = ("_events",)

    def __init__(self, capture_content: bool) -> None:
        self._events: list[dict[str, Any]] = []

    def add(self, event: dict[str, Any]) -> None:
        """Keep one event."""
        self._events.append(event)

    def attributes(self, capture_content: bool) -> dict[str, Any]:
        """Span attributes of the folded response."""
        return _chat.response_attributes(_chat.fold(self._events), capture_content)


# raw-client method → (endpoint, request path)
METHODS: dict[str, tuple[Endpoint, str]] = {
    "chat": (_endpoint(_chat.OPERATION, _chat.request_attributes, _chat.response_attributes, _wire.chat_body), "/v2/chat"),
    "chat_stream": (_endpoint(_chat.OPERATION, _chat.stream_request_attributes, _chat.response_attributes, _wire.chat_body,
                              ChatStreamAccumulator), "/v2/chat"),
    "embed": (_endpoint(_retrieval.EMBED_OPERATION, _retrieval.embed_request_attributes,
                        _retrieval.embed_response_attributes, _wire.embed_body), "/v2/embed"),
    "rerank": (_endpoint(_retrieval.RERANK_OPERATION, _retrieval.rerank_request_attributes,
                         _retrieval.rerank_response_attributes, _wire.rerank_body), "/v2/rerank"),
}


def _namer(endpoint: Endpoint, path: str) -> Any:
    def name_call(instance: Any, args: tuple, kwargs: dict) -> tuple[Endpoint, Any, str, Any]:
        return endpoint, instance, path, kwargs

    return name_call


class _StreamResponse(wrapt.ObjectProxy):  # type: ignore[misc]
    """The raw client's ``HttpResponse`` of a stream, whose ``data`` iterates our stream proxy."""

    def __init__(self, wrapped: Any, stream: Any) -> None:
        super().__init__(wrapped)
        self._self_stream = stream

    @property
    def data(self) -> Any:
        return self._self_stream


class _StreamContext(wrapt.ObjectProxy):  # type: ignore[misc]
    """The raw client's ``chat_stream`` context manager (sync or async): the request goes out
    on entering it; the events are recorded as the caller iterates ``data``."""

    def __init__(self, wrapped: Any, call: Call, recorder: Recorder) -> None:
        super().__init__(wrapped)
        self._self_call = call
        self._self_recorder = recorder

    def _self_failed(self, exc: BaseException) -> None:
        self._self_call.error = exc
        guard(_RECORDING, finish, self._self_call, self._self_recorder)

    def _self_stream(self, response: Any, proxy: type) -> Any:
        self._self_call.chunks = []
        return _StreamResponse(response, proxy(response.data, self._self_call, self._self_recorder))

    def __enter__(self) -> Any:
        try:
            response = self.__wrapped__.__enter__()
        except BaseException as exc:
            self._self_failed(exc)
            raise
        return guard(_RECORDING, self._self_stream, response, SyncStreamProxy) or response

    def __exit__(self, *exc_info: Any) -> Any:
        try:
            return self.__wrapped__.__exit__(*exc_info)
        finally:
            guard(_RECORDING, finish, self._self_call, self._self_recorder)  # no-op once the stream ended

    async def __aenter__(self) -> Any:
        try:
            response = await self.__wrapped__.__aenter__()
        except BaseException as exc:
            self._self_failed(exc)
            raise
        return guard(_RECORDING, self._self_stream, response, AsyncStreamProxy) or response

    async def __aexit__(self, *exc_info: Any) -> Any:
        try:
            return await self.__wrapped__.__aexit__(*exc_info)
        finally:
            guard(_RECORDING, finish, self._self_call, self._self_recorder)


def _stream_wrapper(recorder: Recorder, endpoint: Endpoint, path: str) -> Any:
    """Wrapper of the raw ``chat_stream`` (a plain function returning a context manager, for
    the sync and the async client alike)."""

    def chat_stream(wrapped, instance, args, kwargs):
        if not recorder.active():
            return wrapped(*args, **kwargs)
        call = guard(_RECORDING, start_call, recorder, endpoint, instance, path, kwargs)
        if call is None:
            return wrapped(*args, **kwargs)
        try:
            context = wrapped(*args, **kwargs)
        except BaseException as exc:
            end_scope(call)
            call.error = exc
            guard(_RECORDING, finish, call, recorder)
            raise
        end_scope(call)
        return guard(_RECORDING, _StreamContext, context, call, recorder) or context

    return chat_stream


class CohereInstrumentor(PatchingInstrumentor):
    """Instrument the ``cohere`` SDK's v2 API (chat, chat_stream, embed, rerank; sync and async).

    ``CohereInstrumentor().instrument(recorder=Recorder(submit, RandomIdGenerator()))``
    """

    # The raw clients we wrap arrived in cohere 5.16 (ClientV2 in 5.9).
    _instruments = ("cohere >= 5.16",)


    def _instrument(self, **kwargs: Any) -> None:
        recorder = recorder_of(kwargs)
        if recorder is None:
            return
        from cohere.v2.raw_client import AsyncRawV2Client, RawV2Client

        self._patches = []
        for method, (endpoint, path) in METHODS.items():
            if method == "chat_stream":
                sync_method = async_method = _stream_wrapper(recorder, endpoint, path)
            else:
                sync_method, async_method = make_method_wrappers(recorder, "Cohere", _namer(endpoint, path), lambda result: False)
            self._patches.append(Patch(RawV2Client, method, sync_method))
            self._patches.append(Patch(AsyncRawV2Client, method, async_method))

