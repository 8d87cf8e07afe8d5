"""Helicone's log worker for one queue message: ``RequestBodyHandler`` → ``ResponseBodyHandler``
→ ``LoggingHandler.mapRequestResponseVersionedCH`` (valhalla/jawn/src/lib/handlers), giving the
``request_response_rmt`` row as a RequestRecord.

Model: ``Helicone-Model-Override`` first, then the response body's ``model``, then the
request's (ModelMapper.ts ``calculateModel``); a ``_type`` of ``tool``/``vector_db``/``data``
in the response replaces it (ResponseBodyHandler.ts:392-421). Tokens: the registry usage
processor's counts when the raw body parses as JSON, else the body processor's
(HandlerContext.ts:277-389). Cost: cost.py.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .bodies import ParseOutput, body_processor
from .cost import Cost, HeliconeCost, in_registry, stored_cost
from .js import UNDEFINED, clean, get, is_json, is_nullish, js_max, nullish, parse_json, to_number, to_string, truthy
from .message import LogMessage
from .record import RequestRecord
from .usage import model_usage

_HTML_STARTS = ("<html", "<HTML", "<!DOCTYPE html>", "<!DOCTYPE HTML>", "<body", "<BODY", "<head", "<HEAD", "<?xml")
_LONE_SURROGATE = re.compile(r"[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]")
CANCELLED = -3  # ResponseBodyHandler.ts INTERNAL_ERRORS.Cancelled
# packages/cost/models/provider-helpers.ts heliconeProviderToModelProviderName
_MODEL_PROVIDER = {
    "OPENAI": "openai", "ANTHROPIC": "anthropic", "GOOGLE": "google-ai-studio", "GROQ": "groq", "X": "xai", "AZURE": "azure",
    "AWS": "bedrock", "BEDROCK": "bedrock", "PERPLEXITY": "perplexity", "DEEPSEEK": "deepseek", "OPENROUTER": "openrouter",
    "DEEPINFRA": "deepinfra", "MISTRAL": "mistral", "NOVITA": "novita", "NEBIUS": "nebius", "CHUTES": "chutes",
    "CEREBRAS": "cerebras", "BASETEN": "baseten", "FIREWORKS": "fireworks", "CANOPYWAVE": "canopywave",
}


def _has(body: Any, key: str) -> bool:
    return isinstance(body, dict) and key in body


def _request_body(message: LogMessage) -> tuple[Any, Any]:
    """``RequestBodyHandler.processRequestBody``: (stored request body, request model)."""
    raw = message.raw_request_body
    if not truthy(raw):
        return {}, None
    try:
        body = parse_json(raw)
    except ValueError as error:
        body = {"error": f"Error parsing request body, SyntaxError: {error}, {raw}"}
    model = body["model"] if truthy(body) and truthy(get(body, "model")) else None
    if message.omit_request:
        body = {"model": model}
    return body, model


def _typed_model(body: Any, default: Any) -> Any:
    if _has(body, "_type"):
        if body["_type"] == "vector_db":
            return "vector_db"
        if body["_type"] == "tool":
            return f"tool:{to_string(get(body, 'toolName'))}"
        if body["_type"] == "data":
            return f"data:{to_string(get(body, 'name'))}"
    return default


def _is_assistant(body: Any, response: bool) -> bool:
    if not isinstance(body, (dict, list)):
        return False
    if response:
        first = get(get(body, "data"), 0)
        return _has(body, "assistant_id") or _has(body, "thread_id") or _has(first, "assistant_id") or _has(body, "metadata")
    return (not _has(body, "messages") and _has(body, "instructions") and _has(body, "name")) or _has(body, "assistant_id") \
        or _has(body, "metadata")


def _clean_properties(properties: dict[str, Any]) -> dict[str, Any]:
    """Literal ``\\u0000`` text removed from values; any non-string value and jawn keeps them
    all as they are (RequestBodyHandler.ts:38-52)."""
    if not all(isinstance(v, str) for v in properties.values()):
        return dict(properties)
    return {k: v.replace("\\u0000", "") for k, v in properties.items()}


def _process_body(message: LogMessage, request_body: Any, status: Any) -> tuple[ParseOutput | None, str | None]:
    """``ResponseBodyHandler.processBody``: (output, error)."""
    body = message.raw_response_body
    if not truthy(body):
        return ParseOutput({}, {}), None
    is_stream = message.is_stream or truthy(get(request_body, "stream"))
    try:
        if not is_json(body) and body.startswith(_HTML_STARTS):
            return ParseOutput({"error": "HTML response detected:", "html_response": body}, {}), None
        if is_stream and status == CANCELLED:
            body = "\n".join(body.split("\n")[:-1])
        return body_processor(is_stream, message.provider)(body), None
    except Exception as error:  # noqa: BLE001 - jawn: any throw becomes err("Error parsing body: ...")
        return None, f"Error parsing body: {type(error).__name__}: {error}, {body}"


def _response_body(message: LogMessage, output: ParseOutput | None, error: str | None, response_model: str) -> Any:
    """``handleOmitResponseBody``."""
    processed = output.processed_body if output is not None else UNDEFINED
    if error is not None or not truthy(processed):
        return {"helicone_error": "error parsing response", "parse_response_error": error,
                "body": {"model": response_model} if message.omit_response else (UNDEFINED if is_nullish(processed) else processed)}
    return {"model": response_model} if message.omit_response else processed


def _final_model(body: Any, current: Any) -> Any:
    """``determineAssistantModel``: the model jawn stores."""
    if not isinstance(body, (dict, list)):
        return "unknown"
    if _is_assistant(body, True) and _has(body, "status") and body["status"] in ("queued", "in_progress"):
        return "assistant-polling"
    if _is_assistant(body, True) and not truthy(current):
        return "assistant-call"
    typed = _typed_model(body, None)
    if typed is not None:
        return typed
    return current if truthy(current) else ""


def _legacy_usage(output: ParseOutput | None) -> dict[str, Any]:
    """``context.legacyUsage`` (ResponseBodyHandler.ts:117-151): the processor's usage, else
    the body's own ``usage`` object read with camelCase keys (which finds nothing)."""
    usage: Any = {}
    if output is not None:
        usage = output.usage if not is_nullish(output.usage) else get(output.processed_body, "usage")
        usage = {} if is_nullish(usage) else usage
    keys = ("promptTokens", "completionTokens", "promptCacheWriteTokens", "promptCacheReadTokens", "promptAudioTokens",
            "completionAudioTokens", "reasoningTokens", "promptCacheWrite5m", "promptCacheWrite1h", "cost")
    return {key: get(usage, key) for key in keys}


def _tokens(usage: dict[str, Any] | None, legacy: dict[str, Any]) -> dict[str, Any]:
    """``getPromptTokens`` & co. (HandlerContext.ts:277-389): registry counts win when > 0."""
    def modality(field: str) -> float:
        return sum(to_number(nullish(get(usage.get(m) if usage else UNDEFINED, field), 0)) for m in ("audio", "image", "video", "file"))

    prompt = legacy["promptTokens"]
    completion = legacy["completionTokens"]
    read = legacy["promptCacheReadTokens"]
    write = legacy["promptCacheWriteTokens"]
    reasoning: Any = None
    if usage is not None:
        if to_number(usage["input"]) > 0 or modality("input") > 0:
            prompt = to_number(usage["input"]) + modality("input")
        if to_number(usage["output"]) > 0 or modality("output") > 0:
            completion = to_number(usage["output"]) + modality("output")
        details = usage.get("cacheDetails")
        cached = to_number(nullish(get(details, "cachedInput"), 0)) + modality("cachedInput")
        if to_number(nullish(get(details, "cachedInput"), 0)) > 0 or modality("cachedInput") > 0:
            read = cached
        if truthy(details):
            write = to_number(nullish(get(details, "write5m"), 0)) + to_number(nullish(get(details, "write1h"), 0))
        thinking = usage.get("thinking", UNDEFINED)
        if thinking is not UNDEFINED and to_number(thinking) > 0:
            reasoning = thinking
    return {"prompt": prompt, "completion": completion, "read": read, "write": write, "reasoning": reasoning}


def _count(value: Any) -> int | None:
    """``atLeastZero(x ?? 0)`` as an integer (None where JavaScript gets NaN)."""
    number = js_max(nullish(value, 0), 0)
    return None if isinstance(number, float) and math.isnan(number) else int(number)


def _js_round(value: Any) -> int | None:
    number = to_number(nullish(value, 0))
    return None if math.isnan(number) or math.isinf(number) else math.floor(number + 0.5)


def _text(value: Any) -> Any:
    return _LONE_SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


def to_record(message: LogMessage, pricing: HeliconeCost) -> RequestRecord | None:
    """The row Helicone stores for ``message``; None when jawn's mapping throws (an Invalid Date)."""
    if math.isnan(message.request_created_ms) or math.isnan(message.response_created_ms):
        return None  # `toISOString()` throws RangeError in LoggingHandler.mapRequest
    request_body, request_model = _request_body(message)
    if _is_assistant(request_body, False) and not truthy(request_model):
        request_model = "assistant-call"
    request_model = _typed_model(request_body, request_model)
    properties = _clean_properties(message.properties)

    output, error = _process_body(message, request_body, message.status)
    status = message.status
    if output is not None and truthy(output.status_override):
        status = output.status_override
    body = output.processed_body if output is not None else UNDEFINED
    response_model = nullish(get(body, "model"), get(get(body, "body"), "model"), get(get(body, "body"), "modelVersion"),
                             get(get(get(get(body, "providerMetadata"), "gateway"), "routing"), "originalModelId"), None)
    response_model = response_model if truthy(response_model) else UNDEFINED
    defined = next((m for m in (message.model_override, response_model, request_model) if truthy(m)), None)
    response_body = _response_body(message, output, error, response_model if isinstance(response_model, str) else "unknown")
    final = _final_model(response_body, defined)
    model = final if isinstance(final, str) else UNDEFINED

    legacy = _legacy_usage(output)
    provider = nullish(message.provider, "")
    legacy_cost = legacy["cost"]
    if isinstance(legacy_cost, (int, float)) and not isinstance(legacy_cost, bool) and truthy(legacy_cost):
        cost: Cost = Cost(float(legacy_cost))
    else:
        cost = pricing.legacy(provider, model if model is not UNDEFINED else "", legacy)
    model_provider = _MODEL_PROVIDER.get(provider) if isinstance(provider, str) else None
    usage = model_usage(model_provider, message.raw_response_body) if truthy(message.raw_response_body) else None
    if usage is not None and model_provider and in_registry(model_provider, model if isinstance(model, str) else ""):
        cost = pricing.registry(provider, model_provider, model, usage)
    tokens = _tokens(usage, legacy)
    prompt, completion = _count(tokens["prompt"]), _count(tokens["completion"])
    reasoning = _count(tokens["reasoning"])
    status_code = to_number(nullish(status, 0))
    status_int = int(status_code) if not math.isnan(status_code) else 0
    return RequestRecord(
        id=_text(message.request_id),
        created_at=message.request_created_ms / 1000,
        provider=_text(provider if isinstance(provider, str) else to_string(provider)),
        model=_text(model if model is not UNDEFINED else ""),
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=None if None in (prompt, completion, reasoning) else prompt + completion + reasoning,  # type: ignore[operator]
        latency_ms=_count_signed(message.delay_ms),
        user_id=_text(message.user_id if isinstance(message.user_id, str) else to_string(message.user_id)),
        properties={k: _text(v) for k, v in clean(properties).items()},
        request_body=clean(request_body),
        response_body=clean(response_body),
        status=status_int,
        cost_usd=stored_cost(cost.usd),
        cache_read_tokens=_count(tokens["read"]),
        cache_write_tokens=_count(tokens["write"]),
        reasoning_tokens=reasoning,
        time_to_first_token_ms=_js_round(None if message.time_to_first_token is UNDEFINED else message.time_to_first_token),
        error_type=None if 200 <= status_int < 300 else str(status_int),
        source=message.source,
    )


def _count_signed(value: Any) -> int:
    """``response.delayMs ?? 0``: may be negative (end before start), as jawn stores it."""
    number = to_number(nullish(value, 0))
    return 0 if math.isnan(number) else int(number)
