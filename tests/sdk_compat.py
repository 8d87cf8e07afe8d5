"""What differs between the SDK majors the tests run against (openai 1.x-3.x)."""

from __future__ import annotations

import openai

# A connection cut mid-stream: openai 2+ wraps it in APIConnectionError; 1.x lets the HTTP
# client's own error through. Either way the user gets exactly what the SDK raises.
_errors: list[type[BaseException]] = [openai.APIConnectionError]
for _module in ("httpx", "httpx2"):
    try:
        _errors.append(__import__(_module).RemoteProtocolError)
    except (ImportError, AttributeError):
        pass
BROKEN_STREAM_ERRORS = tuple(_errors)
