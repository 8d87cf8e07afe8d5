"""Semconv span → the attribute keys Helicone's OTLP ingestion reads (HELICONE_WIRE.md §2).

Runs on the export thread only. Helicone reads ``stringValue ?? intValue``, so every value
written here is a str or an int.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional

from .. import attributes as A

# semconv provider name → the legacy Helicone provider whose upper-case form its cost
# registry knows (HELICONE_WIRE.md §3).
_HELICONE_PROVIDER = {
    "openai": "openai",
    "azure.ai.openai": "azure",
    "azure.ai.inference": "azure",
    "anthropic": "anthropic",
    "aws.bedrock": "bedrock",
    "gcp.gemini": "google",
    "gcp.vertex_ai": "google",
    "gcp.gen_ai": "google",
    "cohere": "cohere",
    "groq": "groq",
    "mistral_ai": "mistral",
    "x_ai": "x",
    "deepseek": "deepseek",
    "together": "together",
    "fireworks": "fireworks",
    "openrouter": "openrouter",
    "perplexity": "perplexity",
    "nvidia": "nvidia",
    "nebius": "nebius",
    "novita": "novita",
    "deepinfra": "deepinfra",
    "cerebras": "cerebras",
    "ollama": "local",
}

_CONTEXT_TO_HEADER = {
    A.SESSION_ID: A.HEADER_SESSION_ID,
    A.SESSION_PATH: A.HEADER_SESSION_PATH,
    A.SESSION_NAME: A.HEADER_SESSION_NAME,
    A.USER_ID: A.HEADER_USER_ID,
}


def helicone_provider(provider: str) -> str:
    """The provider name Helicone's registry knows for a semconv provider name."""
    return _HELICONE_PROVIDER.get(provider, provider)


def is_llm_span(attributes: Optional[Mapping[str, Any]]) -> bool:
    """Helicone turns every span into a request; only LLM calls and custom steps should reach it."""
    return bool(attributes) and (A.PROVIDER_NAME in attributes or A.STEP_KIND in attributes)  # type: ignore[operator]


def _part_text(part: dict[str, Any]) -> Optional[str]:
    kind = part.get("type")
    if kind in ("text", "reasoning", "refusal"):
        content = part.get("content")
        return content if isinstance(content, str) else None
    if kind == "tool_call":
        return f"[tool_call {part.get('name')}] {part.get('arguments') or ''}".rstrip()
    if kind == "tool_call_response":
        response = part.get("response")
        return response if isinstance(response, str) else json.dumps(response, ensure_ascii=False, default=str)
    if kind in ("uri", "blob", "file"):
        return f"[{part.get('modality') or kind}]"
    return None


def message_text(message: Mapping[str, Any]) -> str:
    """The text a Helicone request view can show for one semconv message."""
    texts = [t for t in (_part_text(p) for p in message.get("parts") or () if isinstance(p, dict)) if t]
    return "\n".join(texts)


def load_json_list(value: Any) -> list:
    """A JSON-array attribute (semconv messages) as a list; anything else as []."""
    if not isinstance(value, str):
        return []
    try:
        loaded = json.loads(value)
    except ValueError:
        return []
    return loaded if isinstance(loaded, list) else []


def to_wire(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Wire attributes for one LLM span's semconv attributes."""
    # One plain copy: the SDK's attribute mapping answers every lookup through the Mapping ABC.
    a = attributes if type(attributes) is dict else dict(attributes)
    out: dict[str, Any] = {}
    provider = a.get(A.PROVIDER_NAME) or ""
    out[A.WIRE_SYSTEM] = helicone_provider(str(provider))
    model = a.get(A.RESPONSE_MODEL) or a.get(A.REQUEST_MODEL) or ""
    out[A.WIRE_RESPONSE_MODEL] = str(model)
    if a.get(A.REQUEST_MODEL):
        out[A.REQUEST_MODEL] = str(a[A.REQUEST_MODEL])
    operation = a.get(A.OPERATION_NAME)
    if operation:
        out[A.WIRE_REQUEST_TYPE] = str(operation)
    prompt_tokens = a.get(A.USAGE_INPUT_TOKENS)
    completion_tokens = a.get(A.USAGE_OUTPUT_TOKENS)
    if isinstance(prompt_tokens, int):
        out[A.WIRE_PROMPT_TOKENS] = prompt_tokens
    if isinstance(completion_tokens, int):
        out[A.WIRE_COMPLETION_TOKENS] = completion_tokens
    if isinstance(prompt_tokens, int) or isinstance(completion_tokens, int):
        out[A.WIRE_TOTAL_TOKENS] = (prompt_tokens or 0) + (completion_tokens or 0)
    for source, target in ((A.USAGE_CACHE_READ_INPUT_TOKENS, A.WIRE_CACHE_READ_TOKENS),
                           (A.USAGE_REASONING_OUTPUT_TOKENS, A.WIRE_REASONING_TOKENS)):
        if isinstance(a.get(source), int):
            out[target] = a[source]
    max_tokens = a.get(A.REQUEST_MAX_TOKENS)
    if isinstance(max_tokens, int):
        out[A.WIRE_MAX_TOKENS] = max_tokens
    cost = a.get(A.USAGE_COST)
    if isinstance(cost, (int, float)):
        out[A.WIRE_COST] = repr(float(cost))
    ttfc = a.get(A.RESPONSE_TIME_TO_FIRST_CHUNK)
    if isinstance(ttfc, (int, float)):
        out[A.WIRE_TIME_TO_FIRST_TOKEN_MS] = int(ttfc * 1000)
    if a.get(A.ERROR_TYPE):
        out[A.WIRE_ERROR_TYPE] = str(a[A.ERROR_TYPE])

    index = 0
    for instruction in load_json_list(a.get(A.SYSTEM_INSTRUCTIONS)):
        if isinstance(instruction, dict):
            text = _part_text(instruction)
            if text:
                out[f"{A.WIRE_PROMPT_PREFIX}{index}.role"] = "system"
                out[f"{A.WIRE_PROMPT_PREFIX}{index}.content"] = text
                index += 1
    for message in load_json_list(a.get(A.INPUT_MESSAGES)):
        if isinstance(message, dict):
            out[f"{A.WIRE_PROMPT_PREFIX}{index}.role"] = str(message.get("role") or "user")
            out[f"{A.WIRE_PROMPT_PREFIX}{index}.content"] = message_text(message)
            index += 1
    for i, message in enumerate(m for m in load_json_list(a.get(A.OUTPUT_MESSAGES)) if isinstance(m, dict)):
        out[f"{A.WIRE_COMPLETION_PREFIX}{i}.role"] = str(message.get("role") or "assistant")
        out[f"{A.WIRE_COMPLETION_PREFIX}{i}.content"] = message_text(message)
        if message.get("finish_reason"):
            out[f"{A.WIRE_COMPLETION_PREFIX}{i}.finish_reason"] = str(message["finish_reason"])

    for header, value in context_headers(a).items():
        out[A.WIRE_ASSOCIATION_PREFIX + header] = value
    return out


def context_headers(attributes: Mapping[str, Any]) -> dict[str, str]:
    """The span's session/user/property context as Helicone header names and string values."""
    out: dict[str, str] = {}
    prefix = A.PROPERTY_PREFIX
    for key, value in attributes.items():
        if not key.startswith("helicone."):
            continue
        header = _CONTEXT_TO_HEADER.get(key)
        if header is None and key.startswith(prefix):
            header = A.HEADER_PROPERTY_PREFIX + key[len(prefix):]
        if header is not None:
            out[header] = str(value)
    return out
