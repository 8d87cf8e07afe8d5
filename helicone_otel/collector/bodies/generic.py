"""jawn ``genericBodyProcessor.ts`` and ``googleBodyProcessor.ts`` (non-stream bodies)."""

from __future__ import annotations

from typing import Any

from ..js import UNDEFINED, get, greater, is_nullish, js_max, nullish, parse_json, sub, to_number, truthy
from . import ParseOutput


def parse_generic(response_body: str) -> ParseOutput:
    """Every provider without its own processor: OpenAI chat/completions/embeddings/Responses."""
    parsed = parse_json(response_body)
    return ParseOutput(parsed, generic_usage(parsed))


def generic_usage(parsed: Any) -> dict[str, Any]:
    """``GenericBodyProcessor.getUsage`` (genericBodyProcessor.ts:17-104)."""
    if not isinstance(parsed, (dict, list)):
        return {"heliconeCalculated": False}
    if not (isinstance(parsed, dict) and "usage" in parsed):
        # Bedrock-style counts at the top level.
        return {
            "promptTokens": nullish(get(parsed, "prompt_token_count"), UNDEFINED),
            "promptCacheWriteTokens": nullish(get(parsed, "prompt_cache_write_token_count"), UNDEFINED),
            "promptCacheReadTokens": nullish(get(parsed, "prompt_cache_read_token_count"), UNDEFINED),
            "completionTokens": nullish(get(parsed, "generation_token_count"), UNDEFINED),
            "heliconeCalculated": False,
        }
    usage = parsed["usage"]
    if usage is None:
        # `usage?.x ?? 0` reads null as 0, but `usage.output_tokens` below throws on null.
        raise TypeError("Cannot read properties of null (reading 'output_tokens')")
    prompt = nullish(get(usage, "prompt_tokens"), get(usage, "input_tokens"), 0)
    cached = nullish(get(get(usage, "prompt_tokens_details"), "cached_tokens"), get(get(usage, "input_tokens_details"), "cached_tokens"), 0)
    audio = nullish(get(get(usage, "prompt_tokens_details"), "audio_tokens"), 0)
    # "if cached > prompt_tokens, data is already non-cached (Anthropic convention)" (:81-88)
    if greater(cached, prompt):
        effective_prompt = js_max(0, sub(prompt, audio))
    else:
        effective_prompt = js_max(0, sub(sub(prompt, cached), audio))
    completion_details = get(usage, "completion_tokens_details")
    if get(usage, "completion_tokens") is not UNDEFINED:
        effective_completion = js_max(0, sub(sub(nullish(usage["completion_tokens"], 0), nullish(get(completion_details, "reasoning_tokens"), 0)),
                                             nullish(get(completion_details, "audio_tokens"), 0)))
    else:
        effective_completion = js_max(0, sub(nullish(get(usage, "output_tokens"), 0), nullish(get(get(usage, "output_tokens_details"), "reasoning_tokens"), 0)))
    return {
        "promptTokens": effective_prompt,
        "promptCacheReadTokens": nullish(get(get(usage, "prompt_tokens_details"), "cached_tokens"), get(get(usage, "input_tokens_details"), "cached_tokens"), 0),
        "promptCacheWriteTokens": nullish(get(get(usage, "prompt_tokens_details"), "cache_write_tokens"), 0),
        "completionTokens": effective_completion,
        "totalTokens": get(usage, "total_tokens"),
        "heliconeCalculated": False,
        "cost": get(usage, "cost"),  # OpenRouter's own cost, used as is when non-zero
    }


def parse_google(response_body: str) -> ParseOutput:
    """``GoogleBodyProcessor`` (googleBodyProcessor.ts): ``usageMetadata``, or Anthropic usage."""
    parsed = parse_json(response_body)
    usage = get(parsed, "usage")
    if truthy(usage) and isinstance(usage, dict) and "input_tokens" in usage and "output_tokens" in usage:
        return ParseOutput(parsed, {
            "totalTokens": to_number(usage["input_tokens"]) + to_number(usage["output_tokens"]),
            "promptTokens": usage["input_tokens"],
            "completionTokens": usage["output_tokens"],
            "promptCacheWriteTokens": nullish(get(usage, "cache_creation_input_tokens"), 0),
            "promptCacheReadTokens": nullish(get(usage, "cache_read_input_tokens"), 0),
        })
    metadata = get(parsed, "usageMetadata")
    if not isinstance(parsed, list) and truthy(metadata) and isinstance(get(parsed, "name"), str) and "cachedContent" in parsed["name"]:
        total = nullish(get(metadata, "totalTokenCount"), 0)
        return ParseOutput(parsed, {
            "totalTokens": total, "promptTokens": 0, "completionTokens": 0, "promptCacheWriteTokens": total,
            "promptCacheReadTokens": 0, "promptCacheWrite5m": total, "promptCacheWrite1h": 0, "heliconeCalculated": False,
        })
    if isinstance(parsed, list):
        item = next((i for i in parsed if truthy(get(i, "usageMetadata"))), UNDEFINED)
    else:
        item = parsed if truthy(metadata) else UNDEFINED
    metadata = get(item, "usageMetadata")
    prompt = get(metadata, "promptTokenCount")
    cached = get(metadata, "cachedContentTokenCount")
    adjusted = sub(prompt, cached) if prompt is not UNDEFINED and cached is not UNDEFINED else UNDEFINED
    return ParseOutput(parsed, {
        "totalTokens": get(metadata, "totalTokenCount"),
        "promptTokens": adjusted,
        "completionTokens": to_number(nullish(get(metadata, "thoughtsTokenCount"), 0)) + to_number(nullish(get(metadata, "candidatesTokenCount"), 0)),
        "heliconeCalculated": False,
        "promptCacheReadTokens": cached,
    })


_ = is_nullish
