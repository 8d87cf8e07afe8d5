"""Secrets, redaction and retries: real SDK, stand-in provider, real exporter."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
import pytest

from helicone_otel import HeliconeAsyncLogger
from helicone_otel import attributes as A

SECRET = "sk-live-SECRET-123"
MESSAGES = [{"role": "user", "content": "my email is ada@example.com"}]


class _Recorder(BaseHTTPRequestHandler):
    """A collector that answers 429 with Retry-After to the first request, 200 afterwards."""

    bodies: list[bytes]
    times: list[float]

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.bodies.append(body)
        self.server.times.append(time.monotonic())
        first = len(self.server.bodies) == 1
        self.send_response(429 if first else 200)
        if first:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def recording_collector():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.bodies, server.times = [], []
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_capture_off_keeps_error_messages_private(make_logger, client, capture, openai_server, recording_collector):
    logger = make_logger(capture_content=False, base_url=_url(recording_collector))
    openai_server.fail_next(401, message=f"Incorrect API key provided: {SECRET} for 'my email is ada@example.com'")
    with pytest.raises(openai.AuthenticationError, match=SECRET):  # the user's exception is untouched
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert logger.flush(5.0)
    (span,) = capture.llm_spans()
    exported = json.dumps([dict(span.attributes), span.status.description, [dict(e.attributes) for e in span.events]])
    sent = b"".join(recording_collector.bodies).decode()
    for text in (exported, sent):
        assert SECRET not in text and "ada@example.com" not in text
    assert span.attributes[A.ERROR_TYPE] == "401"
    assert json.loads(recording_collector.bodies[-1])["providerResponse"]["status"] == 401


def test_redact_hook_sees_every_string_before_it_leaves(make_logger, client, capture, recording_collector):
    logger = make_logger(base_url=_url(recording_collector), redact=lambda s: s.replace("ada@example.com", "<email>"))
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert logger.flush(5.0)
    (span,) = capture.llm_spans()
    assert "<email>" in span.attributes[A.INPUT_MESSAGES] and "ada@" not in span.attributes[A.INPUT_MESSAGES]
    sent = recording_collector.bodies[-1].decode()
    assert "<email>" in sent and "ada@example.com" not in sent


def test_retry_after_is_honoured_by_every_connection(make_logger, client, recording_collector):
    logger = make_logger(base_url=_url(recording_collector))
    for _ in range(8):
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert logger.flush(10.0)
    stats = logger.stats()
    assert stats.exported == 8 and stats.dropped == 0
    times = recording_collector.times
    # The first answer said "wait 1 s": once it was read (a few ms; POSTs already on their way
    # from the other connections then are the race), no connection came back before that.
    during_pause = [t for t in times[1:] if 0.05 < t - times[0] < 0.95]
    assert len(times) <= 8 + 4 and during_pause == [], (len(times), [round(t - times[0], 3) for t in times])
    assert "HTTP 429" in stats.errors  # the cause of the delay stays visible after the successes


def test_unencodable_text_costs_one_character_not_the_record(make_logger, client, recording_collector):
    import helicone_otel

    logger = make_logger(base_url=_url(recording_collector))
    with helicone_otel.properties(Host="bad \udc80 byte"):  # e.g. from os.environ (surrogateescape)
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert logger.flush(5.0)
    stats = logger.stats()
    assert stats.exported + stats.dropped_export_failed == 1 and "build" not in stats.errors
    meta = json.loads(recording_collector.bodies[-1])["providerRequest"]["meta"]
    assert meta["Helicone-Property-host"] == "bad%20?%20byte"  # the surrogate became "?"


@pytest.mark.parametrize("key", ["sk-helicone-abc\r\nX-Evil: 1", "sk-helicone-abc def", "sk-helicone-ünïcode"])
def test_a_key_that_cannot_be_a_header_is_rejected_at_construction_and_masked(key):
    with pytest.raises(ValueError, match="api_key") as raised:
        HeliconeAsyncLogger(api_key=key)
    assert key not in str(raised.value)


def test_provider_error_goes_in_the_providers_envelope(make_logger, client, openai_server, recording_collector):
    logger = make_logger(base_url=_url(recording_collector))
    openai_server.fail_next(429, message="slow down")
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert logger.flush(5.0)
    response = json.loads(recording_collector.bodies[-1])["providerResponse"]
    assert response["status"] == 429 and response["json"]["error"]["message"] == "slow down"


def test_extra_body_is_part_of_the_logged_request(make_logger, client, recording_collector):
    logger = make_logger(base_url=_url(recording_collector))
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, extra_body={"reasoning_effort": "low"})
    assert logger.flush(5.0)
    request = json.loads(recording_collector.bodies[-1])["providerRequest"]["json"]
    assert request["reasoning_effort"] == "low" and request["model"] == "gpt-4o-mini"
