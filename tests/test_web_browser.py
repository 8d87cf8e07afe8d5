"""The web view in a real browser: headless Chromium (Debian's chromium + chromium-driver, which
.ci/run installs) driven over WebDriver against a collector loaded with a session of calls made
through the real OpenAI and Anthropic SDKs. The table shows the rows and a filter narrows them,
the session page shows the tree, a prompt containing <script> shows as text, new calls appear
without a reload, and every page is captured as a screenshot (into $WEB_VIEW_SCREENSHOTS when
set, for the README). Skipped where no browser is installed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import helicone_otel
from helicone_otel import HeliconeAsyncLogger
from helicone_otel.collector import Collector
from helicone_otel.testing import AnthropicStandIn, OpenAIStandIn

from .collector.webdriver import Browser, find_browser
from .collector.webview_data import SCRIPT, chat_log, hostile_log, hostile_otlp, post

pytestmark = pytest.mark.skipif(find_browser() is None, reason="needs chromium and chromedriver "
                                "(apt-get install chromium chromium-driver; .ci/run does)")
SESSION = "trip-browser"
PAGES = ("requests", "request", "sessions", "session", "costs", "spans", "trace")


@helicone_otel.tool("weather")
def weather(city: str) -> dict:
    return {"city": city, "forecast": "sunny"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(collector, browser) with one agent session made through the real SDKs."""
    import anthropic
    import openai

    db = tmp_path_factory.mktemp("view") / "requests.db"
    with Collector(str(db), port=0) as collector:
        with OpenAIStandIn("Day one Lisbon.", response_model="gpt-4o-mini-2024-07-18", cached_tokens=2) as gpt, \
                AnthropicStandIn("Lisbon and Porto.") as claude_server:
            logger = HeliconeAsyncLogger(base_url=collector.url, providers=["openai", "anthropic"],
                                         stream_usage_hosts=["127.0.0.1"], otlp_endpoint=collector.url + "/v1/traces").init()
            try:
                client = openai.OpenAI(base_url=gpt.base_url, api_key="k", max_retries=0)
                claude = anthropic.Anthropic(base_url=claude_server.base_url, api_key="k", max_retries=0)
                tracer = logger.tracer_provider.get_tracer("tests.browser")
                with tracer.start_as_current_span("agent"), helicone_otel.user("ana"), \
                        helicone_otel.session(SESSION, path="/plan", name="Browser trip"):
                    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": f"Plan {SCRIPT}"}])
                    with helicone_otel.session(SESSION, path="/plan/research"):
                        weather("Lisbon")
                        time.sleep(0.005)  # times are stored in ms: the step and the call must not tie
                        list(client.chat.completions.create(model="gpt-4o-mini", stream=True,
                                                            messages=[{"role": "user", "content": "Research"}]))
                    with helicone_otel.session(SESSION, path="/plan/write"):
                        claude.messages.create(model="claude-haiku-4-5", max_tokens=100,
                                               messages=[{"role": "user", "content": "Write"}])
                assert logger.flush(5.0)
            finally:
                logger.shutdown()
        with Browser.start(tmp_path_factory.mktemp("chromium")) as browser:
            yield collector, browser


def rows(browser) -> int:
    return browser.run("return document.querySelectorAll('tbody tr').length")


def test_table_shows_the_rows_and_a_filter_narrows_them(site):
    collector, browser = site
    browser.open(collector.url + "/requests")
    stored = len(collector.store.requests())
    assert rows(browser) == stored == 4
    assert "claude-haiku-4-5" in browser.text("table.requests")
    claude = next(r.model for r in collector.store.requests() if r.provider == "ANTHROPIC")
    browser.select("select[name=model]", claude)  # applies at once, no button
    browser.wait("location.search.includes('model=')")
    browser.wait("document.querySelectorAll('tbody tr').length === 1")
    assert browser.text("#match-count") == "1 request match"
    assert "user=" not in browser.url()  # empty fields stay out of the address
    browser.click("tbody tr td:nth-child(4)")  # a click anywhere on a row opens it
    browser.wait("location.pathname.startsWith('/requests/')")
    assert "Lisbon and Porto." in browser.text(".chat")


def test_session_page_shows_the_tree(site):
    collector, browser = site
    browser.open(collector.url + "/sessions")
    browser.click(f'a[href="/sessions/{SESSION}"]')
    browser.wait(f"location.pathname === '/sessions/{SESSION}'")
    nodes = [t.split()[0] for t in browser.texts("tr.node td.name")]
    assert nodes == ["/plan", "/plan/research", "/plan/write"]
    calls = browser.texts("tr.call td.name")
    assert len(calls) == 4 and "tool:weather" in calls[1] and "claude-haiku-4-5" in calls[3]
    assert browser.run("return document.querySelectorAll('svg.bar rect').length") == 7
    assert browser.text("h1").startswith("Browser trip")


def test_a_prompt_containing_script_shows_as_text(site, collector):
    browser = site[1]
    record = next(r for r in site[0].store.requests() if SCRIPT in str(r.request_body))
    browser.open(site[0].url + f"/requests/{record.id}")
    assert browser.text(".msg.role-user .text") == f"Plan {SCRIPT}"
    assert browser.run("return [window.__pwned, document.scripts.length, document.images.length]") == [None, 1, 0]
    # Every stored string hostile (a collector of its own, so the other pages stay readable):
    assert post(collector.url + "/v1/trace/custom/log", hostile_log(time.time() - 60))[0] == 200
    assert post(collector.url + "/v1/trace/log", hostile_otlp(time.time() - 50))[0] == 200
    assert post(collector.url + "/v1/traces", hostile_otlp(time.time() - 50))[0] == 200
    for path in ("/requests", "/sessions", "/costs?by=user", "/costs?by=session", "/spans"):
        browser.open(collector.url + path)
        assert "<script>window.__pwned" in browser.text("main"), path  # hostile rows, shown as text
        assert browser.run("return [window.__pwned, document.scripts.length, document.images.length]") == [None, 1, 0], path
    hostile = next(r for r in collector.store.requests() if r.user_id.startswith("user<script>"))
    browser.open(collector.url + f"/requests/{hostile.id}")
    assert browser.run("return [window.__pwned, document.images.length]") == [None, 0]
    assert SCRIPT in browser.text(".tool-call")
    assert browser.console_errors() == []  # no script error, no CSP violation, no failed load
    # Defence in depth: had an escape been missed, the page's policy would still block inline script.
    browser.run("const s = document.createElement('script'); s.textContent = 'window.__pwned = 3'; document.body.append(s);")
    assert browser.run("return window.__pwned") is None
    assert any("Content Security Policy" in e for e in browser.console_errors())


def test_new_calls_appear_without_a_reload(site, collector):
    browser = site[1]
    assert post(collector.url + "/v1/trace/custom/log", chat_log(model="gpt-earlier", start=time.time() - 5))[0] == 200
    browser.open(collector.url + "/requests")
    browser.run("window.__sameDocument = true")
    before = rows(browser)
    assert post(collector.url + "/v1/trace/custom/log", chat_log(model="gpt-live-1", start=time.time()))[0] == 200
    browser.wait("document.querySelector('tbody tr.fresh') !== null", timeout=10)
    assert rows(browser) == before + 1 and browser.run("return window.__sameDocument") is True
    assert "gpt-live-1" in browser.text("tbody tr.fresh")


def test_costs_chart_and_spans_trace(site):
    collector, browser = site
    browser.open(collector.url + "/costs")
    assert browser.run("return document.querySelectorAll('figure.chart rect').length") >= 2
    browser.select("select[name=by]", "user")
    browser.wait("location.search.includes('by=user')")
    assert "ana" in browser.text("table.costs")
    browser.open(collector.url + "/spans?name=agent")
    browser.click("tbody tr td:first-child a")
    browser.wait("location.pathname.startsWith('/traces/')")
    names = browser.texts("table.waterfall td.name summary")
    assert names[0] == "agent" and len(names) == 5  # the app's span with the 3 LLM calls and the tool step under it
    assert browser.run("return document.querySelectorAll('svg.bar').length") == 5


def test_screenshot_of_every_page(site, tmp_path):
    collector, browser = site
    folder = Path(os.environ.get("WEB_VIEW_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    record = next(r for r in collector.store.requests() if r.time_to_first_token_ms)  # the streamed call
    trace = collector.store.read("SELECT trace_id FROM spans WHERE name = 'agent'")[0][0]
    paths = dict(zip(PAGES, ("/requests", f"/requests/{record.id}", "/sessions", f"/sessions/{SESSION}", "/costs", "/spans",
                             f"/traces/{trace}")))
    for name, path in paths.items():
        browser.open(collector.url + path)
        browser.screenshot(folder / f"web-view-{name}.png")
        data = (folder / f"web-view-{name}.png").read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000, name
