"""AnthropicInstrumentor: traces the ``anthropic`` SDK at its single request point.

``Anthropic``, ``AnthropicBedrock``, ``AnthropicVertex`` and their async twins all send every
API call through ``SyncAPIClient.request`` / ``AsyncAPIClient.request`` of the anthropic
package; we wrap those two. ``messages.create``, ``messages.stream()``, ``messages.parse`` and
``beta.messages`` all arrive as ``POST /v1/messages``; the legacy ``completions.create`` as
``POST /v1/complete``. Everything else (``count_tokens``, batches, models, files) gets a plain
span with its operation and HTTP status (``..generic``).
"""

from __future__ import annotations

from typing import Any, Optional

from ...capture.call import Endpoint
from ...capture.request_point import RequestPointInstrumentor
from ...providers import provider_for
from ..generic import generic_endpoints
from . import _complete, _messages

_CLIENT_PROVIDERS = {
    "AnthropicBedrock": "aws.bedrock",
    "AsyncAnthropicBedrock": "aws.bedrock",
    "AnthropicBedrockMantle": "aws.bedrock",
    "AsyncAnthropicBedrockMantle": "aws.bedrock",
    "AnthropicAWS": "aws.bedrock",
    "AsyncAnthropicAWS": "aws.bedrock",
    "AnthropicVertex": "gcp.vertex_ai",
    "AsyncAnthropicVertex": "gcp.vertex_ai",
    "AnthropicGoogleCloud": "gcp.vertex_ai",
    "AsyncAnthropicGoogleCloud": "gcp.vertex_ai",
    "AnthropicFoundry": "azure.ai.inference",
    "AsyncAnthropicFoundry": "azure.ai.inference",
}


def provider_of(client: Any) -> tuple[str, Optional[str], Optional[int]]:
    """(semconv provider, host, port) behind an Anthropic client, by class and base URL."""
    provider, host, port = provider_for(str(client.base_url))
    by_class = _CLIENT_PROVIDERS.get(type(client).__name__)
    if by_class is not None:
        return by_class, host, port
    # Anything else speaking the Anthropic API (a proxy, a gateway, a stand-in) is
    # Anthropic, unless its host is a provider we know.
    return ("anthropic" if provider == "openai" else provider), host, port


_ENDPOINTS: dict[str, Endpoint] = {
    "/v1/messages": Endpoint(
        _messages.OPERATION,
        _messages.request_attributes,
        _messages.response_attributes,
        _messages.MessageStreamAccumulator,
        shape="anthropic",
        provider_of=provider_of,
    ),
    "/v1/complete": Endpoint(
        _complete.OPERATION,
        _complete.request_attributes,
        _complete.response_attributes,
        _complete.CompletionStreamAccumulator,
        shape="anthropic",
        provider_of=provider_of,
    ),
}
_GENERIC = generic_endpoints("Anthropic", provider_of)


class AnthropicInstrumentor(RequestPointInstrumentor):
    """Instrument the ``anthropic`` SDK (Messages: create, stream, parse, beta; legacy
    Completions; other endpoints as plain spans; sync and async;
    Anthropic, Bedrock and Vertex clients)."""

    sdk_name = "Anthropic"
    endpoints = _ENDPOINTS
    generic_endpoints = _GENERIC

    _instruments = ("anthropic >= 0.30",)

    def request_classes(self) -> tuple[type, type]:
        from anthropic import _base_client

        return _base_client.SyncAPIClient, _base_client.AsyncAPIClient
