"""Cost in USD against hand-computed published prices (USD per million tokens)."""

from __future__ import annotations

import json
import logging

import pytest

from helicone_otel import HeliconeAsyncLogger
from helicone_otel import attributes as A
from helicone_otel.cost import PriceBook, span_cost

M = 1_000_000


def usage(provider, model, inp, out, cache_read=0, cache_write=0, cache_write_1h=0, request_model=None):
    attrs = {A.PROVIDER_NAME: provider, A.RESPONSE_MODEL: model, A.USAGE_INPUT_TOKENS: inp, A.USAGE_OUTPUT_TOKENS: out}
    attrs[A.REQUEST_MODEL] = request_model
    if cache_read:
        attrs[A.USAGE_CACHE_READ_INPUT_TOKENS] = cache_read
    if cache_write:
        attrs[A.USAGE_CACHE_CREATION_INPUT_TOKENS] = cache_write
    if cache_write_1h:
        attrs[A.USAGE_CACHE_CREATION_1H_INPUT_TOKENS] = cache_write_1h
    return attrs


CASES = [
    # OpenAI: gpt-4o-mini $0.15 in / $0.60 out / $0.075 cached
    ("openai uncached", usage("openai", "gpt-4o-mini", 1000, 200), (1000 * 0.15 + 200 * 0.60) / M),
    ("openai snapshot + cached", usage("openai", "gpt-4o-mini-2024-07-18", 1000, 200, cache_read=400),
     (600 * 0.15 + 400 * 0.075 + 200 * 0.60) / M),
    # gpt-4o-2024-05-13 is its own, dearer row ($5/$15), not the gpt-4o family
    ("openai special snapshot", usage("openai", "gpt-4o-2024-05-13", 1000, 100), (1000 * 5 + 100 * 15) / M),
    # o4-mini reasoning: reasoning tokens are already inside output tokens, billed as output
    ("openai reasoning", usage("openai", "o4-mini-2025-04-16", 500, 1500) | {A.USAGE_REASONING_OUTPUT_TOKENS: 1200},
     (500 * 1.1 + 1500 * 4.4) / M),
    # Azure OpenAI bills OpenAI list prices
    ("azure", usage("azure.ai.openai", "gpt-4o", 2000, 300, cache_read=1000), (1000 * 2.5 + 1000 * 1.25 + 300 * 10) / M),
    # Anthropic: input includes cache read and cache writes; 5m write $3.75, 1h write $6, read $0.30
    ("anthropic cache tiers", usage("anthropic", "claude-sonnet-4-5-20250929", 10_000, 500, cache_read=4000,
                                    cache_write=3000, cache_write_1h=1000),
     (3000 * 3 + 4000 * 0.3 + 2000 * 3.75 + 1000 * 6 + 500 * 15) / M),
    ("anthropic long context tier", usage("anthropic", "claude-sonnet-4-5", 250_000, 1000),
     (250_000 * 6 + 1000 * 22.5) / M),
    ("anthropic haiku", usage("anthropic", "claude-3-5-haiku-20241022", 1000, 1000), (1000 * 0.8 + 1000 * 4) / M),
    ("bedrock claude", usage("aws.bedrock", "us.anthropic.claude-3-5-sonnet-20241022-v2:0", 1000, 100),
     (1000 * 3 + 100 * 15) / M),
    ("vertex claude", usage("gcp.vertex_ai", "claude-3-5-sonnet-v2@20241022", 1000, 100), (1000 * 3 + 100 * 15) / M),
    # Google: gemini-2.5-pro $1.25/$10 up to 200k input, $2.5/$15 above; flash $0.30/$2.50, cached $0.03
    ("gemini pro", usage("gcp.gemini", "gemini-2.5-pro", 100_000, 2000), (100_000 * 1.25 + 2000 * 10) / M),
    ("gemini pro long", usage("gcp.gemini", "gemini-2.5-pro", 300_000, 2000), (300_000 * 2.5 + 2000 * 15) / M),
    ("gemini flash cached", usage("gcp.gemini", "models/gemini-2.5-flash", 10_000, 500, cache_read=8000),
     (2000 * 0.3 + 8000 * 0.03 + 500 * 2.5) / M),
    ("vertex gemini", usage("gcp.vertex_ai", "gemini-2.0-flash-001", 1000, 1000), (1000 * 0.1 + 1000 * 0.4) / M),
    # Groq
    ("groq llama", usage("groq", "llama-3.3-70b-versatile", 1000, 1000), (1000 * 0.59 + 1000 * 0.79) / M),
    ("groq gpt-oss cached", usage("groq", "openai/gpt-oss-120b", 1000, 100, cache_read=500),
     (500 * 0.15 + 500 * 0.075 + 100 * 0.6) / M),
    # Mistral
    ("mistral small", usage("mistral_ai", "mistral-small-latest", 1000, 1000), (1000 * 0.15 + 1000 * 0.6) / M),
    # xAI
    ("xai grok", usage("x_ai", "grok-4-0709", 1000, 100, cache_read=200), (800 * 3 + 200 * 0.75 + 100 * 15) / M),
    # unknown response snapshot falls back to the requested model's family
    ("fallback to request model", usage("openai", "gpt-4.1-mini-experimental", 1000, 100, request_model="gpt-4.1-mini"),
     (1000 * 0.4 + 100 * 1.6) / M),
]


def cost(book, attrs):
    return span_cost(book, attrs[A.PROVIDER_NAME], attrs[A.REQUEST_MODEL], attrs)


@pytest.mark.parametrize("name,attrs,expected", CASES, ids=[c[0] for c in CASES])
def test_cost_matches_published_prices(name, attrs, expected):
    assert cost(PriceBook(), attrs) == pytest.approx(expected, rel=1e-12)


def test_unknown_model_gets_no_cost_and_one_warning(caplog):
    book = PriceBook()
    caplog.set_level(logging.WARNING, logger="helicone_otel")
    for _ in range(3):
        assert cost(book, usage("openai", "my-private-model", 10, 10)) is None
    assert len([r for r in caplog.records if "my-private-model" in r.getMessage()]) == 1


def test_no_guess_from_a_prefix():
    # a different model that merely starts like a known one is not priced as it
    assert cost(PriceBook(), usage("openai", "gpt-4o-mini-search-preview", 10, 10)) is None


def test_overrides_win_and_can_target_one_provider():
    book = PriceBook({"gpt-4o-mini": {"input": 1, "output": 2}, "ft:my-model": {"input": 3, "output": 4, "provider": "openai"}})
    assert cost(book, usage("openai", "gpt-4o-mini-2024-07-18", 1000, 1000)) == pytest.approx(3000 / M)
    assert cost(book, usage("openai", "ft:my-model", 1000, 1000)) == pytest.approx(7000 / M)
    assert cost(book, usage("groq", "ft:my-model", 1000, 1000)) is None


def test_bad_price_overrides_fail_at_construction():
    with pytest.raises(TypeError, match=r"prices\['m'\].input must be a non-negative number"):
        HeliconeAsyncLogger(base_url="http://127.0.0.1:1", prices={"m": {"input": "cheap", "output": 1}})
    with pytest.raises(ValueError, match=r"prices\['m'\] needs 'output'"):
        HeliconeAsyncLogger(base_url="http://127.0.0.1:1", prices={"m": {"input": 1}})


def test_prices_file_from_environment(tmp_path, monkeypatch):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"house-model": {"input": 10, "output": 20}}))
    monkeypatch.setenv("HELICONE_PRICES_FILE", str(path))
    logger = HeliconeAsyncLogger(base_url="http://127.0.0.1:1")
    book = logger._price_book
    assert cost(book, usage("openai", "house-model", 100, 100)) == pytest.approx(3000 / M)
    monkeypatch.setenv("HELICONE_PRICES_FILE", str(tmp_path / "missing.json"))
    with pytest.raises(ValueError, match="HELICONE_PRICES_FILE"):
        HeliconeAsyncLogger(base_url="http://127.0.0.1:1")


def test_cost_on_span_and_in_collector(make_logger, client, capture, collector, openai_server):
    openai_server.cached_tokens = 2
    logger = make_logger()
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "one two three four"}])
    list(client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "one two three four"}], stream=True))
    expected = (2 * 0.15 + 2 * 0.075 + 5 * 0.60) / M  # 4 input (2 cached), 5 output
    for span in capture.llm_spans():
        assert span.attributes[A.USAGE_COST] == pytest.approx(expected)
    assert logger.flush(5.0)
    for record in collector.store.requests():
        assert record.cost_usd == pytest.approx(expected)


def test_costs_command_groups(make_logger, client, collector, capsys):
    import helicone_otel
    from helicone_otel.cli import main

    logger = make_logger()
    for user, n in (("alice", 2), ("bob", 1)):
        with helicone_otel.user(user):
            for _ in range(n):
                client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "one two three four"}])
    assert logger.flush(5.0)
    assert main(["costs", "--by", "user", "--db", collector.store.path]) == 0
    lines = capsys.readouterr().out.splitlines()
    per_call = (4 * 0.15 + 5 * 0.60) / M
    assert lines[2].split() == ["alice", "2", "8", "10", f"{2 * per_call:.6f}", "0"]
    assert lines[3].split() == ["bob", "1", "4", "5", f"{per_call:.6f}", "0"]
    assert lines[4].split()[:2] == ["total", "3"]
    assert main(["costs", "--by", "colour", "--db", collector.store.path]) == 2
