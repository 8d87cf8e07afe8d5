"""Many synthetic requests written straight into a store with one SQL statement (for paging and
speed tests of the web view): 100,000 rows in well under a second."""

from __future__ import annotations

import sqlite3
import time

MODELS = ("gpt-4o-mini-2024-07-18", "gpt-4.1", "claude-haiku-4-5", "claude-sonnet-4-5-20250929", "tool:weather", "vector_db")


def fill(path: str, count: int, *, days: float = 30.0, session_size: int = 10, now: float | None = None) -> None:
    """``count`` requests over the last ``days``: six models (two of them steps), 200 users,
    sessions of ``session_size`` calls on three paths, one in 20 failed with 429."""
    end = time.time() if now is None else now
    step = days * 86400 / count
    models = " ".join(f"WHEN {i} THEN '{m}'" for i, m in enumerate(MODELS))
    with sqlite3.connect(path) as conn:
        conn.execute(
            f"""
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {count - 1})
            INSERT INTO requests (id, created_at, provider, model, prompt_tokens, completion_tokens, total_tokens,
                latency_ms, user_id, properties, request_body, response_body, status, cost_usd, cache_read_tokens,
                cache_write_tokens, reasoning_tokens, time_to_first_token_ms, error_type, source)
            SELECT printf('bulk-%08d', i), {end} - ({count} - i) * {step},
                CASE WHEN i % 6 IN (2, 3) THEN 'ANTHROPIC' ELSE 'OPENAI' END,
                CASE i % 6 {models} END,
                100 + i % 50, 20 + i % 30, 120 + i % 50 + i % 30, 50 + i % 900, printf('user-%03d', i % 200),
                json_object('Helicone-Session-Id', printf('bulk-session-%06d', i / {session_size}),
                            'Helicone-Session-Path', CASE i % 3 WHEN 0 THEN '/plan' WHEN 1 THEN '/plan/research' ELSE '/write' END,
                            'Helicone-Session-Name', 'Bulk agent', 'environment', CASE i % 2 WHEN 0 THEN 'prod' ELSE 'dev' END),
                '{{}}', '{{}}', CASE WHEN i % 20 = 7 THEN 429 ELSE 200 END,
                CASE WHEN i % 6 IN (4, 5) THEN 0 ELSE (100 + i % 50) * 1.5e-7 END, i % 4, 0, 0, 30 + i % 100,
                CASE WHEN i % 20 = 7 THEN '429' END, 'custom_log'
            FROM n""")
