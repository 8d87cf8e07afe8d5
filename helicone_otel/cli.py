"""helicone-otel: run the local collector and its web view, look at what it stored, or run a demo."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from typing import Optional, Sequence

from .collector import Collector, Store, reads
from .collector.intake import LOOPBACK_NAMES
from .collector.queries import sessions
from .collector.terminal import format_costs, format_requests, format_session, safe
from .config import DEFAULT_COLLECTOR_PORT, default_db_path


def demo_db_path() -> str:
    """The demo's own store, beside the default one (never the default one itself)."""
    return os.path.join(os.path.dirname(os.path.abspath(default_db_path())), "demo.db")


def _fail(message: str, code: int = 1) -> int:
    print(f"helicone-otel: {message}", file=sys.stderr)
    return code


def _open(path: str) -> Optional[Store]:
    """The store at ``path`` for reading; None (and a message) when there is none: reading must
    not create an empty file at a mistyped path."""
    if path != ":memory:" and not os.path.isfile(path):
        _fail(f"no store at {path}: start `helicone-otel collector` (or run `helicone-otel demo --db {path}`) first")
        return None
    return Store(path, max_bytes=None)


def _cmd_collector(args: argparse.Namespace) -> int:
    try:
        collector = Collector(args.db, host=args.host, port=args.port, api_key=args.api_key, view=not args.no_view,
                              max_bytes=int(args.max_mb * 1024 * 1024) if args.max_mb > 0 else None,
                              retention_days=args.retention_days)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return _fail(f"port {args.port} on {args.host} is already in use (another collector?); "
                         f"choose another with --port, e.g. --port {args.port + 1}")
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    print(f"helicone-otel collector listening on {collector.url} (store: {args.db})")
    print(f"point your app at it:  HELICONE_BASE_URL={collector.url}")
    print(f"OpenTelemetry SDKs:    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT={collector.url}/v1/traces")
    if collector.view_url:
        print(f"web view:              {collector.view_url}")
    if args.host.strip("[]") not in LOOPBACK_NAMES:
        print(f"warning: listening on {args.host}: anyone who can reach this address can read the stored prompts "
              "and write into the store", file=sys.stderr)
    try:
        collector.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        collector.stop()
    return 0


def _cmd_requests(args: argparse.Namespace) -> int:
    store = _open(args.db)
    if store is None:
        return 1
    filters = reads.Filters(model=args.model or "", status=args.status or "", user=args.user or "", session=args.session or "")
    try:
        page = reads.requests_page(store, filters, limit=max(args.limit, 1))
    finally:
        store.close()
    if not page.rows:
        print(f"no requests {'match in' if any(vars(filters).values()) else 'stored in'} {args.db}")
        return 0
    print(format_requests(page.rows[::-1]))
    if page.total > len(page.rows):
        print(f"({len(page.rows)} newest of {page.total}; --limit N for more)")
    return 0


def _cmd_sessions(args: argparse.Namespace) -> int:
    store = _open(args.db)
    if store is None:
        return 1
    try:
        if args.id:
            views = sessions(reads.session_records(store, args.id))
            if not views:
                total = reads.sessions_page(store, limit=1)[1]
                others = f"{total} other session(s) are stored; `helicone-otel sessions` lists them" if total else "no sessions are stored"
                return _fail(f"no session {safe(args.id)!r} in {args.db}: {others}")
        else:
            rows = reads.sessions_page(store, limit=max(args.limit, 1))[0]
            views = [v for row in reversed(rows) for v in sessions(reads.session_records(store, row.id))]
    finally:
        store.close()
    if not views:
        print(f"no sessions stored in {args.db}")
        return 0
    print("\n\n".join(format_session(v) for v in views))
    return 0


def _cmd_costs(args: argparse.Namespace) -> int:
    try:
        reads.group_sql(args.by)
    except ValueError as exc:
        return _fail(f"costs: {exc}", 2)
    store = _open(args.db)
    if store is None:
        return 1
    try:
        rows = reads.cost_rollup(store, args.by, per_day=False)
    finally:
        store.close()
    print(format_costs(sorted(rows, key=lambda r: (-r.cost_usd, r.key)), args.by))
    return 0


def _cmd_clear(args: argparse.Namespace) -> int:
    store = _open(args.db)
    if store is None:
        return 1
    try:
        requests, spans = reads.counts(store)
        if not args.yes:
            if not sys.stdin.isatty():
                return _fail(f"clear: this deletes {requests} request(s) and {spans} span(s) from {args.db}; add --yes")
            answer = input(f"Delete {requests} request(s) and {spans} span(s) from {args.db}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("nothing deleted")
                return 1
        deleted = store.clear()
    finally:
        store.close()
    print(f"deleted {deleted[0]} request(s) and {deleted[1]} span(s) from {args.db}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    serve = sys.stdin.isatty() and sys.stdout.isatty() if args.serve is None else args.serve
    return run_demo(args.db, port=args.port, serve=serve)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = argparse.ArgumentParser(prog="helicone-otel", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    db_help = f"SQLite file (default: {default_db_path()})"

    p = sub.add_parser("collector", help="run the local Helicone-compatible collector and its web view",
                       description="Run the local collector: Helicone's intake routes, OTLP/HTTP on /v1/traces, "
                                   "and a read-only web view at / (all on 127.0.0.1 unless --host says otherwise).")
    p.add_argument("--port", type=int, default=DEFAULT_COLLECTOR_PORT, help=f"default {DEFAULT_COLLECTOR_PORT}")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--db", default=default_db_path(), help=db_help)
    p.add_argument("--api-key", default=None, help="require this Bearer key (default: accept any key; like Helicone, "
                   "a request without one is refused with 401)")
    p.add_argument("--no-view", action="store_true", help="do not serve the web view")
    p.add_argument("--max-mb", type=float, default=1024, help="size cap of the store: beyond it the oldest rows are "
                   "deleted (default 1024; 0 for none)")
    p.add_argument("--retention-days", type=float, default=None, help="delete rows older than this (default: keep)")
    p.set_defaults(func=_cmd_collector)

    p = sub.add_parser("requests", help="print the requests the collector stored")
    p.add_argument("--db", default=default_db_path(), help=db_help)
    p.add_argument("--limit", type=int, default=50, help="newest N requests (default 50)")
    p.add_argument("--model", help="only this model")
    p.add_argument("--status", help="ok, error or a status code")
    p.add_argument("--user", help="only this user id")
    p.add_argument("--session", help="only this session id")
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

    p = sub.add_parser("clear", help="delete every request and span from a store")
    p.add_argument("--db", default=default_db_path(), help=db_help)
    p.add_argument("--yes", action="store_true", help="do not ask")
    p.set_defaults(func=_cmd_clear)

    p = sub.add_parser("demo", help="collector + stand-in providers + real SDK calls, then the web view",
                       description="Run a small agent through the real SDKs against stand-in providers, print what the "
                                   "local collector stored, then serve the web view until Ctrl-C. Each run is a new "
                                   "session in the demo's own store.")
    p.add_argument("--db", default=demo_db_path(), help=f"SQLite file (default: {demo_db_path()}, apart from "
                   "your own store)")
    p.add_argument("--port", type=int, default=DEFAULT_COLLECTOR_PORT, help=f"default {DEFAULT_COLLECTOR_PORT} "
                   "(any free port when it is taken)")
    p.add_argument("--serve", action=argparse.BooleanOptionalAction, default=None,
                   help="keep serving the web view until Ctrl-C (default: when run in a terminal)")
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``helicone-otel`` command."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
