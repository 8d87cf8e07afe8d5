"""groq, mistralai and google-genai: enabled by ``init()`` when installed, skipped with one
warning on an unsupported SDK version (the SDK left untouched)."""

from __future__ import annotations

import importlib
import logging

import pytest

from helicone_otel import HeliconeAsyncLogger, instrumentation

# provider → (instrumentor module, class, an SDK class attribute it patches, SDK module of that class)
CASES = {
    "groq": ("helicone_otel.instrumentation.groq", "GroqInstrumentor", "request", "groq._base_client", "SyncAPIClient"),
    "mistralai": ("helicone_otel.instrumentation.mistralai", "MistralInstrumentor", "complete", "mistralai.chat", "Chat"),
    "google-genai": ("helicone_otel.instrumentation.google_genai", "GoogleGenAIInstrumentor", "request", "google.genai._api_client",
                     "BaseApiClient"),
}


def _patched_class(provider):
    _, _, attribute, module, name = CASES[provider]
    pytest.importorskip(module.split(".")[0])
    if provider == "google-genai":
        from google.genai import _api_client

        return getattr(_api_client, "BaseApiClient", None) or _api_client.ApiClient, attribute
    if provider == "mistralai":
        from helicone_otel.instrumentation.mistralai._point import sdk_module

        return getattr(sdk_module("chat"), name), attribute
    return getattr(importlib.import_module(module), name), attribute


@pytest.mark.parametrize("provider", sorted(CASES))
def test_init_instruments_every_installed_sdk(provider, collector, capture):
    owner, attribute = _patched_class(provider)
    assert provider in instrumentation.supported_providers() and instrumentation.is_installed(provider)
    original = owner.__dict__.get(attribute)
    logger = HeliconeAsyncLogger(base_url=collector.url, tracer_provider=capture.tracer_provider).init()
    try:
        assert owner.__dict__.get(attribute) is not original
    finally:
        logger.shutdown()
    assert owner.__dict__.get(attribute) is original


@pytest.mark.parametrize("provider", sorted(CASES))
def test_unsupported_sdk_version_is_skipped_with_one_warning(provider, monkeypatch, collector, capture, caplog):
    owner, attribute = _patched_class(provider)
    module, name, *_ = CASES[provider]
    instrumentor = getattr(importlib.import_module(module), name)
    sdk = instrumentor._instruments[0].split()[0]
    monkeypatch.setattr(instrumentor, "_instruments", (f"{sdk} >= 999",))
    original = owner.__dict__.get(attribute)
    caplog.set_level(logging.WARNING)
    logger = HeliconeAsyncLogger(base_url=collector.url, tracer_provider=capture.tracer_provider, providers=[provider]).init()
    try:
        assert owner.__dict__.get(attribute) is original
        warnings = [r for r in caplog.records if "not supported" in r.getMessage() and provider in r.getMessage()]
        assert len(warnings) == 1
    finally:
        logger.shutdown()
