"""Custom-log cases (``POST /v1/trace/custom/log``), as the exporter sends them."""

from __future__ import annotations

import json

from fixture_cases import (
    ANTHROPIC_MESSAGES,
    CUSTOM_LOG,
    JSON_HEADERS,
    MESSAGES,
    OPENAI_CHAT,
    SESSION,
    T0,
    case,
    chat_completion,
    custom_log,
    named_sse,
    openai_usage,
    request_id,
    sse,
)

# --- OpenAI -----------------------------------------------------------------------------------


@case("gpt-4o-mini snapshot with cached prompt and reasoning tokens, session, user, property")
def openai_chat_cached_reasoning():
    usage = openai_usage(1200, 80, cached=1024, reasoning=16)
    return [custom_log(1, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES, "max_tokens": 256},
                       chat_completion("gpt-4o-mini-2024-07-18", usage),
                       meta={**SESSION, "Helicone-Property-Environment": "test"})]


@case("o4-mini snapshot: reasoning tokens, no cache")
def openai_chat_o4_mini():
    return [custom_log(2, "OPENAI", OPENAI_CHAT, {"model": "o4-mini", "messages": MESSAGES, "reasoning_effort": "low"},
                       chat_completion("o4-mini-2025-04-16", openai_usage(40, 300, reasoning=256)))]


@case("gpt-4.1 snapshot with cached prompt tokens")
def openai_chat_gpt41():
    return [custom_log(3, "OPENAI", OPENAI_CHAT, {"model": "gpt-4.1", "messages": MESSAGES},
                       chat_completion("gpt-4.1-2025-04-14", openai_usage(2000, 50, cached=1536)))]


@case("response model without a date (gpt-4o-mini): Helicone's model registry prices it, reasoning included")
def openai_chat_registry_model():
    return [custom_log(4, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES},
                       chat_completion("gpt-4o-mini", openai_usage(1200, 80, cached=1024, reasoning=16)))]


def _chat_chunks(model: str, with_usage: bool) -> list[dict]:
    base = {"id": "chatcmpl-Str1", "object": "chat.completion.chunk", "created": T0, "model": model,
            "service_tier": "default", "system_fingerprint": "fp_560af6e559"}
    extra = {"usage": None} if with_usage else {}
    chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "", "refusal": None}, "logprobs": None, "finish_reason": None}], **extra}]
    for piece in ("Hel", "lo", "!"):
        chunks.append({**base, "choices": [{"index": 0, "delta": {"content": piece}, "logprobs": None, "finish_reason": None}], **extra})
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}], **extra})
    if with_usage:
        chunks.append({**base, "choices": [], "usage": openai_usage(30, 3, cached=0)})
    return chunks


@case("chat stream with stream_options.include_usage: SSE textBody, final usage chunk, time to first token")
def openai_chat_stream_usage():
    request = {"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True, "stream_options": {"include_usage": True}}
    return [custom_log(5, "OPENAI", OPENAI_CHAT, request, {}, text_body=sse(_chat_chunks("gpt-4o-mini-2024-07-18", True)),
                       ttft_ms=180, meta=SESSION)]


@case("chat stream without usage chunk")
def openai_chat_stream_no_usage():
    request = {"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True}
    return [custom_log(6, "OPENAI", OPENAI_CHAT, request, {}, text_body=sse(_chat_chunks("gpt-4o-mini-2024-07-18", False)), ttft_ms=95)]


@case("OpenAI 429 with the provider's error JSON")
def openai_error_429():
    error = {"error": {"message": "Rate limit reached for gpt-4o-mini in organization org-x on tokens per min (TPM).",
                       "type": "tokens", "param": None, "code": "rate_limit_exceeded"}}
    return [custom_log(7, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES}, error, status=429)]


@case("OpenAI 500 with the provider's error JSON")
def openai_error_500():
    error = {"error": {"message": "The server had an error while processing your request. Sorry about that!",
                       "type": "server_error", "param": None, "code": None}}
    return [custom_log(8, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES}, error, status=500)]


@case("embeddings (text-embedding-3-small): prompt tokens only")
def openai_embeddings():
    response = {"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": "AACAPwAAAEA="}],
                "model": "text-embedding-3-small", "usage": {"prompt_tokens": 8, "total_tokens": 8}}
    request = {"model": "text-embedding-3-small", "input": "The food was delicious", "encoding_format": "base64"}
    return [custom_log(9, "OPENAI", "https://api.openai.com/v1/embeddings", request, response)]


def _response_object(status: str, usage: dict | None) -> dict:
    output = [] if status != "completed" else [
        {"id": "msg_67ccd3a9", "type": "message", "status": "completed", "role": "assistant",
         "content": [{"type": "output_text", "text": "Hello!", "annotations": []}]}]
    return {"id": "resp_67ccd2bed1ec8190", "object": "response", "created_at": T0, "status": status, "error": None,
            "instructions": "Be brief.", "max_output_tokens": None, "model": "gpt-4.1-mini-2025-04-14", "output": output,
            "parallel_tool_calls": True, "previous_response_id": None, "reasoning": {"effort": None, "summary": None},
            "store": True, "temperature": 1.0, "text": {"format": {"type": "text"}}, "tool_choice": "auto", "tools": [],
            "top_p": 1.0, "truncation": "disabled", "usage": usage, "user": None, "metadata": {}}


RESPONSES_USAGE = {"input_tokens": 1500, "input_tokens_details": {"cached_tokens": 1024}, "output_tokens": 40,
                   "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 1540}


@case("Responses API, non-stream, with cached input tokens")
def openai_responses():
    request = {"model": "gpt-4.1-mini", "input": "Say hello", "instructions": "Be brief."}
    return [custom_log(10, "OPENAI", "https://api.openai.com/v1/responses", request, _response_object("completed", RESPONSES_USAGE))]


@case("Responses API, SSE stream with event: lines")
def openai_responses_stream():
    created = _response_object("in_progress", None)
    item = {"id": "msg_67ccd3a9", "type": "message", "status": "in_progress", "role": "assistant", "content": []}
    part = {"type": "output_text", "text": "", "annotations": []}
    done_item = _response_object("completed", RESPONSES_USAGE)["output"][0]
    events = [
        ("response.created", {"type": "response.created", "sequence_number": 0, "response": created}),
        ("response.in_progress", {"type": "response.in_progress", "sequence_number": 1, "response": created}),
        ("response.output_item.added", {"type": "response.output_item.added", "sequence_number": 2, "output_index": 0, "item": item}),
        ("response.content_part.added", {"type": "response.content_part.added", "sequence_number": 3, "item_id": "msg_67ccd3a9", "output_index": 0, "content_index": 0, "part": part}),
        ("response.output_text.delta", {"type": "response.output_text.delta", "sequence_number": 4, "item_id": "msg_67ccd3a9", "output_index": 0, "content_index": 0, "delta": "Hel"}),
        ("response.output_text.delta", {"type": "response.output_text.delta", "sequence_number": 5, "item_id": "msg_67ccd3a9", "output_index": 0, "content_index": 0, "delta": "lo!"}),
        ("response.output_text.done", {"type": "response.output_text.done", "sequence_number": 6, "item_id": "msg_67ccd3a9", "output_index": 0, "content_index": 0, "text": "Hello!"}),
        ("response.content_part.done", {"type": "response.content_part.done", "sequence_number": 7, "item_id": "msg_67ccd3a9", "output_index": 0, "content_index": 0, "part": {**part, "text": "Hello!"}}),
        ("response.output_item.done", {"type": "response.output_item.done", "sequence_number": 8, "output_index": 0, "item": done_item}),
        ("response.completed", {"type": "response.completed", "sequence_number": 9, "response": _response_object("completed", RESPONSES_USAGE)}),
    ]
    request = {"model": "gpt-4.1-mini", "input": "Say hello", "instructions": "Be brief.", "stream": True}
    return [custom_log(11, "OPENAI", "https://api.openai.com/v1/responses", request, {}, text_body=named_sse(events), ttft_ms=240)]


@case("legacy completions (gpt-3.5-turbo-instruct)")
def openai_completions_legacy():
    response = {"id": "cmpl-9", "object": "text_completion", "created": T0, "model": "gpt-3.5-turbo-instruct:20230824-v2",
                "choices": [{"text": "\n\nHello!", "index": 0, "logprobs": None, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}}
    request = {"model": "gpt-3.5-turbo-instruct", "prompt": "Say hello", "max_tokens": 16}
    return [custom_log(12, "OPENAI", "https://api.openai.com/v1/completions", request, response)]


@case("Azure OpenAI: deployment name in the request, snapshot in the response")
def azure_chat():
    response = chat_completion("gpt-4o-2024-11-20", openai_usage(900, 60, cached=0))
    response["prompt_filter_results"] = [{"prompt_index": 0, "content_filter_results": {}}]
    url = "https://contoso.openai.azure.com/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21"
    return [custom_log(13, "AZURE", url, {"model": "prod-gpt4o", "messages": MESSAGES}, response)]


@case("Groq chat completion with Groq's timing fields")
def groq_chat():
    response = chat_completion("llama-3.3-70b-versatile", {"queue_time": 0.021, "prompt_tokens": 52, "prompt_time": 0.004,
                                                            "completion_tokens": 14, "completion_time": 0.05, "total_tokens": 66, "total_time": 0.054})
    response["x_groq"] = {"id": "req_01jx"}
    return [custom_log(14, "GROQ", "https://api.groq.com/openai/v1/chat/completions",
                       {"model": "llama-3.3-70b-versatile", "messages": MESSAGES}, response)]


@case("Groq stream: usage in x_groq on the last chunk")
def groq_chat_stream():
    chunks = _chat_chunks("llama-3.1-8b-instant", False)
    for chunk in chunks:
        chunk.pop("service_tier", None)
        chunk["x_groq"] = {"id": "req_01jy"}
    chunks[-1]["x_groq"]["usage"] = {"queue_time": 0.01, "prompt_tokens": 40, "prompt_time": 0.002, "completion_tokens": 3,
                                     "completion_time": 0.004, "total_tokens": 43, "total_time": 0.006}
    request = {"model": "llama-3.1-8b-instant", "messages": MESSAGES, "stream": True}
    return [custom_log(15, "GROQ", "https://api.groq.com/openai/v1/chat/completions", request, {},
                       text_body=sse(chunks), ttft_ms=60)]


# --- Anthropic --------------------------------------------------------------------------------


def anthropic_message(model: str | None, usage: dict, content: list | None = None) -> dict:
    message = {"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant"}
    if model is not None:
        message["model"] = model
    message.update({"content": [{"type": "text", "text": "Hello!"}] if content is None else content, "stop_reason": "end_turn",
                    "stop_sequence": None, "usage": usage})
    return message


CACHED_SYSTEM = [{"type": "text", "text": "You are a travel planner.", "cache_control": {"type": "ephemeral"}}]


@case("claude-haiku-4-5 with cache read and 5m + 1h cache writes (cache_creation breakdown)")
def anthropic_haiku_cache():
    usage = {"input_tokens": 12, "cache_creation_input_tokens": 2048, "cache_read_input_tokens": 4096,
             "cache_creation": {"ephemeral_5m_input_tokens": 1024, "ephemeral_1h_input_tokens": 1024},
             "output_tokens": 25, "service_tier": "standard"}
    request = {"model": "claude-haiku-4-5", "max_tokens": 1024, "system": CACHED_SYSTEM, "messages": MESSAGES[1:]}
    return [custom_log(16, "ANTHROPIC", ANTHROPIC_MESSAGES, request, anthropic_message("claude-haiku-4-5-20251001", usage), meta=SESSION)]


@case("claude-sonnet-4-5 with a cache write reported without the cache_creation breakdown")
def anthropic_sonnet_cache_write():
    usage = {"input_tokens": 30, "cache_creation_input_tokens": 3000, "cache_read_input_tokens": 0, "output_tokens": 120}
    request = {"model": "claude-sonnet-4-5", "max_tokens": 1024, "system": CACHED_SYSTEM, "messages": MESSAGES[1:]}
    return [custom_log(17, "ANTHROPIC", ANTHROPIC_MESSAGES, request, anthropic_message("claude-sonnet-4-5-20250929", usage))]


@case("claude-sonnet-4-5 with cache read and cache write, no breakdown")
def anthropic_sonnet_cache_read_write():
    usage = {"input_tokens": 30, "cache_creation_input_tokens": 500, "cache_read_input_tokens": 2500, "output_tokens": 120}
    request = {"model": "claude-sonnet-4-5", "max_tokens": 1024, "system": CACHED_SYSTEM, "messages": MESSAGES[1:]}
    return [custom_log(18, "ANTHROPIC", ANTHROPIC_MESSAGES, request, anthropic_message("claude-sonnet-4-5-20250929", usage))]


@case("Anthropic SSE stream with a text block and a tool_use block (input_json_delta)")
def anthropic_stream():
    start = anthropic_message("claude-sonnet-4-5-20250929", {"input_tokens": 20, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 1500,
                                                              "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
                                                              "output_tokens": 1, "service_tier": "standard"}, content=[])
    start.update({"stop_reason": None})
    events = [
        ("message_start", {"type": "message_start", "message": start}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ("ping", {"type": "ping"}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Checking "}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "the weather."}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("content_block_start", {"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": "toolu_01", "name": "weather", "input": {}}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "{\"city\": "}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "\"Paris\"}"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 1}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None},
                           "usage": {"input_tokens": 20, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 1500, "output_tokens": 42}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    request = {"model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": MESSAGES[1:], "stream": True,
               "tools": [{"name": "weather", "description": "Weather by city", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]}
    return [custom_log(19, "ANTHROPIC", ANTHROPIC_MESSAGES, request, {}, text_body=named_sse(events), ttft_ms=320, meta=SESSION)]


@case("Anthropic 529 overloaded with the provider's error JSON")
def anthropic_error():
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}
    request = {"model": "claude-haiku-4-5", "max_tokens": 256, "messages": MESSAGES[1:]}
    return [custom_log(20, "ANTHROPIC", ANTHROPIC_MESSAGES, request, error, status=529)]


BEDROCK_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0"
BEDROCK_URL = f"https://bedrock-runtime.us-east-1.amazonaws.com/model/{BEDROCK_ID}/invoke"


@case("Claude on Bedrock: the Bedrock model id is the only model (provider ANTHROPIC)")
def anthropic_bedrock_id():
    request = {"model": BEDROCK_ID, "anthropic_version": "bedrock-2023-05-31", "max_tokens": 256, "messages": MESSAGES[1:]}
    usage = {"input_tokens": 15, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 30}
    return [custom_log(21, "ANTHROPIC", BEDROCK_URL, request, anthropic_message(BEDROCK_ID, usage))]


@case("Claude on Bedrock with Helicone-Model-Override naming the Anthropic model")
def anthropic_bedrock_override():
    request = {"model": BEDROCK_ID, "anthropic_version": "bedrock-2023-05-31", "max_tokens": 256, "messages": MESSAGES[1:]}
    usage = {"input_tokens": 15, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 30}
    return [custom_log(22, "ANTHROPIC", BEDROCK_URL, request, anthropic_message(BEDROCK_ID, usage),
                       meta={"Helicone-Model-Override": "claude-3-5-sonnet-20240620"})]


@case("Claude on Vertex AI: the Vertex model id (provider ANTHROPIC)")
def anthropic_vertex_id():
    model = "claude-sonnet-4-5@20250929"
    url = f"https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/anthropic/models/{model}:rawPredict"
    request = {"model": model, "anthropic_version": "vertex-2023-10-16", "max_tokens": 256, "messages": MESSAGES[1:]}
    usage = {"input_tokens": 15, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 30}
    return [custom_log(23, "ANTHROPIC", url, request, anthropic_message(model, usage))]


# --- steps, attribution, identity ---------------------------------------------------------------


@case("tool step: model tool:<name>")
def tool_step():
    return [custom_log(24, None, "custom-model-nopath", {"_type": "tool", "toolName": "weather", "input": {"city": "Paris"}},
                       {"_type": "tool", "toolName": "weather", "output": {"temp_c": 18}}, meta=SESSION)]


@case("vector_db step: model vector_db")
def vector_db_step():
    return [custom_log(25, "CUSTOM", "custom-model-nopath", {"_type": "vector_db", "toolName": "pinecone", "input": {"query": "paris hotels", "top_k": 3}},
                       {"_type": "vector_db", "toolName": "pinecone", "output": [{"id": "h1", "score": 0.91}]}, meta=SESSION)]


@case("property names in mixed case, in meta and as HTTP headers (headers win), odd values")
def properties_mixed_case():
    meta = {"Helicone-Property-AppName": "demo", "Helicone-Property-user_tier": "gold", "helicone-property-ENV": "prod",
            "HELICONE-SESSION-ID": "s-upper", "helicone-session-path": "/a", "Helicone-Property-": "no name",
            "Helicone-Property-Padded": "  spaced  ", "Helicone-Property-Count": 3, "Helicone-User-Id": "u-meta"}
    headers = {"Helicone-Property-AppName": "from-header", "Helicone-Property-Source": "header"}
    return [custom_log(26, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES},
                       chat_completion("gpt-4o-mini-2024-07-18", openai_usage(10, 2)), meta=meta, headers=headers)]


@case("a property name that is not a valid HTTP header name (space)")
def properties_invalid_name():
    return [custom_log(27, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES},
                       chat_completion("gpt-4o-mini-2024-07-18", openai_usage(10, 2)), meta={"Helicone-Property-My Prop": "x"})]


@case("a property value outside Latin-1")
def properties_unicode_value():
    return [custom_log(28, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES},
                       chat_completion("gpt-4o-mini-2024-07-18", openai_usage(10, 2)), meta={"Helicone-Property-City": "東京"})]


@case("the same Helicone-Request-Id twice: the second log replaces the first")
def same_request_id_twice():
    first = custom_log(29, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES},
                       chat_completion("gpt-4o-mini-2024-07-18", openai_usage(10, 2)), meta={"Helicone-Property-Attempt": "1"})
    second = custom_log(29, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES},
                        chat_completion("gpt-4o-mini-2024-07-18", openai_usage(20, 4)), meta={"Helicone-Property-Attempt": "2"})
    return [first, second]


@case("a Helicone-Request-Id that is not a UUID: Helicone assigns a random one")
def request_id_not_uuid():
    log = custom_log(30, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES},
                     chat_completion("gpt-4o-mini-2024-07-18", openai_usage(10, 2)))
    log["json"]["providerRequest"]["meta"]["Helicone-Request-Id"] = "req-not-a-uuid"
    return [log]


@case("provider spelled in lower case, and no provider at all (defaults to OPENAI)")
def provider_spelling():
    lower = custom_log(31, "openai", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES},
                       chat_completion("gpt-4o-mini-2024-07-18", openai_usage(10, 2)))
    missing = custom_log(32, None, OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES},
                         chat_completion("gpt-4o-mini-2024-07-18", openai_usage(10, 2)))
    return [lower, missing]


@case("timing as ISO text and epoch-millisecond text; the legacy /custom/v1/log route")
def timing_strings_legacy_route():
    log = custom_log(33, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES},
                     chat_completion("gpt-4o-mini-2024-07-18", openai_usage(10, 2)), path="/v1/trace/custom/v1/log")
    log["json"]["timing"] = {"startTime": "2025-10-09T08:53:20.100Z", "endTime": str((T0 + 2) * 1000 + 5), "timeToFirstToken": 40}
    return [log]


@case("no timing: Helicone uses the time it received the log")
def no_timing():
    log = custom_log(34, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES},
                     chat_completion("gpt-4o-mini-2024-07-18", openai_usage(10, 2)))
    del log["json"]["timing"]
    return [log]


@case("malformed custom logs: no providerRequest (500), invalid JSON (500), text/plain (500)")
def custom_log_malformed():
    return [
        {"path": CUSTOM_LOG, "headers": JSON_HEADERS, "json": {"providerResponse": {"json": {}, "status": 200, "headers": {}}}},
        {"path": CUSTOM_LOG, "headers": JSON_HEADERS, "body": '{"providerRequest": '},
        {"path": CUSTOM_LOG, "headers": {**JSON_HEADERS, "Content-Type": "text/plain"}, "body": "hello"},
    ]


_ = request_id


# --- more shapes: what each body processor makes of them ----------------------------------------


@case("Anthropic stream with server web search: message_delta's final input count is ignored (only output_tokens is taken)")
def anthropic_stream_web_search():
    start = anthropic_message("claude-sonnet-4-5-20250929", {"input_tokens": 10, "cache_creation_input_tokens": 0,
                                                              "cache_read_input_tokens": 0, "output_tokens": 1}, content=[])
    start["stop_reason"] = None
    events = [
        ("message_start", {"type": "message_start", "message": start}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "It is sunny."}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                           "usage": {"input_tokens": 2510, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                                     "output_tokens": 60, "server_tool_use": {"web_search_requests": 1}}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    request = {"model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": MESSAGES[1:], "stream": True,
               "tools": [{"type": "web_search_20250305", "name": "web_search", "max_uses": 1}]}
    return [custom_log(40, "ANTHROPIC", ANTHROPIC_MESSAGES, request, {}, text_body=named_sse(events), ttft_ms=900)]


@case("Anthropic response whose whole prompt came from the cache (input_tokens 0)")
def anthropic_fully_cached():
    usage = {"input_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 5000, "output_tokens": 20,
             "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}}
    request = {"model": "claude-haiku-4-5", "max_tokens": 256, "system": CACHED_SYSTEM, "messages": MESSAGES[1:]}
    return [custom_log(41, "ANTHROPIC", ANTHROPIC_MESSAGES, request, anthropic_message("claude-haiku-4-5-20251001", usage))]


@case("provider errors whose body is not JSON: an HTML 502 page and a plain-text 503")
def error_text_bodies():
    html = custom_log(42, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES}, {},
                      text_body="<html><head><title>502 Bad Gateway</title></head><body>bad gateway</body></html>", status=502)
    text = custom_log(43, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES}, {},
                      text_body="upstream connect error or disconnect/reset before headers", status=503)
    return [html, text]


@case("Gemini through its OpenAI-compatible endpoint, sent as provider GOOGLE")
def google_openai_compat():
    response = chat_completion("gemini-2.5-flash", openai_usage(120, 30))
    url = "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions"
    return [custom_log(44, "GOOGLE", url, {"model": "gemini-2.5-flash", "messages": MESSAGES}, response)]


@case("xAI grok: prompt_tokens_details.text_tokens, cached and reasoning tokens")
def xai_chat():
    usage = {"prompt_tokens": 900, "completion_tokens": 40, "total_tokens": 1240,
             "prompt_tokens_details": {"text_tokens": 900, "audio_tokens": 0, "image_tokens": 0, "cached_tokens": 640},
             "completion_tokens_details": {"reasoning_tokens": 300, "audio_tokens": 0, "accepted_prediction_tokens": 0,
                                           "rejected_prediction_tokens": 0}, "num_sources_used": 0}
    return [custom_log(45, "X", "https://api.x.ai/v1/chat/completions", {"model": "grok-4", "messages": MESSAGES},
                       chat_completion("grok-4-0709", usage))]


@case("Together stream: the last SSE line is dropped, usage from the first chunk whose usage is not null")
def together_stream():
    base = {"id": "oJ3cf", "object": "chat.completion.chunk", "created": T0, "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo"}
    chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": piece}, "finish_reason": None}], "usage": None}
              for piece in ("Hel", "lo!")]
    chunks.append({**base, "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": 35, "completion_tokens": 3, "total_tokens": 38}})
    request = {"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "messages": MESSAGES, "stream": True}
    return [custom_log(46, "TOGETHER", "https://api.together.xyz/v1/chat/completions", request, {}, text_body=sse(chunks), ttft_ms=70)]


@case("chat stream with parallel tool calls split over chunks")
def openai_chat_stream_tool_calls():
    base = {"id": "chatcmpl-Tool1", "object": "chat.completion.chunk", "created": T0, "model": "gpt-4.1-2025-04-14",
            "system_fingerprint": "fp_b3f1157249"}

    def chunk(delta, finish=None, usage=None):
        return {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}], "usage": usage}

    chunks = [
        chunk({"role": "assistant", "content": None, "tool_calls": [{"index": 0, "id": "call_a", "type": "function",
                                                                      "function": {"name": "weather", "arguments": ""}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": "{\"city\":"}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": "\"Paris\"}"}}]}),
        chunk({"tool_calls": [{"index": 1, "id": "call_b", "type": "function", "function": {"name": "time", "arguments": "{}"}}]}),
        chunk({}, finish="tool_calls"),
        {**base, "choices": [], "usage": openai_usage(80, 40, cached=0)},
    ]
    request = {"model": "gpt-4.1", "messages": MESSAGES, "stream": True, "stream_options": {"include_usage": True},
               "tools": [{"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}]}
    return [custom_log(47, "OPENAI", OPENAI_CHAT, request, {}, text_body=sse(chunks), ttft_ms=150)]


@case("a cancelled stream (status -3): Helicone drops the last SSE line before parsing")
def openai_stream_cancelled():
    chunks = _chat_chunks("gpt-4o-mini-2024-07-18", True)
    request = {"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True, "stream_options": {"include_usage": True}}
    text = sse(chunks, done=False).rstrip("\n")  # cut off right after the usage chunk
    return [custom_log(48, "OPENAI", OPENAI_CHAT, request, {}, text_body=text, status=-3, ttft_ms=100)]


@case("Helicone-Omit-Request / Helicone-Omit-Response: bodies replaced by the model")
def omit_bodies():
    return [custom_log(49, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES},
                       chat_completion("gpt-4o-mini-2024-07-18", openai_usage(10, 2)),
                       meta={"Helicone-Omit-Request": "true", "Helicone-Omit-Response": "true"})]


@case("a stream logged as one folded JSON body instead of SSE text (request has stream: true)")
def openai_stream_sent_as_json():
    request = {"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True, "stream_options": {"include_usage": True}}
    return [custom_log(50, "OPENAI", OPENAI_CHAT, request, chat_completion("gpt-4o-mini-2024-07-18", openai_usage(30, 3)), ttft_ms=120)]


@case("odd payloads: meta as [name, value] pairs with a literal \\u0000 (stored); milliseconds as text (an Invalid Date: "
      "200, nothing stored); a body array, null meta, bad Helicone-Fallbacks, no response json (500)")
def custom_log_odd_shapes():
    pairs = custom_log(51, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini", "messages": MESSAGES},
                       chat_completion("gpt-4o-mini-2024-07-18", openai_usage(10, 2)))
    pairs["json"]["providerRequest"]["meta"] = [["Helicone-Request-Id", request_id(51)], ["Helicone-Property-Tag", "a\\u0000b"],
                                                ["Helicone-Property-Tag", "c"]]
    text_millis = custom_log(56, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini"}, chat_completion("gpt-4o-mini-2024-07-18", openai_usage(1, 1)))
    text_millis["json"]["timing"]["startTime"] = {"seconds": T0, "milliseconds": "250"}
    array = {"path": CUSTOM_LOG, "headers": JSON_HEADERS, "json": [1, 2]}
    null_meta = custom_log(52, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini"}, chat_completion("gpt-4o-mini-2024-07-18", openai_usage(1, 1)))
    null_meta["json"]["providerRequest"]["meta"] = None
    fallbacks = custom_log(53, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini"}, chat_completion("gpt-4o-mini-2024-07-18", openai_usage(1, 1)),
                           meta={"Helicone-Fallbacks": "not json"})
    no_json = custom_log(54, "OPENAI", OPENAI_CHAT, {"model": "gpt-4o-mini"}, None)
    del no_json["json"]["providerResponse"]["json"]
    return [pairs, text_millis, array, null_meta, fallbacks, no_json]


@case("Responses API body still in progress (background mode): Helicone calls it assistant polling")
def openai_responses_in_progress():
    request = {"model": "gpt-4.1-mini", "input": "Say hello", "background": True}
    return [custom_log(55, "OPENAI", "https://api.openai.com/v1/responses", request, _response_object("in_progress", None))]


# --- Claude elsewhere and native Gemini -------------------------------------------------------


@case("Claude on Bedrock sent as provider BEDROCK (cross-region id, cache read): generic body processor, Bedrock usage")
def claude_bedrock_provider():
    model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    usage = {"input_tokens": 40, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 1000, "output_tokens": 50}
    url = f"https://bedrock-runtime.us-east-1.amazonaws.com/model/{model}/invoke"
    request = {"model": model, "anthropic_version": "bedrock-2023-05-31", "max_tokens": 256, "messages": MESSAGES[1:]}
    return [custom_log(60, "BEDROCK", url, request, anthropic_message(model, usage))]


@case("Claude on Vertex AI sent as provider GOOGLE: Google body processor reads the Anthropic usage")
def claude_vertex_provider_google():
    model = "claude-3-7-sonnet@20250219"
    usage = {"input_tokens": 40, "cache_creation_input_tokens": 200, "cache_read_input_tokens": 1000, "output_tokens": 50}
    url = f"https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/anthropic/models/{model}:rawPredict"
    request = {"model": model, "anthropic_version": "vertex-2023-10-16", "max_tokens": 256, "messages": MESSAGES[1:]}
    return [custom_log(61, "GOOGLE", url, request, anthropic_message(model, usage))]


def _gemini_response(text: str, usage: dict | None) -> dict:
    body = {"candidates": [{"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP", "index": 0}],
            "modelVersion": "gemini-2.5-flash", "responseId": "ZmVyc3Q"}
    if usage is not None:
        body["usageMetadata"] = usage
    return body


GEMINI_USAGE = {"promptTokenCount": 1200, "candidatesTokenCount": 40, "totalTokenCount": 1540, "cachedContentTokenCount": 1024,
                "thoughtsTokenCount": 300, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 1200}],
                "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 1024}]}


@case("native Gemini generateContent (provider GOOGLE): usageMetadata with cached and thinking tokens")
def gemini_native():
    url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
    request = {"contents": [{"role": "user", "parts": [{"text": "Say hello"}]}]}
    return [custom_log(62, "GOOGLE", url, request, _gemini_response("Hello!", GEMINI_USAGE))]


@case("native Gemini streamGenerateContent SSE (provider GOOGLE)")
def gemini_native_stream():
    url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    partial = {"promptTokenCount": 1200, "totalTokenCount": 1200, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 1200}]}
    chunks = [_gemini_response("Hel", partial), _gemini_response("lo!", GEMINI_USAGE)]
    text = "".join(f"data: {json.dumps(c, separators=(',', ':'))}\r\n\r\n" for c in chunks)
    request = {"model": "gemini-2.5-flash", "contents": [{"role": "user", "parts": [{"text": "Say hello"}]}], "stream": True}
    return [custom_log(63, "GOOGLE", url, request, {}, text_body=text, ttft_ms=200)]
