"""``POST /v1/trace/custom/log``: jawn's ``CustomTraceManager.consumeLog``
(managers/customTraceManager.ts), one AsyncLogModel body → one queue message.

What Helicone keeps: the provider's own request and response bodies (the response as
``textBody`` when given, else its ``json``), the status from the body, ``timing``, and the
Helicone headers from ``providerRequest.meta`` overridden by the HTTP request's own headers.
What it drops: ``providerRequest.url`` (target_url is always ""), ``providerResponse.headers``
and ``providerResponse.cost`` (Helicone prices the request itself).
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from .dates import custom_log_time, now_ms
from .helicone_headers import Headers, HeliconeHeaders, merge
from .js import UNDEFINED, get, is_nullish, nullish, prop, to_string, truthy
from .message import LogMessage


def stringify(value: Any) -> str | None:
    """``JSON.stringify`` (None for undefined)."""
    if value is UNDEFINED:
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def consume_log(body: Any, request_headers: Mapping[str, str]) -> LogMessage:
    """The queue message for one custom log; TypeError/ValueError where jawn throws (the
    controller then answers 500 and nothing is stored)."""
    provider_request = prop(body, "providerRequest")
    meta = prop(provider_request, "meta")
    wrapper = Headers()
    for name, value in request_headers.items():
        wrapper.set(name, value)
    helicone = HeliconeHeaders(merge(Headers(None if meta is UNDEFINED else _meta(meta)), wrapper))
    request_text = stringify(get(provider_request, "json"))
    provider_response = prop(body, "providerResponse")
    text_body = prop(provider_response, "textBody")
    if truthy(text_body):
        response_text = text_body if isinstance(text_body, str) else to_string(text_body)
    else:
        response_text = stringify(get(provider_response, "json"))
    timing = get(body, "timing")
    start = custom_log_time(prop(timing, "startTime")) if truthy(timing) else now_ms()
    end = custom_log_time(prop(timing, "endTime")) if truthy(timing) else now_ms()
    if request_text is None or response_text is None:
        # `requestBodyString.length` / `responseBodyString.length` on undefined (:166-176)
        raise TypeError("Cannot read properties of undefined (reading 'length')")
    ttft = get(timing, "timeToFirstToken") if truthy(timing) else UNDEFINED
    return LogMessage(
        request_id=helicone.request_id,
        provider=nullish(get(body, "provider"), "OPENAI"),  # as sent: "openai" is not "OPENAI"
        user_id=nullish(helicone.user_id, ""),
        properties=helicone.properties,
        request_created_ms=start,
        response_created_ms=end,
        delay_ms=end - start,
        status=get(provider_response, "status"),
        time_to_first_token=UNDEFINED if is_nullish(ttft) else ttft,
        raw_request_body=request_text,
        raw_response_body=response_text,
        model_override=nullish(helicone.model_override, ""),
        omit_request=helicone.omit_request,
        omit_response=helicone.omit_response,
        source="custom_log",
    )


def _meta(meta: Any) -> Any:
    if meta is None or not isinstance(meta, (dict, list)):
        raise TypeError("Headers constructor: meta is not an object")
    return meta
