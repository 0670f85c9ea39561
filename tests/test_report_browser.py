"""The HTML report in a real browser: headless Chromium loads every image, page not blank.

Chromium is driven through its command line (``--dump-dom`` after a small load check
script, then ``--screenshot``). The screenshot is kept in the test's ``tmp_path`` and
copied to ``tests/artifacts/report.png`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner

from simulate.cli.main import main

from .analysis_files import make
from .conftest import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
CHECK = """<script>
window.addEventListener('load', () => {
  const imgs = [...document.images];
  const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  const div = document.createElement('div');
  div.id = 'imgcheck';
  div.textContent = `images=${imgs.length} loaded=${ok} text=${document.body.innerText.length}`;
  document.body.appendChild(div);
});
</script></body>"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if path := shutil.which(name):
            return path
    return None


def _run(browser: str, *args: str) -> str:
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--hide-scrollbars", "--no-first-run", *args]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout


@pytest.mark.skipif(_chromium() is None,
                    reason="no chromium executable on PATH (.ci/run installs the Debian "
                           "package 'chromium')")  # fmt: skip
def test_report_opens_in_chromium_with_every_image_loaded(tmp_path):
    browser = _chromium()
    assert browser is not None
    base = make(tmp_path, "base")
    mc = make(tmp_path, "mc", scenario="middle_corridor.yaml")
    report = tmp_path / "report.html"
    r = CliRunner().invoke(main, ["report", str(base), str(mc), "-o", str(report)])
    assert r.exit_code == 0, r.output

    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text().replace("</body>", CHECK))
    dom = _run(browser, "--virtual-time-budget=10000", "--dump-dom", probe.as_uri())
    m = re.search(r"images=(\d+) loaded=(\d+) text=(\d+)", dom)
    assert m, "the page did not run its load handler"
    images, loaded, text = map(int, m.groups())
    assert images >= 9 and loaded == images, f"{loaded} of {images} images loaded"
    assert text > 1000, "the page is blank"

    shot = tmp_path / "report.png"
    _run(browser, f"--screenshot={shot}", "--window-size=1200,2400", report.as_uri())
    assert shot.exists(), "chromium wrote no screenshot"
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / "report.png")
    from PIL import Image  # matplotlib's own dependency

    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert pixels.std() > 10, "the screenshot is a blank page"
    assert (pixels < 128).mean() > 0.01, "the screenshot shows almost no text or figures"
