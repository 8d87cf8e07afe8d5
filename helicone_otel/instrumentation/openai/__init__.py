"""OpenAIInstrumentor: traces the ``openai`` SDK at its single request point.

Every API call of ``OpenAI``/``AsyncOpenAI`` (and their Azure subclasses) goes through the
client's ``request`` method with the endpoint path and JSON body; we wrap only that, and pick an
extractor by path. New SDK endpoints pass through untraced rather than break.
"""

from __future__ import annotations

from typing import Any, Collection, Optional

from opentelemetry import trace
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

from ..._version import __version__
from .._patching import Patch
from .._request_point import Endpoint, make_request_wrappers
from .._spans import InstrumentationOptions
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


def _provider_of(client: Any) -> tuple[str, Optional[str], Optional[int]]:
    is_azure = type(client).__name__ in ("AzureOpenAI", "AsyncAzureOpenAI")
    return provider_for(str(client.base_url), is_azure)


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
        sync_request, async_request = make_request_wrappers(tracer, opts, _ENDPOINTS, _provider_of, "OpenAI")
        self._patches = [
            Patch(openai.OpenAI, "request", sync_request),
            Patch(openai.AsyncOpenAI, "request", async_request),
        ]

    def _uninstrument(self, **kwargs: Any) -> None:
        for patch in reversed(getattr(self, "_patches", ())):
            patch.undo()
        self._patches = []
