"""``POST /v1/trace/log`` and ``/v1/trace/log-python``: jawn's ``TraceManager.consumeTraces``
(managers/traceManager.ts), one OTLP span → one queue message.

Only span attributes count, read as ``stringValue ?? intValue`` (:173); each span gets a random
request id, status 200, no time to first token, and OpenAI-shaped synthetic bodies built from
``gen_ai.prompt.N.*`` / ``gen_ai.completion.N.*`` and the ``gen_ai.usage.prompt_tokens`` /
``completion_tokens`` attributes. Resource attributes, events, links, span status, cached and
reasoning tokens and any cost attribute are dropped.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from typing import Any, Iterator

from .dates import NAN, iso, new_date
from .js import UNDEFINED, clean, get, nullish, prop, truthy
from .message import LogMessage

_ASSOCIATION = "traceloop.association.properties."
_HELICONE = _ASSOCIATION + "Helicone-"
_USER = _ASSOCIATION + "Helicone-User-Id"
_PROPERTY = _ASSOCIATION + "Helicone-Property-"


def parse_int(value: Any) -> float:
    """``parseInt(value)`` (radix 10, or 16 after ``0x``)."""
    text = ("undefined" if value is UNDEFINED else "null" if value is None else str(value)).lstrip(" \t\n\r\f\v\u00a0\ufeff")
    match = re.match(r"([+-]?)(0[xX][0-9a-fA-F]+|\d+)", text)
    if not match:
        return NAN
    sign = -1 if match[1] == "-" else 1
    digits = match[2]
    number = int(digits, 16) if digits[:2].lower() == "0x" else int(digits)
    return float(sign * number) if abs(number) >= 2**53 else sign * number


def _spans(trace: Any) -> list[dict[str, Any]]:
    """``processOtelSpans``: every span of every scope, attributes as a Map (all spans first,
    so one malformed span fails the whole request before anything is stored)."""
    spans = []
    for resource_spans in _array(prop(trace, "resourceSpans")):
        for scope_spans in _array(prop(resource_spans, "scopeSpans")):
            for span in _array(prop(scope_spans, "spans")):
                attributes: dict[Any, Any] = {}
                for attribute in _array(prop(span, "attributes")):
                    value = prop(attribute, "value")
                    attributes[get(attribute, "key")] = nullish(prop(value, "stringValue"), prop(value, "intValue"))
                spans.append({**(span if isinstance(span, dict) else {}), "traceId": str(uuid.uuid4()), "attributes": attributes})
    return spans


def _array(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"{value!r}.flatMap is not a function")
    return value


def _starts_with(key: Any, prefix: str) -> bool:
    if not isinstance(key, str):
        raise TypeError("key.startsWith is not a function")
    return key.startswith(prefix)


def _indices(attributes: dict[Any, Any], prefix: str) -> list[float]:
    seen: list[float] = []
    for key in attributes:
        if _starts_with(key, prefix):
            parts = key.split(".")
            index = parse_int(parts[2] if len(parts) > 2 else UNDEFINED)
            if not any(i == index or (i != i and index != index) for i in seen):  # Set: NaN equals NaN
                seen.append(index)
    return seen


def _index_text(index: float) -> str:
    return "NaN" if index != index else str(int(index)) if float(index).is_integer() else repr(index)


def _messages(attributes: dict[Any, Any], prefix: str) -> list[dict[str, Any]]:
    return [{"role": attributes.get(f"{prefix}.{_index_text(i)}.role", UNDEFINED),
             "content": attributes.get(f"{prefix}.{_index_text(i)}.content", UNDEFINED)}
            for i in _indices(attributes, prefix) if f"{prefix}.{_index_text(i)}.role" in attributes]


def _completions(attributes: dict[Any, Any]) -> list[dict[str, Any]]:
    choices = []
    for i in _indices(attributes, "gen_ai.completion"):
        key = f"gen_ai.completion.{_index_text(i)}"
        if key + ".role" in attributes:
            choices.append({"index": None if i != i else i, "logprobs": None,
                            "finish_reason": attributes.get(key + ".finish_reason", UNDEFINED),
                            "message": {"role": attributes[key + ".role"], "content": attributes.get(key + ".content", UNDEFINED)}})
    return choices


def _dump(value: Any) -> str:
    """``JSON.stringify`` of a synthetic body (undefined members dropped)."""
    return json.dumps(clean(value), ensure_ascii=False, separators=(",", ":"))


def consume_traces(trace: Any, source: str) -> Iterator[LogMessage]:
    """Queue messages for each span, in order. A span jawn fails on raises after the earlier
    spans were yielded: those are stored, and the request is answered 500 (traceManager.ts:194)."""
    for span in _spans(trace):
        attributes = span["attributes"]
        prompt_messages = _messages(attributes, "gen_ai.prompt")
        choices = _completions(attributes)
        user_id = nullish(attributes.get(_USER, UNDEFINED), attributes.get("llm.user", UNDEFINED), "")
        properties: dict[str, Any] = {}
        for key, value in attributes.items():
            if _starts_with(key, _HELICONE) and key != _USER:
                name = key.replace(_PROPERTY if key.startswith(_PROPERTY) else _ASSOCIATION, "", 1)
                properties[name] = value
        start, end = get(span, "startTimeUnixNano"), get(span, "endTimeUnixNano")
        start_ms = new_date(parse_int(start) / 1_000_000)
        end_ms = new_date(parse_int(end) / 1_000_000)
        model = attributes.get("gen_ai.response.model", UNDEFINED)
        request_body = {"model": model, "n": len(choices), "messages": prompt_messages, "temperature": 1,
                        "max_tokens": nullish(attributes.get("gen_ai.response.max_tokens", UNDEFINED), 50), "stream": False}
        response_body = {
            "id": span["traceId"], "object": attributes.get("llm.request.type", UNDEFINED), "created": iso(start_ms), "model": model,
            "choices": choices,
            "usage": {"prompt_tokens": attributes.get("gen_ai.usage.prompt_tokens", UNDEFINED),
                      "completion_tokens": attributes.get("gen_ai.usage.completion_tokens", UNDEFINED),
                      "total_tokens": attributes.get("llm.usage.total_tokens", UNDEFINED)},
            "system_fingerprint": None,
        }
        system = nullish(attributes.get("gen_ai.system", UNDEFINED), "")
        if not isinstance(system, str):
            raise TypeError("(intermediate value).toUpperCase is not a function")
        delay: Any = -1
        if truthy(end) and truthy(start):
            elapsed = (parse_int(end) - parse_int(start)) / 1_000_000
            delay = elapsed if math.isnan(elapsed) else math.trunc(elapsed)
        yield LogMessage(
            request_id=span["traceId"],
            provider=system.upper(),
            user_id=user_id,
            properties=properties,
            request_created_ms=start_ms,
            response_created_ms=end_ms,
            delay_ms=delay,
            status=200,
            raw_request_body=_dump(request_body),
            raw_response_body=_dump(response_body),
            source="otlp",
        )
