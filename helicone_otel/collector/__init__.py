"""A local, Helicone-compatible collector: OTLP/HTTP in, SQLite out."""

from .mapping import RequestRecord
from .server import Collector
from .store import Store

__all__ = ["Collector", "RequestRecord", "Store"]
