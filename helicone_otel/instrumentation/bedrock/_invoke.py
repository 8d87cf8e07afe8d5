"""Bedrock InvokeModel / InvokeModelWithResponseStream: the model vendor's own body formats,
pure functions over the decoded JSON.

Formats (by the response's shape, or the request's model id): Anthropic Messages, Amazon Nova
(``output.message``, camelCase ``usage``), Meta Llama (``generation`` + token counts), Mistral
(``outputs`` for text completion, ``choices`` for chat). Bedrock also reports the token counts
of every invocation, in the response headers (``X-Amzn-Bedrock-Input-Token-Count``) and in the
last stream chunk (``amazon-bedrock-invocationMetrics``); the recorded response carries them
under that key, the one place Mistral's counts are.
"""

from __future__ import annotations

from typing import Any

from ... import attributes as A
from .._content import field, int_or_none, text_part, to_json
from ..anthropic import _messages as anthropic_messages
from . import _converse

OPERATION = "chat"
METRICS = "amazon-bedrock-invocationMetrics"
ANTHROPIC, NOVA, META, MISTRAL = "anthropic", "nova", "meta", "mistral"
_VENDORS = {"anthropic": ANTHROPIC, "amazon": NOVA, "meta": META, "mistral": MISTRAL}


def vendor_format(model_id: Any) -> str | None:
    """The body format of a model id (``us.anthropic.claude-…``, an inference-profile ARN…)."""
    if not isinstance(model_id, str):
        return None
    name = model_id.rsplit("/", 1)[-1]
    for part in name.split(".")[:2]:
        if part in _VENDORS:
            return _VENDORS[part]
    return None


def response_format(response: dict[str, Any]) -> str | None:
    """The body format of a response, by its shape."""
    if response.get("type") == "message" or ("stop_reason" in response and "content" in response):
        return ANTHROPIC
    if "output" in response:
        return NOVA
    if "generation" in response:
        return META
    if "outputs" in response or "choices" in response:
        return MISTRAL
    return None


def request_attributes(request: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """``request`` is the call's parameters with ``body`` decoded."""
    model_id = request.get("modelId")
    if isinstance(model_id, str):
        attrs[A.REQUEST_MODEL] = model_id
    body = request.get("body")
    if not isinstance(body, dict):
        return
    kind = vendor_format(model_id)
    if kind == ANTHROPIC:
        anthropic_messages.request_attributes(body, attrs, capture_content)
        return
    if kind == NOVA:
        _converse.request_attributes({"inferenceConfig": _nova_config(body.get("inferenceConfig")), **{
            k: v for k, v in body.items() if k in ("system", "messages", "toolConfig")}}, attrs, capture_content)
        return
    for key, attr in (("max_gen_len", A.REQUEST_MAX_TOKENS), ("max_tokens", A.REQUEST_MAX_TOKENS),
                      ("temperature", A.REQUEST_TEMPERATURE), ("top_p", A.REQUEST_TOP_P), ("top_k", A.REQUEST_TOP_K)):
        value = body.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            attrs[attr] = value
    if not capture_content:
        return
    if isinstance(body.get("prompt"), str):
        attrs[A.INPUT_MESSAGES] = to_json([{"role": "user", "parts": [text_part(body["prompt"])]}])
    elif isinstance(body.get("messages"), list):
        attrs[A.INPUT_MESSAGES] = to_json(
            [{"role": field(m, "role", "user"), "parts": [text_part(str(field(m, "content", "")))]} for m in body["messages"]]
        )


def _nova_config(config: Any) -> dict[str, Any]:
    # Nova's invoke body spells the Converse inference parameters the same way, plus ``max_new_tokens``.
    config = dict(config) if isinstance(config, dict) else {}
    if "max_new_tokens" in config and "maxTokens" not in config:
        config["maxTokens"] = config["max_new_tokens"]
    return config


def usage(response: dict[str, Any]) -> dict[str, int]:
    """Anthropic-named usage of any format: ``input_tokens`` (uncached), ``output_tokens``,
    ``cache_read_input_tokens``, ``cache_creation_input_tokens``; only the counts known."""
    counts: dict[str, Any] = {}
    kind = response_format(response)
    body_usage = response.get("usage")
    if kind == ANTHROPIC and isinstance(body_usage, dict):
        counts = {k: body_usage.get(k) for k in ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")}
    elif kind == NOVA and isinstance(body_usage, dict):
        counts = {
            "input_tokens": body_usage.get("inputTokens"),
            "output_tokens": body_usage.get("outputTokens"),
            "cache_read_input_tokens": body_usage.get("cacheReadInputTokenCount", body_usage.get("cacheReadInputTokens")),
            "cache_creation_input_tokens": body_usage.get("cacheWriteInputTokenCount", body_usage.get("cacheWriteInputTokens")),
        }
    elif kind == META:
        counts = {"input_tokens": response.get("prompt_token_count"), "output_tokens": response.get("generation_token_count")}
    metrics = response.get(METRICS)
    if isinstance(metrics, dict):
        counts.setdefault("input_tokens", None)
        counts.setdefault("output_tokens", None)
        if counts["input_tokens"] is None:
            counts["input_tokens"] = metrics.get("inputTokenCount")
        if counts["output_tokens"] is None:
            counts["output_tokens"] = metrics.get("outputTokenCount")
    return {k: v for k, v in counts.items() if int_or_none(v) is not None}


def response_attributes(response: dict[str, Any], capture_content: bool) -> dict[str, Any]:
    """Attributes from a decoded InvokeModel response (or a folded stream) of any format."""
    kind = response_format(response)
    if kind == ANTHROPIC:
        attrs = anthropic_messages.response_attributes(response, capture_content)
        if A.USAGE_INPUT_TOKENS not in attrs:
            anthropic_messages.usage_attributes(usage(response) or None, attrs)
        return attrs
    attrs = {}
    anthropic_messages.usage_attributes(usage(response) or None, attrs)
    reason, text = _finish_and_text(kind, response)
    if reason is not None or text is not None:
        attrs[A.RESPONSE_FINISH_REASONS] = (str(reason or ""),)
    if kind == NOVA:
        message = field(response.get("output"), "message")
        if capture_content and message is not None:
            attrs[A.OUTPUT_MESSAGES] = to_json([{"role": "assistant", "parts": _converse.parts(field(message, "content")),
                                                 "finish_reason": str(reason or "")}])
    elif capture_content and text is not None:
        attrs[A.OUTPUT_MESSAGES] = to_json([{"role": "assistant", "parts": [text_part(text)], "finish_reason": str(reason or "")}])
    return attrs


def _finish_and_text(kind: str | None, response: dict[str, Any]) -> tuple[Any, str | None]:
    if kind == NOVA:
        return response.get("stopReason"), None
    if kind == META:
        return response.get("stop_reason"), str(response.get("generation") or "")
    if kind == MISTRAL:
        if "outputs" in response:
            first = (response.get("outputs") or [{}])[0]
            return field(first, "stop_reason"), str(field(first, "text", "") or "")
        first = (response.get("choices") or [{}])[0]
        return field(first, "stop_reason", field(first, "finish_reason")), str(field(field(first, "message"), "content", "") or "")
    return None, None


def fold(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """Decoded InvokeModelWithResponseStream chunks → the InvokeModel response they add up to
    (with the last chunk's ``amazon-bedrock-invocationMetrics``)."""
    metrics = next((c[METRICS] for c in reversed(chunks) if isinstance(c.get(METRICS), dict)), None)
    first = next((c for c in chunks if c), {})
    if "type" in first:
        folded = _fold_anthropic(chunks)
    elif any(key in first for key in ("messageStart", "contentBlockDelta", "metadata", "messageStop")):
        converse = _converse.fold(chunks)
        folded = {k: v for k, v in converse.items() if k in ("output", "stopReason", "usage")}
    elif "generation" in first:
        folded = {
            "generation": "".join(str(c.get("generation") or "") for c in chunks),
            "prompt_token_count": next((c["prompt_token_count"] for c in chunks if int_or_none(c.get("prompt_token_count")) is not None), None),
            "generation_token_count": next((c["generation_token_count"] for c in reversed(chunks)
                                            if int_or_none(c.get("generation_token_count")) is not None), None),
            "stop_reason": next((c["stop_reason"] for c in reversed(chunks) if c.get("stop_reason")), None),
        }
    elif "choices" in first:
        choices = [(c.get("choices") or [{}])[0] for c in chunks]
        folded = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(
            str(field(field(ch, "message", field(ch, "delta")), "content", "") or "") for ch in choices)},
            "stop_reason": next((field(ch, "stop_reason") for ch in reversed(choices) if field(ch, "stop_reason")), None)}]}
    else:
        outputs = [(c.get("outputs") or [{}])[0] for c in chunks]
        folded = {"outputs": [{"text": "".join(str(field(o, "text", "") or "") for o in outputs),
                               "stop_reason": next((field(o, "stop_reason") for o in reversed(outputs) if field(o, "stop_reason")), None)}]}
    if metrics is not None:
        folded[METRICS] = metrics
    return folded


def _fold_anthropic(events: list[dict[str, Any]]) -> dict[str, Any]:
    message: dict[str, Any] = {}
    blocks: dict[int, dict[str, Any]] = {}
    for event in events:
        kind = event.get("type")
        if kind == "message_start":
            message = dict(event.get("message") or {})
            message["usage"] = dict(message.get("usage") or {})
        elif kind == "content_block_start":
            block = dict(event.get("content_block") or {})
            blocks[int_or_none(event.get("index")) or 0] = block
        elif kind == "content_block_delta":
            block = blocks.setdefault(int_or_none(event.get("index")) or 0, {"type": "text", "text": ""})
            delta = event.get("delta") or {}
            if delta.get("type") == "text_delta":
                block["text"] = str(block.get("text") or "") + str(delta.get("text") or "")
            elif delta.get("type") == "thinking_delta":
                block["thinking"] = str(block.get("thinking") or "") + str(delta.get("thinking") or "")
            elif delta.get("type") == "input_json_delta":
                block["partial_json"] = str(block.get("partial_json") or "") + str(delta.get("partial_json") or "")
        elif kind == "message_delta":
            message.update({k: v for k, v in (event.get("delta") or {}).items() if v is not None})
            message.setdefault("usage", {}).update(event.get("usage") or {})
    message.setdefault("type", "message")
    message.setdefault("role", "assistant")
    message["content"] = [blocks[i] for i in sorted(blocks)]
    return message
