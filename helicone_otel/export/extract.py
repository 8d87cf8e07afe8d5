"""Export thread: read a recorded :class:`Call` into plain dicts (the provider's own request,
response or stream chunks) and semconv attributes, through the endpoint's pure extractors."""

from __future__ import annotations

import json
import re
import weakref
from typing import Any, Callable, Mapping, NamedTuple

from .. import attributes as A
from ..capture.call import Call
from ..capture.request_point import base_url_key
from ..cost import PriceBook, span_cost
from ..guard import guard
from ..helicone_headers import context_from_headers, request_id_from_headers, request_id_of

# What Helicone accepts as a request id (shared/utils/getValidUUID.ts); anything else it replaces.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", re.I)


class CallRecord(NamedTuple):
    """One call as the export side sees it: everything the span and the Helicone body need."""

    name: str
    attributes: dict[str, Any]
    context: Mapping[str, str]  # helicone.* attributes at call time (defaults merged)
    provider: str  # semconv provider name
    url: str
    request: dict[str, Any]
    response: dict[str, Any] | None  # the provider's JSON (error JSON for failures)
    chunks: list[dict[str, Any]] | None  # stream chunks/events as JSON dicts
    status: int
    request_id: str
    # The Server-Sent Event text of each of ``chunks`` as the provider sent it (tapped events,
    # nothing masked; None: encode that chunk again): sent to Helicone as it came.
    chunk_texts: list[str | None] | None = None


def to_dict(obj: Any) -> Any:
    """An SDK model (or anything JSON-like) as the JSON the API sent: only the fields it set."""
    if obj is None or isinstance(obj, (dict, list, str, int, float, bool)):
        return obj
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        try:
            return dump(mode="json", by_alias=True, exclude_unset=True, warnings=False)
        except TypeError:  # pydantic v1-style signature
            return dump(by_alias=True, exclude_unset=True)
    as_dict = getattr(obj, "dict", None)
    return as_dict() if callable(as_dict) else None


def mask_strings(value: Any, mask: Callable[[str], str]) -> Any:
    """A copy of a JSON-like value with ``mask`` applied to every string in it."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {key: mask_strings(item, mask) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_strings(item, mask) for item in value]
    return value


_SENTINELS = frozenset({"NotGiven", "Omit"})


def sdk_json(value: Any) -> Any:
    """The request body as the SDK will send it: Stainless SDKs leave ``NotGiven``/``Omit``
    placeholders for parameters the user did not pass in ``json_data`` and drop them only
    when building the HTTP request."""
    # Only containers are walked: one call per leaf was half of this function's cost.
    if isinstance(value, dict):
        return {
            k: sdk_json(v) if isinstance(v, (dict, list)) else v
            for k, v in value.items() if type(v).__name__ not in _SENTINELS
        }
    if isinstance(value, list):
        return [sdk_json(v) if isinstance(v, (dict, list)) else v for v in value if type(v).__name__ not in _SENTINELS]
    return value


def event_chunks(events: list[str]) -> tuple[list[dict[str, Any]], list[str | None]]:
    """A stream's tapped events (``data``, or ``event`` newline ``data``) as the JSON objects
    they carry, and each one's Server-Sent Event text as the provider sent it (None where it
    must be encoded again). ``[DONE]``, keep-alives and non-objects are left out.

    An event whose JSON has no ``type`` gets its event name as ``type``, as the SDKs do."""
    names: list[str | None] = []
    texts: list[str] = []
    for event in events:
        if event[:1] == "{":
            names.append(None)
            texts.append(event)
        else:
            name, _, data = event.partition("\n")
            if data[:1] == "{":
                names.append(name)
                texts.append(data)
    try:  # one parse for the whole stream: ≈ 3× faster than one per event
        parsed = json.loads("[" + ",".join(texts) + "]")
    except ValueError:
        parsed = None
    if not isinstance(parsed, list) or len(parsed) != len(texts):  # an event holding "{…},{…}" must not shift the rest
        parsed = [_loads_or_none(text) for text in texts]
    chunks: list[dict[str, Any]] = []
    frames: list[str | None] = []
    for chunk, name, text in zip(parsed, names, texts):
        if not isinstance(chunk, dict):
            continue
        if name is not None and "type" not in chunk:
            chunk["type"] = name
            frames.append(None)
        elif "\n" in text:
            frames.append(None)
        else:
            frames.append(f"data: {text}" if name is None else f"event: {name}\ndata: {text}")
        chunks.append(chunk)
    return chunks, frames


def _loads_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _status_of(exc: BaseException) -> int:
    status = getattr(exc, "status_code", None)
    if not isinstance(status, int):
        status = getattr(exc, "code", None)  # google-genai ``APIError.code`` is the HTTP status
    if not isinstance(status, int):  # botocore's ClientError keeps the HTTP answer in ``response``
        status = _field(_field(getattr(exc, "response", None), "ResponseMetadata"), "HTTPStatusCode")
    # No HTTP answer (timeout, connection reset, our cancellation): Helicone's own manual
    # logger records such failures as 500 (HeliconeLogBuilder.set_error).
    return status if isinstance(status, int) and 100 <= status <= 599 else 500


def _error_body(exc: BaseException) -> dict[str, Any]:
    body = getattr(exc, "body", None)
    if not isinstance(body, dict):
        body = getattr(exc, "details", None)  # google-genai ``APIError.details``: the error JSON
    if isinstance(body, dict):
        # OpenAI-style SDKs keep only the inner error ({"message", "type", …}) in ``body``;
        # Helicone reads the provider's envelope, {"error": {…}} (Anthropic's already has it).
        return body if "error" in body else {"error": body}
    error = _field(getattr(exc, "response", None), "Error")  # botocore's ClientError: {"Code", "Message"}
    if isinstance(error, dict) and error:
        return {"error": {"type": error.get("Code"), "message": str(error.get("Message") or "")[:4096]}}
    return {"error": {"type": type(exc).__qualname__, "message": str(exc)[:4096]}}


def _field(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _raw_json(result: Any) -> dict[str, Any] | None:
    """The JSON body of a ``with_raw_response`` result, when the user has read it."""
    raw = result.http_response
    if "json" not in raw.headers.get("content-type", ""):
        return None
    try:
        content = raw.content  # raises while a streamed body is still unread: leave it be
    except Exception:  # noqa: BLE001
        return None
    loaded = json.loads(content)
    return loaded if isinstance(loaded, dict) else None


# The last (defaults, context, merged) seen: calls in one scope share both mappings, which are
# replaced, never mutated, so the merge is made once per scope, not once per call.
_last_merge: tuple[Any, Any, Mapping[str, str]] = (None, None, {})


def _context(call: Call) -> Mapping[str, str]:
    """Process defaults < the user's own ``Helicone-*`` headers on the client and the call (how
    Helicone users tag calls today) < the context API, which is the most explicit."""
    global _last_merge
    tags = context_from_headers(getattr(call.client, "_custom_headers", None))
    if call.headers:
        tags.update(context_from_headers(call.headers))
    if not call.defaults and not tags:
        return call.context
    if tags:
        return {**call.defaults, **tags, **call.context}
    defaults, context, merged = _last_merge
    if defaults is not call.defaults or context is not call.context:
        merged = {**call.defaults, **call.context}
        _last_merge = (call.defaults, call.context, merged)
    return merged


# client -> (its base URL object, its provider_of, (provider, host, port), base URL text):
# formatting and parsing the URL cost ≈ 5 µs per call; a client's URL rarely changes.
_clients: "weakref.WeakKeyDictionary[Any, tuple[Any, Any, tuple[str, str | None, int | None], str]]" = (
    weakref.WeakKeyDictionary()
)


def _client_facts(endpoint: Any, client: Any) -> tuple[tuple[str, str | None, int | None], str]:
    """(semconv provider, host, port) and the base URL of ``client``, once per client."""
    base_url = base_url_key(client)
    try:
        cached = _clients.get(client)
    except TypeError:  # not weak-referenceable: computed each time
        cached = None
    if cached is not None and cached[0] is base_url and cached[1] is endpoint.provider_of:
        return cached[2], cached[3]
    provider = (
        guard("reading the provider", endpoint.provider_of, client) if endpoint.provider_of else None
    ) or ("openai", None, None)
    base = str(getattr(client, "base_url", "")).rstrip("/")
    try:
        _clients[client] = (base_url, endpoint.provider_of, provider, base)
    except TypeError:
        pass
    return provider, base


def _request_id(call: Call) -> str:
    chosen = request_id_from_headers(call.headers) or request_id_from_headers(getattr(call.client, "_custom_headers", None))
    return chosen if chosen and _UUID.fullmatch(chosen) else request_id_of(call.trace_id, call.span_id)


def read_call(
    call: Call, price_book: PriceBook | None, mask: Callable[[str], str] | None = None, for_span: bool = True
) -> CallRecord:
    """Everything the span and the Helicone body need, from the call's own references.
    ``mask`` (the user's redaction hook) sees every string before anything is built from it.
    Without a span to fill (``for_span=False``) the semconv message JSON is not built: the
    Helicone body carries the provider's own request and response."""
    endpoint = call.endpoint
    capture = call.capture_content and for_span
    (provider, host, port), base_url = _client_facts(endpoint, call.client)
    if endpoint.read_request is not None:
        request, url = guard("reading a request", endpoint.read_request, call.client, call.path, call.request) or ({}, "")
    else:
        request, url = sdk_json(call.request), base_url + call.path
        if call.extra:  # ``extra_body``: the SDK merges it into the JSON it sends (_merge_mappings)
            request = sdk_json({**request, **call.extra})
    to_json = endpoint.read_json or to_dict
    request = request if mask is None else mask_strings(request, mask)
    model = request.get("model")
    model = model if isinstance(model, str) else ""
    attrs: dict[str, Any] = {
        A.OPERATION_NAME: endpoint.operation,
        A.PROVIDER_NAME: provider,
        A.SYSTEM: provider,
        A.REQUEST_MODEL: model,
    }
    if host:
        attrs[A.SERVER_ADDRESS] = host
    if port:
        attrs[A.SERVER_PORT] = port
    guard("reading a request", endpoint.request_attributes, request, attrs, capture)
    model = attrs.get(A.REQUEST_MODEL) or model  # the model outside the body (Bedrock's modelId)

    response: dict[str, Any] | None = None
    chunks: list[dict[str, Any]] | None = None
    chunk_texts: list[str | None] | None = None
    status = 200
    result = call.result
    if call.chunks is not None:
        if call.events is not None:
            chunks, chunk_texts = event_chunks(call.events)
        else:
            chunks = [c for c in (guard("reading a stream chunk", to_json, c) for c in call.chunks) if isinstance(c, dict)]
        if mask is not None:
            chunks, chunk_texts = mask_strings(chunks, mask), None
        if endpoint.accumulator is not None:
            accumulator = endpoint.accumulator(capture)
            for chunk in chunks:  # one odd chunk costs its own attributes, not the record
                guard("folding a stream chunk", accumulator.add, chunk)
            attrs.update(guard("reading a stream", accumulator.attributes, capture) or {})
        if call.first_chunk_ns is not None:
            attrs[A.RESPONSE_TIME_TO_FIRST_CHUNK] = (call.first_chunk_ns - call.start_ns) / 1e9
    elif result is not None:
        if hasattr(result, "http_response") and hasattr(result, "parse"):
            # ``with_raw_response``: the SDK object is the user's; we read our own copy of an
            # already-read body and keep the HTTP status.
            response = guard("reading a raw response", _raw_json, result)
            status = getattr(result, "status_code", None) or 200
            attrs[A.HTTP_STATUS_CODE] = status
        else:
            dumped = guard("reading a response", to_json, result)
            response = dumped if isinstance(dumped, dict) else None
        if response is not None and mask is not None:
            response = mask_strings(response, mask)
        if response is not None:
            attrs.update(guard("reading a response", endpoint.response_attributes, response, capture) or {})
    if call.error is not None:
        status = _status_of(call.error)
        if call.chunks is None:
            response = _error_body(call.error)
            if mask is not None:
                response = mask_strings(response, mask)
    if price_book is not None:
        cost = guard("computing cost", span_cost, price_book, provider, model, attrs)
        if cost is not None:
            attrs[A.USAGE_COST] = cost
    context = _context(call)
    request_id = _request_id(call)
    attrs[A.HELICONE_REQUEST_ID] = request_id
    if call.proxied:
        attrs[A.LOGGED_BY] = "proxy"
    return CallRecord(
        name=f"{endpoint.operation} {model}" if model else endpoint.operation,
        attributes=attrs,
        context=context,
        provider=provider,
        url=url,
        request=request,
        response=response,
        chunks=chunks,
        status=status,
        request_id=request_id,
        chunk_texts=chunk_texts,
    )
