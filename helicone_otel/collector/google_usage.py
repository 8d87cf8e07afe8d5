"""``mapGoogleUsageToModelUsage`` (packages/llm-mapper/transform/providers/google/utils):
Gemini ``usageMetadata`` → Helicone's ModelUsage, per modality."""

from __future__ import annotations

from typing import Any

from .js import get, js_max, nullish, sub, to_number, truthy


def _by_modality(details: Any) -> dict[Any, float]:
    totals: dict[Any, float] = {}
    for detail in details:
        modality = get(detail, "modality")
        totals[modality] = totals.get(modality, 0) + to_number(nullish(get(detail, "tokenCount"), 0))
    return totals


def _text(totals: dict[Any, float]) -> float:
    return totals.get("TEXT", 0) + totals.get("MODALITY_UNSPECIFIED", 0)


def google_usage(usage: Any) -> dict[str, Any]:
    prompt_details = nullish(get(usage, "promptTokenDetails"), get(usage, "promptTokensDetails"), [])
    tool_details = nullish(get(usage, "toolUsePromptTokensDetails"), [])
    cache_details = nullish(get(usage, "cacheTokenDetails"), [])
    output_details = nullish(get(usage, "candidatesTokensDetails"), [])
    prompt_by = _by_modality([*prompt_details, *tool_details])
    cache_by = _by_modality(cache_details)
    output_by = _by_modality(output_details)
    has_prompt_details = len(prompt_details) > 0 or len(tool_details) > 0
    text_cached = _text(cache_by)
    prompt = _text(prompt_by) if has_prompt_details else to_number(nullish(get(usage, "promptTokenCount"), 0)) + to_number(
        nullish(get(usage, "toolUsePromptTokenCount"), 0))
    output = _text(output_by) if len(output_details) > 0 else nullish(get(usage, "candidatesTokenCount"), 0)
    cached = text_cached if text_cached > 0 else nullish(get(usage, "cachedContentTokenCount"), 0)
    result: dict[str, Any] = {"input": js_max(0, sub(prompt, cached)), "output": output}
    if to_number(cached) > 0:
        result["cacheDetails"] = {"cachedInput": cached}
    thoughts = get(usage, "thoughtsTokenCount")
    if truthy(thoughts) and to_number(thoughts) > 0:
        result["thinking"] = thoughts
    for name, modality in (("audio", "AUDIO"), ("image", "IMAGE"), ("video", "VIDEO"), ("file", "DOCUMENT")):
        p, c, o = prompt_by.get(modality, 0), cache_by.get(modality, 0), output_by.get(modality, 0)
        if not (p == 0 and c == 0 and o == 0):
            result[name] = {"input": max(0, p - c), "cachedInput": c, "output": o}
    return result
