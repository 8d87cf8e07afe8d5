"""The command line over a real collector store, fed with recorded exporter payloads
(tests/collector/fixtures) over HTTP; the rough edges a new user met; and the demo end to end."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from helicone_otel.cli import build_parser, main

from .collector.payloads import request_bytes
from .collector.webview_data import chat_log, get, otlp_document, otlp_span, post

FIXTURES = Path(__file__).parent / "collector" / "fixtures"


def send(collector, *names: str) -> None:
    """POST the recorded requests of these fixtures to the collector."""
    for name in names:
        for request in json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))["requests"]:
            http = urllib.request.Request(collector.url + request["path"], data=request_bytes(request), method="POST",
                                          headers=request["headers"])
            with urllib.request.urlopen(http, timeout=10) as response:
                assert response.status == 200


def test_requests_prints_table(collector, capsys):
    send(collector, "openai_chat_cached_reasoning", "anthropic_haiku_cache")
    assert main(["requests", "--db", collector.store.path]) == 0
    header, _, *rows = capsys.readouterr().out.splitlines()
    assert header.split()[:4] == ["time", "provider", "model", "tokens"]
    openai, claude = rows
    assert "OPENAI" in openai and "gpt-4o-mini-2024-07-18" in openai
    # Helicone's counts: 1200 prompt - 1024 cached, 80 completion - 16 reasoning
    assert "176/64 +1024 cache read, 16 reasoning" in openai and "$0.000142" in openai
    assert "environment=test" in openai and "session=trip-42" in openai and "user=user-7" in openai
    assert "ANTHROPIC" in claude and "12/25 +4096 cache read, 2048 cache write" in claude and "$0.003875" in claude


def test_sessions_prints_tree_by_path(collector, capsys):
    send(collector, "openai_chat_cached_reasoning", "tool_step", "vector_db_step", "anthropic_stream", "openai_embeddings")
    assert main(["sessions", "--db", collector.store.path]) == 0
    out = capsys.readouterr().out
    assert 'session trip-42 "Trip planner"  4 step(s)' in out
    assert "/plan/research" in out
    for step in ("- gpt-4o-mini-2024-07-18", "- tool:weather", "- vector_db", "- claude-sonnet-4-5-20250929"):
        assert step in out
    assert "text-embedding-3-small" not in out  # no session id, no session


def test_costs_by_model_and_property(collector, capsys):
    send(collector, "openai_chat_cached_reasoning", "same_request_id_twice", "anthropic_bedrock_id")
    assert main(["costs", "--db", collector.store.path]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["model", "requests", "tokens", "in", "tokens", "out", "cost", "(USD)", "unpriced"]  # no steps
    by_model = {line.split()[0]: line.split() for line in lines[2:]}
    assert by_model["gpt-4o-mini-2024-07-18"][1] == "2"  # the repeated request id counts once
    assert by_model["anthropic.claude-3-5-sonnet-20240620-v1:0"][4] == "0.000000"  # Helicone cannot price it
    assert by_model["total"][1:3] == ["3", str(176 + 20 + 15)]
    assert main(["costs", "--by", "property:attempt", "--db", collector.store.path]) == 0
    by_attempt = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[2:]}
    assert by_attempt["2"][1:4] == ["1", "20", "4"]  # property names arrive lower-cased: "Attempt" is "attempt"


def test_costs_count_tool_and_vector_steps_as_steps(collector, capsys):
    send(collector, "openai_chat_cached_reasoning", "tool_step", "vector_db_step")
    assert main(["costs", "--by", "provider", "--db", collector.store.path]) == 0
    by_provider = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[2:]}
    assert by_provider["OPENAI"][1:3] == ["1", "0"] and by_provider["(steps)"][1:3] == ["0", "2"]
    assert "CUSTOM" not in by_provider  # the vector-database step is no unpriced request of a provider
    assert by_provider["total"][-1] == "0"


def test_requests_on_empty_store(collector, capsys):
    assert main(["requests", "--db", collector.store.path]) == 0
    assert "no requests stored" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["requests", "sessions", "costs", "clear"])
def test_reading_a_missing_store_does_not_create_it(tmp_path, capsys, command):
    missing = tmp_path / "new.db"
    assert main([command, "--db", str(missing)]) == 1
    assert f"no store at {missing}" in capsys.readouterr().err
    assert not missing.exists() and list(tmp_path.iterdir()) == []


def test_sessions_id_not_found_says_others_exist(collector, capsys):
    send(collector, "tool_step")
    assert main(["sessions", "--id", "nope", "--db", collector.store.path]) == 1
    err = capsys.readouterr().err
    assert "no session 'nope'" in err and "1 other session(s) are stored" in err
    assert main(["sessions", "--id", "trip-42", "--db", collector.store.path]) == 0
    assert "session trip-42" in capsys.readouterr().out


def test_requests_filters(collector, capsys):
    send(collector, "openai_chat_cached_reasoning", "anthropic_haiku_cache", "openai_error_429")
    assert main(["requests", "--db", collector.store.path, "--model", "gpt-4o-mini-2024-07-18"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert main(["requests", "--db", collector.store.path, "--status", "error"]) == 0
    rows = capsys.readouterr().out.splitlines()[2:]
    assert len(rows) == 1 and "429" in rows[0]
    assert main(["requests", "--db", collector.store.path, "--limit", "1"]) == 0
    assert "(1 newest of 3; --limit N for more)" in capsys.readouterr().out


def test_stored_escape_sequences_never_reach_the_terminal(collector, capsys):
    evil = "\x1b]0;pwned\x07gpt\x1b[2J\u202e\x9b31m"
    assert post(collector.url + "/v1/trace/custom/log", chat_log(model=evil, start=1_760_000_000))[0] == 200
    # Header values refuse control characters (as Helicone's do); OTLP attributes carry anything.
    prefix = "traceloop.association.properties.Helicone-"
    span = otlp_span("ab" * 16, "cd" * 8, "chat", 1_760_000_000, 1_760_000_001, {
        "gen_ai.system": "openai", "gen_ai.response.model": evil, f"{prefix}Session-Id": f"s{evil}",
        f"{prefix}Session-Path": f"/p{evil}", f"{prefix}Property-tag": evil, f"{prefix}User-Id": evil})
    assert post(collector.url + "/v1/trace/log", otlp_document("svc", [span]))[0] == 200
    for command in (["requests"], ["sessions"], ["costs"], ["costs", "--by", "session"], ["costs", "--by", "property:tag"]):
        assert main([*command, "--db", collector.store.path]) == 0
        out = capsys.readouterr().out
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", out), command
        assert "\\x1b]0;pwned\\x07gpt\\x1b[2J\\u202e\\x9b31m" in out, command


def test_clear_asks_then_deletes(collector, capsys, monkeypatch):
    send(collector, "tool_step", "vector_db_step")
    monkeypatch.setattr(sys, "stdin", open(os.devnull))
    assert main(["clear", "--db", collector.store.path]) == 1
    assert "deletes 2 request(s) and 0 span(s)" in capsys.readouterr().err and len(collector.store.requests()) == 2
    assert main(["clear", "--yes", "--db", collector.store.path]) == 0
    assert "deleted 2 request(s)" in capsys.readouterr().out and collector.store.requests() == []


def test_custom_log_of_empty_object_is_answered_as_helicone_does(collector):
    for body in ({}, []):
        assert post(collector.url + "/v1/trace/custom/log", body)[0] == 500  # jawn throws reading providerRequest
    assert collector.store.requests() == []  # no empty row dated 1970


def test_help_is_plain_text():
    parser = build_parser()
    texts = [parser.format_help()] + [sub.format_help() for action in parser._subparsers._group_actions  # noqa: SLF001
                                      for sub in action.choices.values()]
    for text in texts:
        assert "``" not in text and ":class:" not in text and ":func:" not in text, text
    assert "clear" in texts[0] and "web view" in texts[0]


def test_collector_on_a_busy_port_says_so(tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["collector", "--port", str(port), "--db", str(tmp_path / "c.db")]) == 1
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is already in use" in err and "Traceback" not in err


def test_collector_command_serves_the_view_and_prints_its_address(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "helicone_otel.cli", "collector", "--port", "0", "--db",
                                str(tmp_path / "c.db")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [process.stdout.readline() for _ in range(4)]
        view = lines[3].split()[-1]
        assert lines[3].startswith("web view:") and re.fullmatch(r"http://127\.0\.0\.1:\d+/", view), lines
        status, _, page = get(view + "requests")
        assert status == 200 and "Nothing stored yet" in page
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 0


def test_demo_keeps_its_own_store_and_a_new_session_each_run(tmp_path):
    # Helicone answers 401 to a log without an Authorization header, and so does the collector.
    env = {**os.environ, "HELICONE_API_KEY": "sk-helicone-local-demo", "XDG_DATA_HOME": str(tmp_path)}
    demo = [sys.executable, "-m", "helicone_otel.cli", "demo", "--no-serve", "--port", "0"]
    runs = [subprocess.Popen(demo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    ids = []
    for run in runs:  # both at once: half the wait, and two writers on one store
        done = subprocess.CompletedProcess(run.args, 0, *run.communicate(timeout=120))
        done.returncode = run.returncode
        assert done.returncode == 0, done.stdout + done.stderr
        assert "stored 7 request(s)" in done.stdout
        ids += re.findall(r'session (trip-[0-9a-f]{6}) "Trip planner"  7 step\(s\)', done.stdout)
        for expected in ("/plan/research", "- vector_db", "- tool:weather", "- claude-haiku-4-5", "error 429"):
            assert expected in done.stdout
        assert re.search(r"See it in the browser: http://127\.0\.0\.1:\d+/sessions/trip-", done.stdout)
    assert len(set(ids)) == 2  # a second run is a second session, not one long one
    store = tmp_path / "helicone-otel"
    assert sorted(p.name for p in store.iterdir() if p.suffix == ".db") == ["demo.db"]  # the user's requests.db untouched
    listed = subprocess.run([sys.executable, "-m", "helicone_otel.cli", "sessions", "--db", str(store / "demo.db")],
                            capture_output=True, text=True, timeout=60)
    assert sorted(re.findall(r"session (trip-[0-9a-f]{6})", listed.stdout)) == sorted(ids)


def test_demo_and_cli_do_not_import_each_other():
    done = subprocess.run([sys.executable, "-c", "import sys, helicone_otel.demo; print('helicone_otel.cli' in sys.modules)"],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
