"""A small W3C WebDriver client over urllib, for driving Debian's headless Chromium through
chromedriver in the web view's tests (no browser download, no Python dependency).

``with Browser.start(tmp_path) as browser: browser.open(url); browser.text("h1")``
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Optional

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
_CHROMIUMS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def find_browser() -> Optional[tuple[str, str]]:
    """(chromium, chromedriver) paths, or None when this machine has no browser to drive."""
    driver = shutil.which("chromedriver")
    binary = next((path for path in _CHROMIUMS if os.path.exists(path)), None)
    return (binary, driver) if driver and binary else None


class WebDriverError(RuntimeError):
    pass


class Browser:
    """One headless Chromium session."""

    def __init__(self, process: subprocess.Popen, base: str, session: str) -> None:
        self._process, self._base, self._session = process, base, session

    @classmethod
    def start(cls, profile_dir: Path, width: int = 1400, height: int = 900) -> "Browser":
        found = find_browser()
        if found is None:
            raise WebDriverError("no chromium/chromedriver on this machine")
        binary, driver = found
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                if _call("GET", base + "/status")["value"].get("ready"):
                    break
            except (OSError, WebDriverError):
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise WebDriverError("chromedriver did not start")
            time.sleep(0.1)
        # Flags as Debian's Chromium needs them in a container with no network beyond loopback.
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--disable-default-apps", f"--window-size={width},{height}",
                f"--user-data-dir={profile_dir}"]
        capabilities = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": binary, "args": args}, "goog:loggingPrefs": {"browser": "ALL"}}}}
        try:
            session = _call("POST", base + "/session", capabilities, timeout=60)["value"]["sessionId"]
        except Exception:
            process.kill()
            raise
        return cls(process, base, session)

    def _do(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
        return _call(method, f"{self._base}/session/{self._session}{path}", body, timeout)["value"]

    def open(self, url: str) -> None:
        self._do("POST", "/url", {"url": url})

    def run(self, script: str, *args: Any) -> Any:
        """Run JavaScript in the page (``return ...`` for a value)."""
        return self._do("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css: str) -> list[str]:
        return [e[ELEMENT] for e in self._do("POST", "/elements", {"using": "css selector", "value": css})]

    def text(self, css: str) -> str:
        found = self.find(css)
        if not found:
            raise WebDriverError(f"no element matches {css!r}")
        return self._do("GET", f"/element/{found[0]}/text")

    def texts(self, css: str) -> list[str]:
        return [self._do("GET", f"/element/{e}/text") for e in self.find(css)]

    def click(self, css: str) -> None:
        found = self.find(css)
        if not found:
            raise WebDriverError(f"no element matches {css!r}")
        self._do("POST", f"/element/{found[0]}/click", {})

    def select(self, css: str, value: str) -> None:
        """Choose an option of a <select> and fire its change event, as a user would."""
        self.run("const s = document.querySelector(arguments[0]); s.value = arguments[1];"
                 "s.dispatchEvent(new Event('change', {bubbles: true}));", css, value)

    def url(self) -> str:
        return self._do("GET", "/url")

    def wait(self, condition: str, *args: Any, timeout: float = 10.0) -> Any:
        """Wait until the JavaScript expression ``condition`` is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.run(f"return ({condition});", *args)
            if value:
                return value
            if time.monotonic() > deadline:
                raise WebDriverError(f"timed out waiting for {condition}")
            time.sleep(0.1)

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self._do("GET", "/screenshot")))

    def console_errors(self) -> list[str]:
        """Severe messages the page logged (script errors, CSP violations, failed loads)."""
        try:
            entries = _call("POST", f"{self._base}/session/{self._session}/se/log", {"type": "browser"})["value"]
        except WebDriverError:
            return []
        return [e["message"] for e in entries if e.get("level") == "SEVERE"]

    def close(self) -> None:
        try:
            _call("DELETE", f"{self._base}/session/{self._session}", timeout=15)
        except (OSError, WebDriverError):
            pass
        finally:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _call(method: str, url: str, body: Any = None, timeout: float = 30) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        raise WebDriverError(f"{method} {url}: {error.code} {error.read()[:500]!r}") from None
