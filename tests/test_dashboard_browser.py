"""The dashboard in a real browser: offline and clean, a lever moved from a later year, saved.

``simulate dashboard`` runs in a subprocess on a free loopback port; headless Chromium
opens it through the DevTools protocol (:mod:`tests.cdp`). The page must load with no
console error, no uncaught exception, no failed or refused request and no request
outside the local server, and the server must print no warning. Then the "Trans-Caspian
oil capacity" lever (a value the config fixes; the corridor's capacity is now a range of
the sources, drawn per run, so it cannot start later) is set to apply from a later year
(its year slider) and moved (its value slider) by clicking their tracks: the caption
names the year, the headline names the largest paired changes, and every fan chart
changes. The page's settings are saved and the saved scenario, run through the API, gives
the medians the page printed, with the page's number of runs. A second test moves a lever
of the policy panel and finds the charts against the baseline policy, cleanly.
Screenshots are copied to ``tests/artifacts/`` (git-ignored) for a person to look at. The
server and the browser are always stopped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

import simulate
from simulate.scenarios.scenario import load

from .cdp import Browser, chromium, stop
from .conftest import ROOT, SCENARIOS

ARTIFACTS = ROOT / "tests" / "artifacts"
LEVER = "Trans-Caspian oil capacity"
RUNS = 300
STATE = """(() => {
  const text = document.body.innerText;
  const line = (start) => text.split('\\n').find(l => l.startsWith(start)) || '';
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
  return {median: line('Median at'), changes: line('Largest changes') || line('No lever'),
          caption: line(LEVER_LABEL), runs: line('Runs per ensemble'), text, loaded,
          sums: loaded ? imgs.map(sum) : []};
})()""".replace("LEVER_LABEL", json.dumps(LEVER))
TRACK = """((label, which, at) => {
  const caption = [...document.querySelectorAll('.v-card div')]
    .find(e => e.innerText.startsWith(label) && e.innerText.length < 300);
  let el = caption;
  while (el && el.querySelectorAll('.v-slider').length < 2) el = el.parentElement;
  const sliders = [...el.querySelectorAll('.v-slider')].filter(s =>
    caption.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING);
  const slider = sliders[which];
  slider.scrollIntoView({block: 'center'});
  const r = slider.getBoundingClientRect();
  return {x: r.left + at * r.width, y: r.top + r.height / 2};
})"""

pytestmark = pytest.mark.skipif(
    chromium() is None,
    reason="no chromium executable on PATH (.ci/run installs the Debian package 'chromium')",
)


def _start_server(tmp_path) -> tuple[subprocess.Popen, str, list[str]]:
    env = {**os.environ, "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulate", "dashboard", str(SCENARIOS / "baseline.yaml"),
         "--port", "0", "--runs", str(RUNS), "--save-dir", str(tmp_path)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    end = time.monotonic() + 120
    lines: list[str] = []
    while time.monotonic() < end:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        lines.append(line)
        if line.startswith("dashboard: http://localhost:"):
            return proc, line.split()[1], lines
    stop(proc)
    raise AssertionError("the dashboard did not start:\n" + "".join(lines))


def problems(browser: Browser) -> list[str]:
    """Console errors, uncaught exceptions and failed requests the page has had."""
    out = []
    for e in browser.events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.exceptionThrown":
            out.append(f"uncaught: {p['exceptionDetails'].get('exception', {}).get('description')}")
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append(f"console.{p['type']}: {[a.get('value') for a in p['args']]}")
        elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
            out.append(f"log: {p['entry']['text']} {p['entry'].get('url', '')}")
        elif method == "Network.responseReceived" and p["response"]["status"] >= 400:
            out.append(f"HTTP {p['response']['status']}: {p['response']['url']}")
        elif method == "Network.loadingFailed" and not p.get("canceled"):
            out.append(f"failed request: {p.get('errorText')}")
    return out


def _click(browser: Browser, which: int, at: float) -> None:
    point = browser.js(f"{TRACK}({LEVER!r}, {which}, {at})")
    browser.click(point["x"], point["y"])


def _shot(browser: Browser, tmp_path, name: str) -> None:
    browser.js("document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
    time.sleep(0.5)
    browser.screenshot(tmp_path / name)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(tmp_path / name, ARTIFACTS / name)


def test_dashboard_is_clean_offline_and_a_lever_from_a_later_year_changes_and_saves(tmp_path):
    pytest.importorskip("solara", reason="the dashboard needs the 'dashboard' extra")
    pytest.importorskip("websockets.sync.client")
    server, url, started = _start_server(tmp_path)
    browser = None
    try:
        browser = Browser(chromium(), tmp_path / "profile")
        for domain in ("Network.enable", "Runtime.enable", "Log.enable"):
            browser.send(domain)
        browser.send("Page.navigate", url=url)
        before = browser.wait_for(f"(() => {{ const s = {STATE}; "
                                  "return s.median && s.sums.length == 4 && s; })()")
        assert f"Runs per ensemble: {RUNS}" in before["runs"]
        assert before["changes"].startswith("No lever moved")
        assert "applies from 2024" in before["caption"]
        _shot(browser, tmp_path, "dashboard-before.png")

        _click(browser, 1, 0.4)  # the year slider: 2024 + 0.4 x 16 -> 2030
        browser.wait_for(f"(() => {{ const s = {STATE}; "
                         "return s.caption.includes('applies from 2030') && s; })()", timeout=30)
        _click(browser, 0, 0.9)  # the value: 90% of 0-40 Mt/yr
        after = browser.wait_for(
            f"(() => {{ const s = {STATE}; return s.median && s.median != {before['median']!r} "
            "&& s.changes.startsWith('Largest changes') && s.sums.length == 4 && s; })()",
            timeout=60)  # fmt: skip
        assert "trans_caspian.capacity = 36 from 2030" in after["text"], after["text"][:600]
        assert "(before: as the scenario)" in after["caption"]
        assert "leverage of russia" in after["changes"], after["changes"]
        changed = [a != b for a, b in zip(after["sums"], before["sums"], strict=True)]
        assert changed[:3] == [True, True, True], f"a fan chart did not change: {changed}"
        _shot(browser, tmp_path, "dashboard-after.png")
        print(f"\n{after['changes']}\n{after['median']}")

        browser.js("[...document.querySelectorAll('button')]"
                   ".find(b => b.innerText.includes('SAVE AS SCENARIO')).click()")
        browser.wait_for("document.body.innerText.includes('saved ')", timeout=30)
        saved_path = tmp_path / "baseline_dashboard.yaml"
        saved = load(saved_path)
        assert saved.scenario.runs == RUNS
        step = saved.scenario.paths["trans_caspian.capacity"]
        assert step[2030.0] == 36.0 and max(v for y, v in step.items() if y < 2030) < 36.0
        medians = _medians(saved_path)
        for name, value in re.findall(r"(alignment with \w+|leverage of \w+) ([0-9.]+) \(",
                                      after["median"]):  # fmt: skip
            assert f"{medians[name]:.3f}" == value, (name, medians[name], value)

        local = url.rstrip("/")
        outside = [u for u in browser.requested_urls()
                   if not u.startswith((local, "data:", "blob:", "ws://localhost"))]  # fmt: skip
        assert not outside, f"the page requested outside the local server: {outside[:5]}"
        assert problems(browser) == []
    finally:
        if browser is not None:
            browser.close()
        stop(server)
    rest = server.stdout.read()
    printed = "".join(started) + rest
    assert "Warning" not in printed and "Traceback" not in printed, printed
    assert server.poll() is not None


def _medians(path) -> dict[str, float]:
    """Median alignment and leverage per power at the horizon's end, through the API."""
    res = simulate.run_scenario(path)
    out = {}
    for var, word in (("alignment", "with"), ("leverage", "of")):
        for power in res.metadata["powers"]:
            out[f"{var} {word} {power}"] = float(np.median(res.at(var, power).to_numpy()))
    return out


POLICY_LEVER = "caspian buildout"
POLICY_STATE = """(() => {
  const text = document.body.innerText;
  const line = (start) => text.split('\\n').find(l => l.startsWith(start)) || '';
  const imgs = [...document.querySelectorAll('img')].filter(i => i.naturalWidth > 300);
  return {changes: line('Largest changes') || line('No lever'), caption: line(LABEL), text,
          charts: imgs.length, loaded: imgs.every(i => i.complete)};
})()""".replace("LABEL", json.dumps(POLICY_LEVER))


def test_the_policy_panel_moves_the_fans_against_the_baseline_policy_cleanly(tmp_path):
    pytest.importorskip("solara", reason="the dashboard needs the 'dashboard' extra")
    pytest.importorskip("websockets.sync.client")
    server, url, started = _start_server(tmp_path)
    browser = None
    try:
        browser = Browser(chromium(), tmp_path / "profile")
        for domain in ("Network.enable", "Runtime.enable", "Log.enable"):
            browser.send(domain)
        browser.send("Page.navigate", url=url)
        before = browser.wait_for(f"(() => {{ const s = {POLICY_STATE}; "
                                  "return s.charts == 4 && s.loaded && s.caption && s; })()")
        assert before["changes"].startswith("No lever moved"), before["changes"]
        assert "status quo 0 · from 2025" in before["caption"], before["caption"]
        point = browser.js(f"{TRACK}({POLICY_LEVER!r}, 0, 0.9)")  # the setting: 1.8 of 0-2
        browser.click(point["x"], point["y"])
        after = browser.wait_for(
            f"(() => {{ const s = {POLICY_STATE}; return s.changes.includes('against the "
            "baseline policy') && s.charts == 4 && s.loaded && s; })()", timeout=90)  # fmt: skip
        assert "Policy: caspian_buildout = 1.8 from 2025" in after["text"], after["text"][:800]
        assert "dashed and dotted: the baseline policy" in after["text"]
        assert "leverage of russia" in after["changes"], after["changes"]
        assert "(moved)" in after["caption"]
        _shot(browser, tmp_path, "dashboard-policy.png")
        assert problems(browser) == []
    finally:
        if browser is not None:
            browser.close()
        stop(server)
    printed = "".join(started) + server.stdout.read()
    assert "Warning" not in printed and "Traceback" not in printed, printed
