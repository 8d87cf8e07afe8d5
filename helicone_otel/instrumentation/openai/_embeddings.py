"""Embeddings (``POST /embeddings``)."""

from __future__ import annotations

from typing import Any

from ... import attributes as A
from .._content import field, int_or_none

OPERATION = "embeddings"


def request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """Encoding format and requested dimensions (the input text is not recorded)."""
    encoding = body.get("encoding_format")
    if isinstance(encoding, str):
        attrs[A.REQUEST_ENCODING_FORMATS] = (encoding,)
    dimensions = body.get("dimensions")
    if isinstance(dimensions, int):
        attrs[A.EMBEDDINGS_DIMENSION_COUNT] = dimensions


def response_attributes(response: Any, capture_content: bool) -> dict[str, Any]:
    """Model, token usage and vector size of a ``CreateEmbeddingResponse``."""
    attrs: dict[str, Any] = {}
    model = field(response, "model")
    if model:
        attrs[A.RESPONSE_MODEL] = model
    prompt = int_or_none(field(field(response, "usage"), "prompt_tokens"))
    if prompt is not None:
        attrs[A.USAGE_INPUT_TOKENS] = prompt
    data = field(response, "data") or ()
    if data:
        vector = field(data[0], "embedding")
        if isinstance(vector, list):
            attrs[A.EMBEDDINGS_DIMENSION_COUNT] = len(vector)
    return attrs
