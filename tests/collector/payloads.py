"""The bytes of a fixture request, shared by the tests and record_fixtures.py."""

from __future__ import annotations

import base64
import json
from typing import Any, Mapping


def request_bytes(request: Mapping[str, Any]) -> bytes:
    """The body of one recorded request: ``json`` (compact UTF-8, padded to ``pad_to`` bytes
    through its ``pad`` field when given), ``body`` (text) or ``body_b64``."""
    if "body_b64" in request:
        return base64.b64decode(request["body_b64"])
    if "body" in request:
        return request["body"].encode("utf-8")
    document = request["json"]
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    pad_to = request.get("pad_to")
    if pad_to:
        document = {**document, "pad": "x" * (pad_to - len(data))}
        data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        assert len(data) == pad_to, (len(data), pad_to)
    return data
