"""Real exporter → real local collector over HTTP → SQLite, checked as Helicone would map it."""

from __future__ import annotations

import json

import helicone_otel
from helicone_otel import HeliconeAsyncLogger
from helicone_otel.collector import Collector

MESSAGES = [{"role": "user", "content": "Say hello to the tests"}]
REPLY = "Hello from the stand-in model."


def test_chat_calls_arrive_in_collector_with_helicone_mapping(logger, client, collector, openai_server):
    openai_server.cached_tokens = 2
    with helicone_otel.session("s-1", path="/plan", name="Course Plan"), helicone_otel.user("u-42"):
        with helicone_otel.properties(Environment="test"):
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, max_tokens=64)
            list(client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
    assert logger.flush(5.0)
    records = collector.store.requests()
    assert len(records) == 2
    for record in records:
        assert record.provider == "OPENAI"
        assert record.model == "gpt-4o-mini-2024-07-18"
        # Helicone's meaning: prompt tokens exclude the 2 cached ones (stored apart).
        assert (record.prompt_tokens, record.completion_tokens, record.total_tokens) == (3, 5, 8)
        assert record.cache_read_tokens == 2
        assert record.user_id == "u-42"
        assert record.properties == {  # property names are stored lowercased, session keys not
            "Helicone-Session-Id": "s-1",
            "Helicone-Session-Path": "/plan",
            "Helicone-Session-Name": "Course Plan",
            "environment": "test",
        }
        assert record.request_body["messages"] == [{"role": "user", "content": "Say hello to the tests"}]
        assert record.latency_ms >= 0
    plain, streamed = records
    choice = plain.response_body["choices"][0]
    assert choice["message"]["content"] == REPLY and choice["finish_reason"] == "stop"
    assert plain.request_body["max_tokens"] == 64
    assert streamed.request_body["stream"] is True
    assert REPLY in json.dumps(streamed.response_body)
    assert streamed.time_to_first_token_ms is not None
    stats = logger.stats()
    assert stats.exported == 2 and stats.dropped == 0


def test_errors_reach_collector_with_error_type(logger, client, collector, openai_server):
    import openai
    import pytest

    openai_server.fail_next(503, "overloaded")
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert logger.flush(5.0)
    (record,) = collector.store.requests()
    assert record.error_type == "503"
    assert record.model == "gpt-4o-mini"  # falls back to the requested model


def test_non_llm_spans_are_not_sent_to_helicone(logger, client, collector, capture):
    tracer = capture.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("web request"):
        with tracer.start_as_current_span("db query"):
            pass
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert logger.flush(5.0)
    assert len(capture.spans()) == 3
    assert len(collector.store.requests()) == 1


def test_private_provider_does_not_replace_global(collector, client):
    from opentelemetry import trace

    before = trace.get_tracer_provider()
    logger = HeliconeAsyncLogger(base_url=collector.url, providers=["openai"]).init()
    try:
        assert trace.get_tracer_provider() is before
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        assert logger.flush(5.0)
        assert len(collector.store.requests()) == 1
    finally:
        logger.shutdown()


def test_api_key_sent_as_bearer_and_rejections_counted(tmp_path, client, caplog):
    with Collector(str(tmp_path / "auth.db"), port=0, api_key="sk-helicone-right") as secured:
        good = HeliconeAsyncLogger(api_key="sk-helicone-right", base_url=secured.url, providers=["openai"]).init()
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        assert good.flush(5.0)
        good.shutdown()
        assert len(secured.store.requests()) == 1

        bad = HeliconeAsyncLogger(api_key="sk-helicone-wrong", base_url=secured.url, providers=["openai"]).init()
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        assert bad.flush(5.0)
        stats = bad.stats()
        bad.shutdown()
        assert stats.exported == 0 and stats.dropped_export_failed == 1
        assert "HTTP 401" in stats.last_error
        assert any("rejected the API key" in r.getMessage() for r in caplog.records)
        assert len(secured.store.requests()) == 1


def test_static_and_process_properties(make_logger, client, collector):
    logger = make_logger(properties={"App": "mobile"})
    logger.set_properties({"Helicone-Property-Region": "eu", "Helicone-User-Id": "default-user"})
    with logger.with_properties({"Helicone-Session-Id": "s-9", "Helicone-Property-App": "web"}):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert logger.flush(5.0)
    inside, outside = collector.store.requests()
    assert inside.properties == {"app": "web", "region": "eu", "Helicone-Session-Id": "s-9"}
    assert inside.user_id == "default-user"
    assert outside.properties == {"app": "mobile", "region": "eu"}
