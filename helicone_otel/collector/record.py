"""The stored request: one ``request_response_rmt`` row as Helicone would write it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as Helicone stores it (LoggingHandler.ts ``mapRequestResponseVersionedCH``).

    Token counts are Helicone's: ``prompt_tokens`` excludes cache reads and writes (and OpenAI
    audio), ``completion_tokens`` excludes reasoning tokens, ``total_tokens`` is prompt +
    completion + reasoning (what jawn reads, there is no total column). Values Helicone does not
    know are 0, as in the row. ``cost_usd`` is None only when Helicone prices the model and
    helicone_otel's price table does not. ``error_type`` is the status code for non-2xx
    statuses; ``source`` is the ingestion route.

    ``RequestRecord(id=..., created_at=..., provider="OPENAI", model="gpt-4o-mini", ...)``
    """

    id: str
    created_at: float  # unix seconds, millisecond precision
    provider: str
    model: str
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    latency_ms: int
    user_id: str | None
    properties: dict[str, Any] = field(default_factory=dict)
    request_body: Any = field(default_factory=dict)
    response_body: Any = field(default_factory=dict)
    status: int = 200
    cost_usd: float | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None
    time_to_first_token_ms: int | None = None
    error_type: str | None = None
    source: str = "custom_log"
