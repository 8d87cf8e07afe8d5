"""LiteLLM on the export thread: the call's arguments as the request the provider got, the
provider behind it, stream folding, and the body Helicone reads.

LiteLLM answers every provider in the OpenAI shape. What Helicone stores (checked with the
helicone-oracle at 67df07b8d): its generic processor reads that shape for every provider but
two, ANTHROPIC (reads ``usage.input_tokens``…) and GOOGLE (reads ``usageMetadata``), and only
those providers' rows price Claude and Gemini. So the response goes with the usage also under
the names the provider's processor reads (LiteLLM's stay), streams folded into the
``chat.completion`` they add up to (no stream processor of Helicone's reads LiteLLM's chunks
for those providers), the request then without ``stream``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Optional
from urllib.parse import urlsplit

from ...export.extract import to_dict
from ...guard import guard
from ...providers import helicone_provider, litellm_provider
from .._content import field, int_or_none

# Client settings LiteLLM takes beside the body (credentials among them): never sent.
_NOT_BODY = frozenset({"api_base", "api_key", "api_version", "base_url", "default_headers", "deployment_id",
                       "extra_headers", "max_retries", "organization", "request_timeout", "timeout"})
_EMBEDDING_PARAMS = frozenset({"input", "dimensions", "encoding_format", "input_type", "user"})


@lru_cache(maxsize=1)
def _body_keys() -> frozenset[str]:
    import litellm

    return frozenset(litellm.OPENAI_CHAT_COMPLETION_PARAMS) - _NOT_BODY | {"model", "messages"} | _EMBEDDING_PARAMS


def arguments(recorded: Any) -> dict[str, Any]:
    """The call's arguments by name (``completion(model, messages, …)``, ``embedding(model, input, …)``)."""
    args, kwargs, names = recorded
    return {**dict(zip(names, args)), **kwargs}


@lru_cache(maxsize=512)
def _resolve(model: str, provider: Optional[str], api_base: Optional[str]) -> tuple[str, str, Optional[str]]:
    import litellm

    resolved, name, _, base = litellm.get_llm_provider(model=model, custom_llm_provider=provider, api_base=api_base)
    return resolved, name, base


def resolve(call_arguments: dict[str, Any]) -> tuple[str, str, Optional[str]]:
    """(the provider's model id, LiteLLM's provider name, the API base) of a call."""
    model = str(call_arguments.get("model") or "")
    provider, api_base = call_arguments.get("custom_llm_provider"), call_arguments.get("api_base") or call_arguments.get("base_url")
    return guard("resolving a LiteLLM model", _resolve, model, provider if isinstance(provider, str) else None,
                 api_base if isinstance(api_base, str) else None) or (model, "", None)


def provider_of(recorded: Any) -> tuple[str, Optional[str], Optional[int]]:
    """(semconv provider, host, port) of a call: LiteLLM has no client object, the call's
    arguments (model prefix, ``custom_llm_provider``, ``api_base``) name the provider."""
    _, name, api_base = resolve(arguments(recorded))
    parts = urlsplit(api_base or "")
    try:
        port = parts.port
    except ValueError:
        port = None
    return litellm_provider(name), parts.hostname, port


def read_request(recorded: Any, path: str, _: Any) -> tuple[dict[str, Any], str]:
    """(the request body the provider got: its model id, the OpenAI-style parameters; the URL)."""
    call_arguments = arguments(recorded)
    keys = _body_keys()
    request = {key: to_json(value) for key, value in call_arguments.items() if key in keys}
    model, _, api_base = resolve(call_arguments)
    request["model"] = model
    return request, (api_base or "").rstrip("/") + path


def to_json(value: Any) -> Any:
    """LiteLLM's objects (pydantic models, typed dicts) as JSON."""
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    return to_dict(value)


def fold(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """OpenAI-shaped stream chunks → the ``chat.completion`` they add up to."""
    response: dict[str, Any] = {"object": "chat.completion"}
    choices: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        for key in ("id", "created", "model", "system_fingerprint"):
            if chunk.get(key) is not None and key not in response:
                response[key] = chunk[key]
        if chunk.get("usage"):
            response["usage"] = chunk["usage"]
        for choice in chunk.get("choices") or ():
            slot = choices.setdefault(int_or_none(choice.get("index")) or 0, {"content": [], "tool_calls": {}, "finish_reason": None})
            delta = choice.get("delta") or {}
            if delta.get("content"):
                slot["content"].append(str(delta["content"]))
            for call in delta.get("tool_calls") or ():
                tool = slot["tool_calls"].setdefault(int_or_none(call.get("index")) or 0, {"id": None, "name": None, "arguments": []})
                tool["id"] = call.get("id") or tool["id"]
                function = call.get("function") or {}
                tool["name"] = function.get("name") or tool["name"]
                tool["arguments"].append(str(function.get("arguments") or ""))
            slot["finish_reason"] = choice.get("finish_reason") or slot["finish_reason"]
    response["choices"] = []
    for index, slot in sorted(choices.items()):
        message: dict[str, Any] = {"role": "assistant", "content": "".join(slot["content"]) or None}
        if slot["tool_calls"]:
            message["tool_calls"] = [{"id": t["id"], "type": "function", "function": {"name": t["name"], "arguments": "".join(t["arguments"])}}
                                     for _, t in sorted(slot["tool_calls"].items())]
        response["choices"].append({"index": index, "message": message, "finish_reason": slot["finish_reason"]})
    return response


def _helicone_usage(provider: str, response: dict[str, Any]) -> dict[str, Any]:
    usage = response.get("usage")
    if not isinstance(usage, dict):
        return response
    prompt = int_or_none(usage.get("prompt_tokens")) or 0
    completion = int_or_none(usage.get("completion_tokens")) or 0
    cached = int_or_none(usage.get("cache_read_input_tokens")) or int_or_none(field(usage.get("prompt_tokens_details"), "cached_tokens")) or 0
    written = int_or_none(usage.get("cache_creation_input_tokens")) or 0
    if provider == "ANTHROPIC":  # Anthropic's input_tokens is the uncached part of the prompt
        names = {"input_tokens": max(0, prompt - cached - written), "output_tokens": completion,
                 "cache_read_input_tokens": cached, "cache_creation_input_tokens": written}
        if written:
            names["cache_creation"] = {"ephemeral_5m_input_tokens": written, "ephemeral_1h_input_tokens": 0}
        return {**response, "usage": {**usage, **names}}
    if provider == "GOOGLE":  # Gemini's usageMetadata: the prompt includes cached tokens
        reasoning = int_or_none(field(usage.get("completion_tokens_details"), "reasoning_tokens")) or 0
        metadata = {"promptTokenCount": prompt, "candidatesTokenCount": completion - reasoning, "totalTokenCount": prompt + completion}
        if cached:
            metadata["cachedContentTokenCount"] = cached
        if reasoning:
            metadata["thoughtsTokenCount"] = reasoning
        return {**response, "usageMetadata": metadata}
    return response


def helicone_provider_of(model: str, provider: str) -> str:
    """Helicone's provider for a LiteLLM call: the model family decides for Claude and Gemini
    (on Vertex, Bedrock, OpenRouter… only ANTHROPIC's and GOOGLE's rows price them)."""
    name = model.rsplit("/", 1)[-1].lower()
    if "claude" in name:  # as AWS, Helicone stores Claude's cache tokens but charges nothing for them
        return "ANTHROPIC"
    if name.startswith("gemini"):
        return "GOOGLE"
    return helicone_provider(provider)


def chat_body(record: Any) -> dict[str, Any]:
    """The custom-log parts of a completion / acompletion call."""
    request = record.request
    response = record.response
    if record.chunks is not None:
        response = fold(record.chunks)
        request = {k: v for k, v in request.items() if k not in ("stream", "stream_options")}
    provider = helicone_provider_of(str(request.get("model") or ""), record.provider)
    if response is not None and "error" not in response:
        response = _helicone_usage(provider, response)
    return {"provider": provider, "request": request, "response": response or {}}


def embedding_body(record: Any) -> dict[str, Any]:
    """The custom-log parts of an embedding call (OpenAI shape, read by the generic processor)."""
    return {"provider": helicone_provider(record.provider)}
