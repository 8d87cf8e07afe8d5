"""Helicone headers as jawn reads them on the custom-log route: a WHATWG ``Headers`` object
(Node's undici) fed with ``providerRequest.meta`` and then the HTTP request headers
(customTraceManager.ts:128-133), read by ``HeliconeHeaders`` (shared/proxy/heliconeHeaders.ts).

Consequences the exporter has to live with: names are case-insensitive and come back
lower-cased, so ``Helicone-Property-AppName`` is stored as property ``appname``
(heliconeHeaders.ts:329-341); the session keys are re-added under their canonical spelling
(:343-362); values are trimmed; a name that is not an HTTP token or a value outside Latin-1 makes
``new Headers()`` throw, and the route answers 500.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Iterable

from .js import parse_json, to_string, truthy

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE)
_PROPERTY = "helicone-property-"


class Headers:
    """The parts of WHATWG ``Headers`` jawn uses: append/set/get and sorted ``entries()``."""

    def __init__(self, init: Any = None) -> None:
        self._values: dict[str, str] = {}
        if init is None:
            return
        for name, value in _pairs(init):
            self.append(name, value)

    def append(self, name: Any, value: Any) -> None:
        key, text = _validate(name, value)
        self._values[key] = f"{self._values[key]}, {text}" if key in self._values else text

    def set(self, name: Any, value: Any) -> None:
        key, text = _validate(name, value)
        self._values[key] = text

    def get(self, name: str) -> str | None:
        return self._values.get(name.lower())

    def entries(self) -> list[tuple[str, str]]:
        return sorted(self._values.items())


def _pairs(init: Any) -> Iterable[tuple[Any, Any]]:
    """webidl ``HeadersInit``: a record (object) or a sequence of [name, value] pairs."""
    if isinstance(init, dict):
        return [(_byte_string(to_string(k)), v) for k, v in init.items()]
    if isinstance(init, list):
        pairs = []
        for pair in init:
            if not isinstance(pair, list) or len(pair) != 2:
                raise TypeError("Headers constructor: expected name/value pair to be length 2")
            pairs.append((pair[0], pair[1]))
        return pairs
    raise TypeError("Headers constructor: init is not an object")


def _byte_string(text: str) -> str:
    if any(ord(ch) > 0xFF for ch in text):
        raise TypeError("Cannot convert argument to a ByteString: a character is greater than 255")
    return text


def _validate(name: Any, value: Any) -> tuple[str, str]:
    name_text = _byte_string(to_string(name))
    text = _byte_string(to_string(value)).strip("\t\n\r ")
    if not _TOKEN.match(name_text):
        raise TypeError(f"Headers.append: {name_text!r} is an invalid header name")
    if any(ch in text for ch in "\0\r\n"):
        raise TypeError(f"Headers.append: {text!r} is an invalid header value")
    return name_text.lower(), text


def merge(first: Headers, second: Headers) -> Headers:
    """``mergeHeaders``: ``second`` wins (customTraceManager.ts:66-75)."""
    merged = Headers()
    for name, value in first.entries() + second.entries():
        merged.set(name, value)
    return merged


class HeliconeHeaders:
    """What the custom-log route reads from the merged headers."""

    def __init__(self, headers: Headers) -> None:
        self._check_fallbacks(headers.get("helicone-fallbacks"))
        requested_id = headers.get("Helicone-Request-Id")
        # getValidUUID: anything but a v1-v5 UUID is replaced by a random one (shared/utils/getValidUUID.ts)
        self.request_id = requested_id if requested_id and _UUID.match(requested_id) else str(uuid.uuid4())
        self.user_id = headers.get("Helicone-User-Id")
        self.model_override = headers.get("Helicone-Model-Override")
        self.omit_request = headers.get("Helicone-Omit-Request") == "true"
        self.omit_response = headers.get("Helicone-Omit-Response") == "true"
        properties = {name[len(_PROPERTY):]: value for name, value in headers.entries()
                      if name.startswith(_PROPERTY) and len(name) > len(_PROPERTY)}
        if headers.get("Helicone-Posthog-Key"):
            properties["Helicone-Sent-To-Posthog"] = "true"
        for key, header in (("Helicone-Prompt-Id", "Helicone-Prompt-Id"), ("Helicone-Session-Name", "Helicone-Session-Name"),
                            ("Helicone-Session-Id", "Helicone-Session-Id"), ("Helicone-Session-Path", "Helicone-Session-Path")):
            value = headers.get(header)
            if value:
                properties[key] = value
        self.properties = properties

    @staticmethod
    def _check_fallbacks(text: str | None) -> None:
        """``getFallBacks`` runs in the constructor: a malformed header throws (heliconeHeaders.ts:158-212)."""
        if not text:
            return
        fallbacks = parse_json(text)
        if not isinstance(fallbacks, list):
            raise TypeError("helicone-fallbacks must be an array")
        for fallback in fallbacks:
            if not isinstance(fallback, dict) or not all(truthy(fallback.get(k)) for k in ("target-url", "headers", "onCodes")):
                raise TypeError("helicone-fallbacks must have target-url, headers, and onCodes")
            if not isinstance(fallback["target-url"], str):
                raise TypeError("helicone-fallbacks target-url must be a string")
