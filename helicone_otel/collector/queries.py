"""Sessions as path trees, from stored requests (the command line's ``sessions``; the costs and
the web view's tables are SQL in reads.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .record import RequestRecord

MAX_DEPTH = 24  # path segments; deeper ones stay joined in the last (a stored path is untrusted)
# Helicone keeps sessions as properties under these exact keys (heliconeHeaders.ts:343-362,
# traceManager.ts:205-222) and reads them back by exact key (managers/SessionManager.ts:119).
SESSION_ID = "Helicone-Session-Id"
SESSION_PATH = "Helicone-Session-Path"
SESSION_NAME = "Helicone-Session-Name"


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
            segments = str(record.properties.get(SESSION_PATH) or "/").strip("/").split("/")
            if len(segments) > MAX_DEPTH:
                segments = segments[:MAX_DEPTH - 1] + ["/".join(segments[MAX_DEPTH - 1:])]
            for segment in segments:
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
