"""Where google-genai calls are recorded, and how the export thread reads them back.

Every Gemini API and Vertex AI call of the SDK (``models.generate_content`` and its stream,
``chats``, ``embed_content``, sync and async, with automatic function calling making one call per
round trip) goes through ``BaseApiClient.request`` / ``request_streamed`` / ``async_request`` /
``async_request_streamed`` with ``(http_method, path, request_dict, http_options)``: the path
names the model and the method (``models/gemini-2.5-flash:generateContent``), the dict is the
wire body. We keep references to both, and to the ``SdkHttpResponse`` (or stream of them) whose
``body`` is the response JSON text (the parsed JSON in SDKs before ``SdkHttpResponse``); the
export thread parses it.
"""

from __future__ import annotations

import json
import re
from types import AsyncGeneratorType, GeneratorType
from typing import Any, Mapping, Optional

from ...capture.call import Endpoint
from ...providers import provider_for

_MODEL_IN_PATH = re.compile(r"models/([^/:?]+)")
_STREAM_METHOD = "streamGenerateContent"


def _option(client: Any, name: str) -> Any:
    # ``HttpOptions`` model; a plain dict in the first google-genai releases.
    options = client._http_options
    return options.get(name) if isinstance(options, dict) else getattr(options, name, None)


def provider_of(client: Any) -> tuple[str, Optional[str], Optional[int]]:
    """(semconv provider, host, port) of a google-genai API client: Vertex AI or the Gemini API
    by the client's own switch, wherever its base URL points."""
    _, host, port = provider_for(str(_option(client, "base_url") or ""))
    return ("gcp.vertex_ai" if client.vertexai else "gcp.gemini"), host, port


def model_of(path: str) -> str:
    """``gemini-2.5-flash`` from ``models/gemini-2.5-flash:generateContent`` (Gemini API) or
    ``projects/p/locations/l/publishers/google/models/gemini-2.5-flash:…`` (Vertex AI); a
    tuned-model endpoint is named by its path."""
    found = _MODEL_IN_PATH.search(path)
    return found.group(1) if found else path.rpartition(":")[0]


def _url(client: Any, path: str) -> str:
    base = str(_option(client, "base_url") or "").rstrip("/")
    version = _option(client, "api_version")
    if client.vertexai and client.project and not path.startswith("projects/"):
        path = f"projects/{client.project}/locations/{client.location}/{path}"
    return f"{base}/{version}/{path}" if version else f"{base}/{path}"


def read_request(client: Any, path: str, body: Any) -> tuple[dict[str, Any], str]:
    """The request as Helicone reads it: the wire body plus the ``model`` and ``stream`` that
    Helicone's Gemini proxy takes from the URL. A custom log has no URL for it to read
    (``customTraceManager.ts``: path ``async-unknown-path``): without ``model`` the call is
    stored unpriced, without ``stream`` the SSE text is not parsed (``ResponseBodyHandler.ts``
    ``processBody``), both checked with the helicone-oracle."""
    request = {"model": model_of(path), **body}
    if f":{_STREAM_METHOD}" in path:
        request["stream"] = True
    return request, _url(client, path)


def read_json(response: Any) -> Any:
    """The JSON of an ``SdkHttpResponse`` (a reply, or one stream chunk); older SDKs (1.2x)
    hand back the parsed JSON itself."""
    body = getattr(response, "body", None)
    if isinstance(body, str):
        return json.loads(body) if body else {}
    return response if isinstance(response, dict) else None


def is_stream(result: Any) -> bool:
    """``request_streamed`` returns a generator, ``async_request_streamed`` an async one."""
    return type(result) in (GeneratorType, AsyncGeneratorType)


def _is_text_embedding(body: dict[str, Any]) -> bool:
    # Vertex ``:predict`` also serves Imagen and other models; text embeddings send ``content``.
    instances = body.get("instances")
    return isinstance(instances, list) and bool(instances) and isinstance(instances[0], dict) and "content" in instances[0]


def make_name_call(endpoints: Mapping[str, Endpoint]):
    """``name_call`` for :func:`~helicone_otel.capture.sdk_point.make_method_wrappers`: the
    endpoint by the path's method (``…:generateContent``), None for anything else."""

    def name_call(instance: Any, args: tuple, kwargs: dict) -> tuple[Endpoint, Any, str, Any] | None:
        http_method = args[0] if args else kwargs.get("http_method")
        path = args[1] if len(args) > 1 else kwargs.get("path")
        body = args[2] if len(args) > 2 else kwargs.get("request_dict")
        if http_method != "post" or type(path) is not str or type(body) is not dict:
            return None
        method = path.rpartition(":")[2].partition("?")[0]
        endpoint = endpoints.get(method)
        if endpoint is None or (method == "predict" and not _is_text_embedding(body)):
            return None
        return endpoint, instance, path, body

    return name_call



def helicone_body(record: Any) -> dict[str, Any]:
    """What Helicone should read instead of the reply: the same reply with
    ``cachedContentTokenCount: 0`` when the API left it out (it does when nothing was cached).
    Helicone's ``GoogleBodyProcessor`` counts prompt tokens only as ``promptTokenCount -
    cachedContentTokenCount`` and leaves them undefined without the second, so a model without
    a registry-v2 entry (gemini-2.0-flash) was billed no prompt (checked with the helicone-oracle)."""
    response = record.response
    if record.chunks is not None or not isinstance(response, dict):
        return {}
    usage = response.get("usageMetadata")
    if not isinstance(usage, dict) or "promptTokenCount" not in usage or "cachedContentTokenCount" in usage:
        return {}
    return {"response": {**response, "usageMetadata": {**usage, "cachedContentTokenCount": 0}}}
