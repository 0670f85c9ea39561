"""A small Chrome DevTools Protocol client for the browser tests (headless Chromium).

Starts Chromium with a remote-debugging port on the loopback interface, connects to
its page over a WebSocket (the ``websockets`` package) and sends commands; events
that arrive in between are kept in :attr:`Browser.events`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-address=127.0.0.1",
         "--remote-debugging-port=0"]  # fmt: skip


def chromium() -> str | None:
    """The Chromium (or Chrome) executable on PATH, if any."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if path := shutil.which(name):
            return path
    return None


def stop(proc: subprocess.Popen) -> None:
    """Terminate a process and wait for it; kill it if it does not stop in 10 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


class Browser:
    """Headless Chromium with one page, driven through the DevTools protocol."""

    def __init__(self, executable: str, profile: Path, size: tuple[int, int] = (1400, 1100)):
        from websockets.sync.client import connect

        self.proc = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            port = self._port(profile / "DevToolsActivePort")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                page = next(t for t in json.load(r) if t["type"] == "page")
            self._stack = contextlib.ExitStack()
            self.ws = self._stack.enter_context(
                connect(page["webSocketDebuggerUrl"], max_size=2**26, open_timeout=20))
        except BaseException:
            stop(self.proc)
            raise
        self.events: list[dict[str, Any]] = []
        self._id = 0

    def _port(self, file: Path, timeout: float = 30) -> int:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if file.exists() and (text := file.read_text().split()):
                return int(text[0])
            if self.proc.poll() is not None:
                raise RuntimeError("chromium exited before it listened")
            time.sleep(0.1)
        raise TimeoutError("chromium did not open its debugging port")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command and return its result (events meanwhile go to :attr:`events`)."""
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def js(self, expression: str) -> Any:
        """Evaluate a JavaScript expression in the page and return its (JSON) value."""
        res = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                        awaitPromise=True)  # fmt: skip
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expression[:60]}...: {res['exceptionDetails']}")
        return res["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 90) -> Any:
        """Poll ``expression`` until it is truthy (an exception counts as not yet); return it."""
        guarded = f"(() => {{ try {{ return {expression}; }} catch (e) {{ return null; }} }})()"
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if value := self.js(guarded):
                return value
            time.sleep(0.25)
        raise TimeoutError(f"the page never satisfied: {expression}")

    def click(self, x: float, y: float) -> None:
        """A left click at page coordinates (x, y)."""
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                      clickCount=1)  # fmt: skip

    def screenshot(self, path: Path) -> None:
        """Save a PNG of the viewport."""
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def requested_urls(self) -> list[str]:
        """Every URL the page requested since ``Network.enable``."""
        return [e["params"]["request"]["url"] for e in self.events
                if e.get("method") == "Network.requestWillBeSent"]  # fmt: skip

    def close(self) -> None:
        """Close the connection and stop Chromium."""
        try:
            self._stack.close()
        finally:
            stop(self.proc)
