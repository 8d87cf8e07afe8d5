"""LLM prices (genai-prices, our overrides, the user's) and per-call cost; offline."""

from .prices import Price, PriceBook, candidate_names, cost_usd, parse_price, span_cost

__all__ = ["Price", "PriceBook", "candidate_names", "cost_usd", "parse_price", "span_cost"]
