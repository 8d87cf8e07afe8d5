"""Responses API (``POST /responses``): request, response and stream-event extraction."""

from __future__ import annotations

from typing import Any, Optional

from ... import attributes as A
from .._content import field, int_or_none, media_part, text_part, to_json

OPERATION = "chat"
_TEXT_INPUT_TYPES = ("input_text", "output_text", "text")


def request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """Request parameters and (with capture on) instructions, input and tool definitions."""
    max_tokens = body.get("max_output_tokens")
    if isinstance(max_tokens, int):
        attrs[A.REQUEST_MAX_TOKENS] = max_tokens
    for key, attr in (("temperature", A.REQUEST_TEMPERATURE), ("top_p", A.REQUEST_TOP_P)):
        value = body.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            attrs[attr] = value
    if body.get("stream"):
        attrs[A.REQUEST_STREAM] = True
    text_format = field(field(body.get("text"), "format"), "type")
    if text_format:
        attrs[A.OUTPUT_TYPE] = "json" if text_format in ("json_schema", "json_object") else "text"
    if body.get("previous_response_id"):
        attrs[A.CONVERSATION_ID] = str(body["previous_response_id"])
    if not capture_content:
        return
    instructions = body.get("instructions")
    if isinstance(instructions, str) and instructions:
        attrs[A.SYSTEM_INSTRUCTIONS] = to_json([text_part(instructions)])
    items = body.get("input")
    if isinstance(items, str):
        attrs[A.INPUT_MESSAGES] = to_json([{"role": "user", "parts": [text_part(items)]}])
    elif items:
        attrs[A.INPUT_MESSAGES] = to_json(_input_messages(items))
    tools = body.get("tools")
    if tools:
        attrs[A.TOOL_DEFINITIONS] = to_json(tools)


def _content_parts(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [text_part(content)]
    parts: list[dict[str, Any]] = []
    for item in content or ():
        kind = field(item, "type")
        if kind in _TEXT_INPUT_TYPES:
            parts.append(text_part(field(item, "text", "")))
        elif kind == "input_image":
            parts.append(media_part("image", field(item, "image_url")))
        elif kind == "input_file":
            parts.append(media_part("file", field(item, "file_url")))
        elif kind == "input_audio":
            parts.append(media_part("audio", None))
        elif kind == "refusal":
            parts.append({"type": "refusal", "content": field(item, "refusal", "")})
        else:
            parts.append({"type": str(kind)})
    return parts


def _item_message(item: Any) -> Optional[dict[str, Any]]:
    kind = field(item, "type", "message")
    if kind == "message":
        return {"role": field(item, "role", "user"), "parts": _content_parts(field(item, "content"))}
    if kind in ("function_call", "custom_tool_call"):
        return {
            "role": "assistant",
            "parts": [
                {
                    "type": "tool_call",
                    "id": field(item, "call_id"),
                    "name": field(item, "name"),
                    "arguments": field(item, "arguments", field(item, "input")),
                }
            ],
        }
    if kind in ("function_call_output", "custom_tool_call_output"):
        return {
            "role": "tool",
            "parts": [{"type": "tool_call_response", "id": field(item, "call_id"), "response": field(item, "output")}],
        }
    if kind == "reasoning":
        summary = "".join(field(s, "text", "") for s in field(item, "summary") or ())
        return {"role": "assistant", "parts": [{"type": "reasoning", "content": summary}]} if summary else None
    return {"role": "assistant", "parts": [{"type": str(kind)}]}


def _input_messages(items: Any) -> list[dict[str, Any]]:
    return [m for m in (_item_message(i) for i in items) if m is not None]


def _finish_reason(response: Any) -> str:
    status = field(response, "status") or ""
    if status == "incomplete":
        return str(field(field(response, "incomplete_details"), "reason") or "incomplete")
    if status == "completed":
        output = field(response, "output") or ()
        if any(field(i, "type") in ("function_call", "custom_tool_call") for i in output):
            return "tool_calls"
        return "stop"
    return str(status)


def usage_attributes(usage: Any, attrs: dict[str, Any]) -> None:
    """Responses usage → semconv token counts."""
    if usage is None:
        return
    for key, attr in (("input_tokens", A.USAGE_INPUT_TOKENS), ("output_tokens", A.USAGE_OUTPUT_TOKENS)):
        value = int_or_none(field(usage, key))
        if value is not None:
            attrs[attr] = value
    cached = int_or_none(field(field(usage, "input_tokens_details"), "cached_tokens"))
    if cached is not None:
        attrs[A.USAGE_CACHE_READ_INPUT_TOKENS] = cached
    reasoning = int_or_none(field(field(usage, "output_tokens_details"), "reasoning_tokens"))
    if reasoning is not None:
        attrs[A.USAGE_REASONING_OUTPUT_TOKENS] = reasoning


def response_attributes(response: Any, capture_content: bool) -> dict[str, Any]:
    """Attributes from a ``Response`` (also the final object of a stream)."""
    attrs: dict[str, Any] = {}
    response_id = field(response, "id")
    if response_id:
        attrs[A.RESPONSE_ID] = response_id
    model = field(response, "model")
    if model:
        attrs[A.RESPONSE_MODEL] = model
    tier = field(response, "service_tier")
    if tier:
        attrs[A.OPENAI_RESPONSE_SERVICE_TIER] = str(tier)
    attrs[A.RESPONSE_FINISH_REASONS] = (_finish_reason(response),)
    usage_attributes(field(response, "usage"), attrs)
    if capture_content:
        parts: list[dict[str, Any]] = []
        for item in field(response, "output") or ():
            message = _item_message(item)
            if message is not None:
                parts.extend(message["parts"])
        attrs[A.OUTPUT_MESSAGES] = to_json(
            [{"role": "assistant", "parts": parts, "finish_reason": attrs[A.RESPONSE_FINISH_REASONS][0]}]
        )
    return attrs


class ResponsesStreamAccumulator:
    """Keeps the final ``response`` object of a Responses stream, or, if the stream ends
    before it, the text seen in ``output_text.delta`` events."""

    __slots__ = ("_final", "_started", "_text")

    def __init__(self, capture_content: bool) -> None:
        self._final: Any = None
        self._started: Any = None
        self._text: Optional[list[str]] = [] if capture_content else None

    def add(self, event: Any) -> None:
        """Fold one stream event."""
        kind = field(event, "type")
        if kind in ("response.completed", "response.incomplete", "response.failed"):
            self._final = field(event, "response")
        elif kind == "response.created":
            self._started = field(event, "response")
        elif kind == "response.output_text.delta" and self._text is not None:
            self._text.append(field(event, "delta") or "")

    def attributes(self, capture_content: bool) -> dict[str, Any]:
        """Span attributes for what the stream delivered."""
        if self._final is not None:
            return response_attributes(self._final, capture_content)
        attrs: dict[str, Any] = {}
        if self._started is not None:
            if field(self._started, "id"):
                attrs[A.RESPONSE_ID] = field(self._started, "id")
            if field(self._started, "model"):
                attrs[A.RESPONSE_MODEL] = field(self._started, "model")
        if capture_content and self._text:
            attrs[A.OUTPUT_MESSAGES] = to_json(
                [{"role": "assistant", "parts": [text_part("".join(self._text))], "finish_reason": ""}]
            )
        return attrs
