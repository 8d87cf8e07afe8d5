"""Read-side queries over the store for the web view and the command line: filtered pages of
requests (newest first, keyset-paged so page 1 and page 2,000 cost the same), sessions,
per-day cost rollups and generic spans. Everything runs in SQLite on the indexes store.py
creates; no query loads request bodies except ``request_by_id``.

Tool, vector-database and data steps (model ``tool:<name>``, ``vector_db``, ``data:<name>``,
as Helicone names them) are counted as steps, never as requests of some provider.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Optional

from .record import RequestRecord
from .spans import SpanRow
from .store import SESSION_SQL, Store

STEP_SQL = "(model = 'vector_db' OR model LIKE 'tool:%' OR model LIKE 'data:%')"
OK_SQL = "(status BETWEEN 200 AND 299)"
_NAME_SQL = """json_extract(properties, '$."Helicone-Session-Name"')"""
NONE = "(none)"
STEPS = "(steps)"
_LIST_COLUMNS = [f.name for f in fields(RequestRecord) if f.name not in ("request_body", "response_body")]
_SPAN_COLUMNS = [f.name for f in fields(SpanRow)]
_JSON = {"properties", "attributes", "resource", "events"}


COUNT_CAP = 10_000  # rows counted at most when a filter has no index (a property)


def cached(store: Store, key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, reused until the store next writes: a live page re-reads the same
    aggregation every few seconds, and an idle store should not pay for it again."""
    hit = store.cache.get(key)
    generation = store.version()
    if hit is not None and hit[0] == generation:
        return hit[1]
    value = compute()
    if len(store.cache) > 64:
        store.cache.clear()
    store.cache[key] = (generation, value)
    return value


def is_step(model: str) -> bool:
    """Whether a stored model names a tool, vector-database or data step."""
    return model == "vector_db" or model.lower().startswith(("tool:", "data:"))


def property_sql(name: str) -> tuple[str, list[Any]]:
    """SQL for the value of one property (any name, quotes included)."""
    if name == "Helicone-Session-Id":
        return SESSION_SQL, []
    if '"' in name or "\\" in name:
        return "(SELECT value FROM json_each(properties) WHERE key = ?)", [name]
    return "json_extract(properties, ?)", [f'$."{name}"']


@dataclass
class Filters:
    """What the requests table is narrowed to (empty = everything)."""

    model: str = ""
    provider: str = ""
    status: str = ""  # "ok", "error" or a status code
    user: str = ""
    session: str = ""
    properties: list[tuple[str, str]] = field(default_factory=list)

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = ["1"]
        params: list[Any] = []
        for column, value in (("model", self.model), ("provider", self.provider), ("user_id", self.user)):
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.status == "ok":
            clauses.append(OK_SQL)
        elif self.status == "error":
            clauses.append(f"NOT {OK_SQL}")
        elif re.fullmatch(r"-?[0-9]{1,9}", self.status):
            clauses.append("status = ?")
            params.append(int(self.status))
        if self.session:
            clauses.append(f"{SESSION_SQL} = ?")
            params.append(self.session)
        for name, value in self.properties:
            expression, extra = property_sql(name)
            clauses.append(f"CAST({expression} AS TEXT) = ?" if value else f"{expression} IS NOT NULL")
            params += extra + ([value] if value else [])
        return " AND ".join(clauses), params


@dataclass
class Page:
    """One page of rows, newest first, with the cursors of the pages around it."""

    rows: list[Any]
    total: int  # at most COUNT_CAP + 1 when ``capped``
    older: Optional[str] = None  # ``before=`` of the next page
    newer: Optional[str] = None  # ``after=`` of the previous page
    capped: bool = False


def _cursor(text: Optional[str]) -> Optional[tuple[float, int]]:
    try:
        time_text, rowid = (text or "").split(":", 1)
        return float(time_text), int(rowid)
    except ValueError:
        return None


def _page(store: Store, table: str, columns: list[str], time_column: str, where: str, params: list[Any],
          before: Optional[str], after: Optional[str], limit: int, count_cap: Optional[int] = None,
          ) -> tuple[list[tuple], int, Optional[str], Optional[str]]:
    select = f"SELECT {','.join(columns)}, {time_column}, rowid FROM {table} WHERE {where}"
    later, earlier = _cursor(after), _cursor(before)
    if later is not None:
        rows = store.read(f"{select} AND ({time_column}, rowid) > (?, ?) ORDER BY {time_column}, rowid LIMIT ?",
                          [*params, *later, limit + 1])
        more_newer, rows = len(rows) > limit, rows[:limit][::-1]
        more_older = True
    else:
        cursor_sql, cursor_params = ("", []) if earlier is None else (f" AND ({time_column}, rowid) < (?, ?)", list(earlier))
        rows = store.read(f"{select}{cursor_sql} ORDER BY {time_column} DESC, rowid DESC LIMIT ?",
                          [*params, *cursor_params, limit + 1])
        more_older, rows, more_newer = len(rows) > limit, rows[:limit], earlier is not None
    if count_cap is None:
        total = store.read(f"SELECT count(*) FROM {table} WHERE {where}", params)[0][0]
    else:
        total = store.read(f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {where} LIMIT ?)", [*params, count_cap + 1])[0][0]
    older = f"{rows[-1][-2]!r}:{rows[-1][-1]}" if rows and more_older else None
    newer = f"{rows[0][-2]!r}:{rows[0][-1]}" if rows and more_newer else None
    return [r[:-2] for r in rows], total, older, newer


def _record(row: tuple, columns: list[str]) -> RequestRecord:
    values = {c: (json.loads(v) if c in _JSON else v) for c, v in zip(columns, row)}
    return RequestRecord(**{"request_body": {}, "response_body": {}, **values})


def requests_page(store: Store, filters: Filters, *, before: Optional[str] = None, after: Optional[str] = None,
                  limit: int = 50) -> Page:
    """Requests matching ``filters``, newest first (bodies left out)."""
    where, params = filters.where()
    cap = COUNT_CAP if filters.properties else None
    rows, total, older, newer = _page(store, "requests", _LIST_COLUMNS, "created_at", where, params, before, after, limit, cap)
    return Page([_record(r, _LIST_COLUMNS) for r in rows], total, older, newer, cap is not None and total > cap)


def request_by_id(store: Store, request_id: str) -> Optional[RequestRecord]:
    """One request with its bodies."""
    columns = [f.name for f in fields(RequestRecord)]
    rows = store.read(f"SELECT {','.join(columns)} FROM requests WHERE id = ?", [request_id])
    if not rows:
        return None
    values = {c: (json.loads(v) if c in ("properties", "request_body", "response_body") else v) for c, v in zip(columns, rows[0])}
    return RequestRecord(**values)


def choices(store: Store) -> dict[str, list[str]]:
    """Values to offer in the filters: models, statuses, users (each walked along its index, one
    seek per distinct value) and the property names of recent requests."""
    return cached(store, "choices", lambda: _choices(store))


def _choices(store: Store) -> dict[str, list[str]]:
    def distinct(column: str) -> list[str]:
        rows = store.read(
            f"WITH RECURSIVE v(x) AS (SELECT min({column}) FROM requests UNION ALL "
            f"SELECT (SELECT min({column}) FROM requests WHERE {column} > v.x) FROM v WHERE v.x IS NOT NULL) "
            f"SELECT x FROM v WHERE x IS NOT NULL LIMIT 500")
        return [str(r[0]) for r in rows if r[0] != ""]

    names = store.read("SELECT DISTINCT key FROM (SELECT properties FROM requests ORDER BY created_at DESC LIMIT 2000), "
                       "json_each(properties) ORDER BY 1 LIMIT 200")
    return {"model": distinct("model"), "status": distinct("status"), "user": distinct("user_id"),
            "property": [r[0] for r in names]}


@dataclass
class SessionRow:
    """One session's totals."""

    id: str
    name: str
    requests: int
    steps: int
    started_at: float
    ended_at: float
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    errors: int
    user: str


def sessions_page(store: Store, *, search: str = "", offset: int = 0, limit: int = 50) -> tuple[list[SessionRow], int]:
    """Sessions, most recently active first, and how many there are."""
    return cached(store, ("sessions", search, offset, limit), lambda: _sessions_page(store, search, offset, limit))


def _sessions_page(store: Store, search: str, offset: int, limit: int) -> tuple[list[SessionRow], int]:
    where, params = f"{SESSION_SQL} IS NOT NULL", []
    if search:
        where += f" AND instr(lower({SESSION_SQL} || ' ' || coalesce({_NAME_SQL}, '')), lower(?))"
        params = [search]
    rows = store.read(
        f"SELECT {SESSION_SQL} AS sid, max({_NAME_SQL}), count(*) - sum({STEP_SQL}), sum({STEP_SQL}), min(created_at), "
        f"max(created_at + max(latency_ms, 0) / 1000.0), sum(coalesce(prompt_tokens, 0)), sum(coalesce(completion_tokens, 0)), "
        f"sum(coalesce(cost_usd, 0)), sum(NOT {OK_SQL}), max(user_id) FROM requests WHERE {where} GROUP BY sid "
        f"ORDER BY max(created_at) DESC LIMIT ? OFFSET ?",
        [*params, limit, offset])
    total = store.read(f"SELECT count(DISTINCT {SESSION_SQL}) FROM requests WHERE {where}", params)[0][0]
    return [SessionRow(str(r[0]), str(r[1] or ""), r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], str(r[10] or ""))
            for r in rows], total


def session_records(store: Store, session_id: str, limit: int = 5000) -> list[RequestRecord]:
    """A session's requests and steps, oldest first (bodies left out)."""
    rows = store.read(f"SELECT {','.join(_LIST_COLUMNS)} FROM requests WHERE {SESSION_SQL} = ? ORDER BY created_at, rowid LIMIT ?",
                      [session_id, limit])
    return [_record(r, _LIST_COLUMNS) for r in rows]


def group_sql(by: str) -> tuple[str, list[Any]]:
    """The grouping expression of ``--by model|provider|user|session|property:<Name>``."""
    if by == "model":
        return "model", []
    if by == "provider":
        return f"CASE WHEN {STEP_SQL} THEN '{STEPS}' ELSE provider END", []
    if by == "user":
        return "user_id", []
    if by == "session":
        return SESSION_SQL, []
    if by.startswith("property:") and len(by) > len("property:"):
        return property_sql(by[len("property:"):])
    raise ValueError(f"--by {by!r}: use model, provider, user, session or property:<Name>")


@dataclass
class CostRow:
    """Totals of one group on one day (``day`` is "" for all days together)."""

    day: str
    key: str
    requests: int = 0
    steps: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    unpriced: int = 0


def cost_rollup(store: Store, by: str, *, since: Optional[float] = None, per_day: bool = True) -> list[CostRow]:
    """Requests, steps, tokens and cost per group (and local day), most expensive first; an LLM
    request Helicone could not price counts as unpriced, a step never does."""
    return cached(store, ("costs", by, since, per_day), lambda: _cost_rollup(store, by, since, per_day))


def _cost_rollup(store: Store, by: str, since: Optional[float], per_day: bool) -> list[CostRow]:
    key_sql, params = group_sql(by)
    day_sql = "date(created_at, 'unixepoch', 'localtime')" if per_day else "''"
    where = "created_at >= ?" if since is not None else "1"
    rows = store.read(
        f"SELECT {day_sql} AS day, {key_sql} AS k, count(*) - sum({STEP_SQL}), sum({STEP_SQL}), "
        f"sum(coalesce(prompt_tokens, 0)), sum(coalesce(completion_tokens, 0)), sum(coalesce(cost_usd, 0)), "
        f"sum(cost_usd IS NULL AND NOT {STEP_SQL}) FROM requests WHERE {where} GROUP BY day, k",
        [*params, *([since] if since is not None else [])])
    out = [CostRow(day, NONE if key in (None, "") else str(key), *rest) for day, key, *rest in rows]
    return sorted(out, key=lambda r: (r.day, -r.cost_usd, r.key))


def counts(store: Store) -> tuple[int, int]:
    """(requests, spans) stored."""
    return store.read("SELECT (SELECT count(*) FROM requests), (SELECT count(*) FROM spans)")[0]


def spans_page(store: Store, *, service: str = "", name: str = "", trace: str = "", errors: bool = False,
               before: Optional[str] = None, after: Optional[str] = None, limit: int = 50) -> Page:
    """Generic OTLP spans, newest first."""
    clauses, params = ["1"], []
    for column, value in (("service", service), ("name", name), ("trace_id", trace.lower())):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if errors:
        clauses.append("status_code = 'ERROR'")
    rows, total, older, newer = _page(store, "spans", _SPAN_COLUMNS, "start_time", " AND ".join(clauses), params,
                                      before, after, limit)
    return Page([_span(r) for r in rows], total, older, newer)


def trace_spans(store: Store, trace_id: str, limit: int = 5000) -> list[SpanRow]:
    """The spans of one trace, by start time."""
    rows = store.read(f"SELECT {','.join(_SPAN_COLUMNS)} FROM spans WHERE trace_id = ? ORDER BY start_time, rowid LIMIT ?",
                      [trace_id.lower(), limit])
    return [_span(r) for r in rows]


def span_services(store: Store) -> list[str]:
    """Service names of stored spans."""
    return [r[0] for r in store.read("SELECT DISTINCT service FROM spans ORDER BY 1 LIMIT 200")]


def _span(row: tuple) -> SpanRow:
    return SpanRow(**{c: (json.loads(v) if c in _JSON else v) for c, v in zip(_SPAN_COLUMNS, row)})
