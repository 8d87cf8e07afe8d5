"""Helicone's registry-aware usage processors (``packages/cost/usage/*UsageProcessor.ts``).

jawn runs one of these on every raw response body (ResponseBodyHandler.ts:172-220) and, when it
parses, its counts win over the body processor's for the stored tokens (HandlerContext.ts
``getPromptTokens`` and friends). jawn passes ``isStream`` from the queue message, which is false
for custom logs and OTLP spans, so an SSE ``textBody`` never parses here: stream tokens come from
the body processors alone. Only the non-stream parse is therefore ported.
"""

from __future__ import annotations

from typing import Any, Callable

from .js import UNDEFINED, get, greater, js_max, nullish, parse_json, sub, to_number, truthy

ModelUsage = dict[str, Any]


def _openai(parsed: Any) -> ModelUsage:
    """``OpenAIUsageProcessor.extractUsageFromResponse``: input excludes cached and audio
    tokens, output excludes reasoning (``thinking``) and audio tokens."""
    if not isinstance(parsed, (dict, list)):
        return {"input": 0, "output": 0}
    usage = get(parsed, "usage")
    usage = usage if truthy(usage) else {}
    prompt = nullish(get(usage, "prompt_tokens"), get(usage, "input_tokens"), 0)
    completion = nullish(get(usage, "completion_tokens"), get(usage, "output_tokens"), 0)
    prompt_details = get(usage, "prompt_tokens_details")
    prompt_details = prompt_details if truthy(prompt_details) else get(usage, "input_tokens_details")
    prompt_details = prompt_details if truthy(prompt_details) else {}
    completion_details = get(usage, "completion_tokens_details")
    completion_details = completion_details if truthy(completion_details) else get(usage, "output_tokens_details")
    completion_details = completion_details if truthy(completion_details) else {}
    cached = nullish(get(prompt_details, "cached_tokens"), 0)
    prompt_audio = nullish(get(prompt_details, "audio_tokens"), 0)
    completion_audio = nullish(get(completion_details, "audio_tokens"), 0)
    reasoning = nullish(get(completion_details, "reasoning_tokens"), 0)
    write_details = get(prompt_details, "cache_write_details")
    write_total = nullish(get(prompt_details, "cache_write_tokens"), 0)
    write_5m = nullish(get(write_details, "write_5m_tokens"), write_total)
    write_1h = nullish(get(write_details, "write_1h_tokens"), 0)
    if greater(cached, prompt):
        effective_prompt = js_max(0, sub(prompt, prompt_audio))
    else:
        effective_prompt = js_max(0, sub(sub(prompt, cached), prompt_audio))
    effective_completion = js_max(0, sub(sub(completion, completion_audio), reasoning))
    model_usage: ModelUsage = {"input": effective_prompt, "output": effective_completion}
    if greater(cached, 0) or greater(write_5m, 0) or greater(write_1h, 0):
        model_usage["cacheDetails"] = {"cachedInput": cached, "write5m": nullish(write_5m, 0), "write1h": nullish(write_1h, 0)}
    if greater(reasoning, 0):
        model_usage["thinking"] = reasoning
    modality = get(usage, "modality_tokens")
    if truthy(get(modality, "audio")):
        model_usage["audio"] = _modality(modality["audio"])
    elif greater(prompt_audio, 0) or greater(completion_audio, 0):
        model_usage["audio"] = {"input": prompt_audio, "output": completion_audio}
    for name in ("image", "video", "file"):
        if truthy(get(modality, name)):
            model_usage[name] = _modality(modality[name])
    rejected = nullish(get(completion_details, "rejected_prediction_tokens"), 0)
    accepted = nullish(get(completion_details, "accepted_prediction_tokens"), 0)
    if greater(rejected, 0) or greater(accepted, 0):
        model_usage["output"] = effective_completion + to_number(accepted)
    output = get(parsed, "output")
    if isinstance(output, dict):
        raise TypeError("parsedResponse.output is not iterable")
    for item in (output if truthy(output) else []):
        if get(item, "type") == "web_search_call":
            model_usage["web_search"] = model_usage.get("web_search", 0) + 1
    if truthy(get(usage, "cost")):
        model_usage["cost"] = usage["cost"]
    return model_usage


def _modality(tokens: Any) -> dict[str, Any]:
    return {"input": nullish(get(tokens, "input_tokens"), 0), "cachedInput": nullish(get(tokens, "cached_tokens"), 0),
            "output": nullish(get(tokens, "output_tokens"), 0)}


def _anthropic(parsed: Any) -> ModelUsage:
    """``AnthropicUsageProcessor``: cache writes only from the ``cache_creation`` breakdown, so a
    response with ``cache_creation_input_tokens`` but no breakdown has no priced writes."""
    if not isinstance(parsed, (dict, list)):
        return {"input": 0, "output": 0}
    usage = get(parsed, "usage")
    if truthy(usage) and isinstance(usage, (dict, list)):
        read = nullish(get(usage, "cache_read_input_tokens"), 0)
        creation = get(usage, "cache_creation")
        creation = creation if truthy(creation) else {}
        write_5m = nullish(get(creation, "ephemeral_5m_input_tokens"), 0)
        write_1h = nullish(get(creation, "ephemeral_1h_input_tokens"), 0)
        server_tools = get(usage, "server_tool_use")
        searches = nullish(get(server_tools if truthy(server_tools) else {}, "web_search_requests"), 0)
        model_usage: ModelUsage = {"input": nullish(get(usage, "input_tokens"), 0), "output": nullish(get(usage, "output_tokens"), 0)}
        if greater(read, 0) or greater(write_5m, 0) or greater(write_1h, 0):
            details: dict[str, Any] = {"cachedInput": read}
            if greater(write_5m, 0):
                details["write5m"] = write_5m
            if greater(write_1h, 0):
                details["write1h"] = write_1h
            model_usage["cacheDetails"] = details
        if greater(searches, 0):
            model_usage["web_search"] = searches
        return model_usage
    if isinstance(parsed, dict) and "input_tokens" in parsed:
        return {"input": nullish(parsed["input_tokens"], 0), "output": 0}
    return {"input": 0, "output": 0}


def _bedrock(parsed: Any) -> ModelUsage:
    """``BedrockUsageProcessor``: every cache write counts as a 5-minute write."""
    if not isinstance(parsed, (dict, list)):
        return {"input": 0, "output": 0}
    usage = get(parsed, "usage")
    usage = usage if truthy(usage) else {}
    read = nullish(get(usage, "cache_read_input_tokens"), 0)
    write = nullish(get(usage, "cache_creation_input_tokens"), 0)
    model_usage: ModelUsage = {"input": nullish(get(usage, "input_tokens"), 0), "output": nullish(get(usage, "output_tokens"), 0)}
    if greater(read, 0) or greater(write, 0):
        model_usage["cacheDetails"] = {"cachedInput": read, "write5m": write}
    return model_usage


def _xai(parsed: Any) -> ModelUsage:
    """``XAIUsageProcessor``: input is ``prompt_tokens_details.text_tokens``."""
    if not isinstance(parsed, (dict, list)):
        return {"input": 0, "output": 0}
    usage = get(parsed, "usage")
    usage = usage if truthy(usage) else {}
    completion = nullish(get(usage, "completion_tokens"), get(usage, "output_tokens"), 0)
    prompt_details = get(usage, "prompt_tokens_details")
    prompt_details = prompt_details if truthy(prompt_details) else get(usage, "input_tokens_details")
    prompt_details = prompt_details if truthy(prompt_details) else {}
    completion_details = get(usage, "completion_tokens_details")
    completion_details = completion_details if truthy(completion_details) else get(usage, "output_tokens_details")
    completion_details = completion_details if truthy(completion_details) else {}
    cached = nullish(get(prompt_details, "cached_tokens"), 0)
    prompt_audio = nullish(get(prompt_details, "audio_tokens"), 0)
    completion_audio = nullish(get(completion_details, "audio_tokens"), 0)
    reasoning = nullish(get(completion_details, "reasoning_tokens"), 0)
    model_usage: ModelUsage = {"input": nullish(get(prompt_details, "text_tokens"), 0), "output": completion}
    if greater(cached, 0):
        model_usage["cacheDetails"] = {"cachedInput": cached}
    if greater(reasoning, 0):
        model_usage["thinking"] = reasoning
    if greater(prompt_audio, 0) or greater(completion_audio, 0):
        model_usage["audio"] = {"input": prompt_audio, "output": completion_audio}
    rejected = nullish(get(completion_details, "rejected_prediction_tokens"), 0)
    accepted = nullish(get(completion_details, "accepted_prediction_tokens"), 0)
    if greater(rejected, 0) or greater(accepted, 0):
        model_usage["output"] = to_number(completion) + to_number(accepted)
    sources = nullish(get(usage, "num_sources_used"), 0)
    if greater(sources, 0):
        model_usage["web_search"] = sources
    return model_usage


def _deepseek(parsed: Any) -> ModelUsage:
    """``DeepSeekUsageProcessor``: input is ``prompt_cache_miss_tokens``."""
    if not isinstance(parsed, (dict, list)):
        return {"input": 0, "output": 0}
    usage = get(parsed, "usage")
    usage = usage if truthy(usage) else {}
    hit = nullish(get(usage, "prompt_cache_hit_tokens"), 0)
    details = get(usage, "completion_tokens_details")
    reasoning = nullish(get(details if truthy(details) else {}, "reasoning_tokens"), 0)
    completion = nullish(get(usage, "completion_tokens"), get(usage, "output_tokens"), 0)
    model_usage: ModelUsage = {"input": nullish(get(usage, "prompt_cache_miss_tokens"), 0), "output": js_max(0, sub(completion, reasoning))}
    if greater(hit, 0):
        model_usage["cacheDetails"] = {"cachedInput": hit}
    if greater(reasoning, 0):
        model_usage["thinking"] = reasoning
    return model_usage


def _openrouter(parsed: Any) -> ModelUsage:
    """``OpenRouterUsageProcessor``: OpenRouter's declared cost is the cost."""
    if not isinstance(parsed, (dict, list)):
        return {"input": 0, "output": 0}
    usage = get(parsed, "usage")
    usage = usage if truthy(usage) else {}
    prompt = nullish(get(usage, "prompt_tokens"), get(usage, "input_tokens"), 0)
    completion = nullish(get(usage, "completion_tokens"), get(usage, "output_tokens"), 0)
    prompt_details = get(usage, "prompt_tokens_details")
    prompt_details = prompt_details if truthy(prompt_details) else {}
    completion_details = get(usage, "completion_tokens_details")
    completion_details = completion_details if truthy(completion_details) else {}
    cached = nullish(get(prompt_details, "cached_tokens"), 0)
    prompt_audio = nullish(get(prompt_details, "audio_tokens"), 0)
    completion_audio = nullish(get(completion_details, "audio_tokens"), 0)
    reasoning = nullish(get(completion_details, "reasoning_tokens"), 0)
    model_usage: ModelUsage = {"input": js_max(0, sub(sub(prompt, cached), prompt_audio)),
                               "output": js_max(0, sub(sub(completion, completion_audio), reasoning)),
                               "cost": _declared_cost(get(usage, "cost"), get(usage, "cost_details"))}
    if greater(cached, 0):
        model_usage["cacheDetails"] = {"cachedInput": cached}
    if greater(reasoning, 0):
        model_usage["thinking"] = reasoning
    if greater(prompt_audio, 0) or greater(completion_audio, 0):
        model_usage["audio"] = {"input": prompt_audio, "output": completion_audio}
    return model_usage


def _declared_cost(cost: Any, details: Any) -> Any:
    if truthy(cost) and greater(cost, 0):
        return cost
    upstream = get(details, "upstream_inference_cost")
    if truthy(upstream) and greater(upstream, 0):
        return upstream
    prompt_cost, completion_cost = get(details, "upstream_inference_prompt_cost"), get(details, "upstream_inference_completions_cost")
    if truthy(prompt_cost) and truthy(completion_cost) and greater(prompt_cost, 0) and greater(completion_cost, 0):
        return to_number(prompt_cost) + to_number(completion_cost)
    return UNDEFINED


def _google(parsed: Any) -> ModelUsage:
    """``GoogleUsageProcessor`` (``VertexOpenAIUsageProcessor``): ``usageMetadata`` only."""
    from .google_usage import google_usage

    metadata = get(parsed, "usageMetadata") if parsed is not None else UNDEFINED
    if parsed is None:
        raise TypeError("Cannot read properties of null (reading 'usageMetadata')")
    return google_usage(metadata) if truthy(metadata) else {"input": 0, "output": 0}


_PROCESSORS: dict[str, Callable[[Any], ModelUsage]] = {
    **dict.fromkeys(("openai", "azure", "baseten", "canopywave", "chutes", "deepinfra", "helicone", "mistral", "nebius",
                     "novita", "fireworks", "cerebras", "perplexity", "groq"), _openai),
    "anthropic": _anthropic, "xai": _xai, "openrouter": _openrouter, "deepseek": _deepseek,
    "google-ai-studio": _google, "bedrock": _bedrock,
}


def model_usage(provider: str | None, raw_response: str | None) -> ModelUsage | None:
    """The registry usage of a raw response body, or None when there is no processor for the
    provider or the body is not JSON (``parsedUsage.error``)."""
    extract = _PROCESSORS.get(provider or "")
    if extract is None or not raw_response:
        return None
    try:
        return extract(parse_json(raw_response))
    except (ValueError, TypeError, AttributeError, KeyError):
        return None

