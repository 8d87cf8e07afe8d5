"""Stream accumulators are total over every shape the SDKs accept: plain dicts in, attributes
out, never an exception (table-driven, no SDK, no network)."""

from __future__ import annotations

import json

import pytest

from helicone_otel import attributes as A
from helicone_otel.instrumentation.anthropic._messages import MessageStreamAccumulator
from helicone_otel.instrumentation.openai._chat import ChatStreamAccumulator
from helicone_otel.instrumentation.openai._completions import CompletionStreamAccumulator


def fold(accumulator, chunks):
    acc = accumulator(True)
    for chunk in chunks:
        acc.add(chunk)
    return acc.attributes(True)


@pytest.mark.parametrize(
    "accumulator, chunks, expected_text",
    [
        (CompletionStreamAccumulator, [{"id": "c", "model": "m", "choices": [{"index": None, "text": "Hel"}]},
                                       {"choices": [{"text": "lo", "finish_reason": "stop"}]}], "Hello"),
        (ChatStreamAccumulator, [{"id": "c", "model": "m", "choices": [{"index": None, "delta": {"content": "Hi"}}]},
                                 {"choices": None, "usage": {"prompt_tokens": 1, "completion_tokens": 1}},
                                 {"choices": [{"delta": {}, "finish_reason": "stop"}]}], "Hi"),
        (MessageStreamAccumulator, [{"type": "message_start", "message": {"id": "m", "model": "claude", "usage": {"input_tokens": 2}}},
                                    {"type": "content_block_start", "index": None, "content_block": {"type": "text", "text": ""}},
                                    {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "Yo"}},
                                    {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 1}}], "Yo"),
    ],
)
def test_missing_or_null_indexes_fold(accumulator, chunks, expected_text):
    attrs = fold(accumulator, chunks)
    output = json.loads(attrs[A.OUTPUT_MESSAGES])
    assert output[0]["parts"][0]["content"] == expected_text
