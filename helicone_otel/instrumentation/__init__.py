"""The instrumentors helicone_otel ships, by provider name, loaded only when used."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Callable

from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

# provider name → (SDK module that must be importable, "module:Instrumentor")
INSTRUMENTORS: dict[str, tuple[str, str]] = {
    "openai": ("openai", "helicone_otel.instrumentation.openai:OpenAIInstrumentor"),
    "anthropic": ("anthropic", "helicone_otel.instrumentation.anthropic:AnthropicInstrumentor"),
    "bedrock": ("botocore", "helicone_otel.instrumentation.bedrock:BedrockInstrumentor"),
    "cohere": ("cohere", "helicone_otel.instrumentation.cohere:CohereInstrumentor"),
    "litellm": ("litellm", "helicone_otel.instrumentation.litellm:LiteLLMInstrumentor"),
    "groq": ("groq", "helicone_otel.instrumentation.groq:GroqInstrumentor"),
    "mistralai": ("mistralai", "helicone_otel.instrumentation.mistralai:MistralInstrumentor"),
    "google-genai": ("google.genai", "helicone_otel.instrumentation.google_genai:GoogleGenAIInstrumentor"),
    # Agent frameworks: their runs, tools and retrievals (the LLM calls under them come from the above).
    "langchain": ("langchain_core", "helicone_otel.instrumentation.langchain:LangChainInstrumentor"),
    "llama-index": ("llama_index.core", "helicone_otel.instrumentation.llama_index:LlamaIndexInstrumentor"),
    "openai-agents": ("agents", "helicone_otel.instrumentation.openai_agents:OpenAIAgentsInstrumentor"),
}


def supported_providers() -> tuple[str, ...]:
    """Every provider name ``providers=`` accepts."""
    return tuple(INSTRUMENTORS)


def is_installed(provider: str) -> bool:
    """True when the provider's SDK can be imported."""
    try:
        return importlib.util.find_spec(INSTRUMENTORS[provider][0]) is not None
    except (ImportError, ValueError):  # a dotted name whose parent package is absent raises
        return False


def load(provider: str) -> Callable[[], BaseInstrumentor]:
    """The instrumentor class for ``provider`` (imports it)."""
    module, _, name = INSTRUMENTORS[provider][1].partition(":")
    return getattr(importlib.import_module(module), name)
