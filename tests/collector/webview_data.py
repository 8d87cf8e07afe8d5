"""Data for the web view's tests: custom logs POSTed over HTTP (the replica maps them as Helicone
would), hostile strings in every stored field, and an HTML reader that lists what a page would
run or load."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from html.parser import HTMLParser
from typing import Any, Optional

# Strings that would run, break out of an attribute, or inject markup if printed raw.
SCRIPT = "<script>window.__pwned = 1</script>"
IMG = '"><img src=x onerror="window.__pwned=2">'
HOSTILE = f"{SCRIPT}{IMG}' javascript:alert(1) \x1b[31m</textarea>"
RAW_MARKERS = ("<script>window.__pwned", "<img src=x", 'onerror="window')


def post(url: str, body: Any, headers: Optional[dict[str, str]] = None, method: str = "POST") -> tuple[int, bytes]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": "Bearer sk-helicone-test", "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def get(url: str, headers: Optional[dict[str, str]] = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def chat_log(*, model: str = "gpt-4o-mini-2024-07-18", prompt: str = "Say hello", reply: str = "Hello!",
             meta: Optional[dict[str, str]] = None, start: float = 1_760_000_000.0, latency_ms: int = 250,
             status: int = 200, provider: str = "OPENAI", tool_call: Optional[tuple[str, str]] = None,
             usage: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """A custom-log body for one OpenAI chat completion."""
    message: dict[str, Any] = {"role": "assistant", "content": reply}
    if tool_call:
        message["tool_calls"] = [{"id": "call_1", "type": "function", "function": {"name": tool_call[0], "arguments": tool_call[1]}}]
    end = start + latency_ms / 1000
    return {
        "provider": provider,
        "providerRequest": {"url": "https://api.openai.com/v1/chat/completions", "meta": meta or {}, "json": {
            "model": "gpt-4o-mini", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": prompt}],
            "tools": [{"type": "function", "function": {"name": tool_call[0] if tool_call else "lookup", "description": "Look it up",
                                                        "parameters": {"type": "object"}}}]}},
        "providerResponse": {"status": status, "headers": {}, "json": {
            "id": "chatcmpl-1", "object": "chat.completion", "created": int(start), "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool_call else "stop"}],
            "usage": usage or {"prompt_tokens": 1200, "completion_tokens": 80, "total_tokens": 1280,
                               "prompt_tokens_details": {"cached_tokens": 1024},
                               "completion_tokens_details": {"reasoning_tokens": 16}}}},
        "timing": {"startTime": {"seconds": int(start), "milliseconds": int(start * 1000) % 1000},
                   "endTime": {"seconds": int(end), "milliseconds": int(end * 1000) % 1000}},
    }


def hostile_log(start: float) -> dict[str, Any]:
    """Every stored string of one request hostile: model, user, session id/name/path, a property
    value, the prompt, the reply, a tool name and its arguments (a hostile property name cannot
    pass a custom log's headers: hostile_otlp has one)."""
    return chat_log(model=f"gpt-4o{HOSTILE}", prompt=f"Summarise {HOSTILE}", reply=f"Sure {HOSTILE}", start=start,
                    tool_call=(f"fn{HOSTILE}", json.dumps({"q": HOSTILE})), meta={
                        "Helicone-User-Id": f"user{HOSTILE}", "Helicone-Session-Id": f"session{HOSTILE}",
                        "Helicone-Session-Name": f"name{HOSTILE}", "Helicone-Session-Path": f"/plan/{HOSTILE}",
                        "Helicone-Property-Tag": f"value{HOSTILE}"})


class Tags(HTMLParser):
    """What a page would run or load: script elements, event-handler attributes, URLs."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[dict[str, Optional[str]]] = []
        self.handlers: list[str] = []
        self.urls: list[str] = []
        self.styles = 0
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts.append(values)
        if tag == "style" or "style" in values:
            self.styles += 1
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.urls += [value or "" for name, value in attrs if name in ("href", "src", "action", "data-href", "xlink:href")]


def _value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": str(value)}


def otlp_span(trace_id: str, span_id: str, name: str, start: float, end: float, attributes: dict[str, Any],
              parent: str = "", error: bool = False) -> dict[str, Any]:
    """One span in OTLP/JSON (ids in hex, times in nanoseconds as strings), with every field
    Helicone's ``/v1/trace/log`` validation requires."""
    span: dict[str, Any] = {"traceId": trace_id, "spanId": span_id, "name": name, "kind": 3,
                            "startTimeUnixNano": str(int(start * 1e9)), "endTimeUnixNano": str(int(end * 1e9)),
                            "attributes": [{"key": k, "value": _value(v)} for k, v in attributes.items()],
                            "droppedAttributesCount": 0, "events": [], "droppedEventsCount": 0, "links": [],
                            "droppedLinksCount": 0, "status": {"code": 2, "message": "boom"} if error else {"code": 0}}
    if parent:
        span["parentSpanId"] = parent
    return span


def otlp_document(service: str, spans: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}],
                                            "droppedAttributesCount": 0},
                               "scopeSpans": [{"scope": {"name": "tests", "version": "1"}, "spans": spans}]}]}


def hostile_otlp(start: float) -> dict[str, Any]:
    """A GenAI span with hostile service, name, model, prompt and a hostile property name (which
    only the OTLP routes can carry: a custom log's headers refuse such names, as Helicone's do)."""
    return otlp_document(f"svc{HOSTILE}", [otlp_span("5b8efff798038103d269b633813fc60c", "051581bf3cb55c13", f"span{HOSTILE}",
                                                     start, start + 0.5, {
        "gen_ai.system": "openai", "gen_ai.response.model": f"model{HOSTILE}", "gen_ai.prompt.0.role": "user",
        "gen_ai.prompt.0.content": f"prompt{HOSTILE}", "gen_ai.completion.0.role": "assistant",
        "gen_ai.completion.0.content": f"reply{HOSTILE}", "gen_ai.usage.prompt_tokens": 3, "gen_ai.usage.completion_tokens": 4,
        f"traceloop.association.properties.Helicone-Property-Name{SCRIPT}": f"value{HOSTILE}",
        "traceloop.association.properties.Helicone-Session-Id": f"otlp-session{HOSTILE}",
        f"attr{HOSTILE}": HOSTILE})])
