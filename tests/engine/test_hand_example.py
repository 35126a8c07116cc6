"""The worked example solved on paper (see fixtures/hand.yaml), and against a dense solve."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from footprint.background.store import Background
from footprint.engine.calculate import calculate

S_E = 2 / 0.945
S_C = 0.25 * S_E


def test_total_matches_the_paper_solution(fixtures: Path, empty_background: Background) -> None:
    result = calculate(fixtures / "hand.yaml", background=empty_background)
    assert result.total == pytest.approx(2.1624338624, rel=1e-9)
    assert result.total == pytest.approx(0.9 * S_E + 0.1 + 29.8 * 0.01 * S_C, rel=1e-12)


def test_breakdown_matches_the_paper(fixtures: Path, empty_background: Background) -> None:
    result = calculate(fixtures / "hand.yaml", background=empty_background)
    assert result.by_process["part"] == pytest.approx(0.1, rel=1e-12)
    assert result.by_process["electricity"] == pytest.approx(1.9047619048, rel=1e-9)
    assert result.by_process["coal"] == pytest.approx(0.1576719577, rel=1e-9)
    assert result.by_gas["CO2"] == pytest.approx(2.0047619048, rel=1e-9)
    assert result.by_gas["CH4"] == pytest.approx(0.005291005291 * 29.8, rel=1e-9)
    assert result.by_stage == pytest.approx(
        {"A1": 29.8 * 0.01 * S_C, "A2": 0.0, "A3": 0.9 * S_E + 0.1}
    )
    assert result.fossil == pytest.approx(result.total, rel=1e-12)
    assert result.biogenic_emissions == result.biogenic_removals == result.land_use_change == 0.0


def test_matches_an_independent_dense_solve(fixtures: Path, empty_background: Background) -> None:
    a = np.array([[0.95, -0.02, -2.0], [-0.25, 1.0, 0.0], [0.0, 0.0, 1.0]])
    supply = np.linalg.solve(a, np.array([0.0, 0.0, 1.0]))
    co2 = 0.9 * supply[0] + 0.1 * supply[2]
    ch4 = 0.01 * supply[1]
    result = calculate(fixtures / "hand.yaml", background=empty_background, gwp="ar5")
    assert result.total == pytest.approx(co2 + 30 * ch4, rel=1e-12)
    assert result.method.gwp == "ar5"


@pytest.mark.parametrize(("gwp", "ch4"), [("ar6", 29.8), ("ar5", 30.0), ("ar4", 25.0)])
def test_each_gwp_set(fixtures: Path, empty_background: Background, gwp: str, ch4: float) -> None:
    result = calculate(fixtures / "hand.yaml", background=empty_background, gwp=gwp)
    assert result.by_gas["CH4"] == pytest.approx(0.01 * S_C * ch4, rel=1e-12)


def test_result_records_method_background_and_solver(
    fixtures: Path, empty_background: Background
) -> None:
    result = calculate(fixtures / "hand.yaml", background=empty_background)
    data = result.to_dict()
    assert data["method"]["name"] == "IPCC AR6 GWP100"
    assert data["background"]["name"] == "empty"
    assert data["solver"]["name"] in {
        "pypardiso (MKL PARDISO)",
        "UMFPACK (scikit-umfpack)",
        "SuperLU (scipy)",
    }
    assert data["inventory"]["sha256"] == result.inventory.sha256
    assert len(result.to_dataframe()) == 3


def test_each_line_item_carries_its_gases_apart_from_its_buckets(
    fixtures: Path, empty_background: Background
) -> None:
    result = calculate(fixtures / "hand.yaml", background=empty_background)
    coal = next(c for c in result.by_input if c.process == "coal")
    assert coal.by_gas == pytest.approx({"CH4": 29.8 * 0.01 * S_C})
    assert set(coal.by_bucket) == {
        "fossil",
        "biogenic_emissions",
        "biogenic_removals",
        "land_use_change",
    }
    for gas, total in result.by_gas.items():
        assert sum(c.by_gas.get(gas, 0.0) for c in result.by_input) == pytest.approx(total)
    data = result.to_dict()
    assert all(
        set(item) == {"process", "stage", "input", "kind", "value", "by_bucket"}
        for item in data["by_input"]
    )
    assert not any(str(k).startswith("gas") for k in result.to_dataframe().columns)


def test_result_carries_the_system_it_was_computed_from_but_does_not_serialise_it(
    fixtures: Path, empty_background: Background
) -> None:
    from dataclasses import replace

    result = calculate(fixtures / "hand.yaml", background=empty_background)
    assert result.system is not None
    assert result.system.background is empty_background
    assert [p.id for p in result.system.processes] == ["part", "electricity", "coal"]
    assert "system" not in result.to_dict()
    assert replace(result, system=None) == result
