"""What Helicone receives for each call: one custom-log JSON body (HELICONE_WIRE.md §1d, §4).

Why the custom-log route for every call kind: it keeps the provider's own request and response
(so Helicone's body processors read usage, cached and reasoning tokens and price the call as its
proxy would), the status code and the time to first token. Both OTLP routes drop status, time to
first token, cached/reasoning tokens and cost, and ``/v1/trace/log`` rejects general OTLP/JSON
(422). The price is one POST per call, which the sender keeps lean (keep-alive, prepared headers).

Runs on the export thread only.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from .. import attributes as A
from ..capture.call import Call
from ..guard import guard
from ..helicone_headers import REQUEST_ID, context_headers
from ..providers import helicone_provider
from .extract import CallRecord
from .helicone_models import model_override

CUSTOM_LOG_PATH = "/v1/trace/custom/log"
# jawn ``index.ts``: ``express.json({limit: "10mb"})`` before every router; a bigger body is
# answered 500 (not 413), so we never send one.
MAX_BODY_BYTES = 10 * 1024 * 1024
MODEL_OVERRIDE = "Helicone-Model-Override"

# Keys whose values are prompt or completion text in the OpenAI, Anthropic and Gemini shapes: with
# content capture off (or over the size limit) every string under them is replaced.
_CONTENT_KEYS = frozenset({
    "content", "text", "arguments", "refusal", "input", "instructions", "system", "prompt", "message",
    "revised_prompt", "audio", "url",
    "partial_json", "thinking", "output_text", "summary", "query", "documents", "b64_json", "transcript",
    # Gemini parts other than ``text``: tool-call arguments and results, inline and linked media, code.
    "args", "functionResponse", "inlineData", "fileData", "executableCode", "codeExecutionResult",
    "generation", "texts",  # Meta Llama on Bedrock; Cohere embed inputs
})
_TEXT_ONLY_KEYS = frozenset({"delta"})  # Responses stream: ``delta`` is the text itself
# Structure inside content that is never text: kept so Helicone still parses the body.
_STRUCTURE_KEYS = frozenset({"role", "type", "id", "call_id", "tool_call_id", "tool_use_id", "name", "model", "index", "status"})
_LARGE_ARRAYS = frozenset({"embedding", "logprobs"})
TRUNCATED = "[helicone_otel: content dropped, the record was over Helicone's 10 MiB limit]"


# The last (context, its headers): calls in one scope share the context mapping (replaced,
# never mutated), so its headers are made once per scope. Export thread only.
_last_headers: tuple[Any, dict[str, str]] = (None, {})


def meta_of(context: Mapping[str, str], request_id: str) -> dict[str, str]:
    """Helicone headers for a call's context, in ``providerRequest.meta``. Property names are
    lowercased: Helicone reads ``meta`` through a ``Headers`` object (customTraceManager.ts:130),
    which lowercases them, as its proxy does; sending them so makes what we send what is stored."""
    global _last_headers
    seen, headers = _last_headers
    if seen is not context:
        headers = context_headers(context)
        _last_headers = (context, headers)
    return {REQUEST_ID: request_id, **headers}


def redact(value: Any, marker: str = "", under_content: bool = False) -> Any:
    """A copy of a provider body with every prompt/completion string replaced by ``marker``;
    structure, ids, roles, token counts and tool names stay."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in _LARGE_ARRAYS and isinstance(item, list):
                out[key] = []
            elif key in _TEXT_ONLY_KEYS and isinstance(item, str):
                out[key] = marker
            elif key in _STRUCTURE_KEYS and not isinstance(item, (dict, list)):
                out[key] = item
            else:
                out[key] = redact(item, marker, under_content or key in _CONTENT_KEYS)
        return out
    if isinstance(value, list):
        return [redact(item, marker, under_content) for item in value]
    if isinstance(value, str) and under_content:
        return marker
    return value


def _timestamp(nanos: int) -> dict[str, int]:
    seconds, rest = divmod(nanos, 1_000_000_000)
    return {"seconds": seconds, "milliseconds": rest // 1_000_000}


def _sse(chunks: list[dict[str, Any]], openai_done: bool, frames: list[str | None] | None = None) -> str:
    """The stream as the provider sent it: Server-Sent Events, ``event:`` lines for typed
    events (Anthropic, Responses), OpenAI's ``[DONE]`` terminator for chat/completions.
    ``frames``: each chunk's own event text where it is known (record.chunk_texts)."""
    lines = []
    for index, chunk in enumerate(chunks):
        frame = frames[index] if frames is not None else None
        if frame is None:
            kind = chunk.get("type")
            data = json.dumps(chunk, ensure_ascii=False, separators=(",", ":"))
            frame = f"event: {kind}\ndata: {data}" if isinstance(kind, str) else f"data: {data}"
        lines.append(frame)
    if openai_done:
        lines.append("data: [DONE]")
    lines.append("")
    return "\n\n".join(lines)


def custom_log(call: Call, record: CallRecord, marker: str | None = None) -> dict[str, Any]:
    """The custom-log body of one call (``marker``: content dropped, with this text)."""
    request, response, chunks, texts = record.request, record.response, record.chunks, record.chunk_texts
    provider = helicone_provider(record.provider, call.endpoint.shape == "anthropic")
    url, model = record.url, None
    if call.endpoint.helicone_body is not None:  # the shape Helicone's body processors read
        shaped = guard("shaping a Helicone body", call.endpoint.helicone_body, record) or {}
        provider, url = shaped.get("provider", provider), shaped.get("url", url)
        request, model = shaped.get("request", request), shaped.get("model")
        if "response" in shaped:
            response, chunks = shaped["response"], None
    if marker is not None or not call.capture_content:
        marker = marker or ""
        request = redact(request, marker)
        response = redact(response, marker) if response is not None else None
        chunks, texts = (redact(chunks, marker) if chunks is not None else None), None
    provider_response: dict[str, Any] = {"status": record.status, "headers": {}}
    if chunks is not None:
        provider_response["json"] = {}
        provider_response["textBody"] = _sse(chunks, call.endpoint.shape == "openai", texts)
    else:
        provider_response["json"] = response if response is not None else {}
    end_ns = call.end_ns or call.start_ns
    first = call.first_chunk_ns
    meta = meta_of(record.context, record.request_id)
    attrs = record.attributes
    override = model_override(provider, model or str(attrs.get(A.RESPONSE_MODEL) or attrs.get(A.REQUEST_MODEL) or ""))
    if override is not None or model:  # an id Helicone cannot price (name one it prices), or no model in the body
        meta[MODEL_OVERRIDE] = override or model
    return {
        "provider": provider,
        "providerRequest": {"url": url, "json": request, "meta": meta},
        "providerResponse": provider_response,
        "timing": {
            "startTime": _timestamp(call.start_ns),
            "endTime": _timestamp(end_ns),
            "timeToFirstToken": (first - call.start_ns) // 1_000_000 if first is not None else None,
        },
    }


def encode(body_of: Any, *args: Any) -> bytes:
    """``body_of(*args)`` as JSON bytes under Helicone's limit: an oversized record is sent
    again with its content replaced by a visible marker, so its metrics still arrive."""
    data = _dumps(body_of(*args))
    if len(data) <= MAX_BODY_BYTES:
        return data
    data = _dumps(body_of(*args, TRUNCATED))
    if len(data) <= MAX_BODY_BYTES:
        return data
    # Still too big (a stream of tens of thousands of chunks): the metrics alone. Helicone
    # answers 500 to an oversized body, and a retried 500 would stall every sender.
    body = body_of(*args, TRUNCATED)
    body["providerRequest"]["json"] = {k: v for k, v in body["providerRequest"]["json"].items() if k in ("model", "stream")}
    body["providerResponse"].pop("textBody", None)
    response = body["providerResponse"].get("json") or {}
    body["providerResponse"]["json"] = {k: response[k] for k in ("id", "model", "usage", "type") if k in response}
    return _dumps(body)


# One encoder: ``json.dumps`` with options builds a new one per call (≈ 1.5 µs).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def _dumps(body: Any) -> bytes:
    # A lone surrogate (``surrogateescape`` input) costs that character, not the record.
    return _ENCODER.encode(body).encode("utf-8", "replace")


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


_STEP_TYPES = {"tool": "tool", "vector_db": "vector_db", "custom": "tool", "llm": "llm"}


def is_step(attributes: Mapping[str, Any]) -> bool:
    """A custom step (tool, vector_db, custom, or a call to a model we do not instrument)."""
    return attributes.get(A.STEP_KIND) in _STEP_TYPES


def _llm_step_bodies(attributes: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    # A model we do not instrument: OpenAI-shaped usage, which Helicone's generic body
    # processor reads (``usage.prompt_tokens``/``completion_tokens``).
    model = str(attributes.get(A.REQUEST_MODEL) or "")
    response: dict[str, Any] = {"model": model}
    usage = {key: attributes[attr] for key, attr in (("prompt_tokens", A.USAGE_INPUT_TOKENS),
                                                     ("completion_tokens", A.USAGE_OUTPUT_TOKENS)) if attr in attributes}
    if usage:
        response["usage"] = usage
    return {"model": model}, response


def step_log(
    attributes: Mapping[str, Any], request_id: str, start_ns: int, end_ns: int, error: str | None, marker: str | None = None
) -> dict[str, Any]:
    """The custom-log body of a step: Helicone names a body with ``_type: tool``
    ``tool:<toolName>`` and ``_type: vector_db`` ``vector_db`` (ResponseBodyHandler)."""
    kind = _STEP_TYPES[str(attributes[A.STEP_KIND])]
    body: dict[str, Any] = {}
    if kind == "llm":
        request, response = _llm_step_bodies(attributes)
        body["provider"] = helicone_provider(str(attributes.get(A.PROVIDER_NAME) or "custom"))
    else:
        name = str(attributes.get(A.TOOL_NAME) or "step")
        request = {"_type": kind, "toolName": name}
        response = {"_type": kind, "toolName": name}
    capture = marker is None
    if A.TOOL_CALL_ARGUMENTS in attributes:
        request["input"] = _maybe_json(attributes[A.TOOL_CALL_ARGUMENTS]) if capture else marker
    if A.TOOL_CALL_RESULT in attributes:
        response["output"] = _maybe_json(attributes[A.TOOL_CALL_RESULT]) if capture else marker
    if error is not None:
        response["error"] = {"type": str(attributes.get(A.ERROR_TYPE) or "error"), "message": error}
    context = {k: v for k, v in attributes.items() if k.startswith("helicone.") and isinstance(v, str)}
    body.update({
        "providerRequest": {"url": "custom-model-nopath", "json": request, "meta": meta_of(context, request_id)},
        "providerResponse": {"headers": {}, "status": 500 if error is not None else 200, "json": response},
        "timing": {"startTime": _timestamp(start_ns), "endTime": _timestamp(end_ns), "timeToFirstToken": None},
    })
    return body
