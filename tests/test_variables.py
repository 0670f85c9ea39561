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
