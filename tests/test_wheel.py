"""The built wheel carries the configs and scenarios and runs a shipped scenario anywhere.

The wheel is built from a copy of the files the build reads (so no build output lands in
the repository), installed without dependencies into a fresh virtual environment outside
the repository, and run from an empty folder. The new environment borrows this
environment's installed dependencies through a ``.pth`` line (this environment's own
editable ``multivector`` is not activated by it), so nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "simulate", "configs",
                "scenarios")  # fmt: skip


def _run(cmd: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, f"{' '.join(map(str, cmd))}\n{out.stdout}\n{out.stderr}"
    return out


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in BUILD_INPUTS:
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__", "_shipped"))
        else:
            shutil.copy2(p, src / name)
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(out)],
         cwd=src)  # fmt: skip
    (whl,) = out.glob("multivector-*.whl")
    return whl


def test_the_wheel_carries_every_config_actor_and_scenario(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("configs", "scenarios"):
        for f in (ROOT / folder).rglob("*.yaml"):
            assert f"simulate/_shipped/{folder}/{f.relative_to(ROOT / folder)}" in names


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment outside the repository with the wheel installed."""
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    _run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], cwd=env_dir.parent)
    py = env_dir / "bin" / "python"
    purelib = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                        cwd=env_dir).stdout.strip())  # fmt: skip
    (purelib / "borrowed_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index",
          "-q", str(wheel)], cwd=env_dir)  # fmt: skip
    return env_dir


def test_a_shipped_scenario_runs_by_name_from_any_folder(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    work = tmp_path / "elsewhere"
    work.mkdir()
    bin_ = installed / "bin"
    where = _run([str(bin_ / "python"), "-c", "import simulate; print(simulate.__file__)"],
                 cwd=work, env=env).stdout.strip()  # fmt: skip
    assert Path(where).is_relative_to(installed), where
    listed = _run([str(bin_ / "simulate"), "list", "--shipped", "--json"], cwd=work, env=env)
    assert "middle_corridor" in {r["name"] for r in json.loads(listed.stdout)}
    ran = _run([str(bin_ / "simulate"), "run", "middle_corridor", "--runs", "5", "-o", "X.parquet",
                "--json"], cwd=work, env=env)  # fmt: skip
    assert json.loads(ran.stdout)["middle_corridor"]["file"] == "X.parquet"
    code = ("import simulate; r = simulate.load_results('X.parquet'); "
            "print(r.metadata['runs'], r.metadata['scenario_file'], r.frame['run'].nunique())")
    meta = _run([str(bin_ / "python"), "-c", code], cwd=work, env=env).stdout.split()
    assert meta[0] == "5" and meta[2] == "5"
    assert "_shipped/scenarios/middle_corridor.yaml" in meta[1]
    assert sorted(p.name for p in work.iterdir()) == ["X.parquet"]


def test_the_backtest_finds_the_shipped_history_from_any_folder(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    ran = _run([str(installed / "bin" / "simulate"), "backtest", "--runs", "5", "--json"],
               cwd=tmp_path, env=env)  # fmt: skip
    res = json.loads(ran.stdout)
    assert "_shipped/configs/history.yaml" in res["history"]
    assert "_shipped/scenarios/history_2021.yaml" in res["scenario"]
    assert res["summary"]["figures"] == 10  # the mapped 2023 figures of configs/history.yaml


def test_a_scenario_built_on_a_shipped_one_runs_outside_the_repository(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    simulate_ = str(installed / "bin" / "simulate")
    (tmp_path / "mine.yaml").write_text("name: mine\nextends: baseline\nruns: 3\n")
    _run([simulate_, "run", "mine.yaml", "-q"], cwd=tmp_path, env=env)
    _run([simulate_, "new", "my_corridor", "--from", "middle_corridor"], cwd=tmp_path, env=env)
    ran = _run([simulate_, "run", "my_corridor.yaml", "-n", "3", "--json"], cwd=tmp_path, env=env)
    assert json.loads(ran.stdout)["my_corridor"]["file"] == "results/my_corridor.parquet"
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["mine.parquet",
                                                                        "my_corridor.parquet"]
