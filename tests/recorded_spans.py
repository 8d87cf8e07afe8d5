"""What a span must say about a recorded response, read from the recorded body with plain code
(not with our extractors: a test that ran them would agree with itself). Used by
tests/test_recorded_traffic.py.

Each ``expect_*`` returns the response id and model, the finish reasons, the semconv token counts
and the output messages, each as ``_message`` (text, tool calls, refusal, reasoning).
"""

from __future__ import annotations

import json
import re
from typing import Any

from helicone_otel import attributes as A

TOKEN_KEYS = (
    A.USAGE_INPUT_TOKENS, A.USAGE_OUTPUT_TOKENS, A.USAGE_CACHE_READ_INPUT_TOKENS,
    A.USAGE_CACHE_CREATION_INPUT_TOKENS, A.USAGE_REASONING_OUTPUT_TOKENS,
)


def sse_data(body: str) -> list[Any]:
    """The JSON ``data:`` payloads of an SSE body (comments, ``[DONE]`` and empty data skipped)."""
    payloads = []
    for event in re.split(r"\r?\n\r?\n", body):
        data = "\n".join(line[5:].lstrip() for line in re.split(r"\r?\n", event) if line.startswith("data:"))
        if data and data != "[DONE]":
            payloads.append(json.loads(data))
    return payloads


def _message(text: str = "", tool_calls: list | None = None, refusal: str = "", reasoning: str = "") -> dict[str, Any]:
    return {"text": text, "tool_calls": tool_calls or [], "refusal": refusal, "reasoning": reasoning}


def _args(arguments: Any) -> Any:
    """Tool-call arguments compared as data (a stream delivers Anthropic's input as JSON text)."""
    if isinstance(arguments, str):
        try:
            return json.loads(arguments) if arguments else {}
        except ValueError:
            return arguments
    return arguments


def _openai_usage(usage: dict[str, Any] | None, inp: str, out: str) -> dict[str, Any]:
    if not usage:
        return {}
    return {
        A.USAGE_INPUT_TOKENS: usage.get(inp), A.USAGE_OUTPUT_TOKENS: usage.get(out),
        A.USAGE_CACHE_READ_INPUT_TOKENS: (usage.get(f"{inp}_details") or {}).get("cached_tokens"),
        A.USAGE_REASONING_OUTPUT_TOKENS: (usage.get(f"{out}_details") or {}).get("reasoning_tokens"),
    }


def expect_openai_chat(body: str, streamed: bool) -> dict[str, Any]:
    if not streamed:
        doc = json.loads(body)
        messages = []
        for choice in doc["choices"]:
            m = choice["message"]
            calls = [(c["id"], c["function"]["name"], _args(c["function"]["arguments"])) for c in m.get("tool_calls") or ()]
            messages.append(_message(m.get("content") or "", calls, m.get("refusal") or ""))
        return {"id": doc["id"], "model": doc["model"], "finish": tuple(c["finish_reason"] or "" for c in doc["choices"]),
                "usage": _openai_usage(doc.get("usage"), "prompt_tokens", "completion_tokens"), "messages": messages}
    head: dict[str, Any] = {}
    usage = None
    choices: dict[int, dict[str, Any]] = {}
    for chunk in sse_data(body):
        for key in ("id", "model"):
            head[key] = head.get(key) or chunk.get(key) or None  # Azure's first chunk has "" for both
        if chunk.get("usage") is not None:
            usage = chunk["usage"]
        for choice in chunk.get("choices") or ():
            state = choices.setdefault(choice.get("index") or 0, {"text": "", "refusal": "", "calls": {}, "finish": ""})
            delta = choice.get("delta") or {}
            state["text"] += delta.get("content") or ""
            state["refusal"] += delta.get("refusal") or ""
            for call in delta.get("tool_calls") or ():
                slot = state["calls"].setdefault(call.get("index") or 0, {"id": None, "name": None, "arguments": ""})
                slot["id"] = call.get("id") or slot["id"]
                slot["name"] = (call.get("function") or {}).get("name") or slot["name"]
                slot["arguments"] += (call.get("function") or {}).get("arguments") or ""
            state["finish"] = choice.get("finish_reason") or state["finish"]
    ordered = [choices[i] for i in sorted(choices)]
    return {
        "id": head.get("id"), "model": head.get("model"), "finish": tuple(s["finish"] for s in ordered) or None,
        "usage": _openai_usage(usage, "prompt_tokens", "completion_tokens"),
        "messages": [
            _message(s["text"], [(c["id"], c["name"], _args(c["arguments"])) for _, c in sorted(s["calls"].items())], s["refusal"])
            for s in ordered
        ],
    }


def expect_openai_responses(body: str, streamed: bool) -> dict[str, Any]:
    doc = json.loads(body) if not streamed else next(
        e["response"] for e in sse_data(body) if e.get("type") in ("response.completed", "response.incomplete", "response.failed")
    )
    output = doc.get("output") or []
    if doc["status"] == "incomplete":
        finish = (doc["incomplete_details"]["reason"],)
    else:
        finish = ("tool_calls" if any(i["type"] == "function_call" for i in output) else "stop",)
    text = "".join(c.get("text", "") for i in output if i["type"] == "message" for c in i["content"] if c["type"] == "output_text")
    calls = [(i["call_id"], i["name"], _args(i["arguments"])) for i in output if i["type"] == "function_call"]
    reasoning = "".join(s.get("text", "") for i in output if i["type"] == "reasoning" for s in i.get("summary") or ())
    return {"id": doc["id"], "model": doc["model"], "finish": finish,
            "usage": _openai_usage(doc.get("usage"), "input_tokens", "output_tokens"),
            "messages": [_message(text, calls, reasoning=reasoning)]}


def expect_openai_completions(body: str, streamed: bool) -> dict[str, Any]:
    chunks = sse_data(body) if streamed else [json.loads(body)]
    texts: dict[int, str] = {}
    finish: dict[int, str] = {}
    usage = None
    for chunk in chunks:
        usage = chunk.get("usage") or usage
        for choice in chunk.get("choices") or ():
            index = choice.get("index") or 0
            texts[index] = texts.get(index, "") + (choice.get("text") or "")
            finish[index] = choice.get("finish_reason") or finish.get(index, "")
    return {"id": chunks[0]["id"], "model": chunks[0]["model"], "finish": tuple(finish[i] for i in sorted(texts)),
            "usage": _openai_usage(usage, "prompt_tokens", "completion_tokens"),
            "messages": [_message(texts[i]) for i in sorted(texts)]}


def expect_openai_embeddings(body: str, streamed: bool) -> dict[str, Any]:
    doc = json.loads(body)
    return {"id": None, "model": doc["model"], "finish": None, "usage": {A.USAGE_INPUT_TOKENS: doc["usage"]["prompt_tokens"]},
            "messages": None}


def expect_openai_images(body: str, streamed: bool) -> dict[str, Any]:
    """Images carry no id, model or finish reason; gpt-image models report token usage."""
    doc = json.loads(body)
    return {"id": None, "model": None, "finish": None,
            "usage": _openai_usage(doc.get("usage"), "input_tokens", "output_tokens"), "messages": None}


def expect_openai_transcription(body: str, streamed: bool) -> dict[str, Any]:
    """The transcribed text is the output; token usage only where ``usage.type`` is "tokens"
    (whisper-1 reports seconds or nothing)."""
    doc = json.loads(body)
    usage = doc.get("usage") or {}
    tokens = {A.USAGE_INPUT_TOKENS: usage["input_tokens"], A.USAGE_OUTPUT_TOKENS: usage["output_tokens"]} if usage.get("type") == "tokens" else {}
    return {"id": None, "model": None, "finish": None, "usage": tokens, "messages": [_message(doc["text"])]}


def _anthropic_usage(usage: dict[str, Any]) -> dict[str, Any]:
    read, write = usage.get("cache_read_input_tokens"), usage.get("cache_creation_input_tokens")
    return {
        # the whole prompt: uncached + cache reads + cache writes (the module docstring of
        # instrumentation/anthropic/_messages.py says why)
        A.USAGE_INPUT_TOKENS: usage.get("input_tokens", 0) + (read or 0) + (write or 0),
        A.USAGE_OUTPUT_TOKENS: usage.get("output_tokens"),
        A.USAGE_CACHE_READ_INPUT_TOKENS: read, A.USAGE_CACHE_CREATION_INPUT_TOKENS: write,
    }


def _anthropic_message(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return _message(
        "".join(b["text"] for b in blocks if b["type"] == "text"),
        [(b["id"], b["name"], _args(b["input"])) for b in blocks if b["type"] == "tool_use"],
        reasoning="".join(b["thinking"] for b in blocks if b["type"] == "thinking"),
    )


def expect_anthropic_messages(body: str, streamed: bool) -> dict[str, Any]:
    if not streamed:
        doc = json.loads(body)
        return {"id": doc["id"], "model": doc["model"], "finish": (doc["stop_reason"] or "",),
                "usage": _anthropic_usage(doc["usage"]), "messages": [_anthropic_message(doc["content"])]}
    message, usage, stop, blocks = None, {}, "", {}
    for event in sse_data(body):
        kind = event.get("type")
        if kind == "message_start":
            message = event["message"]
            usage.update(message["usage"])
        elif kind == "message_delta":
            stop = event["delta"].get("stop_reason") or stop
            usage.update({k: v for k, v in event.get("usage", {}).items() if v is not None})  # counts are cumulative
        elif kind == "content_block_start":
            blocks[event["index"]] = {**event["content_block"], "input": ""} if event["content_block"]["type"] == "tool_use" else dict(event["content_block"])
        elif kind == "content_block_delta":
            block, delta = blocks[event["index"]], event["delta"]
            if delta["type"] == "text_delta":
                block["text"] += delta["text"]
            elif delta["type"] == "thinking_delta":
                block["thinking"] += delta["thinking"]
            elif delta["type"] == "input_json_delta":
                block["input"] += delta["partial_json"]
    if message is None:
        return {"id": None, "model": None, "finish": None, "usage": {}, "messages": None}
    return {"id": message["id"], "model": message["model"], "finish": (stop,), "usage": _anthropic_usage(usage),
            "messages": [_anthropic_message([blocks[i] for i in sorted(blocks)])]}


def expect_anthropic_complete(body: str, streamed: bool) -> dict[str, Any]:
    events = [e for e in sse_data(body) if "completion" in e] if streamed else [json.loads(body)]
    if not events:
        return {"id": None, "model": None, "finish": None, "usage": {}, "messages": None}
    stop = next((e["stop_reason"] for e in reversed(events) if e.get("stop_reason")), "")
    return {"id": events[0].get("id"), "model": events[0]["model"], "finish": (stop,), "usage": {},
            "messages": [_message("".join(e["completion"] for e in events))]}


EXPECT = {
    "openai.chat": expect_openai_chat, "openai.responses": expect_openai_responses,
    "openai.completions": expect_openai_completions, "openai.embeddings": expect_openai_embeddings,
    "openai.images": expect_openai_images, "openai.transcriptions": expect_openai_transcription,
    "anthropic.messages": expect_anthropic_messages, "anthropic.complete": expect_anthropic_complete,
}
OPERATIONS = {"openai.chat": "chat", "openai.responses": "chat", "openai.completions": "text_completion",
              "openai.embeddings": "embeddings", "openai.images": "image_generation", "openai.transcriptions": "transcription",
              "anthropic.messages": "chat", "anthropic.complete": "text_completion"}


def span_messages(attrs: Any) -> list[dict[str, Any]] | None:
    """The span's output messages in the shape of ``_message``."""
    if A.OUTPUT_MESSAGES not in attrs:
        return None
    messages = []
    for m in json.loads(attrs[A.OUTPUT_MESSAGES]):
        parts = m["parts"]
        messages.append(_message(
            "".join(p["content"] for p in parts if p["type"] == "text"),
            [(p["id"], p["name"], _args(p["arguments"])) for p in parts if p["type"] == "tool_call"],
            "".join(p["content"] for p in parts if p["type"] == "refusal"),
            "".join(p["content"] for p in parts if p["type"] == "reasoning"),
        ))
    return messages
