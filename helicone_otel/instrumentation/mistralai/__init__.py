"""MistralInstrumentor: traces the ``mistralai`` SDK (chat complete and stream, embeddings;
sync and async).

Chat speaks the OpenAI chat shape (a stream's usage comes in its last chunk) and embeddings the
OpenAI embeddings shape, so their extractors are shared with the OpenAI instrumentation. See
``_point.py`` for why the resource methods are wrapped rather than one request method.
"""

from __future__ import annotations

from typing import Any, Collection


from ...capture.call import Endpoint
from ...capture.patching import Patch, PatchingInstrumentor
from ...capture.sdk_point import make_method_wrappers
from ..openai import _chat, _embeddings
from . import _point


def _endpoint(operation: str, request, response, accumulator=None) -> Endpoint:
    return Endpoint(operation, request, response, accumulator, provider_of=_point.provider_of,
                    read_request=_point.read_request, read_json=_point.read_json)


_CHAT = _endpoint(_chat.OPERATION, _chat.request_attributes, _chat.response_attributes, _chat.ChatStreamAccumulator)
_EMBEDDINGS = _endpoint(_embeddings.OPERATION, _embeddings.request_attributes, _embeddings.response_attributes)

# (module, class, sync method, async method, endpoint, path as the SDK names it)
_METHODS = (
    ("chat", "Chat", "complete", "complete_async", _CHAT, "/v1/chat/completions"),
    ("chat", "Chat", "stream", "stream_async", _CHAT, "/v1/chat/completions#stream"),
    ("embeddings", "Embeddings", "create", "create_async", _EMBEDDINGS, "/v1/embeddings"),
)


class MistralInstrumentor(PatchingInstrumentor):
    """Instrument ``mistralai`` (``chat.complete``, ``chat.stream``, ``embeddings.create`` and
    their async twins).

    ``MistralInstrumentor().instrument(recorder=Recorder(submit, RandomIdGenerator()))``
    """

    _instruments: Collection[str] = ("mistralai >= 1.2",)


    def _instrument(self, **kwargs: Any) -> None:
        recorder = kwargs["recorder"]
        self._patches = []
        for module, owner, sync_name, async_name, endpoint, path in _METHODS:
            cls = getattr(_point.sdk_module(module), owner)
            sync_call, async_call = make_method_wrappers(recorder, "Mistral", _point.name_call_for(endpoint, path), _point.is_stream)
            self._patches.append(Patch(cls, sync_name, sync_call))
            self._patches.append(Patch(cls, async_name, async_call))

