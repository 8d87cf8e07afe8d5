"""OpenAIInstrumentor: traces the ``openai`` SDK at its single request point.

Every API call of ``OpenAI``/``AsyncOpenAI`` (and their Azure subclasses) goes through the
client's ``request`` method with the endpoint path and JSON body; we wrap only that, and pick an
extractor by path. Endpoints without one (Assistants, threads, runs, files, batches, models, new
SDK endpoints) get a plain span with their operation and HTTP status (``..generic``).
"""

from __future__ import annotations

from typing import Any, Optional

from ...capture.call import Endpoint
from ...capture.request_point import RequestPointInstrumentor
from ...providers import accepts_stream_usage, provider_for
from ..generic import generic_endpoints
from . import _chat, _completions, _embeddings, _media, _responses

_AZURE_CLIENTS = frozenset({"AzureOpenAI", "AsyncAzureOpenAI"})


def _is_azure(client: Any) -> bool:
    return type(client).__name__ in _AZURE_CLIENTS


def _accepts_stream_usage(client: Any, extra_hosts: frozenset[str]) -> bool:
    version = getattr(client, "_api_version", None) if _is_azure(client) else None
    return accepts_stream_usage(str(client.base_url), version, extra_hosts)


def provider_of(client: Any) -> tuple[str, Optional[str], Optional[int]]:
    """(semconv provider, host, port) behind an OpenAI client, by class and base URL."""
    return provider_for(str(client.base_url), _is_azure(client))


def _endpoint(operation: str, request, response, accumulator=None, stream_usage: bool = False) -> Endpoint:
    skip = _chat.is_injected_usage_chunk if stream_usage else None
    return Endpoint(operation, request, response, accumulator, stream_usage, skip, "openai", provider_of)


_IMAGE = _endpoint(_media.IMAGE_OPERATION, _media.image_request_attributes, _media.response_attributes, _media.MediaStreamAccumulator)
_ENDPOINTS: dict[str, Endpoint] = {
    "/chat/completions": _endpoint(
        _chat.OPERATION, _chat.request_attributes, _chat.response_attributes, _chat.ChatStreamAccumulator, stream_usage=True
    ),
    "/responses": _endpoint(
        _responses.OPERATION, _responses.request_attributes, _responses.response_attributes, _responses.ResponsesStreamAccumulator
    ),
    "/embeddings": _endpoint(_embeddings.OPERATION, _embeddings.request_attributes, _embeddings.response_attributes),
    "/completions": _endpoint(
        _completions.OPERATION,
        _completions.request_attributes,
        _completions.response_attributes,
        _completions.CompletionStreamAccumulator,
        stream_usage=True,
    ),
    "/images/generations": _IMAGE,
    "/images/edits": _IMAGE,
    "/images/variations": _IMAGE,
    "/audio/transcriptions": _endpoint(
        _media.TRANSCRIPTION_OPERATION, _media.audio_request_attributes, _media.response_attributes, _media.MediaStreamAccumulator
    ),
    "/audio/translations": _endpoint(_media.TRANSLATION_OPERATION, _media.audio_request_attributes, _media.response_attributes),
    "/audio/speech": _endpoint(_media.SPEECH_OPERATION, _media.speech_request_attributes, lambda *_: {}),
}

_GENERIC = generic_endpoints("OpenAI", provider_of)


class OpenAIInstrumentor(RequestPointInstrumentor):
    """Instrument the ``openai`` SDK (sync, async, streaming; Azure and compatible providers).

    ``OpenAIInstrumentor().instrument(recorder=Recorder(submit, RandomIdGenerator()))``
    """

    sdk_name = "OpenAI"
    endpoints = _ENDPOINTS
    generic_endpoints = _GENERIC
    _instruments = ("openai >= 1.0",)
    accepts_stream_usage = staticmethod(_accepts_stream_usage)

    def request_classes(self) -> tuple[type, type]:
        import openai

        return openai.OpenAI, openai.AsyncOpenAI
