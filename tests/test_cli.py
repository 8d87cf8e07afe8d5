"""The command line over a real collector store, fed with recorded exporter payloads
(tests/collector/fixtures) over HTTP; and the demo end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from helicone_otel.cli import main

from .collector.payloads import request_bytes

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
    by_model = {line.split()[0]: line.split() for line in lines[2:]}
    assert by_model["gpt-4o-mini-2024-07-18"][1] == "2"  # the repeated request id counts once
    assert by_model["anthropic.claude-3-5-sonnet-20240620-v1:0"][4] == "0.000000"  # Helicone cannot price it
    assert by_model["total"][1:3] == ["3", str(176 + 20 + 15)]
    assert main(["costs", "--by", "property:attempt", "--db", collector.store.path]) == 0
    by_attempt = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[2:]}
    assert by_attempt["2"][1:4] == ["1", "20", "4"]  # property names arrive lower-cased: "Attempt" is "attempt"


def test_requests_on_empty_store(tmp_path, capsys):
    assert main(["requests", "--db", str(tmp_path / "empty.db")]) == 0
    assert "no requests stored" in capsys.readouterr().out


def test_demo_runs_end_to_end(tmp_path):
    db = tmp_path / "demo.db"
    # Helicone answers 401 to a log without an Authorization header, and so does the collector.
    env = {**os.environ, "HELICONE_API_KEY": "sk-helicone-local-demo"}
    done = subprocess.run(
        [sys.executable, "-m", "helicone_otel.cli", "demo", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "stored 7 request(s)" in done.stdout
    assert 'session trip-42 "Trip planner"  7 step(s)' in done.stdout
    for expected in ("/plan/research", "- vector_db", "- tool:weather", "- claude-haiku-4-5", "error 429"):
        assert expected in done.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "helicone_otel.cli", "requests", "--db", str(db)], capture_output=True, text=True, timeout=60
    )
    assert listed.stdout.count("trip-42") == 7 and listed.stdout.count("ANTHROPIC") == 1
