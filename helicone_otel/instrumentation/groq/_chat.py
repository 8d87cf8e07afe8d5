"""Groq chat completions (``POST /openai/v1/chat/completions``): the OpenAI chat shape, except
that a stream reports its usage in the last chunk's ``x_groq.usage`` (Helicone's
``GroqStreamProcessor`` reads it there too)."""

from __future__ import annotations

from typing import Any

from .._content import field
from ..openai._chat import OPERATION, ChatStreamAccumulator, request_attributes, response_attributes

__all__ = ["OPERATION", "GroqChatStreamAccumulator", "request_attributes", "response_attributes"]


class GroqChatStreamAccumulator(ChatStreamAccumulator):
    """:class:`ChatStreamAccumulator` that also takes usage from ``x_groq.usage`` (a chunk's own
    ``usage``, sent when ``stream_options.include_usage`` is on, wins)."""

    __slots__ = ("_own_usage",)

    def __init__(self, capture_content: bool) -> None:
        super().__init__(capture_content)
        self._own_usage = False

    def add(self, chunk: Any) -> None:
        """Fold one chunk (hot path: once per chunk)."""
        super().add(chunk)
        if field(chunk, "usage") is not None:
            self._own_usage = True
            return
        if not self._own_usage:
            usage = field(field(chunk, "x_groq"), "usage")
            if usage is not None:
                self._usage = usage
