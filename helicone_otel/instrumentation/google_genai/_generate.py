"""Gemini ``generateContent`` / ``streamGenerateContent`` (Gemini API and Vertex AI): request,
response and stream extraction over the wire JSON (camelCase, ``contents``/``candidates``)."""

from __future__ import annotations

from typing import Any

from ... import attributes as A
from .._content import int_or_none, text_part, to_json

OPERATION = "chat"

_NUMERIC_CONFIG = (
    ("temperature", A.REQUEST_TEMPERATURE),
    ("topP", A.REQUEST_TOP_P),
    ("topK", A.REQUEST_TOP_K),
    ("frequencyPenalty", A.REQUEST_FREQUENCY_PENALTY),
    ("presencePenalty", A.REQUEST_PRESENCE_PENALTY),
    ("seed", A.REQUEST_SEED),
)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """Add ``generationConfig`` parameters (and, with capture on, the prompt) to ``attrs``."""
    config = _dict(body.get("generationConfig"))
    max_tokens = int_or_none(config.get("maxOutputTokens"))
    if max_tokens is not None:
        attrs[A.REQUEST_MAX_TOKENS] = max_tokens
    for key, attr in _NUMERIC_CONFIG:
        value = config.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            attrs[attr] = value
    count = int_or_none(config.get("candidateCount"))
    if count is not None and count != 1:
        attrs[A.REQUEST_CHOICE_COUNT] = count
    stop = config.get("stopSequences")
    if isinstance(stop, list) and stop:
        attrs[A.REQUEST_STOP_SEQUENCES] = tuple(str(s) for s in stop)
    if body.get("stream"):
        attrs[A.REQUEST_STREAM] = True
    mime = config.get("responseMimeType")
    if isinstance(mime, str):
        attrs[A.OUTPUT_TYPE] = "json" if mime == "application/json" else "text" if mime == "text/plain" else mime
    if not capture_content:
        return
    contents = _list(body.get("contents"))
    if contents:
        attrs[A.INPUT_MESSAGES] = to_json([_message(c) for c in contents if isinstance(c, dict)])
    system = _dict(body.get("systemInstruction"))
    if system:
        attrs[A.SYSTEM_INSTRUCTIONS] = to_json(_parts(system.get("parts")))
    tools = _list(body.get("tools"))
    if tools:
        attrs[A.TOOL_DEFINITIONS] = to_json(tools)


def _role(role: Any) -> str:
    return "assistant" if role == "model" else str(role or "user")


def _parts(parts: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in _list(parts):
        if not isinstance(part, dict):
            continue
        if isinstance(part.get("text"), str):
            out.append({"type": "reasoning", "content": part["text"]} if part.get("thought") else text_part(part["text"]))
        elif "functionCall" in part:
            call = _dict(part["functionCall"])
            out.append({"type": "tool_call", "id": call.get("id"), "name": call.get("name"), "arguments": call.get("args")})
        elif "functionResponse" in part:
            response = _dict(part["functionResponse"])
            out.append({"type": "tool_call_response", "id": response.get("id"), "response": response.get("response")})
        elif "inlineData" in part:
            # Inline bytes never reach a span: only their media type.
            data = _dict(part["inlineData"])
            blob: dict[str, Any] = {"type": "blob", "modality": _modality(data.get("mimeType")), "content": "<omitted>"}
            if data.get("mimeType"):
                blob["mime_type"] = data["mimeType"]
            out.append(blob)
        elif "fileData" in part:
            data = _dict(part["fileData"])
            out.append({"type": "uri", "modality": _modality(data.get("mimeType")), "uri": data.get("fileUri")})
        else:
            out.append({"type": next(iter(part), "unknown")})
    return out


def _modality(mime: Any) -> str:
    kind = str(mime or "").split("/", 1)[0]
    return kind if kind in ("image", "audio", "video") else "file"


def _message(content: dict[str, Any]) -> dict[str, Any]:
    return {"role": _role(content.get("role")), "parts": _parts(content.get("parts"))}


def usage_attributes(usage: Any, attrs: dict[str, Any]) -> None:
    """``usageMetadata`` → semconv token counts: input includes cached and tool-use prompt
    tokens, output includes thoughts (Gemini bills thoughts as output)."""
    usage = _dict(usage)
    prompt = int_or_none(usage.get("promptTokenCount"))
    tool_prompt = int_or_none(usage.get("toolUsePromptTokenCount")) or 0
    if prompt is not None:
        attrs[A.USAGE_INPUT_TOKENS] = prompt + tool_prompt
    candidates = int_or_none(usage.get("candidatesTokenCount"))
    thoughts = int_or_none(usage.get("thoughtsTokenCount"))
    if candidates is not None or thoughts is not None:
        attrs[A.USAGE_OUTPUT_TOKENS] = (candidates or 0) + (thoughts or 0)
    cached = int_or_none(usage.get("cachedContentTokenCount"))
    if cached is not None:
        attrs[A.USAGE_CACHE_READ_INPUT_TOKENS] = cached
    if thoughts is not None:
        attrs[A.USAGE_REASONING_OUTPUT_TOKENS] = thoughts


def _finish_reason(reason: Any) -> str:
    return str(reason).lower() if reason else ""


def _head(response: dict[str, Any], attrs: dict[str, Any]) -> None:
    if isinstance(response.get("responseId"), str):
        attrs[A.RESPONSE_ID] = response["responseId"]
    if isinstance(response.get("modelVersion"), str):
        attrs[A.RESPONSE_MODEL] = response["modelVersion"]


def response_attributes(response: Any, capture_content: bool) -> dict[str, Any]:
    """Attributes from a ``GenerateContentResponse``."""
    response = _dict(response)
    attrs: dict[str, Any] = {}
    _head(response, attrs)
    candidates = [c for c in _list(response.get("candidates")) if isinstance(c, dict)]
    if candidates:
        attrs[A.RESPONSE_FINISH_REASONS] = tuple(_finish_reason(c.get("finishReason")) for c in candidates)
    usage_attributes(response.get("usageMetadata"), attrs)
    if capture_content and candidates:
        attrs[A.OUTPUT_MESSAGES] = to_json([
            {"role": _role(_dict(c.get("content")).get("role") or "model"), "parts": _parts(_dict(c.get("content")).get("parts")),
             "finish_reason": _finish_reason(c.get("finishReason"))}
            for c in candidates
        ])
    return attrs


class GenerateStreamAccumulator:
    """Folds ``streamGenerateContent`` chunks: each carries a piece of every candidate's parts;
    the last ``usageMetadata`` holds the totals."""

    __slots__ = ("_head", "_usage", "_candidates", "_capture")

    def __init__(self, capture_content: bool) -> None:
        self._head: dict[str, Any] = {}
        self._usage: Any = None
        self._candidates: dict[int, dict[str, Any]] = {}
        self._capture = capture_content

    def add(self, chunk: Any) -> None:
        """Fold one chunk (hot path: once per chunk)."""
        chunk = _dict(chunk)
        if not self._head:
            _head(chunk, self._head)
        usage = chunk.get("usageMetadata")
        if usage is not None:
            self._usage = usage
        for position, candidate in enumerate(_list(chunk.get("candidates"))):
            if not isinstance(candidate, dict):
                continue
            index = int_or_none(candidate.get("index")) or position
            state = self._candidates.setdefault(index, {"role": "model", "parts": [], "finish_reason": ""})
            if candidate.get("finishReason"):
                state["finish_reason"] = _finish_reason(candidate["finishReason"])
            if self._capture:
                content = _dict(candidate.get("content"))
                state["parts"].extend(_parts(content.get("parts")))

    def attributes(self, capture_content: bool) -> dict[str, Any]:
        """Span attributes for everything seen so far."""
        attrs = dict(self._head)
        ordered = [self._candidates[i] for i in sorted(self._candidates)]
        if ordered:
            attrs[A.RESPONSE_FINISH_REASONS] = tuple(s["finish_reason"] for s in ordered)
        usage_attributes(self._usage, attrs)
        if capture_content and ordered:
            attrs[A.OUTPUT_MESSAGES] = to_json([
                {"role": "assistant", "parts": _merged(s["parts"]), "finish_reason": s["finish_reason"]} for s in ordered
            ])
        return attrs


def _merged(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Adjacent text (or reasoning) pieces of a stream joined into one part."""
    out: list[dict[str, Any]] = []
    for part in parts:
        if out and part["type"] in ("text", "reasoning") and out[-1]["type"] == part["type"]:
            out[-1] = {**out[-1], "content": out[-1]["content"] + part["content"]}
        else:
            out.append(part)
    return out
