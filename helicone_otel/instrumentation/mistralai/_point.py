"""Where mistralai calls are recorded, and how the export thread reads them back.

The SDK (Speakeasy-generated) has no request method that sees both the JSON body and parsed
stream events: ``BaseSDK.do_request`` gets an ``httpx.Request`` and hands back an unread
``httpx.Response`` for streams. So we wrap the resource methods, one pair per endpoint:
``Chat.complete``/``complete_async`` (``chat.parse`` calls them too), ``Chat.stream``/``stream_async``
and ``Embeddings.create``/``create_async``. Their keyword arguments are the fields of the SDK's
own request model, which the export thread builds and dumps as the SDK sends it; results are the
SDK's models of the wire JSON, and stream events carry each chunk in ``.data``.
"""

from __future__ import annotations

import importlib
from typing import Any, Optional

from ...capture.call import Endpoint
from ...export.extract import to_dict
from ...providers import OPENAI, provider_for

# Keyword arguments of every Mistral method that are not part of the request body.
_CALL_OPTIONS = frozenset({"retries", "server_url", "timeout_ms", "http_headers"})
STREAM_TYPES = frozenset({"EventStream", "EventStreamAsync"})
_REQUEST_MODELS = {
    "/v1/chat/completions": "ChatCompletionRequest",
    "/v1/chat/completions#stream": "ChatCompletionStreamRequest",
    "/v1/embeddings": "EmbeddingRequest",
}


def sdk_module(name: str) -> Any:
    """``mistralai.client.<name>`` (mistralai 2.x), else ``mistralai.<name>`` (1.x)."""
    try:
        return importlib.import_module(f"mistralai.client.{name}")
    except ImportError:
        return importlib.import_module(f"mistralai.{name}")


def _server_url(client: Any) -> str:
    return str(client.sdk_configuration.get_server_details()[0] or "")


def provider_of(client: Any) -> tuple[str, Optional[str], Optional[int]]:
    """(semconv provider, host, port) behind a Mistral resource: Mistral, unless its server URL
    is another provider we know (a gateway, a stand-in and Mistral's own host all speak its API)."""
    provider, host, port = provider_for(_server_url(client))
    return ("mistral_ai" if provider == OPENAI else provider), host, port


def read_request(client: Any, path: str, arguments: Any) -> tuple[dict[str, Any], str]:
    """The request body as the SDK sends it: its own request model (``ChatCompletionRequest``,
    ``ChatCompletionStreamRequest``, ``EmbeddingRequest``) built from the method's keyword
    arguments and dumped by wire name (``inputs`` is sent as ``input``)."""
    request_model = getattr(sdk_module("models"), _REQUEST_MODELS[path])
    fields = {key: value for key, value in arguments.items() if key not in _CALL_OPTIONS}
    # The SDK's serializer leaves out unset fields and keeps defaults it sends (``stream``).
    body = request_model(**fields).model_dump(mode="json", by_alias=True)
    return body, _server_url(client).rstrip("/") + path.partition("#")[0]


def read_json(result: Any) -> Any:
    """The wire JSON of a result, or of a stream event's chunk (``CompletionEvent.data``)."""
    if type(result).__name__ == "CompletionEvent":
        result = result.data
    return to_dict(result)


def is_stream(result: Any) -> bool:
    """``chat.stream`` returns ``EventStream``, ``stream_async`` ``EventStreamAsync``."""
    return type(result).__name__ in STREAM_TYPES


def name_call_for(endpoint: Endpoint, path: str):
    """``name_call`` for one method: its keyword arguments are the request."""

    def name_call(instance: Any, args: tuple, kwargs: dict) -> tuple[Endpoint, Any, str, Any]:
        return endpoint, instance, path, kwargs

    return name_call
