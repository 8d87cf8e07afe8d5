"""Aggregations over stored requests, for the command-line views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from .record import RequestRecord

_NONE = "(none)"
# Helicone keeps sessions as properties under these exact keys (heliconeHeaders.ts:343-362,
# traceManager.ts:205-222) and reads them back by exact key (managers/SessionManager.ts:119).
SESSION_ID = "Helicone-Session-Id"
SESSION_PATH = "Helicone-Session-Path"
SESSION_NAME = "Helicone-Session-Name"


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
        return lambda r: r.properties.get(SESSION_ID) or _NONE
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


def grand_total(rows: Sequence[CostTotal]) -> CostTotal | None:
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


@dataclass
class PathNode:
    """One segment of a session's path tree, with the requests made at exactly that path."""

    segment: str
    requests: list[RequestRecord]
    children: dict[str, "PathNode"]


@dataclass
class SessionView:
    """One session: its name, path tree and totals."""

    id: str
    name: str | None
    root: PathNode
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    started_at: float
    duration_ms: int


def sessions(records: Sequence[RequestRecord]) -> list[SessionView]:
    """Requests grouped by ``Helicone-Session-Id`` into path trees, oldest session first."""
    grouped: dict[str, list[RequestRecord]] = {}
    for record in sorted(records, key=lambda r: r.created_at):
        session_id = record.properties.get(SESSION_ID)
        if session_id:
            grouped.setdefault(session_id, []).append(record)
    views = []
    for session_id, members in grouped.items():
        root = PathNode("", [], {})
        for record in members:
            node = root
            for segment in (record.properties.get(SESSION_PATH) or "/").strip("/").split("/"):
                if segment:
                    node = node.children.setdefault(segment, PathNode(segment, [], {}))
            node.requests.append(record)
        names = [r.properties.get(SESSION_NAME) for r in members if r.properties.get(SESSION_NAME)]
        started = members[0].created_at
        ended = max(r.created_at + r.latency_ms / 1000 for r in members)
        views.append(
            SessionView(
                id=session_id,
                name=names[0] if names else None,
                root=root,
                requests=len(members),
                prompt_tokens=sum(r.prompt_tokens or 0 for r in members),
                completion_tokens=sum(r.completion_tokens or 0 for r in members),
                cost_usd=sum(r.cost_usd or 0.0 for r in members),
                started_at=started,
                duration_ms=int((ended - started) * 1000),
            )
        )
    return views
