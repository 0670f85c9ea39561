"""Outputs of report, plot and export that cannot be written: exit 2, one line, nothing left.

``os.access`` says yes to root and on read-only mounts, so the commands probe the folder
with a real file; these tests make the file system refuse (a read-only folder whose
``mkstemp`` fails, a disk that fills up mid-write) whoever runs them.
"""

from __future__ import annotations

import errno
import stat
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulate.cli.main import main

from .analysis_files import assert_bad_input, listing, make

COMMANDS = {
    "report": ["report", "{res}", "-o", "{out}/r.html"],
    "plot": ["plot", "{res}", "-v", "leverage", "-e", "russia", "-o", "{out}/f.png"],
    "export_iamc": ["export", "{res}", "--format", "iamc", "-o", "{out}/x.csv"],
    "export_csv": ["export", "{res}", "--format", "csv", "-o", "{out}/x.csv"],
}


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> Path:
    return make(tmp_path_factory.mktemp("out"), "base", runs=5, end=2025)


def invoke(args: list[str], res: Path, out: Path):  # noqa: ANN201
    return CliRunner().invoke(main, [a.format(res=res, out=out) for a in args])


@pytest.fixture
def read_only(tmp_path, monkeypatch) -> Path:
    """A folder nobody can create files in, even root (mkstemp there fails with EACCES)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    real = tempfile.mkstemp

    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if Path(kwargs.get("dir") or ".").resolve() == folder.resolve():
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    yield folder
    folder.chmod(stat.S_IRWXU)


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unwritable_folder_is_refused_before_any_work(result, read_only, command):
    r = invoke(COMMANDS[command], result, read_only)
    assert_bad_input(r, "--output", "not writable", str(read_only))
    assert list(read_only.iterdir()) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_a_write_that_fails_midway_leaves_no_file(result, tmp_path, monkeypatch, command):
    def disk_full(self, data):  # noqa: ANN001, ANN202
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    before = listing(tmp_path)
    r = invoke(COMMANDS[command], result, tmp_path)
    assert_bad_input(r, "--output", "No space left")
    assert listing(tmp_path) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_a_good_output_replaces_an_older_file(result, tmp_path, command):
    args = COMMANDS[command]
    target = Path(args[-1].format(out=tmp_path))
    target.write_bytes(b"old")
    r = invoke(args, result, tmp_path)
    assert r.exit_code == 0, r.output
    assert target.read_bytes() != b"old"
    assert listing(tmp_path) == {target}  # no probe or temporary file left behind
