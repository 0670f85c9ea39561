"""IAMC export: every unit parses with iam-units (pint); pyam reads the file and converts."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from simulate.cli.main import main
from simulate.scenarios.units import PINT_UNITS, pint_unit
from simulate.scenarios.variables import VARIABLES

from .analysis_files import make


@pytest.fixture(scope="module")
def iamc_csv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("iamc")
    res = make(tmp, "mc", scenario="middle_corridor.yaml")
    out = tmp / "mc_iamc.csv"
    r = CliRunner().invoke(main, ["export", str(res), "--format", "iamc", "-o", str(out)])
    assert r.exit_code == 0, r.output
    return out


def _registry():
    from iam_units import registry

    return registry


@pytest.mark.parametrize("name", sorted(VARIABLES))
def test_every_variables_unit_parses_with_iam_units(name):
    unit = pint_unit(VARIABLES[name].unit)
    try:
        _registry().Unit(unit)
    except Exception as exc:  # pint raises several kinds of errors
        pytest.fail(f"{name}: unit {unit!r} does not parse ({exc}); map its label in "
                    "simulate.scenarios.units.PINT_UNITS")


def test_every_unit_of_the_export_parses_and_money_converts(iamc_csv):
    reg = _registry()
    df = pd.read_csv(iamc_csv)
    for unit in df["unit"].unique():
        reg.Unit(unit)
    money = reg.Quantity(1.0, "billion USD_2022/yr")
    assert money.to("million USD_2022/yr").magnitude == pytest.approx(1000.0)
    assert 0.5 < money.to("billion USD_2010/yr").magnitude < 1.0  # earlier prices: fewer USD
    assert reg.Quantity(0.25, pint_unit("share")).to("percent").magnitude == pytest.approx(25.0)


def test_the_mapping_leaves_only_parsable_labels_unmapped():
    reg = _registry()
    for label in {v.unit for v in VARIABLES.values()} - set(PINT_UNITS):
        assert pint_unit(label) == label
        reg.Unit(label)


def test_pyam_reads_the_export_and_converts_a_unit(iamc_csv):
    pyam = pytest.importorskip("pyam")
    df = pyam.IamDataFrame(str(iamc_csv))
    assert df.model == ["multivector"] and df.region == ["Kazakhstan"]
    var = "Trade|China|50.0th Percentile"
    assert var in df.variable
    before = df.filter(variable=var).timeseries()
    converted = df.filter(variable=var).convert_unit("billion USD_2022/yr",
                                                     to="million USD_2022/yr")  # fmt: skip
    assert converted.unit == ["million USD_2022/yr"]
    after = converted.timeseries()
    assert after.to_numpy() == pytest.approx(before.to_numpy() * 1000)
