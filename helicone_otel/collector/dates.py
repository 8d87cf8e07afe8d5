"""JavaScript ``Date`` construction as jawn uses it, in epoch milliseconds (NaN: Invalid Date)."""

from __future__ import annotations

import math
import re
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from .js import UNDEFINED, add, to_number

NAN = float("nan")
_ISO = re.compile(
    r"^(?P<y>[+-]\d{6}|\d{4})(?:-(?P<mo>\d{2})(?:-(?P<d>\d{2}))?)?"
    r"(?:T(?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d+))?)?(?P<tz>Z|[+-]\d{2}:\d{2})?)?$"
)


def time_clip(value: float) -> float:
    """``new Date(number)``: truncated to whole milliseconds, NaN beyond ±8.64e15."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return NAN
    if abs(value) > 8.64e15:
        return NAN
    return float(math.trunc(value))


def parse_date(text: str) -> float:
    """``Date.parse`` for the ISO formats ECMAScript defines (times without an offset read as
    UTC, as on a server running in UTC); anything else is an Invalid Date."""
    match = _ISO.match(text.strip())
    if not match:
        return NAN
    try:
        year = int(match["y"])
        base = datetime(year if 1 <= year <= 9999 else 1970, int(match["mo"] or 1), int(match["d"] or 1), int(match["h"] or 0),
                        int(match["mi"] or 0), int(match["s"] or 0), tzinfo=timezone.utc)
    except ValueError:
        return NAN
    millis = int((match["f"] or "0")[:3].ljust(3, "0"))
    offset = match["tz"]
    if offset and offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        base -= sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    return time_clip(base.timestamp() * 1000 + millis)


def new_date(value: Any) -> float:
    """``new Date(value)`` for a number or a string."""
    if isinstance(value, str):
        return parse_date(value)
    return time_clip(to_number(value))


def custom_log_time(value: Any) -> float:
    """``getTime`` (customTraceManager.ts:48-64): ``{seconds, milliseconds}``, or text holding
    epoch seconds (below 4102444800), epoch milliseconds, or an ISO date. TypeError for null."""
    if isinstance(value, str):
        if re.fullmatch(r"\d+", value):
            stamp = int(value)
            return time_clip(float(stamp * 1000 if stamp < 4102444800 else stamp))
        return parse_date(value)
    if value is None or value is UNDEFINED:
        raise TypeError("Cannot read properties of undefined (reading 'seconds')")
    seconds = value.get("seconds", UNDEFINED) if isinstance(value, dict) else UNDEFINED
    millis = value.get("milliseconds", UNDEFINED) if isinstance(value, dict) else UNDEFINED
    return new_date(add(to_number(seconds) * 1000, millis))


def now_ms() -> float:
    return float(math.trunc(time.time() * 1000))


def iso(ms: float) -> str | None:
    """``toISOString`` (None for an Invalid Date, which throws there)."""
    if math.isnan(ms):
        return None
    moment = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ms) % 1000:03d}Z"
