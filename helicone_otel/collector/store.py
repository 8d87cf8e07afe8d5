"""SQLite storage of request records (one row per Helicone request id) and of generic OTLP spans
(one row per trace and span id), with a size cap and an optional retention period.

Reads for the web view and the command line go through a second connection (WAL lets them run
beside the writer); reads.py has the queries, and the indexes here serve them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from dataclasses import fields
from typing import Any, Iterable

from .record import RequestRecord
from .spans import SpanRow

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
CREATE INDEX IF NOT EXISTS requests_model ON requests (model, created_at);
CREATE INDEX IF NOT EXISTS requests_user ON requests (user_id, created_at);
CREATE INDEX IF NOT EXISTS requests_status ON requests (status, created_at);
CREATE INDEX IF NOT EXISTS requests_session ON requests (json_extract(properties, '$."Helicone-Session-Id"'), created_at);
CREATE TABLE IF NOT EXISTS spans (
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    parent_span_id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    service TEXT NOT NULL,
    scope TEXT NOT NULL,
    start_time REAL NOT NULL,
    end_time REAL NOT NULL,
    status_code TEXT NOT NULL,
    status_message TEXT NOT NULL,
    attributes TEXT NOT NULL,
    resource TEXT NOT NULL,
    events TEXT NOT NULL,
    PRIMARY KEY (trace_id, span_id)
);
CREATE INDEX IF NOT EXISTS spans_start ON spans (start_time);
CREATE INDEX IF NOT EXISTS spans_service ON spans (service, start_time);
"""
# The session id as the indexed expression above (Helicone keeps sessions as this property).
SESSION_SQL = """json_extract(properties, '$."Helicone-Session-Id"')"""
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024
_PRUNE_EVERY_S = 2.0
_SPAN_COLUMNS = [f.name for f in fields(SpanRow)]
_COLUMNS = [f.name for f in fields(RequestRecord)]
_JSON_COLUMNS = {"properties", "request_body", "response_body"}


def _dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON body: SQLite wants valid UTF-8
        text = json.dumps(value, default=str)
    return text


def _while_locked(step: Any, timeout_s: float = 10.0) -> Any:
    """Run ``step``, retrying while another process holds the database: switching to WAL and
    creating the schema can answer SQLITE_BUSY at once, without SQLite's busy handler (two
    collectors or demos opening one file together)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


class Store:
    """A thread-safe handle on the collector's SQLite file.

    ``max_bytes``: when the data outgrows it, the oldest tenth of the requests and of the spans
    is deleted (checked every few seconds while writing; ``None`` for no cap). ``retention_days``:
    rows older than this are deleted (``None`` keeps them).
    """

    def __init__(self, path: str, *, max_bytes: int | None = DEFAULT_MAX_BYTES, retention_days: float | None = None) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.retention_days = retention_days
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, timeout=10.0)
        _while_locked(lambda: self._conn.execute("PRAGMA journal_mode=WAL"))
        _while_locked(lambda: self._conn.executescript(_SCHEMA))
        self._lock = threading.Lock()
        self._reader = self._conn if path == ":memory:" else sqlite3.connect(path, check_same_thread=False, timeout=10.0)
        self._read_lock = self._lock if path == ":memory:" else threading.Lock()
        self._pruned_at = 0.0
        self.pruned = 0  # rows deleted by the size cap and the retention period
        self.generation = 0  # changes whenever this handle writes (reads.py caches by it)
        self.cache: dict[Any, Any] = {}

    def add(self, records: Iterable[RequestRecord]) -> int:
        """Store records; a record whose id is already stored replaces it, as in Helicone's
        ``request_response_rmt`` (a ReplacingMergeTree keyed by the request id). Returns how many."""
        rows = [
            tuple(_dumps(getattr(r, c)) if c in _JSON_COLUMNS else getattr(r, c) for c in _COLUMNS) for r in records
        ]
        if not rows:
            return 0
        placeholders = ",".join("?" for _ in _COLUMNS)
        with self._lock:
            with self._conn:
                self._conn.executemany(f"INSERT OR REPLACE INTO requests ({','.join(_COLUMNS)}) VALUES ({placeholders})", rows)
            self.generation += 1
            self._maybe_prune()
        return len(rows)

    def add_spans(self, spans: Iterable[SpanRow]) -> int:
        """Store OTLP spans; a span already stored (same trace and span id) is replaced, so a
        resent batch is harmless. Returns how many."""
        rows = [tuple(_dumps(v) if isinstance(v, (dict, list)) else v for v in (getattr(s, c) for c in _SPAN_COLUMNS))
                for s in spans]
        if not rows:
            return 0
        placeholders = ",".join("?" for _ in _SPAN_COLUMNS)
        with self._lock:
            with self._conn:
                self._conn.executemany(f"INSERT OR REPLACE INTO spans ({','.join(_SPAN_COLUMNS)}) VALUES ({placeholders})", rows)
            self.generation += 1
            self._maybe_prune()
        return len(rows)

    def read(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        """Rows of a read-only query (on the reading connection)."""
        with self._read_lock:
            return self._reader.execute(sql, tuple(params)).fetchall()

    def version(self) -> tuple[int, int]:
        """Changes whenever the data may have: a write through this handle or a commit by any
        other connection (SQLite's ``data_version`` as the reading connection sees it)."""
        with self._read_lock:
            return self.generation, self._reader.execute("PRAGMA data_version").fetchone()[0]

    def used_bytes(self) -> int:
        """Bytes of the database in use (free pages left by deletions not counted)."""
        with self._read_lock:
            pages, free, size = (self._reader.execute(f"PRAGMA {p}").fetchone()[0]
                                 for p in ("page_count", "freelist_count", "page_size"))
        return (pages - free) * size

    def prune(self) -> int:
        """Apply the retention period and the size cap now; how many rows were deleted."""
        with self._lock:
            return self._prune()

    def clear(self) -> tuple[int, int]:
        """Delete every request and span and give the space back; (requests, spans) deleted."""
        with self._lock:
            with self._conn:
                requests = self._conn.execute("DELETE FROM requests").rowcount
                spans = self._conn.execute("DELETE FROM spans").rowcount
            self._conn.execute("VACUUM")
            self.generation += 1
        return requests, spans

    def _maybe_prune(self) -> None:
        if (self.max_bytes is not None or self.retention_days is not None) and time.monotonic() - self._pruned_at >= _PRUNE_EVERY_S:
            self._prune()

    def _prune(self) -> int:
        self._pruned_at = time.monotonic()
        deleted = 0
        with self._conn:
            if self.retention_days is not None:
                cutoff = time.time() - self.retention_days * 86400
                deleted += self._conn.execute("DELETE FROM requests WHERE created_at < ?", (cutoff,)).rowcount
                deleted += self._conn.execute("DELETE FROM spans WHERE start_time < ?", (cutoff,)).rowcount
            for _ in range(20):
                if self.max_bytes is None or self._used() <= self.max_bytes:
                    break
                removed = 0
                for table, column in (("requests", "created_at"), ("spans", "start_time")):
                    count = self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                    removed += self._conn.execute(
                        f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} ORDER BY {column} LIMIT ?)",
                        (max(1, count // 10) if count else 0,)).rowcount
                deleted += removed
                if not removed:
                    break
        self.pruned += deleted
        self.generation += 1 if deleted else 0
        return deleted

    def _used(self) -> int:
        pages, free, size = (self._conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "freelist_count", "page_size"))
        return (pages - free) * size

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
        with self._read_lock:
            if self._reader is not self._conn:
                self._reader.close()
        with self._lock:
            self._conn.close()
