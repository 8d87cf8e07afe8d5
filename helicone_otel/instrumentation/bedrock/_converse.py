"""Bedrock Converse (``converse``, ``converse_stream``): request, response and stream folding,
pure functions over the API's JSON.

Token convention (as for Anthropic): Bedrock's ``inputTokens`` is the uncached input;
``cacheReadInputTokens``/``cacheWriteInputTokens`` come apart. semconv ``input_tokens`` is the
whole prompt (the three added), with the cache parts recorded separately.
"""

from __future__ import annotations

from typing import Any

from ... import attributes as A
from .._content import field, int_or_none, media_part, text_part, to_json

OPERATION = "chat"

_PARAMETERS = (
    ("maxTokens", A.REQUEST_MAX_TOKENS),
    ("temperature", A.REQUEST_TEMPERATURE),
    ("topP", A.REQUEST_TOP_P),
)


def request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """Model, inference parameters and, with capture on, system prompt, messages and tools."""
    model_id = body.get("modelId")
    if isinstance(model_id, str):
        attrs[A.REQUEST_MODEL] = model_id
    config = body.get("inferenceConfig")
    if isinstance(config, dict):
        for key, attr in _PARAMETERS:
            value = config.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                attrs[attr] = value
        stop = config.get("stopSequences")
        if isinstance(stop, list) and stop:
            attrs[A.REQUEST_STOP_SEQUENCES] = tuple(str(s) for s in stop)
    top_k = field(body.get("additionalModelRequestFields"), "top_k")
    if isinstance(top_k, int) and not isinstance(top_k, bool):
        attrs[A.REQUEST_TOP_K] = top_k
    if not capture_content:
        return
    system = body.get("system")
    if isinstance(system, list) and system:
        attrs[A.SYSTEM_INSTRUCTIONS] = to_json(parts(system))
    messages = body.get("messages")
    if isinstance(messages, list) and messages:
        attrs[A.INPUT_MESSAGES] = to_json([{"role": field(m, "role", "user"), "parts": parts(field(m, "content"))} for m in messages])
    tools = field(body.get("toolConfig"), "tools")
    if tools:
        attrs[A.TOOL_DEFINITIONS] = to_json(tools)


def parts(content: Any) -> list[dict[str, Any]]:
    """Converse content blocks → semconv parts (media as placeholders)."""
    if isinstance(content, str):
        return [text_part(content)]
    out: list[dict[str, Any]] = []
    for block in content or ():
        if not isinstance(block, dict):
            continue
        if "text" in block:
            out.append(text_part(str(block["text"])))
        elif "toolUse" in block:
            use = block["toolUse"] or {}
            out.append({"type": "tool_call", "id": use.get("toolUseId"), "name": use.get("name"), "arguments": use.get("input")})
        elif "toolResult" in block:
            result = block["toolResult"] or {}
            texts = [c.get("text") for c in result.get("content") or () if isinstance(c, dict) and "text" in c]
            out.append({"type": "tool_call_response", "id": result.get("toolUseId"), "response": "\n".join(texts)})
        elif "reasoningContent" in block:
            reasoning = field(block["reasoningContent"], "reasoningText")
            out.append({"type": "reasoning", "content": field(reasoning, "text", "")})
        elif "image" in block or "document" in block or "video" in block:
            kind = "image" if "image" in block else "file" if "document" in block else "video"
            out.append(media_part(kind, None))
        else:
            out.append({"type": next(iter(block), "unknown")})
    return out


def usage_attributes(usage: Any, attrs: dict[str, Any]) -> None:
    """Converse ``usage`` (inputTokens, outputTokens, cacheRead/WriteInputTokens) → semconv."""
    uncached = int_or_none(field(usage, "inputTokens"))
    cache_read = int_or_none(field(usage, "cacheReadInputTokens"))
    cache_write = int_or_none(field(usage, "cacheWriteInputTokens"))
    if uncached is not None or cache_read is not None or cache_write is not None:
        attrs[A.USAGE_INPUT_TOKENS] = (uncached or 0) + (cache_read or 0) + (cache_write or 0)
    output = int_or_none(field(usage, "outputTokens"))
    if output is not None:
        attrs[A.USAGE_OUTPUT_TOKENS] = output
    if cache_read:
        attrs[A.USAGE_CACHE_READ_INPUT_TOKENS] = cache_read
    if cache_write:
        attrs[A.USAGE_CACHE_CREATION_INPUT_TOKENS] = cache_write


def response_attributes(response: dict[str, Any], capture_content: bool) -> dict[str, Any]:
    """Attributes from a Converse response (or a folded ConverseStream)."""
    attrs: dict[str, Any] = {}
    reason = response.get("stopReason")
    if reason is not None or "output" in response:
        attrs[A.RESPONSE_FINISH_REASONS] = (str(reason or ""),)
    usage_attributes(response.get("usage"), attrs)
    message = field(response.get("output"), "message")
    if capture_content and message is not None:
        attrs[A.OUTPUT_MESSAGES] = to_json(
            [{"role": field(message, "role", "assistant"), "parts": parts(field(message, "content")), "finish_reason": str(reason or "")}]
        )
    return attrs


def fold(events: list[dict[str, Any]]) -> dict[str, Any]:
    """ConverseStream events → the Converse response they add up to."""
    role = "assistant"
    blocks: dict[int, dict[str, Any]] = {}
    response: dict[str, Any] = {}
    for event in events:
        if "messageStart" in event:
            role = field(event["messageStart"], "role", role)
        elif "contentBlockStart" in event:
            start = event["contentBlockStart"] or {}
            use = field(start.get("start"), "toolUse")
            slot = blocks.setdefault(int_or_none(start.get("contentBlockIndex")) or 0, {"text": [], "input": [], "reasoning": []})
            if use is not None:
                slot["toolUse"] = {"toolUseId": field(use, "toolUseId"), "name": field(use, "name")}
        elif "contentBlockDelta" in event:
            delta_event = event["contentBlockDelta"] or {}
            slot = blocks.setdefault(int_or_none(delta_event.get("contentBlockIndex")) or 0, {"text": [], "input": [], "reasoning": []})
            delta = delta_event.get("delta") or {}
            if "text" in delta:
                slot["text"].append(str(delta["text"]))
            elif "toolUse" in delta:
                slot["input"].append(str(field(delta["toolUse"], "input", "")))
            elif "reasoningContent" in delta:
                slot["reasoning"].append(str(field(delta["reasoningContent"], "text", "") or ""))
        elif "messageStop" in event:
            stop = event["messageStop"] or {}
            response["stopReason"] = stop.get("stopReason")
            if stop.get("additionalModelResponseFields") is not None:
                response["additionalModelResponseFields"] = stop["additionalModelResponseFields"]
        elif "metadata" in event:
            metadata = event["metadata"] or {}
            for key in ("usage", "metrics", "trace", "performanceConfig"):
                if key in metadata:
                    response[key] = metadata[key]
    content = []
    for index in sorted(blocks):
        slot = blocks[index]
        if "toolUse" in slot:
            content.append({"toolUse": {**slot["toolUse"], "input": "".join(slot["input"])}})
        elif slot["reasoning"]:
            content.append({"reasoningContent": {"reasoningText": {"text": "".join(slot["reasoning"])}}})
        else:
            content.append({"text": "".join(slot["text"])})
    return {"output": {"message": {"role": role, "content": content}}, **response}
