"""Helicone's OTLP ingestion rules (jawn ``traceManager.ts``, HELICONE_WIRE.md §2), applied to
OTLP/JSON-shaped spans: one span → one request record."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Optional

from .. import attributes as A
from ..cost import PriceBook, cost_usd

_ASSOCIATION_HELICONE = A.WIRE_ASSOCIATION_PREFIX + "Helicone-"
_ASSOCIATION_USER = A.WIRE_ASSOCIATION_PREFIX + A.HEADER_USER_ID
_ASSOCIATION_PROPERTY = A.WIRE_ASSOCIATION_PREFIX + A.HEADER_PROPERTY_PREFIX


@dataclass
class RequestRecord:
    """One stored request, as Helicone would show it."""

    id: str
    created_at: float  # unix seconds
    provider: str
    model: str
    prompt_tokens: Optional[int]
    completion_tokens: Optional[int]
    total_tokens: Optional[int]
    latency_ms: int
    user_id: Optional[str]
    properties: dict[str, str] = field(default_factory=dict)
    request_body: dict[str, Any] = field(default_factory=dict)
    response_body: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    cost_usd: Optional[float] = None
    cache_read_tokens: Optional[int] = None
    reasoning_tokens: Optional[int] = None
    time_to_first_token_ms: Optional[int] = None
    error_type: Optional[str] = None
    source: str = "otlp"


def _value(any_value: Mapping[str, Any]) -> Any:
    # jawn: ``value.stringValue ?? value.intValue``; everything else is undefined.
    if "stringValue" in any_value:
        return any_value["stringValue"]
    return any_value.get("intValue")


def _int(value: Any) -> Optional[int]:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> Optional[float]:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _indexed(attrs: Mapping[str, Any], prefix: str) -> list[dict[str, Any]]:
    # ``gen_ai.prompt.{i}.role`` — an entry exists only if its ``.role`` exists.
    entries: dict[int, dict[str, Any]] = {}
    for key, value in attrs.items():
        if not key.startswith(prefix):
            continue
        index_text, _, leaf = key[len(prefix):].partition(".")
        index = _int(index_text)
        if index is None or not leaf:
            continue
        entries.setdefault(index, {})[leaf] = value
    return [entries[i] for i in sorted(entries) if "role" in entries[i]]


def spans_of(traces: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every span in an OTLP/JSON ``TracesData`` document."""
    for resource_spans in traces.get("resourceSpans") or ():
        for scope_spans in resource_spans.get("scopeSpans") or ():
            yield from scope_spans.get("spans") or ()


def span_to_record(span: Mapping[str, Any]) -> RequestRecord:
    """Map one OTLP/JSON span the way Helicone does."""
    attrs: dict[str, Any] = {}
    for kv in span.get("attributes") or ():
        attrs[kv.get("key", "")] = _value(kv.get("value") or {})

    provider = str(attrs.get(A.WIRE_SYSTEM) or "").upper()
    model = str(attrs.get(A.WIRE_RESPONSE_MODEL) or "")
    prompt_tokens = _int(attrs.get(A.WIRE_PROMPT_TOKENS))
    completion_tokens = _int(attrs.get(A.WIRE_COMPLETION_TOKENS))
    total = None
    if prompt_tokens is not None or completion_tokens is not None:
        total = (prompt_tokens or 0) + (completion_tokens or 0)

    properties: dict[str, str] = {}
    for key, value in attrs.items():
        if key == _ASSOCIATION_USER or not key.startswith(_ASSOCIATION_HELICONE):
            continue
        if key.startswith(_ASSOCIATION_PROPERTY):
            properties[key[len(_ASSOCIATION_PROPERTY):]] = str(value)
        else:
            properties[key[len(A.WIRE_ASSOCIATION_PREFIX):]] = str(value)
    user_id = attrs.get(_ASSOCIATION_USER) or attrs.get(A.WIRE_USER)

    messages = [{"role": m["role"], "content": m.get("content")} for m in _indexed(attrs, A.WIRE_PROMPT_PREFIX)]
    choices = [
        {
            "index": i,
            "logprobs": None,
            "finish_reason": c.get("finish_reason"),
            "message": {"role": c["role"], "content": c.get("content")},
        }
        for i, c in enumerate(_indexed(attrs, A.WIRE_COMPLETION_PREFIX))
    ]
    start_ns = _int(span.get("startTimeUnixNano")) or 0
    end_ns = _int(span.get("endTimeUnixNano")) or start_ns
    request_body = {
        "model": model,
        "n": len(choices),
        "messages": messages,
        "temperature": 1,
        "max_tokens": _int(attrs.get(A.WIRE_MAX_TOKENS)) or 50,
        "stream": False,
    }
    response_body = {
        "object": attrs.get(A.WIRE_REQUEST_TYPE),
        "model": model,
        "choices": choices,
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": total},
    }
    return RequestRecord(
        id=str(uuid.uuid4()),
        created_at=start_ns / 1e9,
        provider=provider,
        model=model,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        total_tokens=total,
        latency_ms=max(0, (end_ns - start_ns) // 1_000_000),
        user_id=str(user_id) if user_id else None,
        properties=properties,
        request_body=request_body,
        response_body=response_body,
        cost_usd=_float(attrs.get(A.WIRE_COST)),
        cache_read_tokens=_int(attrs.get(A.WIRE_CACHE_READ_TOKENS)),
        reasoning_tokens=_int(attrs.get(A.WIRE_REASONING_TOKENS)),
        time_to_first_token_ms=_int(attrs.get(A.WIRE_TIME_TO_FIRST_TOKEN_MS)),
        error_type=str(attrs[A.WIRE_ERROR_TYPE]) if attrs.get(A.WIRE_ERROR_TYPE) else None,
    )


def records_from_otlp_json(document: Mapping[str, Any]) -> list[RequestRecord]:
    """All request records in one OTLP/JSON body."""
    return [span_to_record(span) for span in spans_of(document)]


def fill_cost(book: PriceBook, record: RequestRecord) -> None:
    """Price a request that arrived without a cost, from its provider, model and tokens."""
    if record.cost_usd is not None or not record.model:
        return
    price = book.lookup(record.provider.lower(), record.model)
    if price is None:
        return
    usage = {
        A.USAGE_INPUT_TOKENS: record.prompt_tokens,
        A.USAGE_OUTPUT_TOKENS: record.completion_tokens,
        A.USAGE_CACHE_READ_INPUT_TOKENS: record.cache_read_tokens,
    }
    record.cost_usd = cost_usd(price, {k: v for k, v in usage.items() if v is not None})


def dumps(value: Any) -> str:
    """JSON for storage."""
    return json.dumps(value, ensure_ascii=False, default=str)
