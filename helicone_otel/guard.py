"""Our own failures never reach the user: :func:`guard` runs one step of our code and
:func:`report_once` logs a failure the first time each kind of it happens."""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

logger = logging.getLogger("helicone_otel")

_reported: set[str] = set()
_reported_lock = threading.Lock()


def report_once(kind: str, exc: BaseException) -> None:
    """Log an internal failure the first time a given ``kind`` of it happens."""
    key = f"{kind}:{type(exc).__name__}"
    with _reported_lock:
        if key in _reported:
            return
        _reported.add(key)
    logger.warning(
        "helicone_otel: %s failed (%s: %s); the call goes on, this telemetry is incomplete. "
        "Further failures of this kind are not logged.",
        kind,
        type(exc).__name__,
        exc,
        exc_info=exc,
    )


def guard(kind: str, func: Callable[..., Any], *args: Any) -> Any:
    """Run one step of our instrumentation; on failure report it once and return None."""
    try:
        return func(*args)
    except Exception as exc:  # noqa: BLE001 - our bug must never reach the user
        report_once(kind, exc)
        return None
