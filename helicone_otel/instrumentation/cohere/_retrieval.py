"""Cohere v2 ``embed`` and ``rerank``: pure functions over the API's JSON."""

from __future__ import annotations

from typing import Any

from ... import attributes as A
from .._content import field
from ._chat import count

EMBED_OPERATION = "embeddings"
RERANK_OPERATION = "rerank"


def embed_request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """Encoding formats and output dimension (the texts are not span content)."""
    types = body.get("embedding_types")
    if isinstance(types, list) and types:
        attrs[A.REQUEST_ENCODING_FORMATS] = tuple(str(t) for t in types)
    if isinstance(body.get("output_dimension"), int):
        attrs[A.EMBEDDINGS_DIMENSION_COUNT] = body["output_dimension"]


def embed_response_attributes(response: dict[str, Any], capture_content: bool) -> dict[str, Any]:
    """Id, billed input tokens and the dimension of the vectors returned."""
    attrs: dict[str, Any] = {}
    if response.get("id"):
        attrs[A.RESPONSE_ID] = response["id"]
    tokens = count(field(field(field(response, "meta"), "billed_units"), "input_tokens"))
    if tokens is not None:
        attrs[A.USAGE_INPUT_TOKENS] = tokens
    embeddings = response.get("embeddings")
    vectors = next((v for v in embeddings.values() if isinstance(v, list) and v), None) if isinstance(embeddings, dict) else embeddings
    if isinstance(vectors, list) and vectors and isinstance(vectors[0], list):
        attrs[A.EMBEDDINGS_DIMENSION_COUNT] = len(vectors[0])
    return attrs


def rerank_request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """``top_n`` as the requested choice count (query and documents are not span content)."""
    if isinstance(body.get("top_n"), int):
        attrs[A.REQUEST_CHOICE_COUNT] = body["top_n"]


def rerank_response_attributes(response: dict[str, Any], capture_content: bool) -> dict[str, Any]:
    """Id (Cohere bills rerank in search units, not tokens)."""
    return {A.RESPONSE_ID: response["id"]} if response.get("id") else {}
