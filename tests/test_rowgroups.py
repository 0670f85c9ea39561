"""A file that keeps every run: rows built from the arrays, one row group per chunk of runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import simulate
from simulate.results.files import ARROW_SCHEMA, Results, ResultWriter, make_metadata
from simulate.results.rowgroups import LABELS, conform, entities_of, storage_schema, tidy
from simulate.running.runner import prepare

from .conftest import SCENARIOS

RUNS, CHUNK = 40, 16


def _scenario(**extra: object) -> dict:
    return {"name": "rows", "extends": str(SCENARIOS / "baseline.yaml"), "seed": 3,
            "horizon": {"start": 2024, "end": 2026, "step": "quarter"}, **extra}  # fmt: skip


@pytest.fixture(scope="module")
def chunked(tmp_path_factory):
    out = tmp_path_factory.mktemp("rows") / "rows.parquet"
    simulate.run_scenario(_scenario(), runs=RUNS, output=out, keep="runs", chunk=CHUNK)
    return out


@pytest.fixture(scope="module")
def spec():
    return prepare(_scenario(), runs=5)


def _naive(spec, runs, arrays) -> pd.DataFrame:  # noqa: ANN001
    """The tidy rows written out one by one, sorted: what :func:`tidy` must hold."""
    rows = [(r, float(t), var, ent, float(arrays[var][i, k, j]))
            for var in spec.outputs for i, r in enumerate(runs)
            for k, t in enumerate(spec.times) for j, ent in enumerate(entities_of(spec, var))]
    return _sorted(pd.DataFrame(rows, columns=ARROW_SCHEMA.names))


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"variable": object, "entity": object})
    return frame.sort_values(["run", "variable", "entity", "time"], ignore_index=True)


def _arrays(spec, n_runs: int, seed: int = 0) -> dict[str, np.ndarray]:  # noqa: ANN001
    rng = np.random.default_rng(seed)
    return {v: rng.random((n_runs, len(spec.times), len(entities_of(spec, v))))
            for v in spec.outputs}  # fmt: skip


def test_each_chunk_is_one_row_group_with_disjoint_run_statistics(chunked):
    md = pq.ParquetFile(chunked).metadata
    assert md.num_row_groups == -(-RUNS // CHUNK)
    run_col = md.schema.names.index("run")
    spans = []
    for g in range(md.num_row_groups):
        stats = md.row_group(g).column(run_col).statistics
        assert stats is not None and stats.has_min_max
        spans.append((stats.min, stats.max))
    spans.sort()
    assert spans[0][0] == 0 and spans[-1][1] == RUNS - 1
    for (_, hi), (lo, _) in zip(spans, spans[1:], strict=False):
        assert hi < lo, spans


def test_a_filter_on_the_run_reads_that_run_only_and_skips_other_row_groups(chunked):
    per_run = len(pd.read_parquet(chunked)) // RUNS
    for k in (0, CHUNK - 1, CHUNK, RUNS - 1):
        table = pq.read_table(chunked, filters=[("run", "==", k)])
        assert set(table.column("run").to_pylist()) == {k}
        assert table.num_rows == per_run
    fragment = next(ds.dataset(chunked, format="parquet").get_fragments())
    kept = fragment.split_by_row_group(ds.field("run") == CHUNK + 1)
    assert len(kept) == 1  # the statistics rule out every other chunk


def test_the_file_reads_back_with_the_contract_types_and_metadata(chunked):
    schema = pq.read_schema(chunked)
    assert [(f.name, f.type) for f in schema] == [(f.name, f.type) for f in ARROW_SCHEMA]
    assert b"multivector" in schema.metadata
    frame = pd.read_parquet(chunked)
    assert not any(isinstance(frame[c].dtype, pd.CategoricalDtype) for c in frame.columns)
    res = simulate.load_results(chunked)
    assert res.metadata["runs"] == RUNS and len(res.frame) == len(frame)


def test_tidy_holds_every_value_once_with_its_keys(spec):
    runs = [7, 3, 11]
    arrays = _arrays(spec, len(runs))
    table = tidy(spec, runs, arrays)
    assert table.schema.field("variable").type == LABELS
    assert table.schema.field("entity").type == LABELS
    got = _sorted(table.to_pandas())
    pd.testing.assert_frame_equal(got, _naive(spec, runs, arrays))


def test_tidy_uses_one_dictionary_for_every_chunk(spec):
    a = tidy(spec, [0, 1], _arrays(spec, 2, 1))
    b = tidy(spec, [2, 3, 4], _arrays(spec, 3, 2))
    for name in ("variable", "entity"):
        dicts = [c.dictionary for t in (a, b) for c in t.column(name).chunks]
        assert all(d.equals(dicts[0]) for d in dicts)


def test_tidy_refuses_arrays_of_the_wrong_shape(spec):
    arrays = _arrays(spec, 2)
    arrays[spec.outputs[0]] = arrays[spec.outputs[0]][:, :-1]
    with pytest.raises(ValueError, match="not \\(runs, periods, entities\\)"):
        tidy(spec, [0, 1], arrays)


def test_the_writer_takes_text_or_coded_labels_alike(spec, tmp_path):
    arrays = _arrays(spec, 2)
    coded = tidy(spec, [0, 1], arrays)
    text = coded.cast(ARROW_SCHEMA)
    large = coded.cast(pa.schema([pa.field(f.name, pa.large_string()) if f.type == pa.string()
                                  else f for f in ARROW_SCHEMA]))  # fmt: skip
    meta = make_metadata(spec, runs=2, seed=3, engine="batch", keep="runs")
    frames = []
    for name, table in (("coded", coded), ("text", text), ("large", large)):
        out = tmp_path / f"{name}.parquet"
        with ResultWriter(out, meta) as writer:
            writer.write(table)
        frames.append(_sorted(pd.read_parquet(out)))
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(frames[0], frames[2])
    pd.testing.assert_frame_equal(frames[0], _naive(spec, [0, 1], arrays))


def test_conform_names_a_missing_column():
    with pytest.raises(ValueError, match="no column 'value'"):
        conform(pa.table({"run": [1]}), storage_schema(pa.schema([("value", pa.float64())])))


def test_results_in_memory_hold_categorical_labels_that_sort_as_text(spec):
    table = pa.concat_tables([tidy(spec, [0], _arrays(spec, 1)), tidy(spec, [1], _arrays(spec, 1))])
    res = Results(frame=table.to_pandas(), metadata={"runs": 2})
    for col in ("variable", "entity"):
        assert isinstance(res.frame[col].dtype, pd.CategoricalDtype)
        cats = list(res.frame[col].cat.categories)
        assert cats == sorted(cats)
    # sorted as text, not in the order of the dictionary's codes
    assert res.frame.sort_values("variable")["variable"].iloc[0] == min(spec.outputs)
    assert list(res.frame.groupby("variable").size().index) == sorted(spec.outputs)


def test_a_text_frame_given_to_results_gets_the_same_categorical_labels(spec):
    table = tidy(spec, [0], _arrays(spec, 1))
    coded = Results(frame=table.to_pandas()).frame
    text = Results(frame=table.cast(ARROW_SCHEMA).to_pandas()).frame
    pd.testing.assert_frame_equal(coded, text)


def test_a_chunk_of_more_than_a_million_rows_is_still_one_row_group(spec, tmp_path):
    per_run = sum(len(entities_of(spec, v)) for v in spec.outputs) * len(spec.times)
    n = -(-1_200_000 // per_run)  # above Parquet's default of 1,048,576 rows a group
    out = tmp_path / "big.parquet"
    meta = make_metadata(spec, runs=2 * n, seed=3, engine="batch", keep="runs")
    with ResultWriter(out, meta) as writer:
        writer.write(tidy(spec, range(n, 2 * n), _arrays(spec, n, 1)))  # completion order
        writer.write(tidy(spec, range(n), _arrays(spec, n, 2)))
    md = pq.ParquetFile(out).metadata
    assert md.num_row_groups == 2
    spans = [(md.row_group(g).column(0).statistics.min, md.row_group(g).column(0).statistics.max)
             for g in range(2)]  # fmt: skip
    assert spans == [(n, 2 * n - 1), (0, n - 1)]
