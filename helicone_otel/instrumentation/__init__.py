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
}


def supported_providers() -> tuple[str, ...]:
    """Every provider name ``providers=`` accepts."""
    return tuple(INSTRUMENTORS)


def is_installed(provider: str) -> bool:
    """True when the provider's SDK can be imported."""
    return importlib.util.find_spec(INSTRUMENTORS[provider][0]) is not None


def load(provider: str) -> Callable[[], BaseInstrumentor]:
    """The instrumentor class for ``provider`` (imports it)."""
    module, _, name = INSTRUMENTORS[provider][1].partition(":")
    return getattr(importlib.import_module(module), name)
