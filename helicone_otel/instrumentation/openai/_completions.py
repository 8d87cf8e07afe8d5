"""Legacy text completions (``POST /completions``)."""

from __future__ import annotations

from typing import Any

from ... import attributes as A
from .._content import field, text_part, to_json
from . import _chat

OPERATION = "text_completion"


def request_attributes(body: dict[str, Any], attrs: dict[str, Any], capture_content: bool) -> None:
    """Same sampling parameters as chat; the prompt becomes one user message."""
    _chat.request_attributes({k: v for k, v in body.items() if k != "messages"}, attrs, False)
    if capture_content:
        prompt = body.get("prompt")
        prompts = [prompt] if isinstance(prompt, str) else prompt if isinstance(prompt, list) else []
        texts = [p for p in prompts if isinstance(p, str)]
        if texts:
            attrs[A.INPUT_MESSAGES] = to_json([{"role": "user", "parts": [text_part(t) for t in texts]}])


def _output(choices: Any) -> list[dict[str, Any]]:
    return [
        {"role": "assistant", "parts": [text_part(field(c, "text") or "")], "finish_reason": field(c, "finish_reason") or ""}
        for c in choices
    ]


def response_attributes(completion: Any, capture_content: bool) -> dict[str, Any]:
    """Attributes from a ``Completion``."""
    attrs: dict[str, Any] = {}
    _chat.common_response(completion, attrs)
    choices = field(completion, "choices") or ()
    if choices:
        attrs[A.RESPONSE_FINISH_REASONS] = tuple(field(c, "finish_reason") or "" for c in choices)
    _chat.usage_attributes(field(completion, "usage"), attrs)
    if capture_content and choices:
        attrs[A.OUTPUT_MESSAGES] = to_json(_output(choices))
    return attrs


class CompletionStreamAccumulator:
    """Joins the text of ``Completion`` chunks per choice."""

    __slots__ = ("_head", "_usage", "_text", "_reasons", "_capture")

    def __init__(self, capture_content: bool) -> None:
        self._head: dict[str, Any] = {}
        self._usage: Any = None
        self._text: dict[int, list[str]] = {}
        self._reasons: dict[int, str] = {}
        self._capture = capture_content

    def add(self, chunk: Any) -> None:
        """Fold one chunk."""
        if not self._head:
            _chat.common_response(chunk, self._head)
        if field(chunk, "usage") is not None:
            self._usage = field(chunk, "usage")
        for choice in field(chunk, "choices") or ():
            index = (field(choice, "index") or 0)
            if self._capture:
                self._text.setdefault(index, []).append(field(choice, "text") or "")
            else:
                self._text.setdefault(index, [])
            if field(choice, "finish_reason"):
                self._reasons[index] = field(choice, "finish_reason")

    def attributes(self, capture_content: bool) -> dict[str, Any]:
        """Span attributes for what was seen."""
        attrs = dict(self._head)
        indices = sorted(self._text)
        if indices:
            attrs[A.RESPONSE_FINISH_REASONS] = tuple(self._reasons.get(i, "") for i in indices)
        _chat.usage_attributes(self._usage, attrs)
        if capture_content and indices:
            attrs[A.OUTPUT_MESSAGES] = to_json(
                _output([{"text": "".join(self._text[i]), "finish_reason": self._reasons.get(i, "")} for i in indices])
            )
        return attrs
