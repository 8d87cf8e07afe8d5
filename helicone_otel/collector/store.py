"""SQLite storage of request records (one row per Helicone request id)."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import fields
from typing import Any, Iterable

from .record import RequestRecord

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    total_tokens INTEGER,
    latency_ms INTEGER NOT NULL,
    user_id TEXT,
    properties TEXT NOT NULL,
    request_body TEXT NOT NULL,
    response_body TEXT NOT NULL,
    status INTEGER NOT NULL,
    cost_usd REAL,
    cache_read_tokens INTEGER,
    cache_write_tokens INTEGER,
    reasoning_tokens INTEGER,
    time_to_first_token_ms INTEGER,
    error_type TEXT,
    source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_created_at ON requests (created_at);
"""
_COLUMNS = [f.name for f in fields(RequestRecord)]
_JSON_COLUMNS = {"properties", "request_body", "response_body"}


def _dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON body: SQLite wants valid UTF-8
        text = json.dumps(value, default=str)
    return text


class Store:
    """A thread-safe handle on the collector's SQLite file."""

    def __init__(self, path: str) -> None:
        self.path = path
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def add(self, records: Iterable[RequestRecord]) -> int:
        """Store records; a record whose id is already stored replaces it, as in Helicone's
        ``request_response_rmt`` (a ReplacingMergeTree keyed by the request id). Returns how many."""
        rows = [
            tuple(_dumps(getattr(r, c)) if c in _JSON_COLUMNS else getattr(r, c) for c in _COLUMNS) for r in records
        ]
        if not rows:
            return 0
        placeholders = ",".join("?" for _ in _COLUMNS)
        with self._lock, self._conn:
            self._conn.executemany(f"INSERT OR REPLACE INTO requests ({','.join(_COLUMNS)}) VALUES ({placeholders})", rows)
        return len(rows)

    def requests(self, limit: int | None = None) -> list[RequestRecord]:
        """Stored requests, oldest first (the newest ``limit`` when given)."""
        query = f"SELECT {','.join(_COLUMNS)} FROM requests ORDER BY created_at DESC, rowid DESC"
        params: tuple = ()
        if limit is not None:
            query += " LIMIT ?"
            params = (limit,)
        with self._lock:
            rows = self._conn.execute(query, params).fetchall()
        out = []
        for row in reversed(rows):
            values = {c: (json.loads(v) if c in _JSON_COLUMNS else v) for c, v in zip(_COLUMNS, row)}
            out.append(RequestRecord(**values))
        return out

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._conn.close()
