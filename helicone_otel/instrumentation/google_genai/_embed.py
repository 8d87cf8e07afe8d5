"""Gemini embeddings: ``batchEmbedContents`` (Gemini API), ``embedContent`` and ``predict``
(Vertex AI text-embedding models)."""

from __future__ import annotations

from typing import Any

from ... import attributes as A
from .._content import int_or_none

OPERATION = "embeddings"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """The requested vector size (the input text is not recorded)."""
    configs = [body, _dict(body.get("parameters")), *(_dict(r) for r in _list(body.get("requests"))[:1])]
    for config in configs:
        dimensions = int_or_none(config.get("outputDimensionality"))
        if dimensions is not None:
            attrs[A.EMBEDDINGS_DIMENSION_COUNT] = dimensions
            return


def _count(value: Any) -> int | None:
    # Vertex sends ``token_count`` as a JSON number the SDK types as float (``2.0``).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return int_or_none(value)


def _vectors(response: dict[str, Any]) -> list[Any]:
    if "embeddings" in response:  # batchEmbedContents
        return [_dict(e).get("values") for e in _list(response["embeddings"])]
    if "embedding" in response:  # embedContent
        return [_dict(response["embedding"]).get("values")]
    return [_dict(_dict(p).get("embeddings")).get("values") for p in _list(response.get("predictions"))]


def response_attributes(response: Any, capture_content: bool) -> dict[str, Any]:
    """Input tokens (``usageMetadata``, or Vertex's per-instance ``statistics.token_count``) and
    vector size."""
    response = _dict(response)
    attrs: dict[str, Any] = {}
    prompt = int_or_none(_dict(response.get("usageMetadata")).get("promptTokenCount"))
    if prompt is None:
        counts = [_count(_dict(_dict(_dict(p).get("embeddings")).get("statistics")).get("token_count"))
                  for p in _list(response.get("predictions"))]
        if counts and all(c is not None for c in counts):
            prompt = sum(c for c in counts if c is not None)
    if prompt is not None:
        attrs[A.USAGE_INPUT_TOKENS] = prompt
    vectors = _vectors(response)
    if vectors and isinstance(vectors[0], list):
        attrs[A.EMBEDDINGS_DIMENSION_COUNT] = len(vectors[0])
    return attrs
