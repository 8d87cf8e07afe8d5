"""Chat completions (``POST /chat/completions``): request, response and stream extraction."""

from __future__ import annotations

from typing import Any, Optional

from ... import attributes as A
from .._content import field, int_or_none, media_part, text_part, to_json

OPERATION = "chat"

_NUMERIC_PARAMS = (
    ("temperature", A.REQUEST_TEMPERATURE),
    ("top_p", A.REQUEST_TOP_P),
    ("frequency_penalty", A.REQUEST_FREQUENCY_PENALTY),
    ("presence_penalty", A.REQUEST_PRESENCE_PENALTY),
    ("seed", A.REQUEST_SEED),
)


def request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """Add request parameters (and, with capture on, the prompt) to ``attrs``."""
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if isinstance(max_tokens, int):
        attrs[A.REQUEST_MAX_TOKENS] = max_tokens
    for key, attr in _NUMERIC_PARAMS:
        value = body.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            attrs[attr] = value
    n = body.get("n")
    if isinstance(n, int) and n != 1:
        attrs[A.REQUEST_CHOICE_COUNT] = n
    stop = body.get("stop")
    if isinstance(stop, str):
        attrs[A.REQUEST_STOP_SEQUENCES] = (stop,)
    elif isinstance(stop, (list, tuple)) and stop:
        attrs[A.REQUEST_STOP_SEQUENCES] = tuple(str(s) for s in stop)
    if body.get("stream"):
        attrs[A.REQUEST_STREAM] = True
    response_format = body.get("response_format")
    fmt = field(response_format, "type")
    if fmt:
        attrs[A.OUTPUT_TYPE] = "json" if fmt in ("json_object", "json_schema") else str(fmt)
    if capture_content:
        messages = body.get("messages")
        if messages:
            attrs[A.INPUT_MESSAGES] = to_json([_input_message(m) for m in messages])
        tools = body.get("tools")
        if tools:
            attrs[A.TOOL_DEFINITIONS] = to_json(tools)


def _content_parts(content: Any) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [text_part(content)]
    parts: list[dict[str, Any]] = []
    for item in content:
        kind = field(item, "type")
        if kind == "text":
            parts.append(text_part(field(item, "text", "")))
        elif kind == "image_url":
            parts.append(media_part("image", field(field(item, "image_url"), "url")))
        elif kind == "input_audio":
            parts.append(media_part("audio", None))
        elif kind == "file":
            parts.append(media_part("file", None))
        elif kind == "refusal":
            parts.append({"type": "refusal", "content": field(item, "refusal", "")})
        else:
            parts.append({"type": str(kind)})
    return parts


def _tool_call_parts(tool_calls: Any) -> list[dict[str, Any]]:
    parts = []
    for call in tool_calls or ():
        function = field(call, "function")
        parts.append(
            {
                "type": "tool_call",
                "id": field(call, "id"),
                "name": field(function, "name"),
                "arguments": field(function, "arguments"),
            }
        )
    return parts


def _input_message(message: Any) -> dict[str, Any]:
    role = field(message, "role", "user")
    if role == "tool":
        return {
            "role": "tool",
            "parts": [
                {
                    "type": "tool_call_response",
                    "id": field(message, "tool_call_id"),
                    "response": field(message, "content"),
                }
            ],
        }
    parts = _content_parts(field(message, "content"))
    parts.extend(_tool_call_parts(field(message, "tool_calls")))
    out: dict[str, Any] = {"role": role, "parts": parts}
    name = field(message, "name")
    if name:
        out["name"] = name
    return out


def usage_attributes(usage: Any, attrs: dict[str, Any]) -> None:
    """OpenAI usage → semconv token counts (input includes cached; output includes reasoning)."""
    if usage is None:
        return
    prompt = int_or_none(field(usage, "prompt_tokens"))
    completion = int_or_none(field(usage, "completion_tokens"))
    if prompt is not None:
        attrs[A.USAGE_INPUT_TOKENS] = prompt
    if completion is not None:
        attrs[A.USAGE_OUTPUT_TOKENS] = completion
    cached = int_or_none(field(field(usage, "prompt_tokens_details"), "cached_tokens"))
    if cached is not None:
        attrs[A.USAGE_CACHE_READ_INPUT_TOKENS] = cached
    reasoning = int_or_none(field(field(usage, "completion_tokens_details"), "reasoning_tokens"))
    if reasoning is not None:
        attrs[A.USAGE_REASONING_OUTPUT_TOKENS] = reasoning


def common_response(obj: Any, attrs: dict[str, Any]) -> None:
    response_id = field(obj, "id")
    if response_id:
        attrs[A.RESPONSE_ID] = response_id
    model = field(obj, "model")
    if model:
        attrs[A.RESPONSE_MODEL] = model
    tier = field(obj, "service_tier")
    if tier:
        attrs[A.OPENAI_RESPONSE_SERVICE_TIER] = str(tier)
    fingerprint = field(obj, "system_fingerprint")
    if fingerprint:
        attrs[A.OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = fingerprint


def response_attributes(completion: Any, capture_content: bool) -> dict[str, Any]:
    """Attributes from a ``ChatCompletion``."""
    attrs: dict[str, Any] = {}
    common_response(completion, attrs)
    choices = field(completion, "choices") or ()
    reasons = [field(c, "finish_reason") or "" for c in choices]
    if reasons:
        attrs[A.RESPONSE_FINISH_REASONS] = tuple(reasons)
    usage_attributes(field(completion, "usage"), attrs)
    if capture_content and choices:
        output = []
        for choice in choices:
            message = field(choice, "message")
            parts = _content_parts(field(message, "content"))
            refusal = field(message, "refusal")
            if refusal:
                parts.append({"type": "refusal", "content": refusal})
            parts.extend(_tool_call_parts(field(message, "tool_calls")))
            output.append(
                {
                    "role": field(message, "role", "assistant"),
                    "parts": parts,
                    "finish_reason": field(choice, "finish_reason") or "",
                }
            )
        attrs[A.OUTPUT_MESSAGES] = to_json(output)
    return attrs


class _ChoiceState:
    __slots__ = ("role", "text", "refusal", "tool_calls", "finish_reason")

    def __init__(self) -> None:
        self.role = "assistant"
        self.text: list[str] = []
        self.refusal: list[str] = []
        self.tool_calls: dict[int, dict[str, Any]] = {}
        self.finish_reason: Optional[str] = None


class ChatStreamAccumulator:
    """Rebuilds the completion from ``ChatCompletionChunk`` deltas, keeping only what the span
    needs (text is kept only with content capture on)."""

    __slots__ = ("_head", "_usage", "_choices", "_capture")

    def __init__(self, capture_content: bool) -> None:
        self._head: dict[str, Any] = {}
        self._usage: Any = None
        self._choices: dict[int, _ChoiceState] = {}
        self._capture = capture_content

    def add(self, chunk: Any) -> None:
        """Fold one chunk into the running state (hot path: once per chunk)."""
        if not self._head:
            common_response(chunk, self._head)
        usage = field(chunk, "usage")
        if usage is not None:
            self._usage = usage
        for choice in field(chunk, "choices") or ():
            index = (field(choice, "index") or 0)
            state = self._choices.get(index)
            if state is None:
                state = self._choices[index] = _ChoiceState()
            reason = field(choice, "finish_reason")
            if reason:
                state.finish_reason = reason
            if not self._capture:
                continue
            delta = field(choice, "delta")
            if delta is None:
                continue
            content = field(delta, "content")
            if content:
                state.text.append(content)
                continue  # a text delta carries nothing else worth reading
            role = field(delta, "role")
            if role:
                state.role = role
            refusal = field(delta, "refusal")
            if refusal:
                state.refusal.append(refusal)
            for call in field(delta, "tool_calls") or ():
                slot = state.tool_calls.setdefault(
                    (field(call, "index") or 0), {"type": "tool_call", "id": None, "name": None, "arguments": ""}
                )
                if field(call, "id"):
                    slot["id"] = field(call, "id")
                function = field(call, "function")
                if field(function, "name"):
                    slot["name"] = field(function, "name")
                if field(function, "arguments"):
                    slot["arguments"] += field(function, "arguments")

    def attributes(self, capture_content: bool) -> dict[str, Any]:
        """Span attributes for everything seen so far."""
        attrs = dict(self._head)
        ordered = [self._choices[i] for i in sorted(self._choices)]
        if ordered:
            attrs[A.RESPONSE_FINISH_REASONS] = tuple(s.finish_reason or "" for s in ordered)
        usage_attributes(self._usage, attrs)
        if capture_content and ordered:
            output = []
            for state in ordered:
                parts: list[dict[str, Any]] = []
                if state.text:
                    parts.append(text_part("".join(state.text)))
                if state.refusal:
                    parts.append({"type": "refusal", "content": "".join(state.refusal)})
                parts.extend(state.tool_calls[i] for i in sorted(state.tool_calls))
                output.append({"role": state.role, "parts": parts, "finish_reason": state.finish_reason or ""})
            attrs[A.OUTPUT_MESSAGES] = to_json(output)
        return attrs


def is_injected_usage_chunk(chunk: Any) -> bool:
    """The trailing usage-only chunk OpenAI sends when ``include_usage`` is on: ``choices`` is
    an empty list. A provider's own usage chunk (``choices: null``) is the user's to see."""
    choices = field(chunk, "choices")
    return isinstance(choices, list) and not choices and field(chunk, "usage") is not None
