"""Images and audio: a span with model, operation and the usage the API reports."""

from __future__ import annotations

from typing import Any

from ... import attributes as A
from .._content import field, int_or_none, text_part, to_json

IMAGE_OPERATION = "image_generation"
TRANSCRIPTION_OPERATION = "transcription"
TRANSLATION_OPERATION = "translation"
SPEECH_OPERATION = "text_to_speech"


def image_request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """Image count/size/quality, and the prompt with capture on."""
    n = body.get("n")
    if isinstance(n, int) and n != 1:  # semconv: only when it is not 1, as for chat
        attrs[A.REQUEST_CHOICE_COUNT] = n
    for key in ("size", "quality"):
        if isinstance(body.get(key), str):
            attrs[f"{A.OPENAI_REQUEST_PREFIX}{key}"] = body[key]
    if body.get("stream"):
        attrs[A.REQUEST_STREAM] = True
    prompt = body.get("prompt")
    if capture_content and isinstance(prompt, str):
        attrs[A.INPUT_MESSAGES] = to_json([{"role": "user", "parts": [text_part(prompt)]}])


def speech_request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """Voice and format; the spoken text with capture on."""
    for key in ("voice", "response_format"):
        if isinstance(body.get(key), str):
            attrs[f"{A.OPENAI_REQUEST_PREFIX}{key}"] = body[key]
    text = body.get("input")
    if capture_content and isinstance(text, str):
        attrs[A.INPUT_MESSAGES] = to_json([{"role": "user", "parts": [text_part(text)]}])


def audio_request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """Transcription/translation options (the audio itself is never recorded)."""
    for key in ("language", "response_format"):
        if isinstance(body.get(key), str):
            attrs[f"{A.OPENAI_REQUEST_PREFIX}{key}"] = body[key]
    if body.get("stream"):
        attrs[A.REQUEST_STREAM] = True


def usage_attributes(usage: Any, attrs: dict[str, Any]) -> None:
    """Token usage of gpt-image / gpt-4o-transcribe style responses."""
    for key, attr in (("input_tokens", A.USAGE_INPUT_TOKENS), ("output_tokens", A.USAGE_OUTPUT_TOKENS)):
        value = int_or_none(field(usage, key))
        if value is not None:
            attrs[attr] = value
    seconds = field(usage, "seconds")
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
        attrs[A.OPENAI_USAGE_AUDIO_SECONDS] = float(seconds)


def response_attributes(response: Any, capture_content: bool) -> dict[str, Any]:
    """Usage (and, for transcriptions with capture on, the text)."""
    attrs: dict[str, Any] = {}
    usage_attributes(field(response, "usage"), attrs)
    text = field(response, "text")
    if capture_content and isinstance(text, str):
        attrs[A.OUTPUT_MESSAGES] = to_json([{"role": "assistant", "parts": [text_part(text)], "finish_reason": "stop"}])
    return attrs


class MediaStreamAccumulator:
    """Image and transcription streams: keep the usage of the final event."""

    __slots__ = ("_usage", "_text", "_capture")

    def __init__(self, capture_content: bool) -> None:
        self._usage: Any = None
        self._text: list[str] = []
        self._capture = capture_content

    def add(self, event: Any) -> None:
        """Fold one event."""
        usage = field(event, "usage")
        if usage is not None:
            self._usage = usage
        if self._capture and field(event, "type") == "transcript.text.delta":
            self._text.append(field(event, "delta") or "")

    def attributes(self, capture_content: bool) -> dict[str, Any]:
        """Span attributes for what was seen."""
        attrs: dict[str, Any] = {}
        usage_attributes(self._usage, attrs)
        if capture_content and self._text:
            attrs[A.OUTPUT_MESSAGES] = to_json(
                [{"role": "assistant", "parts": [text_part("".join(self._text))], "finish_reason": "stop"}]
            )
        return attrs
