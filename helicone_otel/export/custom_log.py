"""Spans Helicone's OTLP path cannot carry faithfully, as its custom-log JSON (HELICONE_WIRE.md §4).

Helicone stores an OTLP span as an OpenAI-shaped body, then parses Anthropic usage from
Anthropic-shaped fields, so Anthropic calls arrive with no tokens and no cost. We send those as
``POST /v1/trace/custom/log`` with the Anthropic-shaped request and response, timing and the
Helicone properties. Runs on the export thread only.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from opentelemetry.sdk.trace import ReadableSpan

from .. import attributes as A
from .translate import context_headers, load_json_list

CUSTOM_LOG_PATH = "/v1/trace/custom/log"

_CLAUDE_HOSTS = ("aws.bedrock", "gcp.vertex_ai", "azure.ai.inference")


_STEP_TYPES = {"tool": "tool", "vector_db": "vector_db", "custom": "tool"}


def wants_custom_log(attributes: Mapping[str, Any]) -> bool:
    """Anthropic models (direct, or Claude on Bedrock/Vertex/Foundry) and custom steps (tool,
    vector_db) go by custom log."""
    if attributes.get(A.STEP_KIND) in _STEP_TYPES:
        return True
    provider = attributes.get(A.PROVIDER_NAME)
    if provider == "anthropic":
        return True
    if provider in _CLAUDE_HOSTS:
        model = str(attributes.get(A.RESPONSE_MODEL) or attributes.get(A.REQUEST_MODEL) or "")
        return "claude" in model.lower()
    return False


def _timestamp(nanos: int) -> dict[str, int]:
    seconds, rest = divmod(nanos, 1_000_000_000)
    return {"seconds": seconds, "milliseconds": rest // 1_000_000}


def _blocks(parts: Any) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for part in parts or ():
        if not isinstance(part, Mapping):
            continue
        kind = part.get("type")
        if kind == "text":
            blocks.append({"type": "text", "text": part.get("content") or ""})
        elif kind == "tool_call":
            arguments = part.get("arguments")
            if isinstance(arguments, str):
                try:
                    arguments = json.loads(arguments)
                except ValueError:
                    pass
            blocks.append({"type": "tool_use", "id": part.get("id"), "name": part.get("name"), "input": arguments})
        elif kind == "tool_call_response":
            blocks.append({"type": "tool_result", "tool_use_id": part.get("id"), "content": part.get("response")})
        elif kind == "reasoning":
            blocks.append({"type": "thinking", "thinking": part.get("content") or ""})
        else:
            blocks.append({"type": "text", "text": f"[{part.get('modality') or kind}]"})
    return blocks


def _anthropic_request(a: Mapping[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = {"model": a.get(A.REQUEST_MODEL) or ""}
    for attr, key in ((A.REQUEST_MAX_TOKENS, "max_tokens"), (A.REQUEST_TEMPERATURE, "temperature"),
                      (A.REQUEST_TOP_P, "top_p"), (A.REQUEST_TOP_K, "top_k"), (A.REQUEST_STREAM, "stream")):
        if a.get(attr) is not None:
            request[key] = a[attr]
    system = load_json_list(a.get(A.SYSTEM_INSTRUCTIONS))
    if system:
        request["system"] = _blocks(system)
    messages = load_json_list(a.get(A.INPUT_MESSAGES))
    if messages:
        request["messages"] = [
            {"role": m.get("role") or "user", "content": _blocks(m.get("parts"))} for m in messages if isinstance(m, Mapping)
        ]
    return request


def _anthropic_usage(a: Mapping[str, Any]) -> dict[str, Any]:
    total_input = a.get(A.USAGE_INPUT_TOKENS) or 0
    cache_read = a.get(A.USAGE_CACHE_READ_INPUT_TOKENS) or 0
    cache_write = a.get(A.USAGE_CACHE_CREATION_INPUT_TOKENS) or 0
    one_hour = a.get(A.USAGE_CACHE_CREATION_1H_INPUT_TOKENS) or 0
    return {
        "input_tokens": max(0, total_input - cache_read - cache_write),
        "output_tokens": a.get(A.USAGE_OUTPUT_TOKENS) or 0,
        "cache_read_input_tokens": cache_read,
        "cache_creation_input_tokens": cache_write,
        "cache_creation": {"ephemeral_5m_input_tokens": cache_write - one_hour, "ephemeral_1h_input_tokens": one_hour},
    }


def _anthropic_response(a: Mapping[str, Any]) -> dict[str, Any]:
    reasons = a.get(A.RESPONSE_FINISH_REASONS) or ()
    output = load_json_list(a.get(A.OUTPUT_MESSAGES))
    parts = output[0].get("parts") if output and isinstance(output[0], Mapping) else []
    response: dict[str, Any] = {
        "id": a.get(A.RESPONSE_ID) or "",
        "type": "message",
        "role": "assistant",
        "model": a.get(A.RESPONSE_MODEL) or a.get(A.REQUEST_MODEL) or "",
        "content": _blocks(parts),
        "stop_reason": reasons[0] if reasons else None,
    }
    if a.get(A.USAGE_INPUT_TOKENS) is not None or a.get(A.USAGE_OUTPUT_TOKENS) is not None:
        response["usage"] = _anthropic_usage(a)
    return response


def _status(a: Mapping[str, Any]) -> int:
    error = a.get(A.ERROR_TYPE)
    if error is None:
        return 200
    return int(error) if str(error).isdigit() else 500


def _timing(span: ReadableSpan, ttfc: Any = None) -> dict[str, Any]:
    start = span.start_time or 0
    return {
        "startTime": _timestamp(start),
        "endTime": _timestamp(span.end_time or start),
        "timeToFirstToken": int(ttfc * 1000) if isinstance(ttfc, (int, float)) else None,
    }


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _step_log(span: ReadableSpan, a: Mapping[str, Any]) -> dict[str, Any]:
    # Helicone labels a custom log whose body says ``_type: tool`` as model ``tool:<toolName>``
    # and ``_type: vector_db`` as ``vector_db`` (HELICONE_WIRE.md §2, §4).
    kind = _STEP_TYPES[str(a[A.STEP_KIND])]
    name = str(a.get(A.TOOL_NAME) or "step")
    request: dict[str, Any] = {"_type": kind, "toolName": name}
    response: dict[str, Any] = {"_type": kind, "toolName": name}
    if A.TOOL_CALL_ARGUMENTS in a:
        request["input"] = _maybe_json(a[A.TOOL_CALL_ARGUMENTS])
    if A.TOOL_CALL_RESULT in a:
        response["output"] = _maybe_json(a[A.TOOL_CALL_RESULT])
    if a.get(A.ERROR_TYPE):
        response["error"] = {"type": str(a[A.ERROR_TYPE]), "message": span.status.description or ""}
    return {
        "providerRequest": {"url": "custom-model-nopath", "json": request, "meta": context_headers(a)},
        "providerResponse": {"headers": {}, "status": 500 if a.get(A.ERROR_TYPE) else 200, "json": response},
        "timing": _timing(span),
    }


def to_async_log(span: ReadableSpan) -> dict[str, Any]:
    """The custom-log body for one Anthropic-family LLM span or custom step."""
    a = span.attributes or {}
    if a.get(A.STEP_KIND) in _STEP_TYPES:
        return _step_log(span, a)
    response = _anthropic_response(a)
    if a.get(A.ERROR_TYPE):
        response["error"] = {"type": str(a[A.ERROR_TYPE]), "message": span.status.description or ""}
    provider_response: dict[str, Any] = {"headers": {}, "status": _status(a), "json": response}
    cost = a.get(A.USAGE_COST)
    if isinstance(cost, (int, float)):
        provider_response["cost"] = float(cost)
    return {
        "provider": "ANTHROPIC",
        "providerRequest": {
            "url": "custom-model-nopath",
            "json": _anthropic_request(a),
            "meta": context_headers(a),
        },
        "providerResponse": provider_response,
        "timing": _timing(span, a.get(A.RESPONSE_TIME_TO_FIRST_CHUNK)),
    }
