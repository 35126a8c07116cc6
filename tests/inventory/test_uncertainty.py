"""Declared distributions: validation, pedigree σ by hand, sample moments, background columns."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from footprint.background.importers import openlca_uncertainty as u
from footprint.background.importers import tables as t
from footprint.engine.calculate import calculate
from footprint.engine.montecarlo import monte_carlo
from footprint.errors import InventoryError
from footprint.inventory import read_inventory
from footprint.inventory.uncertainty import (
    LOGNORMAL,
    NORMAL,
    TRIANGULAR,
    UNIFORM,
    Distribution,
    DistributionArray,
    Uncertainty,
    pedigree_sigma,
)
from footprint.paths import background_dir
from tests.conftest import write

N = 20_000


def one_emission(tmp_path: Path, amount: str, uncertainty: str, gas: str = "CO2") -> Path:
    """A product whose footprint is one CO2 emission (GWP 1), so samples are the amount's."""
    return write(
        tmp_path,
        "one.yaml",
        f"""\
product: {{name: One emission, declared_unit: piece, geography: US}}
processes:
  - id: p
    output: 1 piece
    emissions:
      - gas: {gas}
        amount: {amount}
        uncertainty: {uncertainty}
""",
    )


def samples(path: Path, n: int = N, seed: int = 1) -> np.ndarray:
    return monte_carlo(path, iterations=n, seed=seed).samples


# --- moments of the sampled distributions -----------------------------------------------------


def test_lognormal_gsd_gives_the_amount_as_median_and_ln_gsd_as_log_std(tmp_path: Path) -> None:
    x = samples(one_emission(tmp_path, "2 kg", "{distribution: lognormal, gsd: 1.2}"))
    assert np.median(x) == pytest.approx(2.0, rel=0.01)
    assert np.std(np.log(x), ddof=1) == pytest.approx(math.log(1.2), rel=0.03)
    assert np.mean(np.log(x)) == pytest.approx(math.log(2.0), abs=0.005)


def test_lognormal_sigma_is_the_log_std(tmp_path: Path) -> None:
    x = samples(one_emission(tmp_path, "500 g", "{distribution: lognormal, sigma: 0.3}"))
    assert np.median(x) == pytest.approx(0.5, rel=0.01)  # g converted to kg, median kept
    assert np.std(np.log(x), ddof=1) == pytest.approx(0.3, rel=0.03)


def test_normal_mean_and_sd_with_a_unit(tmp_path: Path) -> None:
    x = samples(one_emission(tmp_path, "1 kg", '{distribution: normal, sd: "100 g"}'))
    assert np.mean(x) == pytest.approx(1.0, abs=0.003)
    assert np.std(x, ddof=1) == pytest.approx(0.1, rel=0.03)


def test_triangular_moments(tmp_path: Path) -> None:
    a, c, high = 0.5, 1.0, 2.0  # min, mode (the amount), max
    x = samples(one_emission(tmp_path, "1 kg", "{distribution: triangular, min: 0.5, max: 2}"))
    mean = (a + c + high) / 3
    var = (a * a + c * c + high * high - a * c - a * high - c * high) / 18
    assert np.mean(x) == pytest.approx(mean, rel=0.01)
    assert np.var(x, ddof=1) == pytest.approx(var, rel=0.04)
    assert a <= x.min()
    assert x.max() <= high


def test_uniform_moments(tmp_path: Path) -> None:
    x = samples(one_emission(tmp_path, "1 kg", "{distribution: uniform, min: 0.8, max: 1.4}"))
    assert np.mean(x) == pytest.approx(1.1, rel=0.005)
    assert np.std(x, ddof=1) == pytest.approx(0.6 / math.sqrt(12), rel=0.03)
    assert 0.8 <= x.min()
    assert x.max() <= 1.4


def test_gwp_and_allocation_scale_the_distribution(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "allocated.yaml",
        """\
product: {name: Half, declared_unit: kg, geography: US}
processes:
  - id: p
    output: 1 kg
    co_products: [{name: other, amount: 1 kg}]
    allocation: mass
    emissions:
      - {gas: CH4, amount: 1000 g, uncertainty: {distribution: uniform, min: 800, max: 1400}}
""",
    )
    per_kg = calculate(path).total  # 1 kg CH4 × GWP × 0.5 (mass allocation)
    x = samples(path, n=2000) / per_kg
    assert per_kg == pytest.approx(29.8 / 2, rel=1e-12)  # AR6 CH4 (fossil) 29.8
    assert 0.8 <= x.min()
    assert x.max() <= 1.4
    assert np.mean(x) == pytest.approx(1.1, rel=0.01)


def test_biogenic_removal_keeps_its_sign(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "removal.yaml",
        """\
product: {name: Wood, declared_unit: kg, geography: US}
processes:
  - id: p
    output: 1 kg
    emissions:
      - {gas: CO2, amount: -2 kg, origin: biogenic, uncertainty: {distribution: lognormal, gsd: 1.1}}
""",
    )
    x = samples(path, n=5000)
    assert np.all(x < 0)
    assert np.median(x) == pytest.approx(-2.0, rel=0.01)


# --- pedigree ---------------------------------------------------------------------------------


def test_pedigree_sigma_by_hand() -> None:
    # Weidema et al. 2013, Table 10.5: reliability 2 -> 0.0006, completeness 3 -> 0.0006,
    # temporal 1 -> 0, geographical 2 -> 0.000025, technological 4 -> 0.04; basic: ln(1.05)^2.
    by_hand = math.sqrt(0.0023804801196801307 + 0.0006 + 0.0006 + 0.0 + 0.000025 + 0.04)
    assert by_hand == pytest.approx(0.2088192523, rel=1e-9)
    assert pedigree_sigma([2, 3, 1, 2, 4], basic_gsd=1.05) == pytest.approx(by_hand, rel=1e-12)
    worst = math.sqrt(math.log(1.05) ** 2 + 0.04 + 0.008 + 0.04 + 0.002 + 0.12)
    assert pedigree_sigma([5, 5, 5, 5, 5], basic_gsd=1.05) == pytest.approx(worst, rel=1e-12)
    assert pedigree_sigma([1, 1, 1, 1, 1], basic_variance=0.0006) == pytest.approx(
        math.sqrt(0.0006), rel=1e-12
    )


def test_pedigree_samples_are_lognormal_with_that_sigma(tmp_path: Path) -> None:
    path = one_emission(tmp_path, "3 kg", "{pedigree: [2, 3, 1, 2, 4], basic_gsd: 1.05}")
    x = samples(path)
    assert np.median(x) == pytest.approx(3.0, rel=0.01)
    assert np.std(np.log(x), ddof=1) == pytest.approx(0.2088192523, rel=0.03)


def test_pedigree_needs_five_scores_and_one_basic_uncertainty() -> None:
    with pytest.raises(ValueError, match="five scores"):
        pedigree_sigma([1, 2, 3], basic_gsd=1.05)
    with pytest.raises(ValueError, match="basic"):
        pedigree_sigma([1, 1, 1, 1, 1])


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uncertainty", "message"),
    [
        ("{distribution: lognormal, gsd: 0.9}", "uncertainty.gsd: Input should be greater"),
        ("{distribution: triangular, min: 1.5, max: 3}", "min <= amount <= max"),
        ("{distribution: uniform, min: 0.2, max: 0.9}", "min <= amount <= max"),
        ("{distribution: triangular, min: 0.5}", "needs 'min' and 'max'"),
        ("{pedigree: [1, 2, 6, 1, 1], basic_gsd: 1.05}", "pedigree[2]: Input should be less"),
        ("{pedigree: [1, 2, 3, 1, 1]}", "needs one basic uncertainty"),
        ("{distribution: normal, sd: 0.1, gsd: 1.2}", "gsd not used by a normal"),
        ('{distribution: normal, sd: "2 kWh"}', "not in a unit of the amount's kind"),
        ("{distribution: lognormal}", "one of 'gsd' or 'sigma'"),
        ("{gsd: 1.2}", "give 'distribution'"),
        ("{distribution: beta, gsd: 1.2}", "uncertainty.distribution"),
    ],
)
def test_bad_uncertainty_names_file_line_and_field(
    tmp_path: Path, uncertainty: str, message: str
) -> None:
    path = one_emission(tmp_path, "1 kg", uncertainty)
    with pytest.raises(InventoryError) as info:
        read_inventory(path)
    assert "one.yaml, line 8, processes[0].emissions[0].uncertainty" in info.value.message
    assert message in info.value.message


def test_lognormal_of_zero_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="non-zero amount"):
        read_inventory(one_emission(tmp_path, "0 kg", "{distribution: lognormal, gsd: 1.2}"))


def test_input_uncertainty_in_other_units(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "inputs.yaml",
        """\
product: {name: Part, declared_unit: piece, geography: US}
processes:
  - id: part
    output: 1 piece
    inputs:
      - process: power
        amount: 2 kWh
        uncertainty: {distribution: uniform, min: "6 MJ", max: "9 MJ"}
  - id: power
    output: 1 kWh
    emissions:
      - {gas: CO2, amount: 0.5 kg}
""",
    )
    spec = read_inventory(path).processes[0].inputs[0].uncertainty
    assert spec is not None
    assert (spec.min, spec.max) == pytest.approx((6 / 3.6, 9 / 3.6), rel=1e-12)
    x = samples(path, n=4000)
    assert x.min() >= 0.5 * 6 / 3.6
    assert x.max() <= 0.5 * 9 / 3.6
    assert np.mean(x) == pytest.approx(0.5 * 7.5 / 3.6, rel=0.01)


def test_schema_documents_the_field() -> None:
    from footprint.inventory import inventory_schema

    schema = inventory_schema()
    defs = schema["$defs"]  # type: ignore[index]
    for owner in ("Input", "Emission"):
        assert "uncertainty" in defs[owner]["properties"]  # type: ignore[index]
    assert {"gsd", "sigma", "sd", "min", "max", "pedigree", "basic_gsd"} <= set(
        defs["Uncertainty"]["properties"]  # type: ignore[index]
    )


# --- distributions as stats_arrays parameters -------------------------------------------------


def test_ppf_matches_stats_arrays() -> None:
    from stats_arrays import uncertainty_choices
    from stats_arrays.distributions import UncertaintyBase

    items = [
        Distribution(LOGNORMAL, loc=math.log(2.0), scale=0.3),
        Distribution(NORMAL, loc=1.0, scale=0.2),
        Distribution(UNIFORM, loc=1.0, minimum=0.5, maximum=2.0),
        Distribution(TRIANGULAR, loc=1.0, minimum=0.5, maximum=2.0),
    ]
    p = np.array([[0.01, 0.3, 0.5, 0.77, 0.99]])
    mine = DistributionArray.of(items).ppf(np.repeat(p, len(items), axis=0))
    for row, item in enumerate(items):
        params = UncertaintyBase.from_dicts(
            {
                "uncertainty_type": item.kind,
                "loc": item.loc,
                "scale": item.scale,
                "minimum": item.minimum,
                "maximum": item.maximum,
            }
        )
        theirs = uncertainty_choices[item.kind].ppf(params, p)
        assert mine[row] == pytest.approx(np.ravel(theirs), rel=1e-9)


def test_ppf_of_one_kind_equals_the_mixed_array_and_keeps_its_input() -> None:
    items = [
        Distribution(LOGNORMAL, loc=math.log(2.0), scale=0.3, negative=True),
        Distribution(NORMAL, loc=1.0, scale=0.2),
        Distribution(UNIFORM, loc=1.0, minimum=0.5, maximum=2.0),
        Distribution(TRIANGULAR, loc=1.0, minimum=0.5, maximum=2.0),
    ]
    p = np.array([[0.01, 0.3, 0.5, 0.77, 0.99]])
    mixed = DistributionArray.of(items).ppf(np.repeat(p, len(items), axis=0))
    for row, item in enumerate(items):
        u = p.copy()
        alone = DistributionArray.of([item]).ppf(u)
        assert np.array_equal(alone[0], mixed[row])
        assert np.array_equal(u, p)  # ppf leaves the probabilities alone
    assert (mixed[0] < 0).all()  # a negative lognormal amount


def test_scaling_a_distribution() -> None:
    lognormal = Distribution(LOGNORMAL, loc=math.log(2.0), scale=0.3)
    assert lognormal.scaled(1000.0).median == pytest.approx(2000.0, rel=1e-12)
    assert lognormal.scaled(-1.0).median == pytest.approx(-2.0, rel=1e-12)
    assert lognormal.scaled(-1.0).scale == 0.3
    tri = Distribution(TRIANGULAR, loc=1.0, minimum=0.5, maximum=2.0).scaled(-2.0)
    assert (tri.minimum, tri.loc, tri.maximum) == (-4.0, -2.0, -1.0)


def test_mean_of_a_distribution_by_hand_and_by_sampling() -> None:
    items = [
        Distribution(LOGNORMAL, loc=math.log(2.0), scale=0.3, negative=True),
        Distribution(NORMAL, loc=1.0, scale=0.2),
        Distribution(UNIFORM, minimum=0.5, maximum=2.0),
        Distribution(TRIANGULAR, loc=1.0, minimum=0.5, maximum=2.0),
    ]
    by_hand = [-2.0 * math.exp(0.3**2 / 2), 1.0, 1.25, 3.5 / 3]
    assert [d.mean for d in items] == pytest.approx(by_hand, rel=1e-12)
    samples = DistributionArray.of(items).draw(np.random.default_rng(7), N)
    sd = samples.std(axis=1)
    assert (np.abs(samples.mean(axis=1) - by_hand) < 5 * sd / math.sqrt(N)).all()
    # scaling scales the mean, sign included (a lognormal's sign follows the amount's)
    for item in items:
        assert item.scaled(-3.0).mean == pytest.approx(-3.0 * item.mean, rel=1e-12)


def test_model_checks_are_independent_of_the_amount() -> None:
    spec = Uncertainty(distribution="triangular", min=1, max=3)
    with pytest.raises(ValueError, match="min <= amount <= max"):
        spec.distribution_of(read_amount("4 kg"))
    assert spec.distribution_of(read_amount("2 kg")).loc == 2.0


def read_amount(text: str) -> object:
    from footprint.units import quantity

    return quantity(text)


# --- background uncertainty from openLCA JSON-LD ----------------------------------------------


def test_openlca_uncertainty_is_scaled_like_the_amount() -> None:
    stats = t.Stats()
    lognormal = {"distributionType": "LOG_NORMAL_DISTRIBUTION", "geomMean": 4.0, "geomSd": 1.5}
    spread = u.exchange_spread({"amount": 4.0, "uncertainty": lognormal}, 0.25, stats)
    assert spread is not None
    assert spread.kind == LOGNORMAL
    assert spread.loc == pytest.approx(math.log(1.0), abs=1e-15)  # 4 × 0.25
    assert spread.scale == pytest.approx(math.log(1.5), rel=1e-15)
    swapped = {"distributionType": "TRIANGLE_DISTRIBUTION", "minimum": 6, "mode": 5, "maximum": 4}
    tri = u.exchange_spread({"amount": 5.0, "uncertainty": swapped}, -2.0, stats)
    assert tri is not None
    assert (tri.minimum, tri.loc, tri.maximum) == (-12.0, -10.0, -8.0)
    assert stats.uncertainty["used with minimum and maximum swapped back"] == 1
    normal = {"distributionType": "NORMAL_DISTRIBUTION", "mean": 2.0, "sd": 0.5}
    assert u.exchange_spread({"amount": 2.0, "uncertainty": normal}, 3.0, stats) == Distribution(
        NORMAL, loc=6.0, scale=1.5
    )


@pytest.mark.parametrize(
    ("uncertainty", "reason"),
    [
        ({"distributionType": "LOG_NORMAL_DISTRIBUTION", "geomMean": 1.0, "geomSd": 0.0}, "geomSd"),
        ({"distributionType": "UNIFORM_DISTRIBUTION", "minimum": 2, "maximum": 3}, "outside"),
        (
            {"distributionType": "UNIFORM_DISTRIBUTION", "minimum": 0, "maximum": 30},
            "10 times",
        ),
        (
            {"distributionType": "TRIANGLE_DISTRIBUTION", "minimum": 0, "mode": 9, "maximum": 2},
            "mode outside",
        ),
    ],
)
def test_openlca_uncertainty_that_contradicts_the_amount_is_not_used(
    uncertainty: dict[str, object], reason: str
) -> None:
    stats = t.Stats()
    assert u.exchange_spread({"amount": 1.0, "uncertainty": uncertainty}, 1.0, stats) is None
    assert any(reason in key for key in stats.uncertainty if key.startswith("not used"))


def test_merged_rows_keep_no_distribution() -> None:
    stats = t.Stats()
    spread = Distribution(UNIFORM, minimum=0.5, maximum=2.0)
    rows = stats.sum_rows(
        {("a", "x"): [1.0], ("a", "y"): [1.0, 2.0]},
        "technosphere",
        {("a", "x"): [spread], ("a", "y"): [spread, None]},
    )
    assert rows == [
        ("a", "x", "1.0", "4", "", "", "0.5", "2.0"),
        ("a", "y", "3.0", "0", "", "", "", ""),
    ]
    assert stats.sum_rows({("a", "x"): [1.0]}, "biosphere") == [("a", "x", "1.0")]


def test_shipped_tables_carry_valid_uncertainty_columns() -> None:
    import pandas as pd

    from footprint.engine.montecarlo import table_distributions

    for stem in ("technosphere", "biosphere"):
        frame = pd.read_csv(background_dir() / "uslci" / f"{stem}.csv.gz", dtype=str)
        assert list(frame.columns[-5:]) == list(t.UNCERTAINTY_COLUMNS)
        assert set(frame["uncertainty_type"]) <= {"0", "2", "3", "4", "5"}
        with_type = frame[frame["uncertainty_type"] != "0"].assign(
            amount=lambda f: f["amount"].astype(float)
        )
        rows, found = table_distributions(with_type.fillna(""))
        assert len(rows) == len(with_type) > 0  # every written distribution is valid
        for item, amount in zip(found, with_type["amount"], strict=True):
            if item.kind == LOGNORMAL:
                assert abs(item.median) == pytest.approx(abs(amount), rel=1e-9)
            else:
                assert item.minimum <= amount <= item.maximum
