"""Helpers to read SDK objects and dicts alike, and to write semconv message JSON."""

from __future__ import annotations

import json
from typing import Any

_MISSING = object()


def field(obj: Any, name: str, default: Any = None) -> Any:
    """``obj[name]`` for mappings, ``obj.name`` for SDK models; ``default`` when absent."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    value = getattr(obj, name, _MISSING)
    return default if value is _MISSING else value


def to_json(value: Any) -> str:
    """Compact JSON for a span attribute; unknown objects fall back to ``str``."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_fallback)


def _fallback(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(exclude_none=True)
    return str(value)


def text_part(text: str) -> dict[str, str]:
    """A semconv text part."""
    return {"type": "text", "content": text}


def media_part(modality: str, source: Any) -> dict[str, Any]:
    """A placeholder for an image/audio/file part: a URL is kept, inline bytes never are."""
    if isinstance(source, str) and not source.startswith("data:"):
        return {"type": "uri", "modality": modality, "uri": source}
    mime = None
    if isinstance(source, str) and source.startswith("data:"):
        mime = source[5:].split(";", 1)[0] or None
    part: dict[str, Any] = {"type": "blob", "modality": modality, "content": "<omitted>"}
    if mime:
        part["mime_type"] = mime
    return part


def int_or_none(value: Any) -> int | None:
    """An int token count, or None for anything else (bools included)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
