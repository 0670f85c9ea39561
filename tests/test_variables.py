"""The output variables, the names of their series' columns, and the key outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulate.analysis import compare, report
from simulate.results import summary
from simulate.scenarios.variables import KEY_OUTCOMES, VARIABLES, column_name, parse_column


@pytest.mark.parametrize(("variable", "entity", "name"), [
    ("balance_index", "", "balance_index"),
    ("alignment", "russia", "alignment[russia]"),
    ("outcome", "leaning:china", "outcome[leaning:china]"),
    ("contribution", "sanctions/inertia", "contribution[sanctions/inertia]"),
])  # fmt: skip
def test_column_names_are_written_and_read_back(variable, entity, name):
    assert column_name(variable, entity) == name
    assert parse_column(name) == (variable, entity)


@given(st.sampled_from(sorted(VARIABLES)), st.text(max_size=12))
def test_any_entity_label_survives_the_round_trip(variable, entity):
    assert parse_column(column_name(variable, entity)) == (variable, entity)


def test_variable_names_never_hold_a_bracket():
    assert not [v for v in VARIABLES if "[" in v or "]" in v]


def test_the_key_outcomes_are_variables_and_defined_once():
    assert set(KEY_OUTCOMES) <= set(VARIABLES) and len(set(KEY_OUTCOMES)) == len(KEY_OUTCOMES)
    for module in (summary, compare, report):
        assert module.KEY_OUTCOMES is KEY_OUTCOMES
        assert not hasattr(module, "OUTCOMES") and not hasattr(module, "DEFAULT_VARIABLES")


def test_the_run_summary_shows_probabilities_first_then_the_key_outcomes_in_order():
    cols = {"run": [0, 1], "trade_share[china]": [0.1, 0.3], "balance_index": [0.5, 0.7],
            "outcome[aligned:russia]": [0.0, 1.0], "trade[china]": [5.0, 6.0]}  # fmt: skip
    out = summary.summarise(pd.DataFrame(cols))
    assert out["outcome"].tolist() == ["P(aligned:russia) [95% CI]", "balance_index",
                                       "trade_share[china]"]  # fmt: skip
    assert np.isclose(out["mean"].iloc[1], 0.6) and np.isclose(out["mean"].iloc[0], 0.5)
    assert out["unit"].tolist() == ["probability", "index 0-1", "share"]


def test_the_variable_table_of_the_docs_is_current():
    from pathlib import Path

    from simulate.scenarios.variables import docs_table

    text = (Path(__file__).resolve().parent.parent / "docs" / "results.md").read_text()
    assert docs_table() in text


def test_every_declared_variable_is_computed_and_every_computation_declared():
    from simulate.model.stages import OBSERVERS

    declared = {k for k, v in VARIABLES.items() if v.view is None}
    assert declared == set(OBSERVERS)
    for name, v in VARIABLES.items():
        if v.view is not None:
            assert v.view[0] in OBSERVERS, name


def test_the_leverage_outputs_are_the_declared_channels():
    from simulate.scenarios.instruments import CHANNELS

    assert {f"leverage_{c}" for c in CHANNELS} == {v for v in VARIABLES if v.startswith(
        "leverage_")}


def test_a_new_output_variable_reaches_every_reader_from_its_declaration(monkeypatch, tmp_path):
    """The change path of docs/ARCHITECTURE.md: a declaration and a computation, and the
    result file, summaries, compare, xarray and the Mesa reporters pick it up."""
    from click.testing import CliRunner

    from simulate.cli.main import main
    from simulate.model import stages
    from simulate.model.mesa_model import BalancingModel
    from simulate.model.preparation import prepare
    from simulate.results.files import load_results
    from simulate.scenarios.variables import Variable

    new = Variable("oil_across_russia", "Mt/yr", "none", "Oil exports crossing Russia")
    monkeypatch.setitem(VARIABLES, new.name, new)
    monkeypatch.setitem(stages.OBSERVERS, new.name, lambda o: (
        o.hs.flows * o.spec.avoids).sum(axis=-1, keepdims=True))  # fmt: skip
    scenario = {"name": "new_var", "horizon": {"start": 2024, "end": 2026, "step": "year"},
                "runs": 4, "seed": 2}  # fmt: skip
    spec = prepare(scenario)
    assert new.name in spec.outputs
    model = BalancingModel.from_spec(spec, run=1)
    model.run()
    assert new.name in model.datacollector.get_model_vars_dataframe()
    out = tmp_path / "n.parquet"
    r = CliRunner().invoke(main, ["run", str(_write(tmp_path, scenario)), "-o", str(out),
                                  "--quiet", "--no-threshold-check"])  # fmt: skip
    assert r.exit_code == 0, r.output
    res = load_results(out)
    assert new.name in set(res.frame["variable"]) and res.metadata["units"][new.name] == "Mt/yr"
    assert new.name in res.to_xarray()
    from simulate.running.runner import run_scenario

    final = run_scenario(scenario).extra["final"]  # the run summary's per-run final values
    assert new.name in final.columns
    r = CliRunner().invoke(main, ["compare", str(out), str(out), "-v", new.name])
    assert r.exit_code == 0 and new.name in r.output, r.output


def _write(tmp_path, scenario: dict):  # noqa: ANN202
    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    return path
