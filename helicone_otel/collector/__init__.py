"""A local replica of Helicone's trace ingestion (jawn at 67df07b8d): the same routes, status
codes, mapping, tokens and pricing rules, stored in SQLite. See server.py for the HTTP layer,
custom_log.py and otlp.py for the routes, pipeline.py for Helicone's log worker."""

from __future__ import annotations

from .record import RequestRecord
from .server import Collector
from .store import Store

__all__ = ["Collector", "RequestRecord", "Store"]
