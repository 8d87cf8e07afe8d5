"""Helicone's request headers for a call's context, and the context in headers a user set.

One place for both directions: the custom-log ``meta`` the exporter sends, the headers added to
calls that go through Helicone's proxy, ``helicone_otel.headers()``, and the ``Helicone-*`` tags
users already put on their clients and calls.
"""

from __future__ import annotations

import uuid
from typing import Any, Mapping
from urllib.parse import quote

from . import attributes as A

REQUEST_ID = "Helicone-Request-Id"
PROMPT_ID = "Helicone-Prompt-Id"
_CONTEXT_HEADERS = {
    A.SESSION_ID: A.HEADER_SESSION_ID,
    A.SESSION_PATH: A.HEADER_SESSION_PATH,
    A.SESSION_NAME: A.HEADER_SESSION_NAME,
    A.USER_ID: A.HEADER_USER_ID,
    A.PROMPT_ID: PROMPT_ID,
}
_HEADER_CONTEXT = {header.lower(): key for key, header in _CONTEXT_HEADERS.items()}
_PROPERTY_PREFIX_LOWER = A.HEADER_PROPERTY_PREFIX.lower()


def header_value(value: str) -> str:
    """A value Helicone's ``new Headers(...)`` accepts: Latin-1 without CR/LF/NUL and without
    surrounding blanks (anything else makes Helicone answer 500 and lose the record); other
    values are percent-encoded (UTF-8) rather than dropped."""
    try:
        value.encode("latin-1")
        ok = not any(c in value for c in "\r\n\0") and value == value.strip()
    except UnicodeEncodeError:
        ok = False
    return value if ok else quote(value, safe="!#$&'()*+,/:;=?@[]~", errors="replace")


def context_headers(context: Mapping[str, Any]) -> dict[str, str]:
    """Helicone headers for a context (span attribute keys → header names). Property names are
    lowercased: Helicone stores them so on the custom-log route and its proxy."""
    headers: dict[str, str] = {}
    prefix = A.PROPERTY_PREFIX
    for key, value in context.items():
        header = _CONTEXT_HEADERS.get(key)
        if header is None:
            if not key.startswith(prefix):
                continue
            header = A.HEADER_PROPERTY_PREFIX + key[len(prefix):].lower()
        headers[header] = header_value(str(value))
    return headers


def context_from_headers(headers: Any) -> dict[str, str]:
    """The session/user/property/prompt tags among HTTP headers a user set (any case);
    other headers, ``Helicone-Auth`` included, are ignored."""
    context: dict[str, str] = {}
    if not headers or not isinstance(headers, Mapping):  # ``not``: empty and None skip the ABC check
        return context
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            continue
        lowered = name.lower()
        key = _HEADER_CONTEXT.get(lowered)
        if key is None and lowered.startswith(_PROPERTY_PREFIX_LOWER) and len(name) > len(_PROPERTY_PREFIX_LOWER):
            key = A.PROPERTY_PREFIX + name[len(_PROPERTY_PREFIX_LOWER):]
        if key is not None:
            context[key] = value
    return context


def request_id_from_headers(headers: Any) -> str | None:
    """A ``Helicone-Request-Id`` the user chose for a call."""
    if headers and isinstance(headers, Mapping):
        for name, value in headers.items():
            if isinstance(name, str) and name.lower() == "helicone-request-id" and isinstance(value, str):
                return value
    return None


def request_id_of(trace_id: int, span_id: int) -> str:
    """The Helicone request id of a call: a version-4 UUID from its trace and span ids, so the
    same call always gets the same id (retries and resends are stored once) and the span and
    the record can be joined."""
    return str(uuid.UUID(int=((trace_id >> 64) << 64) | span_id, version=4))
