"""AnthropicInstrumentor: traces the ``anthropic`` SDK at its single request point.

``Anthropic``, ``AnthropicBedrock``, ``AnthropicVertex`` and their async twins all send every
API call through ``SyncAPIClient.request`` / ``AsyncAPIClient.request`` of the anthropic
package; we wrap those two. ``messages.create``, ``messages.stream()``, ``messages.parse`` and
``beta.messages`` all arrive as ``POST /v1/messages``; ``count_tokens`` is left untraced.
"""

from __future__ import annotations

from typing import Any, Collection, Optional

from opentelemetry import trace
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

from ..._version import __version__
from .._patching import Patch
from .._request_point import Endpoint, make_request_wrappers
from .._spans import InstrumentationOptions
from ..openai._providers import provider_for
from . import _messages

_INSTRUMENTS = ("anthropic >= 0.30",)

_ENDPOINTS: dict[str, Endpoint] = {
    "/v1/messages": Endpoint(
        _messages.OPERATION,
        _messages.request_attributes,
        _messages.response_attributes,
        _messages.MessageStreamAccumulator,
    ),
}

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


def _provider_of(client: Any) -> tuple[str, Optional[str], Optional[int]]:
    provider, host, port = provider_for(str(client.base_url))
    by_class = _CLIENT_PROVIDERS.get(type(client).__name__)
    if by_class is not None:
        return by_class, host, port
    # Anything else speaking the Anthropic API (a proxy, a gateway, a stand-in) is Anthropic,
    # unless its host is a provider we know.
    return ("anthropic" if provider == "openai" else provider), host, port


class AnthropicInstrumentor(BaseInstrumentor):
    """Instrument the ``anthropic`` SDK (Messages: create, stream, parse, beta; sync and async;
    Anthropic, Bedrock and Vertex clients)."""

    def instrumentation_dependencies(self) -> Collection[str]:
        return _INSTRUMENTS

    def _instrument(self, **kwargs: Any) -> None:
        from anthropic import _base_client

        opts = kwargs.get("options") or InstrumentationOptions()
        tracer = trace.get_tracer(__name__, __version__, tracer_provider=kwargs.get("tracer_provider"))
        sync_request, async_request = make_request_wrappers(tracer, opts, _ENDPOINTS, _provider_of, "Anthropic")
        self._patches = [
            Patch(_base_client.SyncAPIClient, "request", sync_request),
            Patch(_base_client.AsyncAPIClient, "request", async_request),
        ]

    def _uninstrument(self, **kwargs: Any) -> None:
        for patch in reversed(getattr(self, "_patches", ())):
            patch.undo()
        self._patches = []
