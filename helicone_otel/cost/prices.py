"""USD cost of an LLM call from its token counts, from the price table shipped in the package.

Lookups are cached per (provider, model): the first call of a model resolves it with a few dict
probes (no table scans) and every later call is one dict hit. Unknown models get no cost and
one warning each, never a guess.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass
from importlib import resources
from typing import Any, Mapping, Optional

from .. import attributes as A

logger = logging.getLogger("helicone_otel")

_PRICE_FIELDS = ("input", "output", "cache_read", "cache_write", "cache_write_1h", "per_call")

# span provider name (semconv, or Helicone's legacy upper-case name) → price table
_TABLE_FOR_PROVIDER = {
    "openai": "openai",
    "azure.ai.openai": "openai",
    "azure": "openai",
    "anthropic": "anthropic",
    "aws.bedrock": "anthropic",
    "bedrock": "anthropic",
    "gcp.gemini": "google",
    "gcp.gen_ai": "google",
    "gcp.vertex_ai": "google",
    "google": "google",
    "groq": "groq",
    "mistral_ai": "mistral",
    "mistral": "mistral",
    "x_ai": "xai",
    "x": "xai",
}
# Vertex AI serves Claude and Gemini alike; the model name decides.
_MODEL_FAMILY_TABLE = (("claude-", "anthropic"), ("gemini-", "google"))
_MODEL_PREFIXES = re.compile(r"^(models/|(us|eu|apac|global)\.|anthropic\.)")


@dataclass(frozen=True)
class Price:
    """USD per million tokens (``per_call`` in USD per call); ``tiers`` as (threshold, Price)."""

    input: float
    output: float
    cache_read: Optional[float] = None
    cache_write: Optional[float] = None
    cache_write_1h: Optional[float] = None
    per_call: float = 0.0
    tiers: tuple[tuple[int, "Price"], ...] = ()

    def for_input(self, input_tokens: int) -> "Price":
        """The tier that applies to a request of ``input_tokens``."""
        chosen = self
        for threshold, tier in self.tiers:
            if input_tokens > threshold:
                chosen = tier
        return chosen


def parse_price(row: Mapping[str, Any], where: str) -> Price:
    """Validate one price row; errors name ``where``."""
    if not isinstance(row, Mapping):
        raise TypeError(f"{where} must be a mapping like {{'input': 0.15, 'output': 0.6}}")
    unknown = set(row) - set(_PRICE_FIELDS) - {"tiers", "provider"}
    if unknown:
        raise ValueError(f"{where}: unknown price field(s) {sorted(unknown)}; known: {list(_PRICE_FIELDS)}")
    values: dict[str, Any] = {}
    for name in _PRICE_FIELDS:
        if name in row:
            value = row[name]
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise TypeError(f"{where}.{name} must be a non-negative number (USD per million tokens), got {value!r}")
            values[name] = float(value)
    for required in ("input", "output"):
        if required not in values:
            raise ValueError(f"{where} needs '{required}' (USD per million tokens)")
    tiers = []
    for i, tier in enumerate(row.get("tiers") or ()):
        threshold = tier.get("above_input_tokens") if isinstance(tier, Mapping) else None
        if not isinstance(threshold, int):
            raise ValueError(f"{where}.tiers[{i}] needs an integer 'above_input_tokens'")
        merged = {**{k: v for k, v in row.items() if k in _PRICE_FIELDS}, **{k: v for k, v in tier.items() if k != "above_input_tokens"}}
        tiers.append((threshold, parse_price(merged, f"{where}.tiers[{i}]")))
    return Price(**values, tiers=tuple(sorted(tiers, key=lambda t: t[0])))


def _load_builtin() -> tuple[dict[str, dict[str, Price]], list[re.Pattern[str]]]:
    data = json.loads(resources.files(__package__).joinpath("prices.json").read_text(encoding="utf-8"))
    tables = {
        provider: {model.lower(): parse_price(row, f"{provider}/{model}") for model, row in block["models"].items()}
        for provider, block in data["providers"].items()
    }
    return tables, [re.compile(p) for p in data["snapshot_suffixes"]]


def candidate_names(model: str, suffixes: list[re.Pattern[str]]) -> list[str]:
    """``model`` and the family names it resolves to, most specific first
    (``anthropic.claude-3-5-sonnet-20241022-v2:0`` → … → ``claude-3-5-sonnet``)."""
    name = model.strip().lower()
    names = [name]
    stripped = _MODEL_PREFIXES.sub("", name)
    while stripped != name:
        name = stripped
        names.append(name)
        stripped = _MODEL_PREFIXES.sub("", name)
    changed = True
    while changed:
        changed = False
        for pattern in suffixes:
            shorter = pattern.sub("", name)
            if shorter != name and shorter:
                name = shorter
                names.append(name)
                changed = True
    return names


class PriceBook:
    """Prices: user overrides first, then the shipped table. Thread-safe; lookups cached."""

    def __init__(self, overrides: Optional[Mapping[str, Mapping[str, Any]]] = None) -> None:
        self._tables, self._suffixes = _load_builtin()
        self._overrides: dict[str, tuple[Optional[str], Price]] = {}
        for model, row in (overrides or {}).items():
            if not isinstance(model, str) or not model:
                raise TypeError(f"prices: model names must be non-empty strings, got {model!r}")
            provider = row.get("provider") if isinstance(row, Mapping) else None
            if provider is not None and not isinstance(provider, str):
                raise TypeError(f"prices[{model!r}].provider must be a str")
            self._overrides[model.lower()] = (provider, parse_price(row, f"prices[{model!r}]"))
        self._cache: dict[tuple[str, str], Optional[Price]] = {}
        self._warned: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def lookup(self, provider: str, model: str, fallback_model: Optional[str] = None) -> Optional[Price]:
        """The price for ``model`` (else ``fallback_model``, e.g. the requested model when the
        response names an unknown snapshot) served by ``provider``; None when unknown."""
        key = (provider, model, fallback_model)
        try:
            return self._cache[key]
        except KeyError:
            pass
        price = self._resolve(provider, model)
        if price is None and fallback_model and fallback_model != model:
            price = self._resolve(provider, fallback_model)
        with self._lock:
            self._cache[key] = price
            if price is None and model and (provider, model) not in self._warned:
                self._warned.add((provider, model))
                logger.warning(
                    "helicone_otel: no price for model %r (provider %r); its calls get no cost. "
                    "Add one with HeliconeAsyncLogger(prices={%r: {'input': ..., 'output': ...}}).",
                    model, provider, model,
                )
        return price

    def _resolve(self, provider: str, model: str) -> Optional[Price]:
        names = candidate_names(model, self._suffixes)
        for name in names:
            override = self._overrides.get(name)
            if override is not None and (override[0] is None or override[0] == provider):
                return override[1]
        table_name = _TABLE_FOR_PROVIDER.get(provider) or _TABLE_FOR_PROVIDER.get(provider.lower())
        if provider in ("gcp.vertex_ai", "aws.bedrock", "bedrock") or table_name is None:
            for prefix, family_table in _MODEL_FAMILY_TABLE:
                if any(n.startswith(prefix) for n in names):
                    table_name = family_table
                    break
        table = self._tables.get(table_name or "")
        if table is None:
            return None
        for name in names:
            price = table.get(name)
            if price is not None:
                return price
        return None


def cost_usd(price: Price, attributes: Mapping[str, Any]) -> Optional[float]:
    """Cost of one call from its semconv usage attributes (input includes cached and
    cache-written tokens; output includes reasoning tokens)."""
    input_tokens = attributes.get(A.USAGE_INPUT_TOKENS)
    output_tokens = attributes.get(A.USAGE_OUTPUT_TOKENS)
    if not isinstance(input_tokens, int) and not isinstance(output_tokens, int):
        return None
    input_tokens = input_tokens if isinstance(input_tokens, int) else 0
    output_tokens = output_tokens if isinstance(output_tokens, int) else 0
    cache_read = attributes.get(A.USAGE_CACHE_READ_INPUT_TOKENS) or 0
    cache_write = attributes.get(A.USAGE_CACHE_CREATION_INPUT_TOKENS) or 0
    cache_write_1h = attributes.get(A.USAGE_CACHE_CREATION_1H_INPUT_TOKENS) or 0
    p = price.for_input(input_tokens)
    uncached = max(0, input_tokens - cache_read - cache_write)
    micro = uncached * p.input + output_tokens * p.output
    micro += cache_read * (p.cache_read if p.cache_read is not None else p.input)
    cache_write_5m = max(0, cache_write - cache_write_1h)
    micro += cache_write_5m * (p.cache_write if p.cache_write is not None else p.input)
    micro += cache_write_1h * (p.cache_write_1h if p.cache_write_1h is not None else p.cache_write if p.cache_write is not None else p.input)
    return micro / 1_000_000 + p.per_call


def span_cost(
    book: PriceBook, provider: str, request_model: Optional[str], usage: Mapping[str, Any]
) -> Optional[float]:
    """Cost of a finished call: ``usage`` holds the response attributes (response model and
    token counts); None for an unknown model or no usage."""
    model = usage.get(A.RESPONSE_MODEL) or request_model
    if not model or (A.USAGE_INPUT_TOKENS not in usage and A.USAGE_OUTPUT_TOKENS not in usage):
        return None
    price = book.lookup(provider, model, request_model)
    return None if price is None else cost_usd(price, usage)
