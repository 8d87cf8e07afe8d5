"""Anthropic legacy Text Completions (``POST /v1/complete``, ``client.completions.create`` in
SDKs before 2.0): request, response and stream-event extraction.

The prompt is one string of ``\\n\\nHuman:`` / ``\\n\\nAssistant:`` turns and the API reports
no token usage, so a span has no token counts and no cost.
"""

from __future__ import annotations

from typing import Any

from ... import attributes as A
from .._content import field, text_part, to_json
from ._messages import sampling_attributes

OPERATION = "text_completion"


def request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """Sampling parameters and, with capture on, the prompt as one user message."""
    sampling_attributes(body, attrs, "max_tokens_to_sample")
    prompt = body.get("prompt")
    if capture_content and isinstance(prompt, str):
        attrs[A.INPUT_MESSAGES] = to_json([{"role": "user", "parts": [text_part(prompt)]}])


def _attributes(head: Any, text: str | None, reason: Any, capture_content: bool) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if isinstance(field(head, "id"), str) and field(head, "id"):
        attrs[A.RESPONSE_ID] = field(head, "id")
    if isinstance(field(head, "model"), str) and field(head, "model"):
        attrs[A.RESPONSE_MODEL] = field(head, "model")
    if head is not None:
        attrs[A.RESPONSE_FINISH_REASONS] = (reason if isinstance(reason, str) else "",)
    if capture_content and text is not None:
        attrs[A.OUTPUT_MESSAGES] = to_json(
            [{"role": "assistant", "parts": [text_part(text)], "finish_reason": reason if isinstance(reason, str) else ""}]
        )
    return attrs


def response_attributes(completion: Any, capture_content: bool) -> dict[str, Any]:
    """Attributes from a ``Completion``."""
    text = field(completion, "completion")
    return _attributes(completion, text if isinstance(text, str) else None, field(completion, "stop_reason"), capture_content)


class CompletionStreamAccumulator:
    """Joins the ``completion`` events of a stream (each carries id, model and a text piece;
    the last one the stop reason). ``ping`` and other events are ignored."""

    __slots__ = ("_head", "_text", "_reason", "_capture")

    def __init__(self, capture_content: bool) -> None:
        self._head: Any = None
        self._text: list[str] = []
        self._reason: Any = None
        self._capture = capture_content

    def add(self, event: Any) -> None:
        """Fold one event."""
        if field(event, "type") != "completion":
            return
        if self._head is None:
            self._head = event
        if field(event, "stop_reason"):
            self._reason = field(event, "stop_reason")
        piece = field(event, "completion")
        if self._capture and isinstance(piece, str):
            self._text.append(piece)

    def attributes(self, capture_content: bool) -> dict[str, Any]:
        """Span attributes for what the stream delivered."""
        text = "".join(self._text) if self._head is not None else None
        return _attributes(self._head, text, self._reason, capture_content)
