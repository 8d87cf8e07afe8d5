"""Bedrock, Cohere and LiteLLM: an SDK version outside the supported range disables that
instrumentor with one warning, and patches nothing."""

from __future__ import annotations

import importlib
import logging

import pytest

from helicone_otel import HeliconeAsyncLogger


@pytest.mark.parametrize(
    ("provider", "module", "name", "dependency", "owner", "attribute"),
    [
        ("bedrock", "helicone_otel.instrumentation.bedrock", "BedrockInstrumentor", "botocore", "botocore.client:BaseClient", "_make_api_call"),
        ("cohere", "helicone_otel.instrumentation.cohere", "CohereInstrumentor", "cohere", "cohere.v2.raw_client:RawV2Client", "chat"),
        ("litellm", "helicone_otel.instrumentation.litellm", "LiteLLMInstrumentor", "litellm", "litellm", "completion"),
    ],
)
def test_unsupported_version_warns_once_and_patches_nothing(monkeypatch, collector, caplog, provider, module, name, dependency, owner, attribute):
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    instrumentor = getattr(importlib.import_module(module), name)
    monkeypatch.setattr(instrumentor, "_instruments", (f"{dependency} >= 999",))
    owner_module, _, owner_name = owner.partition(":")
    target = importlib.import_module(owner_module)
    target = getattr(target, owner_name) if owner_name else target
    before = target.__dict__[attribute]
    caplog.set_level(logging.WARNING)
    logger = HeliconeAsyncLogger(base_url=collector.url, providers=[provider]).init()
    try:
        assert target.__dict__[attribute] is before
        warnings = [r for r in caplog.records if "helicone_otel" in r.getMessage() and "not supported" in r.getMessage()]
        assert len(warnings) == 1 and provider in warnings[0].getMessage()
    finally:
        logger.shutdown()
