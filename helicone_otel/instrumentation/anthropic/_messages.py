"""Anthropic Messages (``POST /v1/messages``): request, response and stream-event extraction.

Token convention: semconv ``input_tokens`` is the whole prompt (Anthropic's ``input_tokens`` +
cache reads + cache writes), so it compares across providers; the cache parts are recorded
separately, with the 1-hour share of cache writes when Anthropic reports the split.
"""

from __future__ import annotations

from typing import Any, Optional

from ... import attributes as A
from .._content import field, int_or_none, media_part, text_part, to_json

OPERATION = "chat"


def sampling_attributes(body: dict[str, Any], attrs: dict[str, Any], max_tokens_key: str = "max_tokens") -> None:
    """Anthropic's sampling parameters, shared by Messages and legacy Complete (which names
    the limit ``max_tokens_to_sample``)."""
    if isinstance(body.get(max_tokens_key), int):
        attrs[A.REQUEST_MAX_TOKENS] = body[max_tokens_key]
    for key, attr in (("temperature", A.REQUEST_TEMPERATURE), ("top_p", A.REQUEST_TOP_P), ("top_k", A.REQUEST_TOP_K)):
        value = body.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            attrs[attr] = value
    stop = body.get("stop_sequences")
    if isinstance(stop, (list, tuple)) and stop:
        attrs[A.REQUEST_STOP_SEQUENCES] = tuple(str(s) for s in stop)
    if body.get("stream"):
        attrs[A.REQUEST_STREAM] = True


def request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """Sampling parameters and, with capture on, system prompt, messages and tools."""
    sampling_attributes(body, attrs)
    if field(body.get("output_format"), "type") == "json_schema" or field(body.get("output_config"), "format"):
        attrs[A.OUTPUT_TYPE] = "json"
    if not capture_content:
        return
    system = body.get("system")
    if isinstance(system, str) and system:
        attrs[A.SYSTEM_INSTRUCTIONS] = to_json([text_part(system)])
    elif isinstance(system, list) and system:
        attrs[A.SYSTEM_INSTRUCTIONS] = to_json(_parts(system))
    messages = body.get("messages")
    if messages:
        attrs[A.INPUT_MESSAGES] = to_json(
            [{"role": field(m, "role", "user"), "parts": _parts(field(m, "content"))} for m in messages]
        )
    tools = body.get("tools")
    if tools:
        attrs[A.TOOL_DEFINITIONS] = to_json(tools)


def _source(block: Any) -> Any:
    source = field(block, "source")
    if field(source, "type") == "url":
        return field(source, "url")
    media_type = field(source, "media_type")
    return f"data:{media_type};base64," if media_type else None


def _tool_result_text(content: Any) -> Any:
    if isinstance(content, str) or content is None:
        return content
    return "\n".join(field(b, "text", "") for b in content if field(b, "type") == "text")


def _parts(content: Any) -> list[dict[str, Any]]:
    """Content blocks → semconv parts. Images and documents become placeholders; thinking is
    kept as text (only ever called with content capture on)."""
    if content is None:
        return []
    if isinstance(content, str):
        return [text_part(content)]
    parts: list[dict[str, Any]] = []
    for block in content:
        kind = field(block, "type")
        if kind == "text":
            parts.append(text_part(field(block, "text", "")))
        elif kind == "image":
            parts.append(media_part("image", _source(block)))
        elif kind == "document":
            parts.append(media_part("file", _source(block)))
        elif kind in ("tool_use", "server_tool_use"):
            parts.append({"type": "tool_call", "id": field(block, "id"), "name": field(block, "name"), "arguments": field(block, "input")})
        elif kind == "tool_result":
            parts.append({"type": "tool_call_response", "id": field(block, "tool_use_id"), "response": _tool_result_text(field(block, "content"))})
        elif kind == "thinking":
            parts.append({"type": "reasoning", "content": field(block, "thinking", "")})
        elif kind == "redacted_thinking":
            parts.append({"type": "reasoning", "content": "<redacted>"})
        else:
            parts.append({"type": str(kind)})
    return parts


def usage_attributes(usage: Any, attrs: dict[str, Any]) -> None:
    """Anthropic usage → semconv token counts (see the module docstring)."""
    if usage is None:
        return
    uncached = int_or_none(field(usage, "input_tokens"))
    cache_read = int_or_none(field(usage, "cache_read_input_tokens"))
    cache_write = int_or_none(field(usage, "cache_creation_input_tokens"))
    if uncached is not None or cache_read is not None or cache_write is not None:
        attrs[A.USAGE_INPUT_TOKENS] = (uncached or 0) + (cache_read or 0) + (cache_write or 0)
    output = int_or_none(field(usage, "output_tokens"))
    if output is not None:
        attrs[A.USAGE_OUTPUT_TOKENS] = output
    if cache_read is not None:
        attrs[A.USAGE_CACHE_READ_INPUT_TOKENS] = cache_read
    if cache_write is not None:
        attrs[A.USAGE_CACHE_CREATION_INPUT_TOKENS] = cache_write
    one_hour = int_or_none(field(field(usage, "cache_creation"), "ephemeral_1h_input_tokens"))
    if one_hour:
        attrs[A.USAGE_CACHE_CREATION_1H_INPUT_TOKENS] = one_hour


def _head(message: Any, attrs: dict[str, Any]) -> None:
    if field(message, "id"):
        attrs[A.RESPONSE_ID] = field(message, "id")
    if field(message, "model"):
        attrs[A.RESPONSE_MODEL] = field(message, "model")


def response_attributes(message: Any, capture_content: bool) -> dict[str, Any]:
    """Attributes from a ``Message``."""
    attrs: dict[str, Any] = {}
    _head(message, attrs)
    reason = field(message, "stop_reason")
    attrs[A.RESPONSE_FINISH_REASONS] = (reason or "",)
    usage_attributes(field(message, "usage"), attrs)
    if capture_content:
        attrs[A.OUTPUT_MESSAGES] = to_json(
            [{"role": "assistant", "parts": _parts(field(message, "content")), "finish_reason": reason or ""}]
        )
    return attrs


class MessageStreamAccumulator:
    """Folds ``RawMessageStreamEvent``s: usage from ``message_start`` and the final
    ``message_delta`` (whose counts are cumulative), blocks from their start/delta events."""

    __slots__ = ("_message", "_usage", "_stop_reason", "_blocks", "_capture")

    def __init__(self, capture_content: bool) -> None:
        self._message: Any = None
        self._usage: dict[str, Any] = {}
        self._stop_reason: Optional[str] = None
        self._blocks: dict[int, dict[str, Any]] = {}
        self._capture = capture_content

    def _merge_usage(self, usage: Any) -> None:
        for key in ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"):
            value = int_or_none(field(usage, key))
            if value is not None:
                self._usage[key] = value
        cache_creation = field(usage, "cache_creation")
        if cache_creation is not None:
            self._usage["cache_creation"] = cache_creation

    def add(self, event: Any) -> None:
        """Fold one event."""
        kind = field(event, "type")
        if kind == "message_start":
            self._message = field(event, "message")
            self._merge_usage(field(self._message, "usage"))
        elif kind == "message_delta":
            self._stop_reason = field(field(event, "delta"), "stop_reason") or self._stop_reason
            self._merge_usage(field(event, "usage"))
        elif not self._capture:
            return
        elif kind == "content_block_start":
            block = field(event, "content_block")
            self._blocks[(field(event, "index") or 0)] = {
                "type": field(block, "type"), "id": field(block, "id"), "name": field(block, "name"),
                "text": [field(block, "text") or field(block, "thinking") or ""], "json": [],
            }
        elif kind == "content_block_delta":
            slot = self._blocks.get((field(event, "index") or 0))
            delta = field(event, "delta")
            if slot is None or delta is None:
                return
            delta_kind = field(delta, "type")
            if delta_kind == "text_delta":
                slot["text"].append(field(delta, "text") or "")
            elif delta_kind == "thinking_delta":
                slot["text"].append(field(delta, "thinking") or "")
            elif delta_kind == "input_json_delta":
                slot["json"].append(field(delta, "partial_json") or "")

    def _content(self) -> list[dict[str, Any]]:
        blocks = []
        for index in sorted(self._blocks):
            slot = self._blocks[index]
            kind = slot["type"]
            if kind == "text":
                blocks.append({"type": "text", "text": "".join(slot["text"])})
            elif kind == "thinking":
                blocks.append({"type": "thinking", "thinking": "".join(slot["text"])})
            elif kind in ("tool_use", "server_tool_use"):
                blocks.append({"type": kind, "id": slot["id"], "name": slot["name"], "input": "".join(slot["json"])})
            else:
                blocks.append({"type": kind})
        return blocks

    def attributes(self, capture_content: bool) -> dict[str, Any]:
        """Span attributes for what the stream delivered."""
        attrs: dict[str, Any] = {}
        if self._message is not None:
            _head(self._message, attrs)
        if self._stop_reason is not None or self._message is not None:
            attrs[A.RESPONSE_FINISH_REASONS] = (self._stop_reason or "",)
        usage_attributes(self._usage or None, attrs)
        if capture_content and self._blocks:
            attrs[A.OUTPUT_MESSAGES] = to_json(
                [{"role": "assistant", "parts": _parts(self._content()), "finish_reason": self._stop_reason or ""}]
            )
        return attrs
