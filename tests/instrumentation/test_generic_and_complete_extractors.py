"""Pure extractors: path templates of generic spans, Anthropic legacy Text Completions."""

from __future__ import annotations

import json

import pytest

from helicone_otel import attributes as A
from helicone_otel.instrumentation.anthropic import _complete
from helicone_otel.instrumentation.generic import path_template


@pytest.mark.parametrize(
    "path, template",
    [
        ("/threads/thread_abc123/runs/run_XyZ", "/threads/{id}/runs/{id}"),
        ("/threads/thread_abc123/runs/run_9/submit_tool_outputs", "/threads/{id}/runs/{id}/submit_tool_outputs"),
        ("/assistants", "/assistants"),
        ("/fine_tuning/jobs/ftjob-Ab12/events", "/fine_tuning/jobs/{id}/events"),
        ("/vector_stores/vs_1/file_batches/vsfb_2", "/vector_stores/{id}/file_batches/{id}"),
        ("/v1/messages/batches/msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d/results", "/v1/messages/batches/{id}/results"),
        ("/v1/messages/count_tokens", "/v1/messages/count_tokens"),
        ("/models/gpt-4o-mini", "/models/{id}"),
        ("/files/" + "a" * 48, "/files/{id}"),
    ],
)
def test_ids_collapse_and_names_stay(path, template):
    assert path_template(path) == template


COMPLETION = {
    "type": "completion", "id": "compl_01", "completion": " Hello!", "stop_reason": "stop_sequence",
    "stop": "\n\nHuman:", "model": "claude-2.1", "log_id": "compl_01",
}


def test_complete_request_and_response():
    attrs: dict = {}
    body = {"model": "claude-2.1", "max_tokens_to_sample": 300, "prompt": "\n\nHuman: Hi\n\nAssistant:", "temperature": 0.5,
            "stop_sequences": ["\n\nHuman:"], "stream": True}
    _complete.request_attributes(body, attrs, True)
    assert attrs[A.REQUEST_MAX_TOKENS] == 300 and attrs[A.REQUEST_TEMPERATURE] == 0.5 and attrs[A.REQUEST_STREAM] is True
    assert json.loads(attrs[A.INPUT_MESSAGES])[0]["parts"][0]["content"] == body["prompt"]
    out = _complete.response_attributes(COMPLETION, True)
    assert out[A.RESPONSE_ID] == "compl_01" and out[A.RESPONSE_MODEL] == "claude-2.1"
    assert out[A.RESPONSE_FINISH_REASONS] == ("stop_sequence",)
    assert json.loads(out[A.OUTPUT_MESSAGES])[0]["parts"][0]["content"] == " Hello!"
    assert A.OUTPUT_MESSAGES not in _complete.response_attributes(COMPLETION, False)


def test_complete_stream_folds_text_and_ignores_pings():
    fold = _complete.CompletionStreamAccumulator(True)
    for event in ({**COMPLETION, "completion": " Hel", "stop_reason": None}, {"type": "ping"}, {**COMPLETION, "completion": "lo!"}):
        fold.add(event)
    out = fold.attributes(True)
    assert out[A.RESPONSE_FINISH_REASONS] == ("stop_sequence",)
    assert json.loads(out[A.OUTPUT_MESSAGES])[0]["parts"][0]["content"] == " Hello!"
    assert _complete.CompletionStreamAccumulator(True).attributes(True) == {}  # nothing seen, nothing claimed
