"""Offline LLM prices and per-call cost."""

from .prices import Price, PriceBook, cost_usd, span_cost

__all__ = ["Price", "PriceBook", "cost_usd", "span_cost"]
