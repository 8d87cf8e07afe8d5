"""What differs between the SDK majors the tests run against (openai 1.x-3.x, anthropic 1.x-2.x)."""

from __future__ import annotations

import openai

# A connection cut mid-stream: openai 2+ wraps it in APIConnectionError; 1.x lets the HTTP
# client's own error through. Either way the user gets exactly what the SDK raises.
_errors: list[type[BaseException]] = [openai.APIConnectionError]
# anthropic 2.17+ wraps it in its own APIConnectionError (``iter_response_bytes``).
_errors.append(__import__("anthropic").APIConnectionError)
for _module in ("httpx", "httpx2"):
    try:
        _errors.append(__import__(_module).RemoteProtocolError)
    except (ImportError, AttributeError):
        pass
BROKEN_STREAM_ERRORS = tuple(_errors)
