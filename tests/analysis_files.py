"""Small result files, broken files and checks shared by the analysis tests."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

import simulate
from simulate.results.files import write_frame

from .conftest import SCENARIOS


def make(tmp: Path, name: str, runs: int = 20, keep: str = "runs", end: int = 2027,
         scenario: str = "baseline.yaml", seed: int = 5, **extra: object) -> Path:  # fmt: skip
    """Run a short version of a shipped scenario into ``tmp/name.parquet``."""
    data = {"name": name, "description": f"test {name}", "extends": str(SCENARIOS / scenario),
            "horizon": {"start": 2024, "end": end, "step": "quarter"}, "runs": runs,
            "seed": seed, **extra}  # fmt: skip
    out = tmp / f"{name}.parquet"
    simulate.run_scenario(data, output=out, keep=keep)
    return out


def broken_files(tmp: Path, good: Path) -> dict[str, Path]:
    """Inputs that are not usable result files, each with the reason as its key.

    ``missing`` does not exist, ``directory`` is a folder, ``not_ours`` a Parquet file
    without our metadata, ``truncated`` a real result file cut in half, ``old_version``
    one claiming schema version 99, ``lacks_balance_index`` a real file without the
    ``balance_index`` rows.
    """
    folder = tmp / "bad"
    folder.mkdir(exist_ok=True)
    out = {"missing": folder / "none.parquet", "directory": folder / "adir.parquet"}
    out["directory"].mkdir(exist_ok=True)
    out["not_ours"] = folder / "plain.parquet"
    pd.DataFrame({"x": [1, 2]}).to_parquet(out["not_ours"])
    out["truncated"] = folder / "cut.parquet"
    data = good.read_bytes()
    out["truncated"].write_bytes(data[: len(data) // 2])
    table = pq.read_table(good)
    meta = json.loads(table.schema.metadata[b"multivector"])
    out["old_version"] = folder / "old.parquet"
    pq.write_table(table.replace_schema_metadata(
        {b"multivector": json.dumps({**meta, "schema_version": 99})}), out["old_version"])
    out["lacks_balance_index"] = folder / "partial.parquet"
    frame = table.to_pandas()
    write_frame(out["lacks_balance_index"], frame[frame["variable"] != "balance_index"], meta)
    return out


def assert_bad_input(result, *expected: str) -> None:  # noqa: ANN001
    """Exit code 2, exactly one ``error:`` line naming ``expected``, no traceback."""
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    assert "Traceback" not in result.output
    for text in expected:
        assert text in lines[0], (text, lines[0])


def listing(folder: Path) -> set[Path]:
    """Every file and folder under ``folder`` (to check nothing was left behind)."""
    return set(folder.rglob("*"))
