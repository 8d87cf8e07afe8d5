"""GoogleGenAIInstrumentor: traces the ``google-genai`` SDK (Gemini API and Vertex AI).

One patch point: the SDK's ``BaseApiClient`` sends every call through ``request``,
``request_streamed``, ``async_request`` and ``async_request_streamed``; we wrap those four and
pick an endpoint by the method in the request path. ``generateContent`` (``models.generate_content``,
``chats``), ``streamGenerateContent`` (``generate_content_stream``, ``send_message_stream``) and
embeddings (``embed_content``) are traced; everything else passes through untraced.
"""

from __future__ import annotations

from typing import Any, Collection


from ...capture.call import Endpoint
from ...capture.patching import Patch, PatchingInstrumentor
from ...capture.sdk_point import make_method_wrappers
from . import _embed, _generate, _point


def _endpoint(operation: str, request, response, accumulator=None) -> Endpoint:
    return Endpoint(operation, request, response, accumulator, shape="google", provider_of=_point.provider_of,
                    read_request=_point.read_request, read_json=_point.read_json, helicone_body=_point.helicone_body)


_EMBEDDINGS = _endpoint(_embed.OPERATION, _embed.request_attributes, _embed.response_attributes)
_ENDPOINTS: dict[str, Endpoint] = {
    "generateContent": _endpoint(_generate.OPERATION, _generate.request_attributes, _generate.response_attributes),
    "streamGenerateContent": _endpoint(
        _generate.OPERATION, _generate.request_attributes, _generate.response_attributes, _generate.GenerateStreamAccumulator
    ),
    "batchEmbedContents": _EMBEDDINGS,
    "embedContent": _EMBEDDINGS,
    "predict": _EMBEDDINGS,
}


class GoogleGenAIInstrumentor(PatchingInstrumentor):
    """Instrument ``google-genai`` (generate_content, its stream, chats, embed_content; sync and
    async; Gemini API and Vertex AI clients).

    ``GoogleGenAIInstrumentor().instrument(recorder=Recorder(submit, RandomIdGenerator()))``
    """

    _instruments: Collection[str] = ("google-genai >= 1.0",)


    def _instrument(self, **kwargs: Any) -> None:
        from google.genai import _api_client

        sync_call, async_call = make_method_wrappers(kwargs["recorder"], "Gemini", _point.make_name_call(_ENDPOINTS), _point.is_stream)
        # ``BaseApiClient`` since google-genai 1.x; ``ApiClient`` in the first releases.
        client = getattr(_api_client, "BaseApiClient", None) or _api_client.ApiClient
        self._patches = [
            Patch(client, "request", sync_call),
            Patch(client, "request_streamed", sync_call),
            Patch(client, "async_request", async_call),
            Patch(client, "async_request_streamed", async_call),
        ]

