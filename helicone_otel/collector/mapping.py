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
# Header names arrive in any case; sessions are stored under their canonical spelling.
_SESSION_HEADERS = {h.lower(): h for h in (A.HEADER_SESSION_ID, A.HEADER_SESSION_PATH, A.HEADER_SESSION_NAME)}


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
    cache_write_tokens: Optional[int] = None
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


def _millis(timing: Any) -> Optional[float]:
    """Helicone timing values: ``{seconds, milliseconds}``, epoch seconds/ms, or ISO text."""
    if isinstance(timing, Mapping):
        return float(timing.get("seconds") or 0) * 1000 + float(timing.get("milliseconds") or 0)
    if isinstance(timing, (int, float)) and not isinstance(timing, bool):
        return float(timing) if timing > 1e11 else float(timing) * 1000
    if isinstance(timing, str):
        from datetime import datetime

        try:
            return datetime.fromisoformat(timing.replace("Z", "+00:00")).timestamp() * 1000
        except ValueError:
            return None
    return None


def _usage_tokens(usage: Any) -> tuple[Optional[int], Optional[int], Optional[int], Optional[int]]:
    """(prompt incl. cache, completion, cache read, cache write) from an OpenAI- or
    Anthropic-shaped usage object."""
    if not isinstance(usage, Mapping):
        return None, None, None, None
    if "prompt_tokens" in usage or "completion_tokens" in usage:
        cached = _int((usage.get("prompt_tokens_details") or {}).get("cached_tokens"))
        return _int(usage.get("prompt_tokens")), _int(usage.get("completion_tokens")), cached, None
    cache_read = _int(usage.get("cache_read_input_tokens"))
    cache_write = _int(usage.get("cache_creation_input_tokens"))
    uncached = _int(usage.get("input_tokens"))
    prompt = None
    if uncached is not None or cache_read is not None or cache_write is not None:
        prompt = (uncached or 0) + (cache_read or 0) + (cache_write or 0)
    return prompt, _int(usage.get("output_tokens")), cache_read, cache_write


def record_from_async_log(body: Mapping[str, Any], headers: Mapping[str, str]) -> RequestRecord:
    """Map one custom-log body (HELICONE_WIRE.md §4) the way Helicone does."""
    request = body.get("providerRequest") or {}
    response = body.get("providerResponse") or {}
    request_json = request.get("json") or {}
    response_json = response.get("json") or {}
    helicone = {k: v for k, v in headers.items() if k.lower().startswith("helicone-")}
    helicone.update({k: v for k, v in (request.get("meta") or {}).items() if k.lower().startswith("helicone-")})
    properties: dict[str, str] = {}
    user_id = None
    for key, value in helicone.items():
        lowered = key.lower()
        if lowered == A.HEADER_USER_ID.lower():
            user_id = str(value)
        elif lowered.startswith(A.HEADER_PROPERTY_PREFIX.lower()):
            properties[key[len(A.HEADER_PROPERTY_PREFIX):]] = str(value)
        elif lowered.startswith("helicone-session-"):
            properties[_SESSION_HEADERS.get(lowered, key)] = str(value)
    kind = response_json.get("_type") or request_json.get("_type")
    if kind == "tool":
        model = f"tool:{response_json.get('toolName') or request_json.get('toolName') or 'unknown'}"
    elif kind == "vector_db":
        model = "vector_db"
    else:
        model = str(response_json.get("model") or request_json.get("model") or "")
    prompt, completion, cache_read, cache_write = _usage_tokens(response_json.get("usage"))
    timing = body.get("timing") or {}
    start_ms = _millis(timing.get("startTime")) or 0.0
    end_ms = _millis(timing.get("endTime")) or start_ms
    status = _int(response.get("status")) or 200
    ttft = timing.get("timeToFirstToken")
    return RequestRecord(
        id=str(uuid.uuid4()),
        created_at=start_ms / 1000,
        provider=str(body.get("provider") or "OPENAI").upper(),
        model=model,
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=None if prompt is None and completion is None else (prompt or 0) + (completion or 0),
        latency_ms=max(0, int(end_ms - start_ms)),
        user_id=user_id,
        properties=properties,
        request_body=dict(request_json),
        response_body=dict(response_json),
        status=status,
        cost_usd=_float(response.get("cost")),
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        time_to_first_token_ms=_int(ttft),
        error_type=str(status) if status >= 400 else None,
        source="custom_log",
    )


def records_from_otlp_json(document: Mapping[str, Any]) -> list[RequestRecord]:
    """All request records in one OTLP/JSON body."""
    return [span_to_record(span) for span in spans_of(document)]


def fill_cost(book: PriceBook, record: RequestRecord) -> None:
    """Price a request that arrived without a cost, from its provider, model and tokens."""
    if record.cost_usd is not None or not record.model or record.model == "vector_db" or record.model.startswith("tool:"):
        return
    price = book.lookup(record.provider.lower(), record.model)
    if price is None:
        return
    usage = {
        A.USAGE_INPUT_TOKENS: record.prompt_tokens,
        A.USAGE_OUTPUT_TOKENS: record.completion_tokens,
        A.USAGE_CACHE_READ_INPUT_TOKENS: record.cache_read_tokens,
        A.USAGE_CACHE_CREATION_INPUT_TOKENS: record.cache_write_tokens,
    }
    record.cost_usd = cost_usd(price, {k: v for k, v in usage.items() if v is not None})


def dumps(value: Any) -> str:
    """JSON for storage."""
    return json.dumps(value, ensure_ascii=False, default=str)
