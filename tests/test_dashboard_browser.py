"""The dashboard in a real browser: served offline, a slider moved, the charts change, saved.

``simulate dashboard`` runs in a subprocess on a free loopback port; headless
Chromium opens it through the DevTools protocol (:mod:`tests.cdp`), moves the
"Russia's capacity growth" slider by clicking its track, waits for the ensemble to
come back, and checks the headline numbers and every chart changed. The page's
requests must all go to the local server (no CDN). The screenshot after the move is
copied to ``tests/artifacts/dashboard.png`` (git-ignored) for a person to look at.
The server and the browser are always stopped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from simulate.scenarios.scenario import load

from .cdp import Browser, chromium, stop
from .conftest import ROOT, SCENARIOS

ARTIFACTS = ROOT / "tests" / "artifacts"
LEVER = "Russia's capacity growth"
STATE = """(() => {
  const text = document.body.innerText;
  const line = text.split('\\n').find(l => l.startsWith('Median at')) || '';
  const imgs = [...document.querySelectorAll('img')].filter(i => i.naturalWidth > 300);
  const sum = (i) => {  // a checksum of the chart's pixels
    const c = document.createElement('canvas');
    c.width = i.naturalWidth; c.height = i.naturalHeight;
    const g = c.getContext('2d'); g.drawImage(i, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let s = 0; for (let k = 0; k < d.length; k += 3) s = (s * 31 + d[k]) % 1000000007;
    return s;
  };
  const loaded = imgs.every(i => i.complete);
  return {line, moved: text.includes('Levers moved: none') ? '' : text, loaded,
          sums: loaded ? imgs.map(sum) : []};
})()"""
TRACK = """((label) => {
  const caption = [...document.querySelectorAll('.v-card p, .v-card div')]
    .find(e => e.innerText.startsWith(label) && e.innerText.length < 200);
  let el = caption;
  while (el && !el.querySelector('.v-slider')) el = el.parentElement;
  const sliders = [...el.querySelectorAll('.v-slider')];
  const slider = sliders.find(s =>
    caption.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING);
  slider.scrollIntoView({block: 'center'});
  const r = slider.getBoundingClientRect();
  return {x: r.left + 0.9 * r.width, y: r.top + r.height / 2};
})"""

pytestmark = pytest.mark.skipif(
    chromium() is None,
    reason="no chromium executable on PATH (.ci/run installs the Debian package 'chromium')",
)


def _start_server(tmp_path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulate", "dashboard", str(SCENARIOS / "baseline.yaml"),
         "--port", "0", "--runs", "300", "--save-dir", str(tmp_path)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    end = time.monotonic() + 120
    lines = []
    while time.monotonic() < end:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        lines.append(line)
        if line.startswith("dashboard: http://127.0.0.1:"):
            return proc, line.split()[1]
    stop(proc)
    raise AssertionError("the dashboard did not start:\n" + "".join(lines))


def test_dashboard_slider_changes_the_charts_offline_and_saves_a_scenario(tmp_path):
    pytest.importorskip("solara", reason="the dashboard needs the 'dashboard' extra")
    pytest.importorskip("websockets.sync.client")
    server, url = _start_server(tmp_path)
    browser = None
    try:
        browser = Browser(chromium(), tmp_path / "profile")
        browser.send("Network.enable")
        browser.send("Page.navigate", url=url)
        before = browser.wait_for(f"(() => {{ const s = {STATE}; "
                                  "return s.line && s.sums.length == 4 && s; })()")
        t0 = time.monotonic()
        point = browser.js(f"{TRACK}({LEVER!r})")
        browser.click(point["x"], point["y"])
        after = browser.wait_for(
            f"(() => {{ const s = {STATE}; return s.line && s.line != {before['line']!r} "
            "&& s.sums.length == 4 && s; })()", timeout=60)
        answered = time.monotonic() - t0
        assert "russia.capacity_growth" in after["moved"], "the move is not among the settings"
        # the fans (alignment, leverage, positions) move; P(class) may not (all balanced)
        changed = [a != b for a, b in zip(after["sums"], before["sums"], strict=True)]
        assert changed[:3] == [True, True, True], f"a fan chart did not change: {changed}"
        browser.js("document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
        time.sleep(0.5)
        shot = tmp_path / "dashboard.png"
        browser.screenshot(shot)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(shot, ARTIFACTS / "dashboard.png")
        print(f"slider moved -> charts changed in {answered:.2f} s; {after['line']}")

        browser.js("[...document.querySelectorAll('button')]"
                   ".find(b => b.innerText.includes('SAVE AS SCENARIO')).click()")
        browser.wait_for("document.body.innerText.includes('saved ')", timeout=30)
        saved = load(tmp_path / "baseline_dashboard.yaml")
        growth = saved.scenario.parameters["russia.capacity_growth"]
        assert growth > 0.0, "the slider was moved to 90% of its range, above the scenario"
        assert "russia.capacity_growth" not in {u.parameter for u in saved.scenario.uncertainties}

        local = url.rstrip("/")
        outside = [u for u in browser.requested_urls()
                   if not u.startswith((local, "data:", "blob:", "ws://127.0.0.1"))]  # fmt: skip
        assert not outside, f"the page requested outside the local server: {outside[:5]}"
    finally:
        if browser is not None:
            browser.close()
        stop(server)
    assert server.poll() is not None
