"""Cohere v2 chat (``chat``, ``chat_stream``): request, response and stream folding, pure
functions over the API's JSON.

Tokens are Cohere's ``usage.billed_units`` (what the call costs); ``usage.tokens`` (which also
counts the prompt template Cohere adds) is the fallback when no billed units are reported.
"""

from __future__ import annotations

from typing import Any

from ... import attributes as A
from .._content import field, int_or_none, text_part, to_json

OPERATION = "chat"

_PARAMETERS = (
    ("max_tokens", A.REQUEST_MAX_TOKENS),
    ("temperature", A.REQUEST_TEMPERATURE),
    ("p", A.REQUEST_TOP_P),
    ("k", A.REQUEST_TOP_K),
    ("seed", A.REQUEST_SEED),
    ("frequency_penalty", A.REQUEST_FREQUENCY_PENALTY),
    ("presence_penalty", A.REQUEST_PRESENCE_PENALTY),
)


def request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """Sampling parameters and, with capture on, messages (the system message included) and tools."""
    for key, attr in _PARAMETERS:
        value = body.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            attrs[attr] = value
    stop = body.get("stop_sequences")
    if isinstance(stop, list) and stop:
        attrs[A.REQUEST_STOP_SEQUENCES] = tuple(str(s) for s in stop)
    if body.get("stream"):
        attrs[A.REQUEST_STREAM] = True
    if field(body.get("response_format"), "type") == "json_object":
        attrs[A.OUTPUT_TYPE] = "json"
    if not capture_content:
        return
    messages = [m for m in body.get("messages") or () if isinstance(m, dict)]
    system = [m for m in messages if m.get("role") == "system"]
    if system:
        attrs[A.SYSTEM_INSTRUCTIONS] = to_json([p for m in system for p in parts(m)])
    others = [m for m in messages if m.get("role") != "system"]
    if others:
        attrs[A.INPUT_MESSAGES] = to_json([{"role": m.get("role", "user"), "parts": parts(m)} for m in others])
    if body.get("tools"):
        attrs[A.TOOL_DEFINITIONS] = to_json(body["tools"])


def stream_request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """As :func:`request_attributes`, for ``chat_stream`` (whose body says ``"stream": true``)."""
    request_attributes(body, attrs, capture_content)
    attrs[A.REQUEST_STREAM] = True


def parts(message: Any) -> list[dict[str, Any]]:
    """A v2 message's content, tool plan and tool calls → semconv parts."""
    out: list[dict[str, Any]] = []
    content = field(message, "content")
    if field(message, "role") == "tool":
        text = content if isinstance(content, str) else "\n".join(str(field(c, "text", "")) for c in content or () if field(c, "type") == "text")
        return [{"type": "tool_call_response", "id": field(message, "tool_call_id"), "response": text}]
    if isinstance(content, str):
        out.append(text_part(content))
    else:
        for block in content or ():
            kind = field(block, "type")
            if kind == "text":
                out.append(text_part(str(field(block, "text", ""))))
            elif kind == "thinking":
                out.append({"type": "reasoning", "content": str(field(block, "thinking", ""))})
            elif kind == "image_url":
                out.append({"type": "uri", "modality": "image", "uri": field(field(block, "image_url"), "url")})
            else:
                out.append({"type": str(kind)})
    for call in field(message, "tool_calls") or ():
        function = field(call, "function")
        out.append({"type": "tool_call", "id": field(call, "id"), "name": field(function, "name"), "arguments": field(function, "arguments")})
    return out


def count(value: Any) -> int | None:
    """A token count: the SDK types Cohere's counts as floats (``5.0``)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return int_or_none(value)


def usage_counts(usage: Any) -> tuple[int | None, int | None]:
    """(input, output) tokens of a v2 ``usage``: billed units, else tokens."""
    for key in ("billed_units", "tokens"):
        units = field(usage, key)
        given = count(field(units, "input_tokens")), count(field(units, "output_tokens"))
        if given != (None, None):
            return given
    return None, None


def response_attributes(response: dict[str, Any], capture_content: bool) -> dict[str, Any]:
    """Attributes from a v2 chat response (or a folded stream)."""
    attrs: dict[str, Any] = {}
    if response.get("id"):
        attrs[A.RESPONSE_ID] = response["id"]
    reason = response.get("finish_reason")
    if reason is not None or "message" in response:
        attrs[A.RESPONSE_FINISH_REASONS] = (str(reason or ""),)
    input_tokens, output_tokens = usage_counts(response.get("usage"))
    if input_tokens is not None:
        attrs[A.USAGE_INPUT_TOKENS] = input_tokens
    if output_tokens is not None:
        attrs[A.USAGE_OUTPUT_TOKENS] = output_tokens
    cached = count(field(response.get("usage"), "cached_tokens"))
    if cached:
        attrs[A.USAGE_CACHE_READ_INPUT_TOKENS] = cached
    message = response.get("message")
    if capture_content and isinstance(message, dict):
        attrs[A.OUTPUT_MESSAGES] = to_json([{"role": "assistant", "parts": parts(message), "finish_reason": str(reason or "")}])
    return attrs


def fold(events: list[dict[str, Any]]) -> dict[str, Any]:
    """v2 chat stream events → the chat response they add up to."""
    response: dict[str, Any] = {}
    message: dict[str, Any] = {"role": "assistant"}
    texts: dict[int, list[str]] = {}
    kinds: dict[int, str] = {}
    plan: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    for event in events:
        kind = event.get("type")
        index = int_or_none(event.get("index")) or 0
        delta = field(field(event, "delta"), "message") or {}
        if kind == "message-start":
            if event.get("id"):
                response["id"] = event["id"]
            message["role"] = field(delta, "role", "assistant")
        elif kind == "content-start":
            content = field(delta, "content") or {}
            kinds[index] = str(field(content, "type", "text"))
            texts.setdefault(index, []).append(str(field(content, "text", "") or field(content, "thinking", "") or ""))
        elif kind == "content-delta":
            content = field(delta, "content") or {}
            texts.setdefault(index, []).append(str(field(content, "text", "") or field(content, "thinking", "") or ""))
        elif kind == "tool-plan-delta":
            plan.append(str(field(delta, "tool_plan", "") or ""))
        elif kind in ("tool-call-start", "tool-call-delta"):
            call = field(delta, "tool_calls") or {}
            slot = calls.setdefault(index, {"id": None, "type": "function", "name": None, "arguments": []})
            slot["id"] = field(call, "id") or slot["id"]
            function = field(call, "function") or {}
            slot["name"] = field(function, "name") or slot["name"]
            slot["arguments"].append(str(field(function, "arguments", "") or ""))
        elif kind == "message-end":
            end = field(event, "delta") or {}
            response["finish_reason"] = field(end, "finish_reason")
            if field(end, "usage") is not None:
                response["usage"] = end["usage"]
    if texts:
        message["content"] = [
            {"type": "thinking", "thinking": "".join(texts[i])} if kinds.get(i) == "thinking" else {"type": "text", "text": "".join(texts[i])}
            for i in sorted(texts)
        ]
    if plan:
        message["tool_plan"] = "".join(plan)
    if calls:
        message["tool_calls"] = [
            {"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": "".join(c["arguments"])}}
            for _, c in sorted(calls.items())
        ]
    return {**response, "message": message}
