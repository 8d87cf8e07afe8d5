"""Record tests/fixtures/call_kinds/<kind>.json: for every call kind in ``helicone_otel.testing.call_kinds``,
the exact request our exporter sends and the row Helicone's own ingestion code stores for it.

    python tools/record_call_kinds.py            # needs ../shared/helicone-oracle set up (its README)

Each payload is captured by a local HTTP server, then replayed through the helicone-oracle's
``replay.sh``. Tests use the fixtures and never need the oracle.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from helicone_otel.testing import call_kinds

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "call_kinds"
REPLAY = ROOT.parent / "shared" / "helicone-oracle" / "replay.sh"
# Fields of an oracle line that change on every run.
VOLATILE = ("request_id", "ts", "request_created_at", "source", "row", "latency_ms", "time_to_first_token_ms")


class _Capture(BaseHTTPRequestHandler):
    captured: list[dict] = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")}
        self.captured.append({"path": self.path, "headers": headers, "body_b64": base64.b64encode(body).decode()})
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def main() -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    logger = call_kinds.run(f"http://127.0.0.1:{server.server_address[1]}", list(call_kinds.KINDS))
    logger.shutdown()
    server.shutdown()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, case in enumerate(_Capture.captured):
            path = os.path.join(tmp, f"{i:03d}.json")
            Path(path).write_text(json.dumps(case))
            paths.append(path)
        lines = subprocess.run(["bash", str(REPLAY), *paths], check=True, capture_output=True, text=True).stdout
    by_source = {}
    for line in lines.splitlines():
        row = json.loads(line)
        by_source[Path(row["source"]).name] = row
    for i, case in enumerate(_Capture.captured):
        row = by_source[f"{i:03d}.json"]
        body = json.loads(base64.b64decode(case["body_b64"]))
        kind = body["providerRequest"]["meta"]["Helicone-Property-callkind"]
        oracle = {k: v for k, v in row.items() if k not in VOLATILE}
        fixture = {"kind": kind, "request": case, "oracle": oracle}
        (OUT / f"{kind}.json").write_text(json.dumps(fixture, indent=1, sort_keys=True) + "\n")
        print(kind, row.get("http_status"), row.get("model"), row.get("cost_usd"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
