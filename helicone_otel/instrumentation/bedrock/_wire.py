"""Bedrock on the export thread: the recorded boto3 objects as the API's JSON, and the body
Helicone reads for each call.

What Helicone stores (checked with the helicone-oracle, Helicone's own ingestion at 67df07b8d):
its non-stream body processors read Anthropic/OpenAI-named usage only (``usage.input_tokens``,
``prompt_token_count``), never Bedrock's camelCase ``inputTokens``, and a custom log is a stream
to Helicone only when its request says ``"stream": true`` (which a Bedrock body never does). So:

- Every call goes with the provider's own response (streams folded back into it) and its token
  counts added to ``usage`` under the Anthropic names Helicone reads (the camelCase ones stay);
  the model is named by ``Helicone-Model-Override`` (Bedrock bodies carry no model).
- Claude (Converse or InvokeModel) goes as provider ANTHROPIC: as AWS, Helicone stores the
  cache reads and writes but charges nothing for them; as ANTHROPIC it charges both, given the
  5-minute/1-hour split of cache writes (``usage.cache_creation``), which Bedrock does not
  report: writes count as 5-minute ones, as Helicone's own Bedrock usage processor counts them.
- Amazon Nova, Meta and Mistral go as provider AWS, whose rows price Nova (under the
  URL-encoded id, ``amazon.nova-micro-v1%3a0``; see export/helicone_models.py).
"""

from __future__ import annotations

import base64
import datetime
import json
from typing import Any
from urllib.parse import quote

from ...providers import helicone_provider
from . import _converse, _invoke

_INPUT_HEADER = "x-amzn-bedrock-input-token-count"
_OUTPUT_HEADER = "x-amzn-bedrock-output-token-count"


def jsonable(value: Any) -> Any:
    """boto3 values as the JSON the API exchanges (blobs are base64, timestamps ISO 8601)."""
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def _decode(body: Any) -> Any:
    if isinstance(body, (bytes, bytearray, str)):
        return json.loads(body)
    return None  # a file object: read by botocore, not by us


def _read_body(data: bytes) -> dict[str, Any]:
    # What the caller read: nothing (the body was dropped unread) or part of it gives no JSON,
    # and the usage headers still count the call.
    try:
        response = json.loads(data) if data else {}
    except ValueError:
        return {}
    return response if isinstance(response, dict) else {}


def read_request(client: Any, path: str, params: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(the call's parameters as JSON, with an InvokeModel ``body`` decoded; the request URL)."""
    request = {key: (_decode(value) if key == "body" else jsonable(value)) for key, value in params.items()}
    model_id = str(params.get("modelId") or "")
    url = f"{str(client.meta.endpoint_url).rstrip('/')}/model/{quote(model_id, safe='')}/{path}"
    return request, url


def read_json(recorded: Any) -> Any:
    """A recorded response dict or stream event as the API's JSON."""
    if not isinstance(recorded, dict):
        return None
    if "ResponseMetadata" not in recorded:  # a stream event
        chunk = recorded.get("chunk")
        if isinstance(chunk, dict) and "bytes" in chunk:
            return json.loads(chunk["bytes"])
        return jsonable(recorded)
    body_proxy = recorded.get("body")
    if hasattr(body_proxy, "body_read"):  # InvokeModel: the bytes the caller read
        response = _read_body(body_proxy.body_read())
        headers = recorded["ResponseMetadata"].get("HTTPHeaders") or {}
        if not _invoke.usage(response) and _INPUT_HEADER in headers:
            response[_invoke.METRICS] = {"inputTokenCount": int(headers[_INPUT_HEADER]),
                                         "outputTokenCount": int(headers.get(_OUTPUT_HEADER) or 0)}
        return response
    return {key: jsonable(value) for key, value in recorded.items() if key not in ("ResponseMetadata", "stream")}


def with_usage(response: dict[str, Any], counts: dict[str, int], claude: bool) -> dict[str, Any]:
    """``response`` with ``counts`` (Anthropic names) added to its ``usage``; for Claude, cache
    writes also as the 5-minute part of ``cache_creation`` when no split is there."""
    usage = dict(response.get("usage") or {}) if isinstance(response.get("usage"), dict) else {}
    usage.update(counts)
    writes = usage.get("cache_creation_input_tokens")
    if claude and isinstance(writes, int) and writes and not isinstance(usage.get("cache_creation"), dict):
        usage["cache_creation"] = {"ephemeral_5m_input_tokens": writes, "ephemeral_1h_input_tokens": 0}
    return {**response, "usage": usage} if usage else response


def converse_usage(response: dict[str, Any]) -> dict[str, int]:
    """Converse usage under the Anthropic names."""
    usage = response.get("usage")
    if not isinstance(usage, dict):
        return {}
    names = (("inputTokens", "input_tokens"), ("outputTokens", "output_tokens"),
             ("cacheReadInputTokens", "cache_read_input_tokens"), ("cacheWriteInputTokens", "cache_creation_input_tokens"))
    return {ours: usage[theirs] for theirs, ours in names if isinstance(usage.get(theirs), int)}


def _parts(provider: str, request: dict[str, Any], response: dict[str, Any] | None) -> dict[str, Any]:
    return {"provider": helicone_provider(provider), "request": request, "response": response or {}}


def converse_body(record: Any) -> dict[str, Any]:
    """The custom-log parts of a Converse / ConverseStream call."""
    request = record.request
    claude = _invoke.vendor_format(request.get("modelId")) == _invoke.ANTHROPIC
    response = record.response if record.chunks is None else _converse.fold(record.chunks)
    if response is not None and "error" not in response:
        response = with_usage(response, converse_usage(response), claude)
    body = {k: v for k, v in request.items() if k != "modelId"}
    return {**_parts("anthropic" if claude else "aws.bedrock", body, response), "model": request.get("modelId")}


def invoke_body(record: Any) -> dict[str, Any]:
    """The custom-log parts of an InvokeModel / InvokeModelWithResponseStream call."""
    request = record.request
    body = request.get("body")
    response = record.response if record.chunks is None else _invoke.fold(record.chunks)
    kind = _invoke.vendor_format(request.get("modelId"))
    if response is not None and "error" not in response:
        kind = kind or _invoke.response_format(response)
        response = with_usage(response, _invoke.usage(response), kind == _invoke.ANTHROPIC)
    provider = "anthropic" if kind == _invoke.ANTHROPIC else "aws.bedrock"
    return {**_parts(provider, body if isinstance(body, dict) else {}, response), "model": request.get("modelId")}
