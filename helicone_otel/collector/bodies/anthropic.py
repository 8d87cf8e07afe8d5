"""jawn ``anthropicBodyProcessor.ts`` and ``anthropicStreamBodyProcessor.ts``."""

from __future__ import annotations

import json
from typing import Any

from ..js import UNDEFINED, add, get, is_json, nullish, parse_json, to_number, truthy
from . import ParseOutput

_ALLOWED_LINES = ("content_block_delta", "message_delta", "message_start", "content_block_start",
                  "content_block_stop", "message_stop", "ping")


def _usage(usage: Any) -> dict[str, Any]:
    """Legacy usage from an Anthropic ``usage`` object: ``input_tokens`` is the uncached input."""
    total = 0
    for key in ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"):
        total = add(total, nullish(get(usage, key), 0))
    creation = get(usage, "cache_creation")
    return {
        "totalTokens": total,
        "promptTokens": get(usage, "input_tokens"),
        "promptCacheWriteTokens": get(usage, "cache_creation_input_tokens"),
        "promptCacheReadTokens": get(usage, "cache_read_input_tokens"),
        "completionTokens": get(usage, "output_tokens"),
        "promptCacheWrite5m": get(creation, "ephemeral_5m_input_tokens"),
        "promptCacheWrite1h": get(creation, "ephemeral_1h_input_tokens"),
    }


def parse_message(response_body: str) -> ParseOutput:
    """Non-stream Messages body. No usage at all unless both input and output tokens are
    non-zero (anthropicBodyProcessor.ts:11-19): a zero-input response has no tokens."""
    parsed = parse_json(response_body)
    usage = get(parsed, "usage")
    if not truthy(get(usage, "output_tokens")) or not truthy(get(usage, "input_tokens")):
        if parsed is None:
            raise TypeError("Cannot read properties of null (reading 'input_tokens')")
        if not truthy(get(parsed, "input_tokens")):
            return ParseOutput(parsed)
        # "the claude code integration response which has input_tokens at the root" (:20-31)
        tokens = nullish(parsed["input_tokens"], 0)
        return ParseOutput(parsed, {"totalTokens": tokens, "promptTokens": tokens, "promptCacheWriteTokens": 0,
                                    "promptCacheReadTokens": 0, "completionTokens": 0})
    return ParseOutput(parsed, _usage(usage))


def parse_stream(response_body: str) -> ParseOutput:
    """SSE text: events folded into one message; ``streamed_data`` keeps the raw text."""
    if is_json(response_body):
        return ParseOutput(parse_json(response_body))
    lines: list[Any] = []
    partial_json: dict[str, str] = {}
    for line in response_body.split("\n"):
        if line == "":
            continue
        try:
            data = parse_json(line.replace("data:", "", 1).strip())
            if not isinstance(data, (dict, list)):
                raise TypeError("Cannot use 'in' operator to search for 'error'")
            if isinstance(data, dict) and "error" in data:
                # "Anthropic will always return a 200 for streams, but may send an error" (IBodyProcessor.ts:14-19)
                return ParseOutput(data, status_override=500)
            delta = get(data, "delta")
            if get(data, "type") == "content_block_delta" and get(delta, "type") == "input_json_delta" and get(delta, "partial_json") is not UNDEFINED:
                key = _object_key(data.get("index", UNDEFINED))
                if not truthy(partial_json.get(key, UNDEFINED)):
                    partial_json[key] = ""
                partial_json[key] = add(partial_json[key], delta["partial_json"])
            lines.append(data)
        except (ValueError, TypeError):
            continue  # "event: ..." lines and anything else that is not JSON
    for key in _object_keys_in_order(partial_json):
        text = partial_json[key]
        if not truthy(text):
            continue
        try:
            lines.append({"type": "consolidated_json", "index": to_number(key), "json": parse_json(text)})
        except ValueError:
            lines.append({"type": "consolidated_json_error", "index": to_number(key), "json_string": text})
    try:
        body = {**_fold_events(lines), "streamed_data": response_body}
    except (TypeError, AttributeError, KeyError, IndexError):
        return ParseOutput({"streamed_data": response_body})
    usage = get(body, "usage")
    if not truthy(get(usage, "output_tokens")) or not truthy(get(usage, "input_tokens")):
        return ParseOutput(body)
    return ParseOutput(body, _usage(usage))


def _object_key(index: Any) -> str:
    if isinstance(index, float) and index.is_integer():
        index = int(index)
    return json.dumps(index) if isinstance(index, bool) or index is None else ("undefined" if index is UNDEFINED else str(index))


def _object_keys_in_order(mapping: dict[str, Any]) -> list[str]:
    """``Object.entries`` order: array-index keys ascending, then the rest as inserted."""
    integer = sorted((k for k in mapping if k.isdigit() and (k == "0" or not k.startswith("0"))), key=int)
    return integer + [k for k in mapping if k not in integer]


def _fold_events(events: list[Any]) -> dict[str, Any]:
    """``processConsolidatedJsonForClaude3`` (anthropicStreamBodyProcessor.ts:159-234)."""
    acc: dict[str, Any] = {}
    for item in events:
        if not isinstance(item, (dict, list)):
            continue
        kind = get(item, "type")
        if kind == "message_start" and truthy(get(item, "message")):
            if isinstance(item["message"], dict):
                acc.update(item["message"])
        elif kind == "message_delta" and truthy(get(item, "delta")):
            if isinstance(item["delta"], dict):
                acc.update(item["delta"])
            if truthy(get(item, "usage")):
                # Only output_tokens is taken from the final delta; input and cache counts stay
                # as message_start reported them.
                usage = dict(acc["usage"]) if isinstance(acc.get("usage"), dict) else {}
                usage["output_tokens"] = get(item["usage"], "output_tokens")
                acc["usage"] = usage
        elif kind == "content_block_start" and truthy(get(item, "content_block")):
            if not truthy(acc.get("content", UNDEFINED)):
                acc["content"] = []
            index = to_number(get(item, "index"))
            while len(acc["content"]) <= index:  # False for NaN, as in JavaScript
                acc["content"].append({})
            block = item["content_block"]
            if isinstance(index, (int, float)) and index == int(index) and index >= 0:
                acc["content"][int(index)] = dict(block) if isinstance(block, dict) else {}
    for item in events:
        if isinstance(item, dict) and item.get("type") == "consolidated_json" and isinstance(item.get("index"), (int, float)):
            content = acc.get("content", UNDEFINED)
            if not truthy(content) or len(content) <= item["index"]:
                continue
            block = _block(content, item["index"])
            if get(block, "type") == "tool_use":
                block["input"] = item["json"]
    for item in events:
        if isinstance(item, dict) and item.get("type") == "content_block_delta" and get(item.get("delta"), "type") == "text_delta" \
                and isinstance(item.get("index"), (int, float)) and not isinstance(item.get("index"), bool):
            content = acc.get("content", UNDEFINED)
            if not truthy(content) or len(content) <= item["index"]:
                continue
            block = _block(content, item["index"])
            if get(block, "type") == "text":
                text, more = get(block, "text"), get(item["delta"], "text")
                block["text"] = add(text if truthy(text) else "", more if truthy(more) else "")
    return acc


def _block(content: list[Any], index: float) -> Any:
    """``acc.content[index]`` followed by ``.type``: TypeError when there is no such element."""
    if index != index or index != int(index) or index < 0 or content[int(index)] is None:
        raise TypeError("Cannot read properties of undefined (reading 'type')")
    return content[int(index)]
