"""Endpoints without a dedicated extractor (OpenAI Assistants/threads/runs, files, batches,
models, ``count_tokens``, anything an SDK adds later): one plain span per request, so nothing
passes through a patched client untraced.

Such a span carries the operation (HTTP method and path template) and the HTTP status, no
content, and makes no Helicone record: Helicone would store a file listing or a thread lookup
as a junk LLM request. The span name is ``"{sdk} {METHOD} {path template}"`` with ids
collapsed to ``{id}``, so names stay few (``OpenAI GET /threads/{id}/runs/{id}``).

    endpoints = generic_endpoints("OpenAI", provider_of)   # HTTP method (lower case) -> Endpoint
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .. import attributes as A
from ..capture.call import Endpoint

SHAPE = "generic"
HTTP_REQUEST_METHOD = "http.request.method"
URL_TEMPLATE = "url.template"
_METHODS = ("get", "post", "put", "patch", "delete")
# A path segment that names a collection or an action is lower-case words (``fine_tuning``,
# ``submit_tool_outputs``, ``v1``); an id has a digit or a capital letter (``thread_abc12``,
# ``file-XyZ``, ``gpt-4o``), or is long.
_VERSION = re.compile(r"v\d+")
_ID_LIKE = re.compile(r"[0-9A-Z]")


def path_template(path: str) -> str:
    """``/threads/thread_a1/runs/run_b2`` → ``/threads/{id}/runs/{id}``."""
    segments = path.split("/")
    return "/".join(
        "{id}" if segment and not _VERSION.fullmatch(segment) and (_ID_LIKE.search(segment) or len(segment) > 40) else segment
        for segment in segments
    )


def _request_attributes(method: str) -> Callable[[dict[str, Any], dict[str, Any], bool], None]:
    def request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
        attrs[HTTP_REQUEST_METHOD] = method
        if not attrs.get(A.REQUEST_MODEL):  # most of these requests name no model
            attrs.pop(A.REQUEST_MODEL, None)

    return request_attributes


def _response_attributes(response: Any, capture_content: bool) -> dict[str, Any]:
    return {}


def generic_endpoints(sdk: str, provider_of: Callable[[Any], tuple[str, str | None, int | None]]) -> dict[str, Endpoint]:
    """The catch-all endpoint of each HTTP method for one SDK (built once, at import)."""
    return {
        method: Endpoint(
            f"{sdk} {method.upper()}", _request_attributes(method.upper()), _response_attributes, shape=SHAPE, provider_of=provider_of
        )
        for method in _METHODS
    }


def is_generic(endpoint: Endpoint) -> bool:
    """True for the catch-all endpoints made here."""
    return endpoint.shape == SHAPE


def generic_record(path: str, record: Any) -> Any:
    """The span's name and operation from the request path (export thread): ``record`` is the
    ``CallRecord`` read with the catch-all endpoint, whose operation is ``"{sdk} {METHOD}"``."""
    template = path_template(path)
    attrs = dict(record.attributes)
    sdk_method = attrs.get(A.OPERATION_NAME, "")
    method = attrs.get(HTTP_REQUEST_METHOD, "")
    attrs[A.OPERATION_NAME] = f"{method} {template}"
    attrs[URL_TEMPLATE] = template
    attrs[A.HTTP_STATUS_CODE] = record.status
    return record._replace(name=f"{sdk_method} {template}", attributes=attrs)
