"""The requests behind tests/collector/fixtures: what helicone_otel's exporter sends to Helicone
(one ``POST /v1/trace/custom/log`` per LLM call or step) plus the OTLP routes and the HTTP edge
cases. ``record_fixtures.py`` replays them through the helicone-oracle; nothing here needs it."""

from __future__ import annotations

import base64
import json
from typing import Any, Callable

CUSTOM_LOG = "/v1/trace/custom/log"
OTLP_JSON = "/v1/trace/log"
OTLP_PROTOBUF = "/v1/trace/log-python"
JSON_HEADERS = {"Authorization": "Bearer sk-helicone-test", "Content-Type": "application/json"}
PROTOBUF_HEADERS = {"Authorization": "Bearer sk-helicone-test", "Content-Type": "application/x-protobuf"}
T0 = 1_760_000_000  # 2025-10-09T08:53:20Z

CASES: dict[str, Callable[[], dict[str, Any]]] = {}


def case(about: str) -> Callable[[Callable[[], list[dict[str, Any]]]], Callable[[], list[dict[str, Any]]]]:
    """Register a case: a function returning the list of HTTP requests to send, in order."""

    def register(build: Callable[[], list[dict[str, Any]]]) -> Callable[[], list[dict[str, Any]]]:
        CASES[build.__name__] = lambda: {"about": about, "requests": build()}
        return build

    return register


def request_id(n: int) -> str:
    return f"5f0c1a2b-3c4d-4e5f-8a6b-{n:012d}"


def timing(start_ms: int = 100, latency_ms: int = 1250, ttft_ms: int | None = None) -> dict[str, Any]:
    end = start_ms + latency_ms
    return {
        "startTime": {"seconds": T0 + start_ms // 1000, "milliseconds": start_ms % 1000},
        "endTime": {"seconds": T0 + end // 1000, "milliseconds": end % 1000},
        "timeToFirstToken": ttft_ms,
    }


def custom_log(
    n: int,
    provider: str | None,
    url: str,
    request: dict[str, Any],
    response: dict[str, Any] | None,
    *,
    text_body: str | None = None,
    status: int = 200,
    meta: dict[str, str] | None = None,
    ttft_ms: int | None = None,
    headers: dict[str, str] | None = None,
    path: str = CUSTOM_LOG,
) -> dict[str, Any]:
    """One exporter request, shaped as HELICONE_WIRE.md §4 and the exporter's brief describe."""
    body: dict[str, Any] = {}
    if provider is not None:
        body["provider"] = provider
    body["providerRequest"] = {"url": url, "json": request, "meta": {"Helicone-Request-Id": request_id(n), **(meta or {})}}
    body["providerResponse"] = {"json": response if response is not None else {}, "status": status, "headers": {}}
    if text_body is not None:
        body["providerResponse"]["textBody"] = text_body
    body["timing"] = timing(ttft_ms=ttft_ms)
    return {"path": path, "headers": {**JSON_HEADERS, **(headers or {})}, "json": body}


def sse(events: list[Any], done: bool = True) -> str:
    """OpenAI-style SSE: ``data: {chunk}\\n\\n`` ... ``data: [DONE]\\n\\n``."""
    text = "".join(f"data: {json.dumps(e, separators=(',', ':'))}\n\n" for e in events)
    return text + ("data: [DONE]\n\n" if done else "")


def named_sse(events: list[tuple[str, Any]]) -> str:
    """SSE with event names (Anthropic, OpenAI Responses)."""
    return "".join(f"event: {name}\ndata: {json.dumps(e, separators=(',', ':'))}\n\n" for name, e in events)


OPENAI_CHAT = "https://api.openai.com/v1/chat/completions"
ANTHROPIC_MESSAGES = "https://api.anthropic.com/v1/messages"
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello"}]
SESSION = {
    "Helicone-Session-Id": "trip-42",
    "Helicone-Session-Path": "/plan/research",
    "Helicone-Session-Name": "Trip planner",
    "Helicone-User-Id": "user-7",
}


def chat_completion(model: str, usage: dict[str, Any], content: str = "Hello!") -> dict[str, Any]:
    return {
        "id": "chatcmpl-AbC123",
        "object": "chat.completion",
        "created": T0,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None, "annotations": []}, "logprobs": None, "finish_reason": "stop"}],
        "usage": usage,
        "service_tier": "default",
        "system_fingerprint": "fp_560af6e559",
    }


def openai_usage(prompt: int, completion: int, cached: int = 0, reasoning: int = 0) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": reasoning, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
    }


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
