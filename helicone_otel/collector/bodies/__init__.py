"""jawn's body processors (``lib/shared/bodyProcessors``): a provider's raw response text → the
stored response body and the "legacy" usage (camelCase keys, as jawn's ``Usage`` type).

``body_processor`` is ``ResponseBodyHandler.getBodyProcessor`` (ResponseBodyHandler.ts:423-485).
Not replicated: the LLAMA and VERCEL processors and the AWS/BEDROCK stream processor; the
exporter never sends those providers, and the collector uses the generic/OpenAI ones for them.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from ..js import UNDEFINED


class ParseOutput(NamedTuple):
    """``ParseOutput`` (IBodyProcessor.ts): body to store, legacy usage, status override."""

    processed_body: Any
    usage: Any = UNDEFINED
    status_override: Any = UNDEFINED


BodyProcessor = Callable[[str], ParseOutput]


def body_processor(is_stream: bool, provider: Any) -> BodyProcessor:
    """The processor jawn picks for a custom-log or OTLP request (never an AI Gateway one)."""
    from . import anthropic, generic, google_stream, openai_stream

    if not is_stream:
        if provider == "ANTHROPIC":
            return anthropic.parse_message
        if provider == "GOOGLE":
            return generic.parse_google
        return generic.parse_generic
    # jawn also checks `model?.includes("claude")`, but processedLog.model is not set yet at this
    # point (ResponseBodyHandler.ts:321 runs before :114), so only the provider decides.
    if provider == "ANTHROPIC":
        return anthropic.parse_stream
    if provider == "GOOGLE":
        return google_stream.parse_stream
    if provider == "TOGETHER":
        return openai_stream.parse_together_stream
    if provider == "GROQ":
        return openai_stream.parse_groq_stream
    return openai_stream.parse_openai_stream
