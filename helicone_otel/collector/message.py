"""The queue message jawn's ingestion routes produce (``KafkaMessageContents`` with the raw
bodies it stores in S3), the input of the log worker (pipeline.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .js import UNDEFINED

# jawn: `path: "async-unknown-path"` for both routes (customTraceManager.ts, traceManager.ts:134)
ASYNC_PATH = "async-unknown-path"


@dataclass(frozen=True, slots=True)
class LogMessage:
    """One request as it leaves the route handler.

    Times are epoch milliseconds (JavaScript ``Date`` values; NaN for an invalid date).
    ``user_id``, ``provider``, ``status`` and ``time_to_first_token`` keep whatever type the
    payload had, as jawn does; ``raw_*_body`` are the texts jawn stores in S3 (None: absent).
    """

    request_id: str
    provider: Any
    user_id: Any
    properties: dict[str, Any]
    request_created_ms: float
    response_created_ms: float
    delay_ms: Any
    status: Any
    time_to_first_token: Any = UNDEFINED
    raw_request_body: Any = None
    raw_response_body: Any = None
    model_override: str = ""
    omit_request: bool = False
    omit_response: bool = False
    is_stream: bool = False  # jawn sets false on both routes; processing reads the request's `stream`
    source: str = "custom_log"
