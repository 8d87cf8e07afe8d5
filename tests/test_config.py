"""Bad configuration fails loudly at construction/init, naming the argument and variable."""

from __future__ import annotations

import pytest

from helicone_otel import HeliconeAsyncLogger
from helicone_otel.config import Settings


def test_remote_base_url_without_key_names_argument_and_variable(monkeypatch):
    with pytest.raises(ValueError, match=r"api_key=.*HELICONE_API_KEY"):
        HeliconeAsyncLogger()


def test_key_from_environment_and_default_base_url(monkeypatch):
    monkeypatch.setenv("HELICONE_API_KEY", "sk-helicone-abc")
    s = HeliconeAsyncLogger().settings
    assert s.api_key == "sk-helicone-abc"
    assert s.trace_endpoint == "https://api.helicone.ai/v1/trace/log-python"


def test_eu_key_selects_eu_region():
    s = Settings.resolve(api_key="sk-helicone-eu-xyz", env={})
    assert s.base_url == "https://eu.api.helicone.ai"


def test_local_collector_needs_no_key():
    s = Settings.resolve(base_url="http://127.0.0.1:8585", env={})
    assert s.api_key is None and s.trace_endpoint == "http://127.0.0.1:8585/v1/trace/log-python"


def test_full_intake_url_is_accepted():
    s = Settings.resolve(base_url="http://localhost:8585/v1/trace/log-python/", env={})
    assert s.base_url == "http://localhost:8585"


@pytest.mark.parametrize("url", ["api.helicone.ai", "ftp://x", "http://", "http://host:99999"])
def test_malformed_url(url):
    with pytest.raises(ValueError, match=r"base_url \(or HELICONE_BASE_URL\)"):
        HeliconeAsyncLogger(api_key="k", base_url=url)


def test_malformed_url_from_environment(monkeypatch):
    monkeypatch.setenv("HELICONE_BASE_URL", "not a url")
    with pytest.raises(ValueError, match="HELICONE_BASE_URL"):
        HeliconeAsyncLogger(api_key="k")


def test_unknown_provider():
    with pytest.raises(ValueError, match=r"providers: unknown provider name\(s\) \['opneai'\]"):
        HeliconeAsyncLogger(base_url="http://127.0.0.1:1", providers=["opneai"])


def test_providers_must_be_a_list():
    with pytest.raises(TypeError, match="providers"):
        HeliconeAsyncLogger(base_url="http://127.0.0.1:1", providers="openai")


def test_property_values_are_strings_numbers_or_bools():
    logger = HeliconeAsyncLogger(base_url="http://127.0.0.1:1", properties={"Tier": 3, "Beta": True, "Ratio": 0.5})
    assert logger.settings.properties == {"Tier": "3", "Beta": "true", "Ratio": "0.5"}
    with pytest.raises(TypeError, match=r"properties\['Tier'\] must be a str, int, float or bool, got dict"):
        HeliconeAsyncLogger(base_url="http://127.0.0.1:1", properties={"Tier": {"a": 1}})


def test_capture_content_precedence():
    assert Settings.resolve(base_url="http://127.0.0.1:1", env={}).capture_content is True
    env = {"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "false"}
    assert Settings.resolve(base_url="http://127.0.0.1:1", env=env).capture_content is False
    env["HELICONE_CAPTURE_CONTENT"] = "true"
    assert Settings.resolve(base_url="http://127.0.0.1:1", env=env).capture_content is True
    assert Settings.resolve(base_url="http://127.0.0.1:1", env=env, capture_content=False).capture_content is False
    with pytest.raises(ValueError, match="HELICONE_CAPTURE_CONTENT='maybe'"):
        Settings.resolve(base_url="http://127.0.0.1:1", env={"HELICONE_CAPTURE_CONTENT": "maybe"})


def test_helicone_enabled_false_makes_init_a_no_op(monkeypatch, client):
    import openai

    monkeypatch.setenv("HELICONE_ENABLED", "false")
    logger = HeliconeAsyncLogger().init()  # no key needed when disabled
    assert logger.tracer_provider is None
    assert "request" not in openai.OpenAI.__dict__


def test_init_is_idempotent_and_does_not_touch_environ(collector, capture):
    import os

    before = dict(os.environ)
    logger = HeliconeAsyncLogger(base_url=collector.url, tracer_provider=capture.tracer_provider, providers=["openai"])
    try:
        assert logger.init() is logger
        assert logger.init() is logger
        assert len(logger._instrumentors) == 1
        assert dict(os.environ) == before
    finally:
        logger.shutdown()


def test_tracer_provider_must_be_an_sdk_provider():
    with pytest.raises(TypeError, match="tracer_provider"):
        HeliconeAsyncLogger(base_url="http://127.0.0.1:1", tracer_provider=object())
