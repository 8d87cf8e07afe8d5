"""Helicone's two pricing paths (collector/cost.py) on the usage jawn priced in the recorded
fixtures: each case's expected cost is the ``cost_usd`` the helicone-oracle stored for that
fixture row, and ``test_cases_are_recorded`` keeps the table tied to the fixtures."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from helicone_otel.collector.cost import in_registry, legacy_cost, registry_cost, stored_cost

FIXTURES = Path(__file__).parent / "fixtures"


def _usage(prompt: int, completion: int, **extra: int) -> dict[str, int]:
    """jawn's legacyUsage (camelCase), as the body processors fill it."""
    return {"promptTokens": prompt, "completionTokens": completion, **extra}


# (fixture, provider, model, legacy usage, stored cost): ``modelCost`` over mappings.ts rows.
LEGACY = [
    ("openai_chat_stream_usage", "OPENAI", "gpt-4o-mini-2024-07-18", _usage(30, 3), 6.3e-06),
    ("openai_chat_cached_reasoning", "OPENAI", "gpt-4o-mini-2024-07-18", _usage(176, 64, promptCacheReadTokens=1024), 0.0001416),
    ("openai_chat_gpt41", "OPENAI", "gpt-4.1-2025-04-14", _usage(464, 50, promptCacheReadTokens=1536), 0.002096),
    ("openai_responses", "OPENAI", "gpt-4.1-mini-2025-04-14", _usage(476, 40, promptCacheReadTokens=1024), 0.0003568),
    ("openai_chat_o4_mini", "OPENAI", "o4-mini-2025-04-16", _usage(40, 44), 0.0002376),
    ("openai_embeddings", "OPENAI", "text-embedding-3-small", _usage(8, 0), 1.6e-07),
    ("azure_chat", "AZURE", "gpt-4o-2024-11-20", _usage(900, 60), 0.00285),
    ("anthropic_bedrock_override", "ANTHROPIC", "claude-3-5-sonnet-20240620", _usage(15, 30), 0.000495),
    ("anthropic_stream", "ANTHROPIC", "claude-sonnet-4-5-20250929", _usage(20, 42, promptCacheReadTokens=1500), 0.00114),
    # The write count is 5m + 1h: both are taken out of the generic write rate and billed at their own.
    ("anthropic_haiku_cache", "ANTHROPIC", "claude-haiku-4-5-20251001",
     _usage(12, 25, promptCacheWriteTokens=2048, promptCacheReadTokens=4096, promptCacheWrite5m=1024, promptCacheWrite1h=1024),
     0.0038746),
    # Cross-region id: no registry entry, the BEDROCK row bills Anthropic's list price ($3/$15).
    ("claude_bedrock_provider", "BEDROCK", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", _usage(40, 50), 0.00087),
    # The GOOGLE row 'includes claude-3-7-sonnet' has no cache rates: reads and writes at the input rate.
    ("claude_vertex_provider_google", "GOOGLE", "claude-3-7-sonnet@20250219",
     _usage(40, 50, promptCacheWriteTokens=200, promptCacheReadTokens=1000), 0.00447),
    ("gemini_native_stream", "GOOGLE", "gemini-2.5-flash", _usage(176, 40, promptCacheReadTokens=1024), 0.0002296),
    ("groq_chat_stream", "GROQ", "llama-3.1-8b-instant", _usage(40, 3), 2.24e-06),
    ("together_stream", "TOGETHER", "meta-llama/Llama-3.3-70B-Instruct-Turbo", _usage(35, 3), 3.344e-05),
    # The X row 'includes grok-4' has no cache-read rate; the body processor's completion is
    # completion - reasoning, 40 - 300, clamped to 0.
    ("xai_chat", "X", "grok-4-0709", _usage(260, 0, promptCacheReadTokens=640), 0.0027),
    # No row: 0.
    ("anthropic_bedrock_id", "ANTHROPIC", "anthropic.claude-3-5-sonnet-20240620-v1:0", _usage(15, 30), 0.0),
    ("anthropic_vertex_id", "ANTHROPIC", "claude-sonnet-4-5@20250929", _usage(15, 30), 0.0),
    ("openai_completions_legacy", "OPENAI", "gpt-3.5-turbo-instruct:20230824-v2", _usage(3, 4), 0.0),
    ("provider_spelling", "openai", "gpt-4o-mini-2024-07-18", _usage(10, 2), 0.0),  # provider names are exact
    ("vector_db_step", "CUSTOM", "vector_db", _usage(0, 0), 0.0),
]

# (fixture, model provider, providerModelId, ModelUsage, stored cost): calculateModelCostBreakdown.
REGISTRY = [
    ("anthropic_fully_cached", "anthropic", "claude-haiku-4-5-20251001", {"input": 0, "output": 20, "cacheDetails": {"cachedInput": 5000}}, 0.0006),
    ("anthropic_haiku_cache", "anthropic", "claude-haiku-4-5-20251001",
     {"input": 12, "output": 25, "cacheDetails": {"cachedInput": 4096, "write5m": 1024, "write1h": 1024}}, 0.0038746),
    ("anthropic_sonnet_cache_read_write", "anthropic", "claude-sonnet-4-5-20250929",
     {"input": 30, "output": 120, "cacheDetails": {"cachedInput": 2500}}, 0.00264),
    # cache_creation_input_tokens without the 5m/1h breakdown: the processor reports no writes,
    # so the 3,000 written tokens cost nothing (legacy would have billed them).
    ("anthropic_sonnet_cache_write", "anthropic", "claude-sonnet-4-5-20250929", {"input": 30, "output": 120}, 0.00189),
    ("groq_chat", "groq", "llama-3.3-70b-versatile", {"input": 52, "output": 14}, 4.174e-05),
    # Reasoning tokens are billed at the output rate on top of the output.
    ("openai_chat_registry_model", "openai", "gpt-4o-mini",
     {"input": 176, "output": 64, "cacheDetails": {"cachedInput": 1024, "write5m": 0, "write1h": 0}, "thinking": 16}, 0.0001512),
]

# (model provider, providerModelId, listed): the registry lookup is exact, aliases included.
REGISTRY_IDS = [
    ("openai", "gpt-4o-mini", True),
    ("openai", "gpt-4o-mini-2024-07-18", False),  # dated ids fall back to the legacy rows
    ("openai", "GPT-4o-mini", False),
    ("anthropic", "claude-sonnet-4-5-20250929", True),
    ("xai", "grok-4-0709", False),
    ("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", False),
    ("groq", "llama-3.3-70b-versatile", True),
    (None, "gpt-4o-mini", False),
]


def _recorded_costs(fixture: str, field: str, value: str) -> set[float]:
    data = json.loads((FIXTURES / f"{fixture}.json").read_text(encoding="utf-8"))
    return {line["cost_usd"] for request in data["requests"] for line in request["oracle"]
            if line.get("stored") and line.get("row") is not None and line.get(field) == value}


def _ids(cases: list[tuple[Any, ...]]) -> list[str]:
    return [f"{fixture}-{model}" for fixture, _, model, *_ in cases]


@pytest.mark.parametrize("case", [("legacy", *c) for c in LEGACY] + [("registry", *c) for c in REGISTRY], ids=lambda c: f"{c[0]}-{c[1]}")
def test_cases_are_recorded(case: tuple[Any, ...]) -> None:
    path, fixture, provider, model, _, expected = case
    # A legacy case names the row's provider; a registry case its model provider, so match the model.
    recorded = _recorded_costs(fixture, "provider", provider) if path == "legacy" else _recorded_costs(fixture, "model", model)
    assert expected in recorded


@pytest.mark.parametrize(("fixture", "provider", "model", "usage", "expected"), LEGACY, ids=_ids(LEGACY))
def test_legacy_cost(fixture: str, provider: str, model: str, usage: dict[str, int], expected: float) -> None:
    assert stored_cost(legacy_cost(provider, model, usage)) == expected


@pytest.mark.parametrize(("fixture", "model_provider", "model", "usage", "expected"), REGISTRY, ids=_ids(REGISTRY))
def test_registry_cost(fixture: str, model_provider: str, model: str, usage: dict[str, Any], expected: float) -> None:
    assert in_registry(model_provider, model)
    assert stored_cost(registry_cost(model_provider, model, usage)) == expected


@pytest.mark.parametrize(("model_provider", "model", "listed"), REGISTRY_IDS)
def test_registry_lookup(model_provider: str | None, model: str, listed: bool) -> None:
    assert in_registry(model_provider, model) is listed


@pytest.mark.parametrize(("raw", "stored"), [
    (0.0006000000000000001, 0.0006),  # nano-USD rounding hides float noise
    (2.5e-09, 3e-09),  # Math.round: halves go up
    (0.49999999999999994e-09, 0.0),  # where floor(x + 0.5) would give 1e-09
    (-0.5, 0.0),  # atLeastZero
    ("0.5", 0.5),  # a provider's own `cost` as text: Math.max coerces
    (math.nan, None),  # JSON null
    (math.inf, None),
])
def test_stored_cost(raw: Any, stored: float | None) -> None:
    assert stored_cost(raw) == stored
