"""jawn ``googleStreamBodyProcessor.ts`` with ``consolidateGoogleTextFields``
(utils/streamParser.ts:237-295): Gemini SSE, usage from the last chunk's ``usageMetadata``."""

from __future__ import annotations

from typing import Any

from ..js import UNDEFINED, add, get, is_json, nullish, parse_json, sub, to_number, truthy
from . import ParseOutput


class NoData(ValueError):
    """``err("No valid data to process")``: the body processor fails."""


def parse_stream(response_body: str) -> ParseOutput:
    if is_json(response_body):
        return ParseOutput(parse_json(response_body))
    lines = [line for line in response_body.split("\n") if line.startswith("data: ") or is_json(line)]
    data: list[Any] = []
    for index, line in enumerate(lines):
        if index == len(lines) - 1 and line == "":
            continue
        try:
            data.append(parse_json(line.replace("data: ", "", 1)))
        except ValueError:
            pass
    if not data:
        raise NoData("No valid data to process")
    try:
        usage = _usage(data)
        return ParseOutput({**_consolidate(data), "streamed_data": data}, {
            "totalTokens": usage["total_tokens"], "completionTokens": usage["completion_tokens"],
            "promptTokens": usage["prompt_tokens"], "promptCacheWriteTokens": usage.get("write", UNDEFINED),
            "promptCacheReadTokens": usage.get("read", UNDEFINED), "heliconeCalculated": True})
    except (TypeError, AttributeError, KeyError, IndexError):
        return ParseOutput({"streamed_data": data})


def _usage(data: list[Any]) -> dict[str, Any]:
    last = data[-1]
    usage = get(last, "usage")
    if truthy(last) and truthy(usage) and isinstance(usage, dict) and "input_tokens" in usage and "output_tokens" in usage:
        return {"total_tokens": add(usage["input_tokens"], usage["output_tokens"]), "completion_tokens": usage["output_tokens"],
                "prompt_tokens": usage["input_tokens"], "write": nullish(get(usage, "cache_creation_input_tokens"), 0),
                "read": nullish(get(usage, "cache_read_input_tokens"), 0)}
    metadata = get(last, "usageMetadata")
    if truthy(last) and truthy(metadata):
        prompt = nullish(get(metadata, "promptTokenCount"), 0)
        cached = nullish(get(metadata, "cachedContentTokenCount"), 0)
        return {"total_tokens": get(metadata, "totalTokenCount"), "completion_tokens": get(metadata, "candidatesTokenCount"),
                "prompt_tokens": sub(prompt, cached), "read": cached}
    return {"total_tokens": -1, "completion_tokens": -1, "prompt_tokens": -1}


def _consolidate(chunks: list[Any]) -> dict[str, Any]:
    """``consolidateGoogleTextFields``: candidate text parts concatenated, token counts maxed."""
    try:
        acc: Any = {}
        for cur in chunks:
            if not truthy(cur):
                continue
            if not truthy(get(acc, "candidates")):
                acc = cur
                continue
            if truthy(get(cur, "candidates")):
                acc["candidates"] = [_merge_candidate(c, get(cur["candidates"], i)) for i, c in enumerate(acc["candidates"])]
            cur_meta, acc_meta = get(cur, "usageMetadata"), get(acc, "usageMetadata")
            if truthy(cur_meta) and truthy(acc_meta):
                for key in ("promptTokenCount", "candidatesTokenCount", "totalTokenCount"):
                    a, b = to_number(get(acc_meta, key)), to_number(get(cur_meta, key))
                    acc_meta[key] = a if a != a else (b if b != b else max(a, b))
            elif truthy(cur_meta):
                acc["usageMetadata"] = cur_meta
        return acc if isinstance(acc, dict) else {}
    except (TypeError, AttributeError, KeyError, IndexError):
        first = chunks[0]
        return first if isinstance(first, dict) else {}


def _merge_candidate(c: Any, other: Any) -> Any:
    if not truthy(other):
        return c
    if truthy(get(c, "content")) and truthy(get(other, "content")):
        other_parts = other["content"]["parts"]

        def merge_part(j: int, part: Any) -> Any:
            theirs = get(other_parts, j)
            if truthy(theirs):
                text = get(part, "text")
                part["text"] = add(text, nullish(get(theirs, "text"), "")) if truthy(text) else get(theirs, "text")
            return part

        c["content"]["parts"] = [merge_part(j, part) for j, part in enumerate(c["content"]["parts"])]
    return c
