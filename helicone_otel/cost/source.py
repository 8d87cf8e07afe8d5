"""Prices from ``genai-prices`` (Pydantic's maintained price data, MIT), turned into our ``Price``.

Only the data bundled with the installed package is read: we never start its ``UpdatePrices``
(the one part of it that goes to the network), and we read ``genai_prices.data.providers``
rather than its process-wide snapshot, so another library that does start ``UpdatePrices``
cannot change our costs behind our back. Importing it costs a few hundred milliseconds
(pydantic, its price tables), so it is imported on the first lookup, which runs on the export
thread, never at ``import helicone_otel`` or logger construction.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from datetime import datetime, time, timedelta, timezone
from typing import Any, Optional

logger = logging.getLogger("helicone_otel")

# span provider name (semconv, legacy, or Helicone's upper-case name, lower-cased) → genai-prices
# provider id. Anything else is tried against genai-prices' own provider matching; "local"
# servers (Ollama) are never priced.
PROVIDER_IDS = {
    "openai": "openai",
    "azure.ai.openai": "azure",
    "azure.ai.inference": "azure",
    "azure": "azure",
    "anthropic": "anthropic",
    "aws.bedrock": "aws",
    "bedrock": "aws",
    "aws": "aws",
    "gcp.gemini": "google",
    "gcp.gen_ai": "google",
    "gcp.vertex_ai": "google",
    "google": "google",
    "vertex": "google",
    "groq": "groq",
    "mistral_ai": "mistral",
    "mistral": "mistral",
    "x_ai": "x-ai",
    "x": "x-ai",
    "xai": "x-ai",
    "deepseek": "deepseek",
    "together": "together",
    "fireworks": "fireworks",
    "openrouter": "openrouter",
    "perplexity": "perplexity",
    "cerebras": "cerebras",
    "cohere": "cohere",
    "novita": "novita",
    "ollama": None,
    "local": None,
}
# A provider we cannot name, or Bedrock with a bare Claude id: the model family decides
# (Bedrock and Vertex bill Claude at Anthropic's list prices where they list no id of their own).
FAMILY_PROVIDERS = (("claude-", "anthropic"), ("gemini-", "google"))

# genai-prices price keys a span's token counts can pay for; every other key (audio, images,
# web searches, pages...) counts units spans do not carry.
_TOKEN_KEYS = ("input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok", "cache_write_5m_mtok",
               "cache_write_1h_mtok", "output_reasoning_mtok", "requests_kcount")
NEVER = math.inf  # a price with no date or time-of-day condition


class Source:
    """The bundled genai-prices data, loaded once per process on first use."""

    _lock = threading.Lock()

    @classmethod
    def _after_fork(cls) -> None:
        # A fork while another thread held the lock would leave it held in the child forever.
        cls._lock = threading.Lock()
    _providers: Optional[list[Any]] = None
    _failed = False

    @classmethod
    def providers(cls) -> list[Any]:
        if cls._providers is None and not cls._failed:
            with cls._lock:
                if cls._providers is None and not cls._failed:
                    try:
                        from genai_prices.data import providers  # noqa: PLC0415 - deliberately lazy
                    except Exception as exc:  # noqa: BLE001 - a broken install must not break exports
                        cls._failed = True
                        logger.warning("helicone_otel: genai-prices could not be loaded (%s); only "
                                       "helicone_otel/cost/prices.json and your own prices are used", exc)
                    else:
                        cls._providers = providers
        return cls._providers or []


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=Source._after_fork)


def provider_id(provider: str, model_names: list[str]) -> Optional[str]:
    """The genai-prices provider for a span's provider name (None: do not price)."""
    key = provider.strip().lower()
    if key in PROVIDER_IDS:
        return PROVIDER_IDS[key]
    for candidate in Source.providers():
        if candidate.id == key or (candidate.provider_match is not None and candidate.provider_match.is_match(key)):
            return candidate.id
    return family_provider(model_names)


def family_provider(model_names: list[str]) -> Optional[str]:
    for prefix, family in FAMILY_PROVIDERS:
        if any(name.startswith(prefix) for name in model_names):
            return family
    return None


def find(gp_provider: str, names: list[str], now: datetime, service_tier: Optional[str]) -> Optional[tuple[dict[str, Any], float]]:
    """Price rows (our field names) of the first of ``names`` genai-prices knows for
    ``gp_provider`` (or the providers it falls back to), and until when they hold (epoch
    seconds: conditional prices change by date and, for DeepSeek, by time of day)."""
    providers = Source.providers()
    provider = next((p for p in providers if p.id == gp_provider), None)
    if provider is None:
        return None
    for name in names:
        model = provider.find_model(name, all_providers=providers)
        if model is not None:
            own = any(model is m for m in provider.models)  # tier variants belong to the provider's own rows
            context = {"service_tier": service_tier} if service_tier and own else None
            return to_rows(model.get_prices(now, context) if context else model.get_prices(now)), next_change(model, now)
    return None


def to_rows(model_price: Any) -> Optional[dict[str, Any]]:
    """genai-prices ``ModelPrice`` → ``{"input": ..., "tiers": [...]}`` in USD per million
    tokens, or None when it prices only units spans do not carry (audio hours, pages...).
    Tiers apply per key in genai-prices; ours switch every price at a threshold, so each of
    our tiers holds every key's price at that threshold."""
    values = {k: getattr(model_price, k, None) for k in _TOKEN_KEYS}
    present = {k: v for k, v in values.items() if v is not None}
    others = [k for k, v in vars(model_price).items() if v is not None and not k.startswith("_") and k not in _TOKEN_KEYS]
    if not present and others:
        return None
    starts = sorted({t.start for v in present.values() for t in (getattr(v, "tiers", None) or ())})
    row = _row(present, None)
    if starts:
        row["tiers"] = [{"above_input_tokens": start, **_row(present, start)} for start in starts]
    return row


def _row(present: dict[str, Any], threshold: Optional[int]) -> dict[str, Any]:
    def at(value: Any) -> float:
        if hasattr(value, "tiers"):  # TieredPrices: the last tier starting at or below the threshold
            chosen = value.base
            for tier in value.tiers:
                if threshold is not None and tier.start <= threshold:
                    chosen = tier.price
            return float(chosen)
        return float(value)

    def get(key: str) -> Optional[float]:
        return at(present[key]) if key in present else None

    write = get("cache_write_5m_mtok")
    row = {
        "input": get("input_mtok") or 0.0,
        "output": get("output_mtok") or 0.0,
        "cache_read": get("cache_read_mtok"),
        "cache_write": write if write is not None else get("cache_write_mtok"),
        "cache_write_1h": get("cache_write_1h_mtok"),
        "reasoning": get("output_reasoning_mtok"),
        "per_call": (get("requests_kcount") or 0.0) / 1000,
    }
    return {k: v for k, v in row.items() if v is not None}


def next_change(model: Any, now: datetime) -> float:
    """When the price chosen at ``now`` may stop holding: the next start date or time-of-day
    boundary among the model's conditional prices and tier variants (epoch seconds; inf for
    fixed prices)."""
    conditions = [*(model.prices if isinstance(model.prices, list) else ()), *(getattr(model, "price_variants", None) or ())]
    moments = []
    for conditional in conditions:
        constraint = getattr(conditional, "constraint", None)
        start_date = getattr(constraint, "start_date", None)
        if start_date is not None:
            moments.append(datetime.combine(start_date, time(0), tzinfo=timezone.utc))
        for boundary in (getattr(constraint, "start_time", None), getattr(constraint, "end_time", None)):
            if boundary is not None:
                boundary = boundary if boundary.tzinfo is not None else boundary.replace(tzinfo=timezone.utc)
                # yesterday to tomorrow: a boundary in another time zone may fall on either side
                moments += [datetime.combine(now.date() + timedelta(days=d), boundary) for d in (-1, 0, 1)]
    later = [m.timestamp() for m in moments if m > now]
    return min(later, default=NEVER)
