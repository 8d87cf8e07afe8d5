"""Provider names, in one table: semconv name ↔ the Helicone provider that prices it ↔ the
hosts that serve it. Which provider stands behind a client is told apart by its base URL."""

from __future__ import annotations

from functools import lru_cache
from typing import Optional
from urllib.parse import urlsplit

OPENAI = "openai"

# host suffix → semconv provider name (well-known values where semconv has one).
_HOST_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("api.openai.com", OPENAI),
    ("openai.azure.com", "azure.ai.openai"),
    ("cognitiveservices.azure.com", "azure.ai.openai"),
    ("services.ai.azure.com", "azure.ai.inference"),
    ("models.inference.ai.azure.com", "azure.ai.inference"),
    ("api.groq.com", "groq"),
    ("api.x.ai", "x_ai"),
    ("api.deepseek.com", "deepseek"),
    ("api.together.xyz", "together"),
    ("api.together.ai", "together"),
    ("api.fireworks.ai", "fireworks"),
    ("openrouter.ai", "openrouter"),
    ("api.mistral.ai", "mistral_ai"),
    ("api.perplexity.ai", "perplexity"),
    ("integrate.api.nvidia.com", "nvidia"),
    ("api.studio.nebius.ai", "nebius"),
    ("api.studio.nebius.com", "nebius"),
    ("api.tokenfactory.nebius.com", "nebius"),
    ("api.novita.ai", "novita"),
    ("api.deepinfra.com", "deepinfra"),
    ("api.cerebras.ai", "cerebras"),
    ("generativelanguage.googleapis.com", "gcp.gemini"),
    ("aiplatform.googleapis.com", "gcp.vertex_ai"),
    ("api.anthropic.com", "anthropic"),
    ("api.cohere.ai", "cohere"),
    ("api.cohere.com", "cohere"),
    ("oai.helicone.ai", OPENAI),
)
_OLLAMA_PORT = 11434

# semconv provider name → the provider name Helicone's cost registry and body processors know
# (HELICONE_WIRE.md §3; ``packages/cost/providers/mappings.ts`` ``providersNames``). Claude on
# Bedrock/Vertex/Foundry speaks the Anthropic Messages shape, which only Helicone's
# ANTHROPIC body processor reads (ResponseBodyHandler.ts ``getBodyProcessor``).
_HELICONE_PROVIDER = {
    "openai": "OPENAI",
    "azure.ai.openai": "AZURE",
    "azure.ai.inference": "AZURE",
    "anthropic": "ANTHROPIC",
    # AWS: Helicone's rows for Bedrock *and* Amazon Nova (``mappings.ts``: AWS = bedrock + nova);
    # BEDROCK has no Nova rows. Both read the same body processors (checked with the oracle).
    "aws.bedrock": "AWS",
    "gcp.gemini": "GOOGLE",
    "gcp.vertex_ai": "GOOGLE",
    "gcp.gen_ai": "GOOGLE",
    "cohere": "COHERE",
    "groq": "GROQ",
    "mistral_ai": "MISTRAL",
    "x_ai": "X",
    "deepseek": "DEEPSEEK",
    "together": "TOGETHER",
    "fireworks": "FIREWORKS",
    "openrouter": "OPENROUTER",
    "perplexity": "PERPLEXITY",
    "nvidia": "NVIDIA",
    "nebius": "NEBIUS",
    "novita": "NOVITA",
    "deepinfra": "DEEPINFRA",
    "cerebras": "CEREBRAS",
    "ollama": "LOCAL",
}


# LiteLLM's provider names (``litellm.get_llm_provider``) → semconv provider names; others are
# kept as LiteLLM names them.
_LITELLM_PROVIDERS = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "azure": "azure.ai.openai",
    "azure_text": "azure.ai.openai",
    "azure_ai": "azure.ai.inference",
    "anthropic": "anthropic",
    "bedrock": "aws.bedrock",
    "sagemaker": "aws.sagemaker",
    "vertex_ai": "gcp.vertex_ai",
    "vertex_ai_beta": "gcp.vertex_ai",
    "gemini": "gcp.gemini",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "groq": "groq",
    "mistral": "mistral_ai",
    "xai": "x_ai",
    "deepseek": "deepseek",
    "together_ai": "together",
    "fireworks_ai": "fireworks",
    "openrouter": "openrouter",
    "perplexity": "perplexity",
    "nvidia_nim": "nvidia",
    "nebius": "nebius",
    "novita": "novita",
    "deepinfra": "deepinfra",
    "cerebras": "cerebras",
    "ollama": "ollama",
    "ollama_chat": "ollama",
    "helicone": "helicone",
}


def litellm_provider(name: str) -> str:
    """The semconv provider name for a LiteLLM provider name (``together_ai`` → ``together``)."""
    return _LITELLM_PROVIDERS.get(name, name or "litellm")


def helicone_provider(provider: str, anthropic_shape: bool = False) -> str:
    """The Helicone provider name for a semconv provider name (``ANTHROPIC`` for any call in
    the Anthropic Messages shape, wherever it is hosted)."""
    if anthropic_shape:
        return "ANTHROPIC"
    return _HELICONE_PROVIDER.get(provider, provider.upper() or "OPENAI")


@lru_cache(maxsize=256)
def provider_for(base_url: str, azure_client: bool = False) -> tuple[str, Optional[str], Optional[int]]:
    """(provider name, server host, server port) for a client's base URL."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if azure_client:
        return "azure.ai.openai", host or None, port
    for suffix, provider in _HOST_SUFFIXES:
        if host == suffix or host.endswith("." + suffix):
            return provider, host, port
    if port == _OLLAMA_PORT:
        return "ollama", host or None, port
    return OPENAI, host or None, port


# Where asking for ``stream_options.include_usage`` is known to be accepted. Elsewhere the
# request goes untouched: Azure API versions before 2024-09-01 and several OpenAI-compatible
# servers answer 400 "Unrecognized request argument supplied: stream_options"
# (openai/openai-python#1469), so an unknown host would fail only because we are installed.
_STREAM_USAGE_HOSTS = ("api.openai.com",)
_AZURE_HOSTS = ("openai.azure.com", "cognitiveservices.azure.com")
AZURE_STREAM_USAGE_SINCE = "2024-09-01"


@lru_cache(maxsize=256)
def accepts_stream_usage(base_url: str, azure_api_version: Optional[str], extra_hosts: frozenset[str] = frozenset()) -> bool:
    """True when the endpoint at ``base_url`` accepts ``stream_options.include_usage``
    (``extra_hosts``: hosts the user vouches for)."""
    host = (urlsplit(base_url).hostname or "").lower()
    if host in extra_hosts:
        return True
    if azure_api_version is not None or any(host == h or host.endswith("." + h) for h in _AZURE_HOSTS):
        return (azure_api_version or "")[:10] >= AZURE_STREAM_USAGE_SINCE
    return any(host == h or host.endswith("." + h) for h in _STREAM_USAGE_HOSTS)


# Helicone's proxy and AI Gateway: a call whose client points here is logged by Helicone itself.
# Its logging API hosts are not proxies.
_HELICONE_DOMAINS = ("helicone.ai", "hconeai.com")
_HELICONE_API_HOSTS = frozenset({"api.helicone.ai", "eu.api.helicone.ai", "api.worker.helicone.ai", "helicone.ai", "www.helicone.ai"})


@lru_cache(maxsize=256)
def is_helicone_proxy(base_url: str, extra_hosts: frozenset[str] = frozenset()) -> bool:
    """True when ``base_url`` is Helicone's proxy or AI Gateway (``oai.helicone.ai``,
    ``anthropic.helicone.ai``, ``ai-gateway.helicone.ai``, EU hosts…) or a self-hosted gateway
    in ``extra_hosts``."""
    host = (urlsplit(base_url).hostname or "").lower()
    if host in extra_hosts:
        return True
    return host not in _HELICONE_API_HOSTS and any(host == d or host.endswith("." + d) for d in _HELICONE_DOMAINS)
