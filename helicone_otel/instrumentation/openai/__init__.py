"""OpenAIInstrumentor: traces the ``openai`` SDK at its single request point.

Every API call of ``OpenAI``/``AsyncOpenAI`` (and their Azure subclasses) goes through the
client's ``request`` method with the endpoint path and JSON body; we wrap only that, and pick an
extractor by path. New SDK endpoints pass through untraced rather than break.
"""

from __future__ import annotations

from typing import Any, Collection, Optional

from .._request_point import Endpoint, RequestPointInstrumentor
from . import _chat, _completions, _embeddings, _media, _responses
from ._providers import provider_for

_INSTRUMENTS = ("openai >= 1.0",)

_IMAGE = Endpoint(
    _media.IMAGE_OPERATION, _media.image_request_attributes, _media.response_attributes, _media.MediaStreamAccumulator
)
_ENDPOINTS: dict[str, Endpoint] = {
    "/chat/completions": Endpoint(
        _chat.OPERATION,
        _chat.request_attributes,
        _chat.response_attributes,
        _chat.ChatStreamAccumulator,
        usage_option=True,
        skip_chunk=_chat.is_injected_usage_chunk,
    ),
    "/responses": Endpoint(
        _responses.OPERATION,
        _responses.request_attributes,
        _responses.response_attributes,
        _responses.ResponsesStreamAccumulator,
    ),
    "/embeddings": Endpoint(_embeddings.OPERATION, _embeddings.request_attributes, _embeddings.response_attributes),
    "/completions": Endpoint(
        _completions.OPERATION,
        _completions.request_attributes,
        _completions.response_attributes,
        _completions.CompletionStreamAccumulator,
        usage_option=True,
        skip_chunk=_chat.is_injected_usage_chunk,
    ),
    "/images/generations": _IMAGE,
    "/images/edits": _IMAGE,
    "/images/variations": _IMAGE,
    "/audio/transcriptions": Endpoint(
        _media.TRANSCRIPTION_OPERATION, _media.audio_request_attributes, _media.response_attributes, _media.MediaStreamAccumulator
    ),
    "/audio/translations": Endpoint(_media.TRANSLATION_OPERATION, _media.audio_request_attributes, _media.response_attributes),
    "/audio/speech": Endpoint(_media.SPEECH_OPERATION, _media.speech_request_attributes, lambda *_: {}),
}


class OpenAIInstrumentor(RequestPointInstrumentor):
    """Instrument the ``openai`` SDK (sync, async, streaming; Azure and compatible providers).

    ``OpenAIInstrumentor().instrument(tracer_provider=tp, options=InstrumentationOptions())``
    """

    sdk_name = "OpenAI"
    endpoints = _ENDPOINTS

    def instrumentation_dependencies(self) -> Collection[str]:
        return _INSTRUMENTS

    def provider_of(self, client: Any) -> tuple[str, Optional[str], Optional[int]]:
        is_azure = type(client).__name__ in ("AzureOpenAI", "AsyncAzureOpenAI")
        return provider_for(str(client.base_url), is_azure)

    def request_classes(self) -> tuple[type, type]:
        import openai

        return openai.OpenAI, openai.AsyncOpenAI
