"""Stored requests, sessions and costs as text for a terminal (the ``helicone-otel`` command and
the demo).

Stored strings are untrusted: a model name or property value may carry ESC sequences that
would move the cursor, retitle the window or hide text, or bidirectional-override characters
that reorder what is shown. Every one of them is printed as a visible escape (``\\x1b``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Iterable, Sequence

from .queries import SESSION_ID, SESSION_NAME, SESSION_PATH, PathNode, SessionView
from .reads import CostRow, is_step
from .record import RequestRecord

# C0 and C1 controls, DEL, bidirectional controls, line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEP_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SHORT_NAMES = {SESSION_ID: "session", SESSION_PATH: "path", SESSION_NAME: "session_name"}


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(value: object) -> str:
    """One stored value as printable text on one line."""
    return _UNSAFE.sub(_escape, str(value))


def safe_text(text: str) -> str:
    """Several lines of output with every control character but the newline made visible."""
    return _UNSAFE_KEEP_NEWLINE.sub(_escape, text)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Left-aligned columns; every cell made safe first."""
    cells = [[safe(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)), "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in cells]
    return "\n".join(line.rstrip() for line in out)


def tokens(record: RequestRecord) -> str:
    """Helicone's counts: prompt (uncached) / completion (without reasoning), then the rest."""
    prompt, completion = record.prompt_tokens or 0, record.completion_tokens or 0
    extra = [f"{count} {label}" for count, label in ((record.cache_read_tokens, "cache read"),
                                                     (record.cache_write_tokens, "cache write"),
                                                     (record.reasoning_tokens, "reasoning")) if count]
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
        rows.append([datetime.fromtimestamp(r.created_at).strftime("%Y-%m-%d %H:%M:%S"), r.provider or "-", r.model or "-",
                     tokens(r), f"{r.latency_ms} ms", f"${r.cost_usd:.6f}" if r.cost_usd is not None else "-",
                     r.error_type or "ok", " ".join(f"{k}={v}" for k, v in sorted(props.items())) or "-"])
    return table(["time", "provider", "model", "tokens in/out", "latency", "cost", "status", "properties"], rows)


def format_costs(rows: Sequence[CostRow], by: str) -> str:
    """The ``costs`` table, with a total line; tool and vector-database steps in a column of their
    own (never counted as requests)."""
    total = CostRow("", "total")
    for row in rows:
        for name in ("requests", "steps", "prompt_tokens", "completion_tokens", "cost_usd", "unpriced"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    shown = list(rows) + ([total] if rows else [])
    steps = total.steps > 0  # a column of its own only when there are steps
    return table([by, "requests", *(["steps"] if steps else []), "tokens in", "tokens out", "cost (USD)", "unpriced"],
                 [[t.key, t.requests, *([t.steps] if steps else []), t.prompt_tokens, t.completion_tokens, f"{t.cost_usd:.6f}",
                   t.unpriced] for t in shown])


def _step_line(record: RequestRecord) -> str:
    parts = [safe(record.model or "-"), f"{record.latency_ms} ms"]
    if tokens(record) != "-":
        parts.append(f"tokens {tokens(record)}")
    if record.cost_usd is not None and not is_step(record.model):  # steps are not priced
        parts.append(f"${record.cost_usd:.6f}")
    if record.error_type:
        parts.append(f"error {safe(record.error_type)}")
    return "  ".join(parts)


def format_session(view: SessionView) -> str:
    """One session as a tree by path, each step with latency, tokens and cost."""
    title = f"session {safe(view.id)}" + (f' "{safe(view.name)}"' if view.name else "")
    lines = [f"{title}  {view.requests} step(s), {view.duration_ms} ms, tokens {view.prompt_tokens}/{view.completion_tokens}, "
             f"${view.cost_usd:.6f}"]
    stack = [(view.root, "", 1)]
    while stack:  # depth first, iteratively (a stored path may nest very deep)
        node, path, depth = stack.pop()
        indent = "  " * depth
        shown = bool(node.segment or node.requests)
        if shown:
            lines.append(f"{indent}{safe(path or '/')}")
        lines += [f"{indent}  - {_step_line(record)}" for record in node.requests]
        stack += [(child, f"{path}/{child.segment}", depth + (1 if shown else 0)) for child in reversed(node.children.values())]
    return "\n".join(lines)


__all__ = ["PathNode", "format_costs", "format_requests", "format_session", "safe", "safe_text", "table", "tokens"]
