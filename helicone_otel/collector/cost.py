"""Helicone's cost of a request, with Helicone's own prices (``helicone_prices.json``, generated
from packages/cost at 67df07b8d by tests/collector/record_fixtures.py --prices).

jawn prices every request twice and keeps one answer (ResponseBodyHandler.ts:152-215,
LoggingHandler.ts:508-519); pipeline.py decides which:

* legacy: ``modelCost`` → ``costOfPrompt`` (packages/cost/costCalc.ts, index.ts) over the body
  processor's usage, with the first row of packages/cost/providers/mappings.ts whose operator
  (``equals``/``startsWith``/``includes``) matches the lower-cased model, in the first provider
  entry whose name or URL pattern matches. No row: 0.
* registry v2: ``modelCostBreakdownFromRegistry`` → ``calculateModelCostBreakdown``
  (packages/cost/models/calculate-cost.ts) over the usage processor's ``ModelUsage``, when the
  registry has the exact ``(providerModelId, model provider)`` pair. Its total wins.

The stored cost is ``Math.round(Math.max(cost, 0) * 1e9)`` nano-USD. Arithmetic follows
JavaScript's coercions (js.py), since usage counts come straight from request JSON.
"""

from __future__ import annotations

import copy
import json
import math
import re
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

from .js import UNDEFINED, add, get, greater, nullish, to_number, to_string, truthy

COST_PRECISION_MULTIPLIER = 1_000_000_000  # packages/cost/costCalc.ts: stored cost is integer nano-USD
_MODALITIES = ("image", "audio", "video", "file")  # calculate-cost.ts, in its summing order


class Cost(NamedTuple):
    """Helicone's raw cost in USD, before rounding to the stored nano-USD."""

    usd: Any


class _LegacyRow(NamedTuple):
    operator: str
    value: str  # lower-cased, as costOf compares
    cost: dict[str, float]  # ModelRow.cost, only the fields set


class _Prices(NamedTuple):
    legacy: list[tuple[str, re.Pattern[str] | None, list[_LegacyRow] | None]]
    registry: dict[str, dict[str, list[dict[str, Any]]]]  # model provider → providerModelId → filled tiers


@lru_cache(maxsize=1)
def _prices() -> _Prices:
    data = json.loads(resources.files(__package__).joinpath("helicone_prices.json").read_text(encoding="utf-8"))
    fields = data["legacy_fields"]
    legacy = []
    for provider, pattern, rows in data["legacy"]:
        parsed = None if rows is None else [
            _LegacyRow(operator, value.lower(), {f: v for f, v in zip(fields, values) if v is not None})
            for operator, value, *values in rows]
        legacy.append((provider, _js_regex(pattern) if pattern else None, parsed))
    registry = {provider: {model_id: _filled_tiers(tiers) for model_id, tiers in ids.items()}
                for provider, ids in data["registry"].items()}
    return _Prices(legacy, registry)


def _js_regex(source: str) -> re.Pattern[str]:
    """A JavaScript RegExp source (no flags) as a Python pattern: ``$`` is the end of the text
    only and ``.`` skips every JS line terminator; ``\\d`` is ASCII."""
    out, in_class, i = [], False, 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            out.append(source[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        elif char == ".":
            char = "[^\n\r\u2028\u2029]"
        out.append(char)
        i += 1
    return re.compile("".join(out), re.ASCII)


def legacy_row(provider: Any, model: Any) -> _LegacyRow | None:
    """``costOf`` (packages/cost/index.ts): the first matching row, or None."""
    model_lower = model.lower() if isinstance(model, str) else ""  # jawn passes `processedLog.model ?? ""`
    if not model_lower:
        return None
    provider_text = to_string(provider)  # RegExp.test coerces
    entry = next((e for e in _prices().legacy if e[0] == provider or (e[1] is not None and e[1].search(provider_text))), None)
    if entry is None or entry[2] is None:  # `!providerCost.costs`; an empty list finds nothing
        return None
    for row in entry[2]:
        if (row.operator == "equals" and row.value == model_lower) or \
                (row.operator == "startsWith" and model_lower.startswith(row.value)) or \
                (row.operator == "includes" and row.value in model_lower):
            return row
    return None


def registry_pricing(model_provider: str | None, provider_model_id: Any) -> list[dict[str, Any]] | None:
    """``registry.getModelProviderConfigByProviderModelId(id, provider).pricing``, its tiers
    sorted and filled as calculateModelCostBreakdown uses them; None when not found."""
    if not model_provider or not isinstance(provider_model_id, str):
        return None
    return _prices().registry.get(model_provider, {}).get(provider_model_id)


def in_registry(model_provider: str | None, provider_model_id: Any) -> bool:
    """``calculateModelCostBreakdown`` finds a config (exact, case-sensitive id or alias)."""
    return registry_pricing(model_provider, provider_model_id) is not None


def legacy_cost(provider: Any, model: Any, usage: dict[str, Any]) -> float:
    """``modelCost`` over jawn's ``legacyUsage`` (camelCase keys, missing = 0)."""
    row = legacy_row(provider, model)
    if row is None:
        return 0.0  # `costOfPrompt(...) ?? 0`
    cost = row.cost
    prompt_rate = cost["prompt_token"]
    completion_rate = cost["completion_token"]

    def tokens(key: str) -> Any:
        return nullish(usage.get(key, UNDEFINED), 0)

    writes, reads = tokens("promptCacheWriteTokens"), tokens("promptCacheReadTokens")
    write_5m, write_1h = tokens("promptCacheWrite5m"), tokens("promptCacheWrite1h")
    prompt_audio, completion_audio = tokens("promptAudioTokens"), tokens("completionAudioTokens")
    total = 0.0
    total += to_number(tokens("promptTokens")) * prompt_rate
    if truthy(cost.get("prompt_cache_write_token")) and greater(writes, 0):
        # index.ts:106-118: Anthropic's write count is 5m + 1h, so both are taken out of the
        # generic write rate, and each comes back only if its own rate is set: a row without
        # prompt_cache_creation_5m/1h bills those writes at nothing.
        effective = to_number(writes) - to_number(write_5m) - to_number(write_1h)
        total += effective * cost["prompt_cache_write_token"]
        if truthy(cost.get("prompt_cache_creation_5m")) and truthy(write_5m) and greater(write_5m, 0):
            total += to_number(write_5m) * cost["prompt_cache_creation_5m"]
        if truthy(cost.get("prompt_cache_creation_1h")) and truthy(write_1h) and greater(write_1h, 0):
            total += to_number(write_1h) * cost["prompt_cache_creation_1h"]
    elif greater(writes, 0):
        total += to_number(writes) * prompt_rate
    if greater(reads, 0):
        total += to_number(reads) * _rate(cost, "prompt_cache_read_token", prompt_rate)
    if greater(prompt_audio, 0):
        total += to_number(prompt_audio) * _rate(cost, "prompt_audio_token", prompt_rate)
    total += to_number(tokens("completionTokens")) * completion_rate
    if greater(completion_audio, 0):
        total += to_number(completion_audio) * _rate(cost, "completion_audio_token", completion_rate)
    # modelCost passes no `images`/`perCall`, so costOfPrompt's defaults (1 and 1) apply: every
    # request pays one image and one call fee when the row has them.
    total += 1 * cost.get("per_image", 0) + 1 * cost.get("per_call", 0)
    return total


def _rate(cost: dict[str, float], field: str, fallback: float) -> float:
    """``cost[field]`` when set and non-zero, else ``fallback`` (``if (cost.x && n > 0)``)."""
    value = cost.get(field)
    return value if value else fallback


def registry_cost(model_provider: str, provider_model_id: Any, usage: dict[str, Any]) -> Any:
    """``calculateModelCostBreakdown(...).totalCost`` (calculate-cost.ts:183-290), or None
    when the registry has no config."""
    tiers = registry_pricing(model_provider, provider_model_id)
    if tiers is None:
        return None
    base = tiers[0]
    details = usage.get("cacheDetails", UNDEFINED)
    input_tier = _tier(tiers, _threshold_value(model_provider, usage, "inputCost"))
    input_cost = to_number(usage.get("input", UNDEFINED)) * input_tier["input"]
    cached_cost = write_5m_cost = write_1h_cost = 0.0
    if truthy(details):
        if greater(get(details, "cachedInput"), 0):
            cached_tier = _tier(tiers, _threshold_value(model_provider, usage, "cachedInputCost"))
            multiplier = nullish(get(cached_tier.get("cacheMultipliers", UNDEFINED), "cachedInput"), 1.0)
            cached_cost = to_number(get(details, "cachedInput")) * cached_tier["input"] * multiplier
        if truthy(get(details, "write5m")):
            multiplier = nullish(get(base.get("cacheMultipliers", UNDEFINED), "write5m"), 1.0)
            write_5m_cost = to_number(get(details, "write5m")) * base["input"] * multiplier
        if truthy(get(details, "write1h")):
            multiplier = nullish(get(base.get("cacheMultipliers", UNDEFINED), "write1h"), 1.0)
            write_1h_cost = to_number(get(details, "write1h")) * base["input"] * multiplier
    output_tier = _tier(tiers, _threshold_value(model_provider, usage, "outputCost"))
    output_cost = to_number(usage.get("output", UNDEFINED)) * output_tier["output"]
    thinking = usage.get("thinking", UNDEFINED)
    thinking_cost = to_number(thinking) * nullish(base.get("thinking"), base["output"]) if truthy(thinking) else 0.0
    modality_costs = [_modality_cost(usage[name], base.get(name), base) for name in _MODALITIES
                      if truthy(usage.get(name)) and _has_modality_tokens(usage[name])]
    web_search = usage.get("web_search", UNDEFINED)
    web_search_cost = to_number(web_search) * base["web_search"] if truthy(web_search) and truthy(base.get("web_search")) else 0.0
    request_cost = 1 * base["request"] if truthy(base.get("request")) else 0.0  # requestCount = 1
    if truthy(usage.get("cost")):
        return usage["cost"]  # the provider's own USD figure (OpenRouter), as it came
    modality_total = 0.0
    for inputs, cached, outputs in modality_costs:
        modality_total = modality_total + inputs + cached + outputs
    return (input_cost + output_cost + cached_cost + write_5m_cost + write_1h_cost + thinking_cost + modality_total
            + web_search_cost + request_cost)


def _has_modality_tokens(tokens: Any) -> bool:
    return any(greater(nullish(get(tokens, key), 0), 0) for key in ("input", "cachedInput", "output"))


def _modality_cost(tokens: Any, pricing: Any, base: dict[str, Any]) -> tuple[float, float, float]:
    """``calculateModalityCost``: (input, cached input, output) with the text rates as fallback."""
    input_rate = nullish(get(pricing, "input"), base["input"])
    cached_multiplier = nullish(get(pricing, "cachedInputMultiplier"), get(base.get("cacheMultipliers", UNDEFINED), "cachedInput"), 1.0)
    output_rate = nullish(get(pricing, "output"), base["output"])
    return (to_number(nullish(get(tokens, "input"), 0)) * input_rate,
            to_number(nullish(get(tokens, "cachedInput"), 0)) * input_rate * cached_multiplier,
            to_number(nullish(get(tokens, "output"), 0)) * output_rate)


def _threshold_value(model_provider: str, usage: dict[str, Any], field: str) -> Any:
    """``getThresholdValueFunction``: what a tier threshold is compared with. JavaScript ``+``,
    so text counts concatenate; every provider not listed stays in the base tier."""
    details = usage.get("cacheDetails", UNDEFINED)
    cached = nullish(get(details, "cachedInput"), 0)
    prompt = usage.get("input", UNDEFINED)
    if model_provider == "vertex":
        return prompt if field in ("inputCost", "outputCost") else cached if field == "cachedInputCost" else 0
    if model_provider in ("google-ai-studio", "xai") and field in ("inputCost", "outputCost", "cachedInputCost"):
        return add(prompt, cached)
    if model_provider == "anthropic" and field in ("inputCost", "outputCost"):
        return add(add(add(prompt, cached), nullish(get(details, "write5m"), 0)), nullish(get(details, "write1h"), 0))
    return 0


def _tier(tiers: list[dict[str, Any]], value: Any) -> dict[str, Any]:
    """``getPricingTier``: the last tier whose threshold ``value >= threshold`` reaches."""
    number = to_number(value)  # `>=` against a number threshold compares numerically
    chosen = tiers[0]
    for tier in tiers:
        if number >= tier["threshold"]:
            chosen = tier
    return chosen


def _filled_tiers(pricing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``preprocessPricingTiers`` over the tiers sorted by threshold (a stable sort): each
    missing field, at any depth, comes from the nearest earlier tier that has it."""
    tiers = sorted(pricing, key=lambda tier: tier["threshold"])
    return [_fill_from_previous(tiers, i) for i in range(len(tiers))]


def _fill_from_previous(tiers: list[dict[str, Any]], index: int) -> dict[str, Any]:
    def at(value: Any, path: list[str]) -> Any:
        for key in path:
            if not isinstance(value, dict):
                return UNDEFINED
            value = value.get(key, UNDEFINED)
        return value

    def fill(target: dict[str, Any], path: list[str]) -> None:
        keys = list(target)
        for j in range(index - 1, -1, -1):
            previous = at(tiers[j], path)
            if isinstance(previous, dict):
                keys.extend(k for k in previous if k not in keys)
        for key in keys:
            value = target.get(key, UNDEFINED)
            if isinstance(value, dict):
                fill(value, path + [key])
                continue
            if value is not UNDEFINED:
                continue
            for j in range(index - 1, -1, -1):
                candidate = at(tiers[j], path + [key])
                if candidate is not UNDEFINED:
                    target[key] = candidate
                    break

    result = copy.deepcopy(tiers[index])
    fill(result, [])
    return result


class HeliconeCost:
    """Prices one request the way jawn does; pipeline.py calls it (``legacy`` always,
    ``registry`` when ``in_registry``)."""

    def legacy(self, provider: Any, model: Any, usage: dict[str, Any]) -> Cost:
        """``modelCost`` (camelCase legacy usage)."""
        return Cost(legacy_cost(provider, model, usage))

    def registry(self, provider: Any, model_provider: str, model: Any, usage: dict[str, Any]) -> Cost:
        """``modelCostBreakdownFromRegistry(...).totalCost``; ``provider`` is unused (the model
        provider keys the registry) and kept for pipeline.py."""
        return Cost(registry_cost(model_provider, model, usage))


def stored_cost(raw: Any) -> float | None:
    """``Math.round(atLeastZero(raw) * COST_PRECISION_MULTIPLIER)`` back in USD, as the oracle
    reads the row; None where JavaScript gets NaN or an infinity (JSON ``null``)."""
    if raw is None:
        return None
    value = to_number(raw)
    if math.isnan(value):
        return None
    scaled = max(value, 0.0) * COST_PRECISION_MULTIPLIER
    if math.isinf(scaled):
        return None
    rounded = math.floor(scaled)
    if scaled - rounded >= 0.5:  # Math.round: halves go up; exact, unlike floor(x + 0.5)
        rounded += 1
    return rounded / COST_PRECISION_MULTIPLIER
