"""Cost in USD against the providers' published list prices (USD per million tokens), written
down here with the page they come from; prices come from genai-prices, our overrides
(helicone_otel/cost/prices.json) and the user's own, in that order of increasing precedence."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata

import pytest

from helicone_otel import HeliconeAsyncLogger
from helicone_otel import attributes as A
from helicone_otel.cost import PriceBook, cost_usd, parse_price, source, span_cost

M = 1_000_000
OPENAI = "https://platform.openai.com/docs/pricing"
AZURE = "https://azure.microsoft.com/en-us/pricing/details/cognitive-services/openai-service/"
ANTHROPIC = "https://docs.claude.com/en/docs/about-claude/pricing"
BEDROCK = "https://aws.amazon.com/bedrock/pricing/"
VERTEX = "https://cloud.google.com/vertex-ai/generative-ai/pricing"
GEMINI = "https://ai.google.dev/gemini-api/docs/pricing"


def usage(provider, model, inp, out, cache_read=0, cache_write=0, cache_write_1h=0, request_model=None, **extra):
    attrs = {A.PROVIDER_NAME: provider, A.RESPONSE_MODEL: model, A.USAGE_INPUT_TOKENS: inp, A.USAGE_OUTPUT_TOKENS: out,
             A.REQUEST_MODEL: request_model}
    for key, value in ((A.USAGE_CACHE_READ_INPUT_TOKENS, cache_read), (A.USAGE_CACHE_CREATION_INPUT_TOKENS, cache_write),
                       (A.USAGE_CACHE_CREATION_1H_INPUT_TOKENS, cache_write_1h)):
        if value:
            attrs[key] = value
    return attrs | extra


# (name, span usage, expected USD, where the list price was read). Input counts include cached
# and cache-written tokens; output counts include reasoning tokens (semconv).
CASES = [
    ("gpt-4o-mini", usage("openai", "gpt-4o-mini", 1000, 200), (1000 * 0.15 + 200 * 0.60) / M, OPENAI),
    ("snapshot + cached", usage("openai", "gpt-4o-mini-2024-07-18", 1000, 200, cache_read=400),
     (600 * 0.15 + 400 * 0.075 + 200 * 0.60) / M, OPENAI),
    ("own-priced snapshot", usage("openai", "gpt-4o-2024-05-13", 1000, 100), (1000 * 5 + 100 * 15) / M, OPENAI),
    ("reasoning billed as output", usage("openai", "o4-mini-2025-04-16", 500, 1500, **{A.USAGE_REASONING_OUTPUT_TOKENS: 1200}),
     (500 * 1.1 + 1500 * 4.4) / M, OPENAI),
    ("gpt-5.1 cached", usage("openai", "gpt-5.1", 10_000, 1000, cache_read=8000), (2000 * 1.25 + 8000 * 0.125 + 1000 * 10) / M, OPENAI),
    ("gpt-5.2", usage("openai", "gpt-5.2", 1000, 1000, cache_read=500), (500 * 1.75 + 500 * 0.175 + 1000 * 14) / M, OPENAI),
    ("gpt-5-mini", usage("openai", "gpt-5-mini-2025-08-07", 1000, 1000), (1000 * 0.25 + 1000 * 2) / M, OPENAI),
    ("gpt-5.1 priority tier", usage("openai", "gpt-5.1", 1000, 1000, **{A.OPENAI_RESPONSE_SERVICE_TIER: "priority"}),
     (1000 * 2.5 + 1000 * 20) / M, OPENAI),
    ("gpt-5.1 flex tier", usage("openai", "gpt-5.1", 1000, 1000, **{A.OPENAI_RESPONSE_SERVICE_TIER: "flex"}),
     (1000 * 0.625 + 1000 * 5) / M, OPENAI),
    ("davinci-002", usage("openai", "davinci-002", 1000, 1000), (1000 * 2 + 1000 * 2) / M, OPENAI),
    ("legacy completions", usage("openai", "gpt-3.5-turbo-instruct", 1000, 100), (1000 * 1.5 + 100 * 2) / M, OPENAI),
    ("embeddings", usage("openai", "text-embedding-3-small", 1000, 0), 1000 * 0.02 / M, OPENAI),
    ("azure gpt-4o cached", usage("azure.ai.openai", "gpt-4o", 2000, 300, cache_read=1000), (1000 * 2.5 + 1000 * 1.25 + 300 * 10) / M, AZURE),
    ("azure deployment name", usage("azure.ai.openai", "gpt-4o-2024-11-20", 1000, 100, request_model="my-prod-deployment"),
     (1000 * 2.5 + 100 * 10) / M, AZURE),
    ("azure gpt-35-turbo", usage("azure.ai.openai", "gpt-35-turbo", 1000, 1000), (1000 * 0.5 + 1000 * 1.5) / M, AZURE),
    ("azure gpt-35-turbo-instruct", usage("azure.ai.openai", "gpt-35-turbo-instruct", 1000, 1000), (1000 * 1.5 + 1000 * 2) / M, AZURE),
    ("azure davinci-002 (our override)", usage("azure.ai.openai", "davinci-002", 1000, 1000), (1000 * 2 + 1000 * 2) / M, AZURE),
    ("helicone's AZURE name", usage("AZURE", "gpt-4o-mini", 1000, 1000), (1000 * 0.15 + 1000 * 0.6) / M, AZURE),
    ("anthropic cache reads and 5m/1h writes", usage("anthropic", "claude-sonnet-4-5-20250929", 10_000, 500, cache_read=4000,
                                                     cache_write=3000, cache_write_1h=1000),
     (3000 * 3 + 4000 * 0.3 + 2000 * 3.75 + 1000 * 6 + 500 * 15) / M, ANTHROPIC),
    ("anthropic long context", usage("anthropic", "claude-sonnet-4-5", 250_000, 1000, cache_read=50_000),
     (200_000 * 6 + 50_000 * 0.6 + 1000 * 22.5) / M, ANTHROPIC),
    ("claude-sonnet-4 long context (our override)", usage("anthropic", "claude-sonnet-4-20250514", 300_000, 1000),
     (300_000 * 6 + 1000 * 22.5) / M, ANTHROPIC),
    ("claude-sonnet-4-6", usage("anthropic", "claude-sonnet-4-6", 10_000, 1000, cache_read=5000, cache_write=2000),
     (3000 * 3 + 5000 * 0.3 + 2000 * 3.75 + 1000 * 15) / M, ANTHROPIC),
    ("claude haiku 4.5", usage("anthropic", "claude-haiku-4-5-20251001", 1000, 1000, cache_write=500, cache_write_1h=500),
     (500 * 1 + 500 * 2 + 1000 * 5) / M, ANTHROPIC),
    ("claude 3.5 haiku", usage("anthropic", "claude-3-5-haiku-20241022", 1000, 1000), (1000 * 0.8 + 1000 * 4) / M, ANTHROPIC),
    ("bedrock claude 3.5 (regional)", usage("aws.bedrock", "us.anthropic.claude-3-5-sonnet-20241022-v2:0", 1000, 100),
     (1000 * 3 + 100 * 15) / M, BEDROCK),
    # Bedrock's regional (us./eu./apac.) endpoints of Claude 4.5 cost 10% over the global ones.
    ("bedrock claude 4.5 regional", usage("aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", 1000, 100),
     (1000 * 3.3 + 100 * 16.5) / M, BEDROCK),
    ("bedrock claude 4.5 global", usage("aws.bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", 1000, 100),
     (1000 * 3 + 100 * 15) / M, BEDROCK),
    ("bedrock nova", usage("aws.bedrock", "amazon.nova-pro-v1:0", 1000, 1000), (1000 * 0.8 + 1000 * 3.2) / M, BEDROCK),
    ("vertex claude", usage("gcp.vertex_ai", "claude-3-5-sonnet-v2@20241022", 1000, 100), (1000 * 3 + 100 * 15) / M, VERTEX),
    ("vertex gemini", usage("gcp.vertex_ai", "gemini-2.0-flash-001", 1000, 1000), (1000 * 0.1 + 1000 * 0.4) / M, VERTEX),
    ("gemini pro", usage("gcp.gemini", "gemini-2.5-pro", 100_000, 2000), (100_000 * 1.25 + 2000 * 10) / M, GEMINI),
    ("gemini pro long context", usage("gcp.gemini", "gemini-2.5-pro", 300_000, 2000, cache_read=100_000),
     (200_000 * 2.5 + 100_000 * 0.25 + 2000 * 15) / M, GEMINI),
    ("gemini flash cached", usage("gcp.gemini", "models/gemini-2.5-flash", 10_000, 500, cache_read=8000),
     (2000 * 0.3 + 8000 * 0.03 + 500 * 2.5) / M, GEMINI),
    ("groq llama", usage("groq", "llama-3.3-70b-versatile", 1000, 1000), (1000 * 0.59 + 1000 * 0.79) / M, "https://groq.com/pricing"),
    ("groq gpt-oss cached", usage("groq", "openai/gpt-oss-120b", 1000, 100, cache_read=500),
     (500 * 0.15 + 500 * 0.075 + 100 * 0.6) / M, "https://groq.com/pricing"),
    ("mistral small", usage("mistral_ai", "mistral-small-latest", 1000, 1000), (1000 * 0.15 + 1000 * 0.6) / M,
     "https://mistral.ai/pricing#api-pricing"),
    ("xai grok cached", usage("x_ai", "grok-4-0709", 1000, 100, cache_read=200), (800 * 3 + 200 * 0.75 + 100 * 15) / M,
     "https://docs.x.ai/docs/models"),
    ("together", usage("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", 1000, 1000), (1000 * 0.88 + 1000 * 0.88) / M,
     "https://www.together.ai/pricing"),
    ("unknown snapshot → requested model", usage("openai", "gpt-4.1-mini-experimental", 1000, 100, request_model="gpt-4.1-mini"),
     (1000 * 0.4 + 100 * 1.6) / M, OPENAI),
]


# Python 3.10 gets genai-prices 0.1.13 (0.2 needs 3.11), whose data these cases check against
# list prices that 0.2.3 has and 0.1.13 does not: davinci-002 at $20/M both ways, Mistral Small
# at $0.1/$0.3. Every other case, and our reading of its rows, holds on 0.1.13 too.
OLD_PRICE_DATA = tuple(int(x) for x in metadata.version("genai-prices").split(".")[:2]) < (0, 2)
NOT_IN_OLD_PRICE_DATA = {"davinci-002", "mistral small"}
PARAMS = [pytest.param(*case, id=case[0], marks=pytest.mark.skipif(
              OLD_PRICE_DATA and case[0] in NOT_IN_OLD_PRICE_DATA, reason="genai-prices 0.1.x (Python 3.10) has an older price"))
          for case in CASES]


def cost(book, attrs):
    return span_cost(book, attrs[A.PROVIDER_NAME], attrs[A.REQUEST_MODEL], attrs)


@pytest.fixture(scope="module")
def book():
    return PriceBook()


@pytest.mark.parametrize("name,attrs,expected,page", PARAMS)
def test_cost_within_one_percent_of_list_price(book, name, attrs, expected, page):
    assert cost(book, attrs) == pytest.approx(expected, rel=0.01), page


def test_every_model_genai_prices_knows_costs_what_it_says():
    """Our conversion of genai-prices rows (tiers per key, cache reads, 5m/1h writes, reasoning,
    per-request fees) gives genai-prices' own figure for every model, below and above each tier."""
    from genai_prices import Usage, data

    now, checked = datetime.now(timezone.utc), 0
    for provider in data.providers:
        for model in provider.models:
            model_price = model.get_prices(now)
            rows = source.to_rows(model_price)
            if rows is None:  # priced only in units spans do not carry (audio hours, pages)
                continue
            price = parse_price(rows, f"{provider.id}/{model.id}")
            for inp in [10_000] + [threshold + 1000 for threshold, _ in price.tiers]:
                counts = dict(input_tokens=inp, output_tokens=3000, cache_read_tokens=inp // 4,
                              cache_write_tokens=inp // 5, cache_write_1h_tokens=inp // 20, output_reasoning_tokens=1000)
                theirs = float(model_price.calc_price(Usage(**counts))["total_price"])
                ours = cost_usd(price, {A.USAGE_INPUT_TOKENS: inp, A.USAGE_OUTPUT_TOKENS: 3000,
                                        A.USAGE_CACHE_READ_INPUT_TOKENS: inp // 4, A.USAGE_CACHE_CREATION_INPUT_TOKENS: inp // 5,
                                        A.USAGE_CACHE_CREATION_1H_INPUT_TOKENS: inp // 20, A.USAGE_REASONING_OUTPUT_TOKENS: 1000})
                assert ours == pytest.approx(theirs, rel=0.01, abs=1e-12), (provider.id, model.id, inp)
                checked += 1
    assert checked > 1000


def test_unknown_model_gets_no_cost_and_one_warning(caplog):
    book = PriceBook()
    caplog.set_level(logging.WARNING, logger="helicone_otel")
    for provider in ("openai", "azure.ai.openai", "aws.bedrock", "gcp.vertex_ai"):
        for _ in range(3):
            assert cost(book, usage(provider, "my-private-model", 10, 10)) is None
    warnings = [r for r in caplog.records if "my-private-model" in r.getMessage()]
    assert len(warnings) == 4  # one per provider, whatever the number of calls


def test_no_price_for_local_servers_or_unmatched_families():
    book = PriceBook()
    assert cost(book, usage("ollama", "gpt-oss:20b", 10, 10)) is None
    assert cost(book, usage("openai", "gpt-4o-foo", 10, 10)) is None  # not a model genai-prices knows


def test_user_prices_win_and_can_target_one_provider():
    book = PriceBook({"gpt-4o-mini": {"input": 1, "output": 2}, "ft:my-model": {"input": 3, "output": 4, "provider": "openai"},
                      "claude-sonnet-4": {"input": 1, "output": 1}})
    assert cost(book, usage("openai", "gpt-4o-mini-2024-07-18", 1000, 1000)) == pytest.approx(3000 / M)
    assert cost(book, usage("openai", "ft:my-model", 1000, 1000)) == pytest.approx(7000 / M)
    assert cost(book, usage("groq", "ft:my-model", 1000, 1000)) is None
    # the user's row beats our own override (prices.json) too
    assert cost(book, usage("anthropic", "claude-sonnet-4-20250514", 300_000, 0)) == pytest.approx(300_000 / M)


def test_our_overrides_apply_only_to_the_providers_they_name():
    book = PriceBook()
    # prices.json fixes Azure's davinci-002 output price; OpenAI's comes from genai-prices
    assert cost(book, usage("azure.ai.openai", "davinci-002", 0, 1000)) == pytest.approx(1000 * 2 / M)
    if not OLD_PRICE_DATA:  # genai-prices 0.1.x lists OpenAI's davinci-002 at $20/M
        assert cost(book, usage("openai", "davinci-002", 0, 1000)) == pytest.approx(1000 * 2 / M)


def test_bad_price_overrides_fail_at_construction():
    with pytest.raises(TypeError, match=r"prices\['m'\].input must be a non-negative number"):
        HeliconeAsyncLogger(base_url="http://127.0.0.1:1", prices={"m": {"input": "cheap", "output": 1}})
    with pytest.raises(ValueError, match=r"prices\['m'\] needs 'output'"):
        HeliconeAsyncLogger(base_url="http://127.0.0.1:1", prices={"m": {"input": 1}})


def test_prices_file_from_environment(tmp_path, monkeypatch):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"house-model": {"input": 10, "output": 20}, "gpt-4o": {"input": 1, "output": 1}}))
    monkeypatch.setenv("HELICONE_PRICES_FILE", str(path))
    logger = HeliconeAsyncLogger(base_url="http://127.0.0.1:1", prices={"gpt-4o": {"input": 2, "output": 2}})
    book = logger._price_book
    assert cost(book, usage("openai", "house-model", 100, 100)) == pytest.approx(3000 / M)
    assert cost(book, usage("openai", "gpt-4o", 1000, 0)) == pytest.approx(2000 / M)  # prices= over the file
    monkeypatch.setenv("HELICONE_PRICES_FILE", str(tmp_path / "missing.json"))
    with pytest.raises(ValueError, match="HELICONE_PRICES_FILE"):
        HeliconeAsyncLogger(base_url="http://127.0.0.1:1")


def test_prices_that_change_by_time_of_day_are_looked_up_again(monkeypatch):
    """DeepSeek's off-peak discount: a cached price holds only until the next boundary."""
    from genai_prices import data

    from helicone_otel.cost import prices

    model = next(m for p in data.providers if p.id == "deepseek" for m in p.models if m.id == "deepseek-chat")
    peak, off_peak = datetime(2026, 11, 2, 10, tzinfo=timezone.utc), datetime(2026, 11, 2, 20, tzinfo=timezone.utc)
    clock = [peak]

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return clock[0]

    monkeypatch.setattr(prices, "datetime", Clock)
    monkeypatch.setattr(prices.time, "time", lambda: clock[0].timestamp())
    book = PriceBook()
    assert book.lookup("deepseek", "deepseek-chat").input == float(model.get_prices(peak).input_mtok)
    clock[0] = off_peak
    assert book.lookup("deepseek", "deepseek-chat").input == float(model.get_prices(off_peak).input_mtok)
    assert model.get_prices(peak).input_mtok != model.get_prices(off_peak).input_mtok


def test_a_price_update_elsewhere_in_the_process_does_not_change_ours():
    """genai-prices' UpdatePrices (network) swaps its process-wide snapshot; we read only the
    data bundled with the installed package."""
    from genai_prices import data, data_snapshot, types

    fake = [types.Provider(id="openai", name="x", api_pattern="x", models=[
        types.ModelInfo(id="gpt-4o-mini", match=types.ClauseEquals(equals="gpt-4o-mini"),
                        prices=types.ModelPrice(input_mtok=100, output_mtok=100))])]
    data_snapshot.set_custom_snapshot(data_snapshot.DataSnapshot(providers=fake, from_auto_update=True))
    try:
        assert cost(PriceBook(), usage("openai", "gpt-4o-mini", 1000, 0)) == pytest.approx(1000 * 0.15 / M)
    finally:
        data_snapshot.set_custom_snapshot(None)
    assert data.providers  # the bundled data itself was never replaced


_IN_A_FRESH_PROCESS = r"""
import socket, sys, time
def no_network(*args, **kwargs):
    raise AssertionError("network use while pricing")
socket.socket.connect = socket.create_connection = no_network
t = time.perf_counter()
import helicone_otel
from helicone_otel import attributes as A
from helicone_otel.cost import PriceBook, span_cost
book = PriceBook()
built = time.perf_counter() - t
assert "genai_prices" not in sys.modules, "genai-prices must load on the first lookup, not at import"
attrs = {A.RESPONSE_MODEL: "gpt-4o-mini-2024-07-18", A.USAGE_INPUT_TOKENS: 1200, A.USAGE_OUTPUT_TOKENS: 300,
         A.USAGE_CACHE_READ_INPUT_TOKENS: 400}
t = time.perf_counter(); first = span_cost(book, "openai", "gpt-4o-mini", attrs); cold = time.perf_counter() - t
t = time.perf_counter(); span_cost(book, "anthropic", "claude-sonnet-4-5", attrs); second = time.perf_counter() - t
n = 100_000
t = time.perf_counter()
for _ in range(n):
    book.lookup("openai", "gpt-4o-mini-2024-07-18", "gpt-4o-mini")
cached = (time.perf_counter() - t) / n
t = time.perf_counter()
for _ in range(n):
    span_cost(book, "openai", "gpt-4o-mini", attrs)
per_call = (time.perf_counter() - t) / n
assert first is not None
print(f"import helicone_otel + PriceBook(): {built * 1e3:.1f} ms; first lookup (loads genai-prices): {cold * 1e3:.1f} ms; "
      f"first lookup of another model: {second * 1e6:.0f} us; cached lookup: {cached * 1e9:.0f} ns; "
      f"cached span_cost (lookup + arithmetic): {per_call * 1e9:.0f} ns")
"""


def test_lookup_is_offline_lazy_and_timed():
    """No network, genai-prices imported on the first lookup only; prints the timings (run with
    -s to see them; not asserted, machines differ)."""
    result = subprocess.run([sys.executable, "-c", _IN_A_FRESH_PROCESS], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    print(result.stdout.strip())


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
