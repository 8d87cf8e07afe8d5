"""The command line: requests table over a real collector store, and the demo end to end."""

from __future__ import annotations

import subprocess
import sys

from helicone_otel.cli import main

MESSAGES = [{"role": "user", "content": "hi"}]


def test_requests_prints_table(logger, client, collector, capsys):
    import helicone_otel

    with helicone_otel.properties(App="cli-test"):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert logger.flush(5.0)
    assert main(["requests", "--db", collector.store.path]) == 0
    out = capsys.readouterr().out
    header, _, row = out.splitlines()[:3]
    assert header.split()[:4] == ["time", "provider", "model", "tokens"]
    assert "OPENAI" in row and "gpt-4o-mini-2024-07-18" in row and "1/5" in row and "App=cli-test" in row


def test_requests_on_empty_store(tmp_path, capsys):
    assert main(["requests", "--db", str(tmp_path / "empty.db")]) == 0
    assert "no requests stored" in capsys.readouterr().out


def test_demo_runs_end_to_end(tmp_path):
    db = tmp_path / "demo.db"
    done = subprocess.run(
        [sys.executable, "-m", "helicone_otel.cli", "demo", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "stored 7 request(s)" in done.stdout
    assert "exported 7 span(s), dropped 0" in done.stdout
    assert 'session trip-42 "Trip planner"  7 step(s)' in done.stdout
    for expected in ("/plan/research", "- vector_db", "- tool:weather", "- claude-haiku-4-5", "error 429"):
        assert expected in done.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "helicone_otel.cli", "requests", "--db", str(db)], capture_output=True, text=True, timeout=60
    )
    assert listed.stdout.count("trip-42") == 7 and listed.stdout.count("ANTHROPIC") == 1
