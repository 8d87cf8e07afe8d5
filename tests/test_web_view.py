"""The collector's web view over HTTP: every route, filters and keyset paging, the token
breakdown and chat of a request, session trees, costs with steps apart, generic spans; every
stored string escaped on every page; nothing loaded from elsewhere; fast at 100,000 rows.
(tests/test_web_browser.py drives the same pages in headless Chromium.)"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from helicone_otel.collector import Collector

from .collector.bulk import fill
from .collector.webview_data import (
    HOSTILE,
    RAW_MARKERS,
    SCRIPT,
    Tags,
    chat_log,
    get,
    hostile_log,
    hostile_otlp,
    otlp_document,
    otlp_span,
    post,
)

STATIC = Path(__file__).parents[1] / "helicone_otel" / "collector" / "static"
LOG = "/v1/trace/custom/log"
T0 = time.time() - 3600


def rows_of(page: str) -> int:
    return page.count("<tr data-href=")


def log(collector, **kwargs) -> None:
    status, body = post(collector.url + LOG, chat_log(**kwargs))
    assert status == 200, body


@pytest.fixture
def stocked(collector):
    """Two sessions, a step, an error, a second model and user, a property; plus OTLP spans."""
    for i in range(3):
        log(collector, start=T0 + i, prompt=f"question {i}", meta={
            "Helicone-Session-Id": "trip-1", "Helicone-Session-Name": "Trip planner", "Helicone-Session-Path": "/plan" if i == 0
            else "/plan/research", "Helicone-User-Id": "alice", "Helicone-Property-Environment": "prod"})
    log(collector, start=T0 + 10, model="claude-haiku-4-5", provider="ANTHROPIC", meta={"Helicone-User-Id": "bob"},
        usage={"input_tokens": 5, "output_tokens": 6})
    log(collector, start=T0 + 11, status=429, reply="rate limited", meta={"Helicone-Session-Id": "trip-2"})
    step = chat_log(start=T0 + 12, meta={"Helicone-Session-Id": "trip-1", "Helicone-Session-Path": "/plan/research"})
    step["providerRequest"]["json"] = {"_type": "tool", "toolName": "weather", "input": {"city": "Paris"}}
    step["providerResponse"]["json"] = {"_type": "tool", "toolName": "weather", "output": {"temp_c": 18}}
    assert post(collector.url + LOG, step)[0] == 200
    spans = [otlp_span("aa" * 16, "01" * 8, "agent run", T0, T0 + 2, {"app": "demo"}),
             otlp_span("aa" * 16, "02" * 8, "chat gpt-4o-mini", T0 + 0.5, T0 + 1, {"gen_ai.request.model": "gpt-4o-mini",
                       "gen_ai.usage.input_tokens": 7, "gen_ai.usage.output_tokens": 9}, parent="01" * 8, error=True)]
    assert post(collector.url + "/v1/traces", otlp_document("trip-service", spans), {"Authorization": ""})[0] == 200
    return collector


def test_every_page_answers_with_security_headers(stocked):
    rid = stocked.store.requests()[0].id
    for path in ("/requests", f"/requests/{rid}", "/sessions", "/sessions/trip-1", "/costs", "/costs?by=user",
                 "/costs?by=property:environment&days=all&metric=tokens", "/spans", f"/traces/{'aa' * 16}"):
        status, headers, page = get(stocked.url + path)
        assert status == 200, path
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert "script-src 'self'" in headers["Content-Security-Policy"] and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-store"
        tags = Tags(page)
        assert tags.scripts == [{"src": "/static/app.js", "defer": None}] and not tags.handlers and not tags.styles, path
        assert all(u.startswith(("/", "#")) and not u.startswith("//") for u in tags.urls), (path, tags.urls)
    assert get(stocked.url + "/")[0] == 200  # redirected to /requests
    for path in ("/requests/nope", "/sessions/nope", f"/traces/{'bb' * 16}", "/costs/x", "/static/missing.js",
                 "/static/..%2Fserver.py", "/static/../server.py"):
        assert get(stocked.url + path)[0] == 404, path


def test_assets_ship_in_the_package_and_load_nothing_from_elsewhere(stocked):
    names = sorted(p.name for p in STATIC.iterdir())
    assert names == ["app.css", "app.js", "favicon.svg"]
    for name in names:
        status, headers, text = get(stocked.url + f"/static/{name}")
        assert status == 200 and text == (STATIC / name).read_text()
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)|@import|url\(|//cdn", text), name
    assert get(stocked.url + "/static/app.js")[1]["Content-Type"].startswith("text/javascript")


def test_package_data_ships_the_static_files():
    tomllib = pytest.importorskip("tomllib")
    patterns = tomllib.loads((STATIC.parents[2] / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["helicone_otel"]
    for path in STATIC.iterdir():
        relative = Path(path.relative_to(STATIC.parents[1]))
        assert any(relative.match(p) for p in patterns), f"{relative} is not in [tool.setuptools.package-data]"


def test_requests_table_filters(stocked):
    status, _, page = get(stocked.url + "/requests")
    assert rows_of(page) == 6 and "6 requests match" in page
    assert rows_of(get(stocked.url + "/requests?model=claude-haiku-4-5")[2]) == 1
    assert rows_of(get(stocked.url + "/requests?user=alice")[2]) == 3
    assert rows_of(get(stocked.url + "/requests?session=trip-1")[2]) == 4
    assert rows_of(get(stocked.url + "/requests?status=error")[2]) == 1
    assert rows_of(get(stocked.url + "/requests?status=429")[2]) == 1
    assert rows_of(get(stocked.url + "/requests?status=ok")[2]) == 5
    assert rows_of(get(stocked.url + "/requests?p.environment=prod")[2]) == 3
    assert rows_of(get(stocked.url + "/requests?pk=environment&pv=prod&user=alice")[2]) == 3
    assert rows_of(get(stocked.url + "/requests?pk=environment&pv=dev")[2]) == 0
    page = get(stocked.url + "/requests?model=nope")[2]
    assert "No requests match these filters" in page
    table = get(stocked.url + "/requests")[2]
    assert "1,024 cached" in table and "16 reasoning" in table and ">step<" in table and "429" in table


def test_keyset_pages_cover_every_row_once(collector):
    fill(collector.store.path, 120)
    seen, url = [], "/requests"
    while url:
        page = get(collector.url + url)[2]
        seen += re.findall(r'<tr data-href="/requests/(bulk-\d+)"', page)
        older = re.search(r'<a href="([^"]+)" rel="next">', page)
        url = older.group(1).replace("&amp;", "&") if older else ""
    assert len(seen) == 120 and seen == sorted(seen, reverse=True)
    page = get(collector.url + "/requests?" + re.search(r'before=([^"&]+)', get(collector.url + "/requests")[2]).group(0))[2]
    newer = re.search(r'<a href="([^"]+)" rel="prev">', page).group(1).replace("&amp;", "&")
    assert re.findall(r'data-href="/requests/(bulk-\d+)"', get(collector.url + newer)[2]) == seen[:50]
    assert get(collector.url + "/requests?before=garbage")[0] == 200


def test_request_detail_chat_tool_calls_tokens_cost_timing(stocked):
    log(stocked, start=T0 + 20, prompt="Weather in Paris?", reply="", tool_call=("get_weather", '{"city": "Paris"}'))
    record = stocked.store.requests()[-1]
    page = get(stocked.url + f"/requests/{record.id}")[2]
    for expected in ('class="msg role-system', "Be brief.", 'class="msg role-user', "Weather in Paris?", 'class="msg role-assistant',
                     '<code class="fn">get_weather</code>', "{&quot;city&quot;: &quot;Paris&quot;}", "call_1", "Tools offered",
                     "<th>Prompt (uncached)</th><td class=\"num\">176</td>", "<th>Cache read</th><td class=\"num\">1,024</td>",
                     "<th>Reasoning</th><td class=\"num\">16</td>", "<th>Total</th><td class=\"num\">256</td>",
                     "$0.000142", "250 ms", "Request body", "Response body"):
        assert expected in page, expected
    tool = next(r for r in stocked.store.requests() if r.model == "tool:weather")
    page = get(stocked.url + f"/requests/{tool.id}")[2]
    assert "role-input" in page and "role-output" in page and "&quot;temp_c&quot;: 18" in page


def test_sessions_list_and_tree(stocked):
    page = get(stocked.url + "/sessions")[2]
    assert rows_of(page) == 2 and "Trip planner" in page and "2 sessions" in page
    assert rows_of(get(stocked.url + "/sessions?q=trip-2")[2]) == 1
    tree = get(stocked.url + "/sessions/trip-1")[2]
    assert tree.index("/plan ") < tree.index("/plan/research") and "3 call(s)" in tree  # research: 2 calls + the tool step
    assert tree.count('<svg class="bar"') == 4 + 2  # 4 calls, 2 path nodes
    assert "tool:weather" in tree and 'class="step"' in tree and "<dt>Steps</dt><dd>1</dd>" in tree
    assert "<dt>LLM requests</dt><dd>3</dd>" in tree and "Total" in tree


def test_costs_count_steps_apart_with_a_chart(stocked):
    page = get(stocked.url + "/costs?days=all")[2]
    assert '<figure class="chart">' in page and page.count("<rect ") >= 2
    assert "<dt>LLM requests</dt><dd>5</dd>" in page and "<dt>Steps</dt><dd>1</dd>" in page
    by_provider = get(stocked.url + "/costs?by=provider&days=all")[2]
    assert "(steps)" in by_provider
    by_user = get(stocked.url + "/costs?by=user&days=all&metric=requests")[2]
    assert "alice" in by_user and "bob" in by_user
    assert "prod" in get(stocked.url + "/costs?by=property:environment&days=all")[2]
    assert get(stocked.url + "/costs?by=nonsense")[0] == 200


def test_spans_list_and_trace_tree(stocked):
    page = get(stocked.url + "/spans")[2]
    assert "2 spans" in page and "trip-service" in page and "gpt-4o-mini" in page and "7 / 9" in page
    assert rows_of(get(stocked.url + "/spans?errors=1")[2]) == 1
    assert rows_of(get(stocked.url + "/spans?service=nope")[2]) == 0
    trace = get(stocked.url + f"/traces/{'AA' * 16}")[2]
    assert trace.index("agent run") < trace.index("chat gpt-4o-mini") and 'class="indent-1"' in trace


def test_every_stored_string_is_escaped_everywhere(collector):
    assert post(collector.url + LOG, hostile_log(T0))[0] == 200
    assert post(collector.url + "/v1/trace/log", hostile_otlp(T0 + 1))[0] == 200
    assert post(collector.url + "/v1/traces", hostile_otlp(T0 + 1), {"Authorization": ""})[0] == 200
    records = collector.store.requests()
    assert len(records) == 2 and any(SCRIPT in k for r in records for k in r.properties)
    session = records[0].properties["Helicone-Session-Id"]
    paths = ["/requests", *(f"/requests/{quote(r.id, safe='')}" for r in records), "/sessions", f"/sessions/{quote(session, safe='')}",
             "/costs?days=all", "/costs?days=all&by=user", "/costs?days=all&by=session", "/spans",
             f"/costs?days=all&by=property:{quote('Name' + SCRIPT)}", "/traces/5b8efff798038103d269b633813fc60c",
             f"/requests?user={quote(records[0].user_id)}", f"/sessions?q={quote(HOSTILE)}"]
    for path in paths:
        status, _, page = get(collector.url + path)
        assert status == 200, path
        for marker in RAW_MARKERS:
            assert marker not in page, (path, marker)
        assert "&lt;script&gt;window.__pwned" in page, path
        tags = Tags(page)
        assert len(tags.scripts) == 1 and not tags.handlers and not any("javascript:" in u for u in tags.urls), path


def test_view_refuses_other_host_names_and_can_be_turned_off(tmp_path, stocked):
    assert get(stocked.url + "/requests", {"Host": "attacker.example:8585"})[0] == 403  # DNS rebinding
    assert get(stocked.url + "/requests", {"Host": "localhost:8585"})[0] == 200
    with Collector(str(tmp_path / "off.db"), port=0, view=False) as quiet:
        assert get(quiet.url + "/requests")[0] == 401  # Helicone's answer to any other route
        assert quiet.view_url is None


def test_pages_stay_fast_at_100k_rows(collector, record_property):
    fill(collector.store.path, 100_000)
    timings = {}
    for path in ("/requests", "/requests?model=gpt-4.1", "/requests?user=user-007", "/requests?status=error",
                 "/requests?session=bulk-session-004321", "/requests?p.environment=dev", "/requests/bulk-00050000",
                 "/sessions", "/sessions/bulk-session-004321", "/costs"):
        get(collector.url + path)  # warm
        started = time.perf_counter()
        status, _, page = get(collector.url + path)
        timings[path] = time.perf_counter() - started
        assert status == 200 and "<h1>" in page
    first = get(collector.url + "/requests")[2]
    deep = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    started = time.perf_counter()
    assert rows_of(get(collector.url + deep)[2]) == 50
    timings["page 2"] = time.perf_counter() - started
    record_property("page_seconds", timings)
    print({k: f"{v * 1000:.0f} ms" for k, v in timings.items()})
    assert max(timings[k] for k in timings if k.startswith(("/requests", "page"))) < 0.5, timings
    assert max(timings.values()) < 2.0, timings
