"""Aggregations over stored requests, for the command-line views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from .. import attributes as A
from .mapping import RequestRecord

_NONE = "(none)"


@dataclass
class CostTotal:
    """Totals for one group of requests."""

    key: str
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    unpriced: int = 0


def group_key(by: str) -> Callable[[RequestRecord], str]:
    """The grouping function for ``--by model|user|session|provider|property:<Name>``."""
    if by == "model":
        return lambda r: r.model or _NONE
    if by == "provider":
        return lambda r: r.provider or _NONE
    if by == "user":
        return lambda r: r.user_id or _NONE
    if by == "session":
        return lambda r: r.properties.get(A.HEADER_SESSION_ID) or _NONE
    if by.startswith("property:") and len(by) > len("property:"):
        name = by[len("property:"):]
        return lambda r: r.properties.get(name) or _NONE
    raise ValueError(f"--by {by!r}: use model, provider, user, session or property:<Name>")


def cost_totals(records: Sequence[RequestRecord], by: str) -> list[CostTotal]:
    """Totals per group, most expensive first."""
    key_of = group_key(by)
    totals: dict[str, CostTotal] = {}
    for record in records:
        key = key_of(record)
        total = totals.get(key)
        if total is None:
            total = totals[key] = CostTotal(key)
        total.requests += 1
        total.prompt_tokens += record.prompt_tokens or 0
        total.completion_tokens += record.completion_tokens or 0
        if record.cost_usd is None:
            total.unpriced += 1
        else:
            total.cost_usd += record.cost_usd
    return sorted(totals.values(), key=lambda t: (-t.cost_usd, t.key))


def grand_total(rows: Sequence[CostTotal]) -> Optional[CostTotal]:
    """The sum of all groups (None for no rows)."""
    if not rows:
        return None
    total = CostTotal("total")
    for row in rows:
        total.requests += row.requests
        total.prompt_tokens += row.prompt_tokens
        total.completion_tokens += row.completion_tokens
        total.cost_usd += row.cost_usd
        total.unpriced += row.unpriced
    return total
