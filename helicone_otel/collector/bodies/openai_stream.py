"""jawn ``openAIStreamProcessor.ts`` (chat completions and Responses API SSE),
``groqStreamProcessor.ts`` and ``togetherAIStreamProcessor.ts``.

Lines that are not JSON (``data: [DONE]``) stay in ``streamed_data`` as jawn's error results
(``{"data": null, "error": {...}}``); a stream with no usage chunk gets tokens of -1, which the
stored row clamps to 0 (openAIStreamProcessor.ts:200-208, LoggingHandler.ts:481-499).
"""

from __future__ import annotations

from typing import Any

from ..js import UNDEFINED, get, greater, is_json, js_max, nullish, parse_json, path, sub, truthy
from . import ParseOutput
from .stream_parser import consolidate_responses_api_fields, consolidate_text_fields

NON_DATA_LINES = frozenset({
    "event: content_block_delta", "event: content_block_stop", "event: message_delta", "event: message_stop",
    "event: message_start", "event: content_block_start", "event: ping", "event: completion", "event: error",
    "event: thread.message.delta", "event: thread.message.completed", "event: thread.run.step.completed",
    "event: thread.run.step.created", "event: thread.run.step.in_progress", "event: thread.run.step.delta",
    "event: thread.run.requires_action", "event: done", "event: thread.run.queued", "event: thread.run.in_progress",
    "event: thread.message.created", "event: thread.message.in_progress",
    "event: response.created", "event: response.in_progress", "event: response.output_item.added",
    "event: response.content_part.added", "event: response.output_text.delta", "event: response.output_text.done",
    "event: response.content_part.done", "event: response.output_item.done", "event: response.completed",
    "event: response.reasoning_summary_part.added", "event: response.reasoning_summary_text.delta",
    "event: response.reasoning_summary_text.done", "event: response.reasoning_summary_part.done",
    "event: response.function_call_arguments.delta", "event: response.function_call_arguments.done",
})
_TOGETHER_NON_DATA_LINES = frozenset({
    "event: content_block_delta", "event: content_block_stop", "event: message_delta", "event: message_stop",
    "event: message_start", "event: content_block_start", "event: ping", "event: completion", "event: error",
})
NO_USAGE = {"totalTokens": -1, "completionTokens": -1, "promptTokens": -1, "heliconeCalculated": True,
            "helicone_error": "counting tokens not supported, please see https://docs.helicone.ai/use-cases/enable-stream-usage"}


def _parse_line(line: str, wrap_errors: bool = True) -> Any:
    try:
        return parse_json(line.replace("data:", "", 1))
    except ValueError:
        error = {"msg": "Error parsing line", "line": line}
        return {"data": None, "error": error} if wrap_errors else error


def _spread(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, (str, list)):
        return {str(i): item for i, item in enumerate(value)}  # `{..."ab"}` is {"0": "a", "1": "b"}
    return {}


def parse_openai_stream(response_body: str) -> ParseOutput:
    """``OpenAIStreamProcessor.parse``."""
    if is_json(response_body):
        return ParseOutput(parse_json(response_body))
    lines = [line for line in response_body.split("\n")
             if "OPENROUTER PROCESSING" not in line and line not in NON_DATA_LINES and line != ""]
    data = [_parse_line(line) for line in lines]
    try:
        if any(get(item, "type") in ("response.created", "response.completed") for item in data):
            consolidated = consolidate_responses_api_fields(data)
            usage_data = get(consolidated, "usage")
            if truthy(usage_data):
                input_tokens = nullish(get(usage_data, "input_tokens"), 0)
                cached = nullish(path(usage_data, "input_tokens_details", "cached_tokens"), 0)
                prompt = input_tokens if greater(cached, input_tokens) else js_max(0, sub(input_tokens, cached))
                completion = js_max(0, sub(nullish(get(usage_data, "output_tokens"), 0),
                                           nullish(path(usage_data, "output_tokens_details", "reasoning_tokens"), 0)))
                usage = {"totalTokens": get(usage_data, "total_tokens"), "completionTokens": completion, "promptTokens": prompt,
                         "promptCacheReadTokens": cached, "heliconeCalculated": False}
            else:
                usage = dict(NO_USAGE)
            return ParseOutput({**_spread(consolidated), "streamed_data": data}, usage)
        consolidated = consolidate_text_fields(data)
        if consolidated is UNDEFINED or consolidated is None:
            raise TypeError("Cannot read properties of undefined (reading 'usage')")
        usage_data = get(consolidated, "usage")
        if not truthy(usage_data):
            usage_data = path(consolidated, "response", "usage")
        if truthy(usage_data):
            usage = _chat_usage(usage_data)
        else:
            usage = dict(NO_USAGE)
        return ParseOutput({**_spread(consolidated), "streamed_data": data}, usage)
    except (TypeError, AttributeError, KeyError, IndexError):
        return ParseOutput({"streamed_data": data})


def _chat_usage(usage: Any) -> dict[str, Any]:
    prompt = nullish(get(usage, "prompt_tokens"), get(usage, "input_tokens"), 0)
    cached = nullish(path(usage, "prompt_tokens_details", "cached_tokens"), path(usage, "input_tokens_details", "cached_tokens"), 0)
    audio = nullish(path(usage, "prompt_tokens_details", "audio_tokens"), 0)
    effective_prompt = js_max(0, sub(prompt, audio)) if greater(cached, prompt) else js_max(0, sub(sub(prompt, cached), audio))
    if get(usage, "completion_tokens") is not UNDEFINED:
        details = get(usage, "completion_tokens_details")
        completion = js_max(0, sub(sub(nullish(usage["completion_tokens"], 0), nullish(get(details, "reasoning_tokens"), 0)),
                                   nullish(get(details, "audio_tokens"), 0)))
    else:
        completion = js_max(0, sub(nullish(get(usage, "output_tokens"), 0), nullish(path(usage, "output_tokens_details", "reasoning_tokens"), 0)))
    return {
        "totalTokens": get(usage, "total_tokens"),
        "completionTokens": completion,
        "promptTokens": effective_prompt,
        "promptCacheReadTokens": cached,
        "promptCacheWriteTokens": nullish(path(usage, "prompt_tokens_details", "cache_write_tokens"), 0),
        "heliconeCalculated": nullish(get(usage, "helicone_calculated"), False),
        "cost": get(usage, "cost"),
    }


def _counts(usage: Any) -> dict[str, Any]:
    return {"totalTokens": get(usage, "total_tokens"), "completionTokens": get(usage, "completion_tokens"),
            "promptTokens": get(usage, "prompt_tokens"), "heliconeCalculated": False}


def parse_groq_stream(response_body: str) -> ParseOutput:
    """``GroqStreamProcessor.parse``: usage from ``x_groq.usage`` (prompt tokens as reported)."""
    if is_json(response_body):
        return ParseOutput(parse_json(response_body))
    lines = [line for line in response_body.split("\n") if line != "" and line not in NON_DATA_LINES]
    data = [_parse_line(line, wrap_errors=False) for line in lines]
    try:
        consolidated = consolidate_text_fields(data)
        with_x_groq = next((c for c in data if isinstance(c, (dict, list)) and truthy(get(c, "x_groq")) and truthy(path(c, "x_groq", "usage"))), UNDEFINED)
        if truthy(path(with_x_groq, "x_groq", "usage")):
            usage = _counts(with_x_groq["x_groq"]["usage"])
        elif truthy(path(consolidated, "x_groq", "usage")):
            usage = _counts(consolidated["x_groq"]["usage"])
        else:
            with_usage = next((c for c in data if isinstance(c, (dict, list)) and truthy(get(c, "usage"))), UNDEFINED)
            if truthy(get(with_usage, "usage")):
                usage = _counts(with_usage["usage"])
            else:
                if consolidated is UNDEFINED or consolidated is None:
                    raise TypeError("Cannot read properties of undefined (reading 'usage')")
                if truthy(get(consolidated, "usage")):
                    usage = _counts(consolidated["usage"])
                else:
                    usage = {"totalTokens": -1, "completionTokens": -1, "promptTokens": -1, "heliconeCalculated": True,
                             "heliconeError": "No usage data found in Groq stream response"}
        return ParseOutput({**_spread(consolidated), "streamed_data": data}, usage)
    except (TypeError, AttributeError, KeyError, IndexError):
        return ParseOutput({"streamed_data": data})


def parse_together_stream(response_body: str) -> ParseOutput:
    """``TogetherAIStreamProcessor.parse``: the last line is dropped, usage from the first
    element whose ``usage`` is not null."""
    if is_json(response_body):
        return ParseOutput(parse_json(response_body))
    lines = [line for line in response_body.split("\n")
             if "OPENROUTER PROCESSING" not in line and line != "" and line not in _TOGETHER_NON_DATA_LINES]
    data = [{} if i == len(lines) - 1 else _parse_line(line) for i, line in enumerate(lines)]
    try:
        usage = _together_usage(data)
        consolidated = consolidate_text_fields(data)
        return ParseOutput({**_spread(consolidated), "streamed_data": data}, {
            "totalTokens": usage["total_tokens"], "completionTokens": usage["completion_tokens"],
            "promptTokens": usage["prompt_tokens"], "heliconeCalculated": usage["helicone_calculated"]})
    except (TypeError, AttributeError, KeyError, IndexError):
        return ParseOutput({"streamed_data": data})


def _together_usage(data: list[Any]) -> dict[str, Any]:
    try:
        if any(item is None for item in data):
            raise TypeError("Cannot read properties of null (reading 'usage')")
        remaining = [item for item in data if get(item, "usage") is not None]
        if not remaining or not truthy(get(remaining[0], "usage")):
            raise ValueError("No valid usage data found")
        usage = remaining[0]["usage"]
        return {"total_tokens": get(usage, "total_tokens"), "completion_tokens": get(usage, "completion_tokens"),
                "prompt_tokens": get(usage, "prompt_tokens"), "helicone_calculated": True}
    except (TypeError, ValueError):
        return {"total_tokens": -1, "completion_tokens": -1, "prompt_tokens": -1, "helicone_calculated": False}
