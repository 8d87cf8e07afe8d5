"""A tapped stream's events (capture/streams.py ``tap_events``) read on the export side."""

from __future__ import annotations

import pytest

from helicone_otel.export.extract import event_chunks
from helicone_otel.export.helicone import _sse

CHAT = ['{"id":"c1","choices":[{"index":0,"delta":{"content":"Hi"}}]}', '{"id":"c1","choices":[],"usage":{"prompt_tokens":3}}', "[DONE]"]
ANTHROPIC = [
    'message_start\n{"type":"message_start","message":{"id":"m1","usage":{"input_tokens":5}}}',
    'ping\n{"type": "ping"}',
    'content_block_delta\n{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}',
]


@pytest.mark.parametrize(
    "events, chunks, frames",
    [
        (CHAT, [{"id": "c1", "choices": [{"index": 0, "delta": {"content": "Hi"}}]}, {"id": "c1", "choices": [], "usage": {"prompt_tokens": 3}}],
         [f"data: {CHAT[0]}", f"data: {CHAT[1]}"]),
        (ANTHROPIC[1:2], [{"type": "ping"}], ['event: ping\ndata: {"type": "ping"}']),
        # No ``type`` in the JSON (some compatible servers): the event name is the type, as the
        # SDKs make it, and that chunk is encoded again so Helicone reads the type too.
        (['message_stop\n{"x":1}'], [{"x": 1, "type": "message_stop"}], [None]),
        # keep-alives, comments, non-objects and broken JSON are left out; the rest stays
        (["", "[DONE]", "[1,2]", '{"a":', '{"b":2}', "noise\nnot json"], [{"b": 2}], ['data: {"b":2}']),
        # an event whose text is two objects is not JSON: it is left out, the rest keep their text
        (['{"a":1},{"b":2}', '{"c":3}'], [{"c": 3}], ['data: {"c":3}']),
        # a multi-line data field cannot be one ``data:`` line
        (['{"a":\n1}'], [{"a": 1}], [None]),
        ([], [], []),
    ],
)
def test_event_chunks(events, chunks, frames):
    assert event_chunks(events) == (chunks, frames)


def test_the_helicone_stream_is_the_providers_own_text():
    chunks, frames = event_chunks(ANTHROPIC)
    text = _sse(chunks, False, frames)
    assert text == "".join(f"event: {e.split(chr(10))[0]}\ndata: {e.split(chr(10), 1)[1]}\n\n" for e in ANTHROPIC)
    chat, chat_frames = event_chunks(CHAT)
    assert _sse(chat, True, chat_frames) == f"data: {CHAT[0]}\n\ndata: {CHAT[1]}\n\ndata: [DONE]\n\n"
    # without frames (chunk objects, masked or redacted content) every chunk is encoded again
    assert _sse([{"type": "ping"}], False) == 'event: ping\ndata: {"type":"ping"}\n\n'
    assert _sse([], False) == ""
