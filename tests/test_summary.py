"""The run summary: spreads, one number where runs agree, and paired changes with intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulate.results import summary as sm


def _final(**cols):
    n = len(next(iter(cols.values())))
    return pd.DataFrame({"run": np.arange(n), **cols})


def test_the_paired_interval_is_students_t_interval_of_the_differences():
    rng = np.random.default_rng(1)
    a = rng.normal(0.3, 0.05, 200)
    b = a + rng.normal(0.01, 0.02, 200)
    d = sm.paired_difference(a, b)
    want = stats.ttest_rel(b, a).confidence_interval(0.95)
    assert d.paired and not d.constant
    assert np.isclose(d.mean, (b - a).mean())
    assert np.isclose(d.low, want.low) and np.isclose(d.high, want.high)


def test_the_unpaired_interval_is_welchs_interval():
    rng = np.random.default_rng(2)
    a, b = rng.normal(0, 1, 50), rng.normal(0.5, 2, 80)
    d = sm.unpaired_difference(a, b)
    want = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert not d.paired
    assert np.isclose(d.low, want.low) and np.isclose(d.high, want.high)


def test_swapping_the_scenarios_negates_the_change_exactly():
    rng = np.random.default_rng(3)
    a, b = rng.random(100), rng.random(100)
    ab, ba = sm.paired_difference(a, b), sm.paired_difference(b, a)
    assert (ab.mean, ab.low, ab.high) == (-ba.mean, -ba.high, -ba.low)


def test_a_change_that_is_the_same_in_every_run_is_one_number_and_marked_when_not_zero():
    a = np.array([5.0, 5.0, 5.0])
    same = sm.paired_difference(a, a + 2.824)
    assert same.constant and same.low == same.high == pytest.approx(2.824)
    assert sm.change_cell(same) == "+2.824 *"
    none = sm.paired_difference(a, a)
    assert none.constant and not none.excludes_zero and sm.change_cell(none) == "0.000"


def test_the_mark_is_shown_only_where_the_interval_excludes_zero():
    rng = np.random.default_rng(4)
    a = rng.random(200)
    noisy = sm.paired_difference(a, a + rng.normal(0, 0.1, 200))
    shifted = sm.paired_difference(a, a + 0.05 + rng.normal(0, 0.01, 200))
    assert noisy.low < 0 < noisy.high and not sm.change_cell(noisy).endswith("*")
    assert shifted.excludes_zero and sm.change_cell(shifted).endswith(" *")


def test_a_value_every_run_shares_is_one_number_not_an_interval():
    s = sm.summarise(_final(corridor_volume=[5.0, 5.0], balance_index=[0.5, 0.7]))
    rows = {r["outcome"]: r for r in s.to_dict(orient="records")}
    assert rows["corridor_volume"]["constant"] and sm.cell(rows["corridor_volume"]) == "5.000"
    assert sm.cell(rows["balance_index"]) == "0.600 [0.510, 0.690]"


def test_the_table_has_units_and_a_change_column_for_each_scenario_after_the_first():
    finals = {"a": _final(corridor_volume=[5.0, 5.0], balance_index=[0.5, 0.7]),
              "b": _final(corridor_volume=[7.0, 7.0], balance_index=[0.6, 0.9])}  # fmt: skip
    summaries = {k: sm.summarise(v) for k, v in finals.items()}
    headers, rows = sm.side_by_side(summaries, sm.differences(finals, paired=True))
    assert headers == ["outcome (at horizon end)", "unit", "a", "b", "change vs a"]
    by_name = {r[0]: r for r in rows}
    assert by_name["corridor_volume"][1] == "Mt/yr"
    assert by_name["corridor_volume"][4] == "+2.000 *"
    assert by_name["balance_index"][4].startswith("+0.150 [")


def test_the_header_names_year_runs_seed_and_whether_runs_pair():
    line = sm.header({"a": 2040.75, "b": 2040.75}, {"a": 200, "b": 200}, {"a": 7, "b": 7})
    assert "2040.75" in line and "200 runs each" in line and "seed 7" in line
    assert "paired" in line and "not paired" not in line
    other = sm.header({"a": 2040.75, "b": 2040.75}, {"a": 200, "b": 100}, {"a": 7, "b": 7})
    assert "not paired" in other and "runs a 200, b 100" in other


def test_scenarios_with_other_seeds_get_an_unpaired_change():
    finals = {"a": _final(balance_index=[0.5, 0.7, 0.6]),
              "b": _final(balance_index=[0.6, 0.9, 0.7])}  # fmt: skip
    d = sm.differences(finals, paired=False)["b"]["balance_index"]
    assert not d.paired
