"""Cohere on the export thread: the recorded method arguments as the API's JSON, and the body
Helicone reads.

What Helicone stores (checked with the helicone-oracle at 67df07b8d): provider COHERE goes to
its generic body processor, which reads ``usage.input_tokens``/``output_tokens`` at the top of
``usage``; Cohere reports them one level down (``usage.billed_units``, embed's
``meta.billed_units``), so the billed counts are added under those names (Cohere's own stay).
A stream is a stream to Helicone only if its request says so, and no stream processor of
Helicone's reads Cohere's events: streams go folded into the chat response they add up to.
"""

from __future__ import annotations

from typing import Any

from ...export.extract import to_dict
from ...providers import helicone_provider
from . import _chat

# SDK-only keyword arguments, never part of the request body.
_NOT_BODY = frozenset({"request_options"})


def _json(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    return to_dict(value)


def read_request(client: Any, path: str, kwargs: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(the method's keyword arguments as the request JSON, the request URL)."""
    request = {key: _json(value) for key, value in kwargs.items() if key not in _NOT_BODY and value is not Ellipsis}
    return request, str(client._client_wrapper.get_base_url()).rstrip("/") + path


def read_json(recorded: Any) -> Any:
    """A raw client's ``HttpResponse`` (its parsed ``data``) or a stream event, as JSON."""
    if type(recorded).__name__ in ("HttpResponse", "AsyncHttpResponse"):
        recorded = recorded.data
    return to_dict(recorded)


def _with_usage(response: dict[str, Any], input_tokens: int | None, output_tokens: int | None) -> dict[str, Any]:
    usage = response.get("usage")
    usage = dict(usage) if isinstance(usage, dict) else {}
    if input_tokens is not None:
        usage["input_tokens"] = input_tokens
    if output_tokens is not None:
        usage["output_tokens"] = output_tokens
    return {**response, "usage": usage} if usage else response


def chat_body(record: Any) -> dict[str, Any]:
    """The custom-log parts of a chat / chat_stream call."""
    response = record.response if record.chunks is None else _chat.fold(record.chunks)
    if response is not None and "usage" in response:
        response = _with_usage(response, *_chat.usage_counts(response["usage"]))
    return {"provider": helicone_provider("cohere"), "response": response or {}}


def embed_body(record: Any) -> dict[str, Any]:
    """The custom-log parts of an embed call: billed input tokens as ``usage.input_tokens``."""
    response = record.response or {}
    billed = response.get("meta", {}).get("billed_units", {}) if isinstance(response.get("meta"), dict) else {}
    tokens = _chat.count(billed.get("input_tokens")) if isinstance(billed, dict) else None
    if tokens is not None:
        response = _with_usage(response, tokens, 0)
    return {"provider": helicone_provider("cohere"), "response": response}


def rerank_body(record: Any) -> dict[str, Any]:
    """The custom-log parts of a rerank call (billed in search units, which Helicone does not read)."""
    return {"provider": helicone_provider("cohere")}
