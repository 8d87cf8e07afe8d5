"""``helicone-otel``: run the local collector, look at what it stored, or run a demo."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from typing import Optional, Sequence

from .collector import Collector, RequestRecord, Store
from .collector.queries import PathNode, SessionView, CostTotal, cost_totals, grand_total, group_key, sessions
from .config import DEFAULT_COLLECTOR_PORT, default_db_path


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(line.rstrip() for line in out)


_SHORT_NAMES = {
    "Helicone-Session-Id": "session",
    "Helicone-Session-Path": "path",
    "Helicone-Session-Name": "session_name",
}


def _tokens(record: RequestRecord) -> str:
    """Helicone's counts: prompt (uncached) / completion (without reasoning), then the rest."""
    prompt, completion = record.prompt_tokens or 0, record.completion_tokens or 0
    extra = [
        f"{count} {label}"
        for count, label in ((record.cache_read_tokens, "cache read"), (record.cache_write_tokens, "cache write"),
                             (record.reasoning_tokens, "reasoning"))
        if count
    ]
    if not (prompt or completion or extra):
        return "-"
    return f"{prompt}/{completion}" + (f" +{', '.join(extra)}" if extra else "")


def format_requests(records: Sequence[RequestRecord]) -> str:
    """The ``requests`` table."""
    rows = []
    for r in records:
        props = {_SHORT_NAMES.get(k, k): v for k, v in r.properties.items()}
        if r.user_id:
            props["user"] = r.user_id
        rows.append(
            [
                datetime.fromtimestamp(r.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                r.provider or "-",
                r.model or "-",
                _tokens(r),
                f"{r.latency_ms} ms",
                f"${r.cost_usd:.6f}" if r.cost_usd is not None else "-",
                r.error_type or "ok",
                " ".join(f"{k}={v}" for k, v in sorted(props.items())) or "-",
            ]
        )
    return _table(["time", "provider", "model", "tokens in/out", "latency", "cost", "status", "properties"], rows)


def _cmd_collector(args: argparse.Namespace) -> int:
    collector = Collector(args.db, host=args.host, port=args.port, api_key=args.api_key)
    print(f"helicone-otel collector listening on {collector.url} (store: {args.db})")
    print(f"point your app at it:  HELICONE_BASE_URL={collector.url}")
    try:
        collector.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        collector.stop()
    return 0


def _cmd_requests(args: argparse.Namespace) -> int:
    store = Store(args.db)
    try:
        records = store.requests(limit=args.limit)
    finally:
        store.close()
    if not records:
        print(f"no requests stored in {args.db}")
        return 0
    print(format_requests(records))
    return 0


def format_costs(rows: Sequence[CostTotal], by: str) -> str:
    """The ``costs`` table, with a total line."""
    total = grand_total(rows)
    shown = list(rows) + ([total] if total else [])
    return _table(
        [by, "requests", "tokens in", "tokens out", "cost (USD)", "unpriced"],
        [
            [t.key, str(t.requests), str(t.prompt_tokens), str(t.completion_tokens), f"{t.cost_usd:.6f}", str(t.unpriced)]
            for t in shown
        ],
    )


def _step_line(record: RequestRecord) -> str:
    parts = [record.model or "-", f"{record.latency_ms} ms"]
    if _tokens(record) != "-":
        parts.append(f"tokens {_tokens(record)}")
    if record.cost_usd is not None:
        parts.append(f"${record.cost_usd:.6f}")
    if record.error_type:
        parts.append(f"error {record.error_type}")
    return "  ".join(parts)


def format_session(view: SessionView) -> str:
    """One session as a tree by path, each step with latency, tokens and cost."""
    title = f'session {view.id}' + (f' "{view.name}"' if view.name else "")
    lines = [
        f"{title}  {view.requests} step(s), {view.duration_ms} ms, tokens {view.prompt_tokens}/{view.completion_tokens}, "
        f"${view.cost_usd:.6f}"
    ]

    def walk(node: PathNode, path: str, depth: int) -> None:
        indent = "  " * depth
        if node.segment or node.requests:
            lines.append(f"{indent}{path or '/'}")
        for record in node.requests:
            lines.append(f"{indent}  - {_step_line(record)}")
        for child in node.children.values():
            walk(child, f"{path}/{child.segment}", depth + (1 if node.segment or node.requests else 0))

    walk(view.root, "", 1)
    return "\n".join(lines)


def _cmd_sessions(args: argparse.Namespace) -> int:
    store = Store(args.db)
    try:
        views = sessions(store.requests())
    finally:
        store.close()
    if args.id:
        views = [v for v in views if v.id == args.id]
    if not views:
        print(f"no sessions stored in {args.db}")
        return 0
    print("\n\n".join(format_session(v) for v in views[-args.limit:]))
    return 0


def _cmd_costs(args: argparse.Namespace) -> int:
    try:
        group_key(args.by)
    except ValueError as exc:
        print(f"helicone-otel costs: {exc}", file=sys.stderr)
        return 2
    store = Store(args.db)
    try:
        records = store.requests()
    finally:
        store.close()
    print(format_costs(cost_totals(records, args.by), args.by))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(args.db)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = argparse.ArgumentParser(prog="helicone-otel", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    db_help = f"SQLite file (default: {default_db_path()})"

    p = sub.add_parser("collector", help="run the local Helicone-compatible collector")
    p.add_argument("--port", type=int, default=DEFAULT_COLLECTOR_PORT)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--db", default=default_db_path(), help=db_help)
    p.add_argument("--api-key", default=None, help="require this Bearer key (default: accept any key; like Helicone, "
                   "a request without one is refused with 401)")
    p.set_defaults(func=_cmd_collector)

    p = sub.add_parser("requests", help="print the requests the collector stored")
    p.add_argument("--db", default=default_db_path(), help=db_help)
    p.add_argument("--limit", type=int, default=50, help="newest N requests (default 50)")
    p.set_defaults(func=_cmd_requests)

    p = sub.add_parser("sessions", help="print sessions as trees by path, with latency, tokens and cost per step")
    p.add_argument("--db", default=default_db_path(), help=db_help)
    p.add_argument("--id", default=None, help="only this session")
    p.add_argument("--limit", type=int, default=20, help="newest N sessions (default 20)")
    p.set_defaults(func=_cmd_sessions)

    p = sub.add_parser("costs", help="total cost per model, provider, user, session or property")
    p.add_argument("--by", default="model", help="model | provider | user | session | property:<Name>")
    p.add_argument("--db", default=default_db_path(), help=db_help)
    p.set_defaults(func=_cmd_costs)

    p = sub.add_parser("demo", help="collector + stand-in provider + real SDK calls, then print what arrived")
    p.add_argument("--db", default=default_db_path(), help=db_help)
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``helicone-otel`` command."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
