"""USD cost of an LLM call from its token counts.

Where a price comes from, first match wins: the user's ``prices=`` / ``HELICONE_PRICES_FILE``,
then our overrides (``prices.json``: models genai-prices lacks or gets wrong), then the
``genai-prices`` package's bundled data (source.py; never fetched over the network).

Lookups are cached per (provider, model): the first call of a model resolves it (a few
hundred microseconds; the very first also imports genai-prices) and every later call is one
dict hit. Unknown models get no cost and one warning each, never a guess.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from typing import Any, Mapping, Optional

from .. import attributes as A
from . import source

logger = logging.getLogger("helicone_otel")

_PRICE_FIELDS = ("input", "output", "cache_read", "cache_write", "cache_write_1h", "reasoning", "per_call")
# prices.json rows also say which providers they are for, why they exist and where from.
_OVERRIDE_NOTES = ("providers", "why", "source", "checked")
_MODEL_PREFIXES = re.compile(r"^(models/|(us|eu|apac|global)\.|anthropic\.)")
# Azure names GPT-3.5 deployments and model ids without the dot (gpt-35-turbo, gpt-35-turbo-instruct).
_AZURE_DOTLESS = re.compile(r"^gpt-35(?=-|$)")
# Service tiers that are the standard price: not worth a cache entry of their own.
_STANDARD_TIERS = frozenset({"", "default", "auto", "standard"})
# genai-prices has no Bedrock row for some Claude ids; Bedrock bills Anthropic's list price then.
_FAMILY_FALLBACK = frozenset({"aws"})


@dataclass(frozen=True)
class Price:
    """USD per million tokens (``per_call`` in USD per call); ``tiers`` as (threshold, Price).
    ``reasoning`` prices reasoning tokens apart from the rest of the output where a model
    does (None: they are output)."""

    input: float
    output: float
    cache_read: Optional[float] = None
    cache_write: Optional[float] = None
    cache_write_1h: Optional[float] = None
    per_call: float = 0.0
    tiers: tuple[tuple[int, "Price"], ...] = ()
    reasoning: Optional[float] = None

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


_Overrides = dict[str, tuple[Optional[frozenset[str]], Price]]


def _load_shipped() -> tuple[_Overrides, list[re.Pattern[str]]]:
    """prices.json: our overrides of genai-prices, keyed by model, each for the genai-prices
    provider ids it names (every provider when it names none)."""
    data = json.loads(resources.files(__package__).joinpath("prices.json").read_text(encoding="utf-8"))
    overrides: _Overrides = {}
    for model, row in data["overrides"].items():
        providers = row.get("providers")
        prices = {k: v for k, v in row.items() if k not in _OVERRIDE_NOTES}
        overrides[model.lower()] = (frozenset(providers) if providers else None, parse_price(prices, f"prices.json/{model}"))
    return overrides, [re.compile(p) for p in data["snapshot_suffixes"]]


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
    """Prices: the user's, then ours (prices.json), then genai-prices'. Thread-safe; lookups
    cached per (provider, model) until the price may change (genai-prices dates some prices)."""

    def __init__(self, overrides: Optional[Mapping[str, Mapping[str, Any]]] = None) -> None:
        # genai-prices itself is loaded on the first lookup (source.py): constructing a book
        # happens on the caller's thread, in HeliconeAsyncLogger(...), and must stay cheap.
        self._shipped, self._suffixes = _load_shipped()
        self._overrides: dict[str, tuple[Optional[str], Price]] = {}
        for model, row in (overrides or {}).items():
            if not isinstance(model, str) or not model:
                raise TypeError(f"prices: model names must be non-empty strings, got {model!r}")
            provider = row.get("provider") if isinstance(row, Mapping) else None
            if provider is not None and not isinstance(provider, str):
                raise TypeError(f"prices[{model!r}].provider must be a str")
            self._overrides[model.lower()] = (provider, parse_price(row, f"prices[{model!r}]"))
        self._cache: dict[tuple[str, str, Optional[str], Optional[str]], tuple[Optional[Price], float]] = {}
        self._warned: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        if hasattr(os, "register_at_fork"):  # a lock held by another thread at fork stays held
            ref = weakref.ref(self)
            os.register_at_fork(after_in_child=lambda: (book := ref()) is not None and book._reset_lock())

    def _reset_lock(self) -> None:
        self._lock = threading.Lock()

    def lookup(self, provider: str, model: str, fallback_model: Optional[str] = None,
               service_tier: Optional[str] = None) -> Optional[Price]:
        """The price for ``model`` (else ``fallback_model``, e.g. the requested model when the
        response names an unknown snapshot) served by ``provider``, at the ``service_tier``
        the response reports (OpenAI's flex/priority); None when unknown."""
        tier = None if service_tier is None or service_tier in _STANDARD_TIERS else service_tier
        key = (provider, model, fallback_model, tier)
        hit = self._cache.get(key)
        if hit is not None and (hit[1] == source.NEVER or hit[1] > time.time()):
            return hit[0]
        now = datetime.now(timezone.utc)
        price, until = self._resolve(provider, model, tier, now)
        if price is None and fallback_model and fallback_model != model:
            price, until = self._resolve(provider, fallback_model, tier, now)
        with self._lock:
            self._cache[key] = (price, until)
            if price is None and model and (provider, model) not in self._warned:
                self._warned.add((provider, model))
                logger.warning(
                    "helicone_otel: no price for model %r (provider %r); its calls get no cost. "
                    "Add one with HeliconeAsyncLogger(prices={%r: {'input': ..., 'output': ...}}).",
                    model, provider, model,
                )
        return price

    def _resolve(self, provider: str, model: str, tier: Optional[str], now: datetime) -> tuple[Optional[Price], float]:
        names = candidate_names(model, self._suffixes)
        names += [_AZURE_DOTLESS.sub("gpt-3.5", n) for n in names if _AZURE_DOTLESS.match(n)]
        for name in names:
            override = self._overrides.get(name)
            if override is not None and (override[0] is None or override[0] == provider):
                return override[1], source.NEVER
        gp_provider = source.provider_id(provider, names) if provider else source.family_provider(names)
        if gp_provider is None:
            return None, source.NEVER
        for name in names:
            shipped = self._shipped.get(name)
            if shipped is not None and (shipped[0] is None or gp_provider in shipped[0]):
                return shipped[1], source.NEVER
        found = source.find(gp_provider, names, now, tier)
        family = source.family_provider(names)
        if found is None and gp_provider in _FAMILY_FALLBACK and family is not None:
            found = source.find(family, names, now, tier)
        if found is None or found[0] is None:
            return None, found[1] if found else source.NEVER
        return parse_price(found[0], f"genai-prices {gp_provider}/{model}"), found[1]


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
    micro = uncached * p.input
    if p.reasoning is not None:  # reasoning tokens are part of the output count
        reasoning = min(attributes.get(A.USAGE_REASONING_OUTPUT_TOKENS) or 0, output_tokens)
        micro += reasoning * p.reasoning + (output_tokens - reasoning) * p.output
    else:
        micro += output_tokens * p.output
    micro += cache_read * (p.cache_read if p.cache_read is not None else p.input)
    cache_write_5m = max(0, cache_write - cache_write_1h)
    micro += cache_write_5m * (p.cache_write if p.cache_write is not None else p.input)
    micro += cache_write_1h * (p.cache_write_1h if p.cache_write_1h is not None else p.cache_write if p.cache_write is not None else p.input)
    return micro / 1_000_000 + p.per_call


def span_cost(
    book: PriceBook, provider: str, request_model: Optional[str], usage: Mapping[str, Any]
) -> Optional[float]:
    """Cost of a finished call: ``usage`` holds the response attributes (response model,
    token counts, service tier); None for an unknown model or no usage."""
    model = usage.get(A.RESPONSE_MODEL) or request_model
    if not model or (A.USAGE_INPUT_TOKENS not in usage and A.USAGE_OUTPUT_TOKENS not in usage):
        return None
    tier = usage.get(A.OPENAI_RESPONSE_SERVICE_TIER)
    price = book.lookup(provider, model, request_model, tier if isinstance(tier, str) else None)
    return None if price is None else cost_usd(price, usage)
