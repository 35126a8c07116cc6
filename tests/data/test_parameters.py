"""Parameters, --set and scenarios on hand-calculable inventories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.background.store import Background
from footprint.cli.app import app
from footprint.engine.calculate import calculate, calculate_scenarios
from footprint.errors import InventoryError
from footprint.inventory import read_inventory
from footprint.inventory.parameters import ParameterError, evaluate
from footprint.inventory.scenarios import read_scenarios
from footprint.inventory.validate import with_parameters
from tests.conftest import write

TRUCK = 0.1 + 0.001 * 273  # kg CO2e per tkm in the mini background

PRODUCT = """\
product:
  name: Crate
  declared_unit: piece
  geography: CN
  parameters: {distance_km: 100, load_t: 0.5, grid: cn, scrap: 0.2}
processes:
  - id: make
    output: 1 piece
    inputs:
      - {background: truck, amount: "{distance_km * load_t} tkm", stage: A2}
      - {background: "elec-{grid}", amount: 10 kWh}
    emissions:
      - {gas: CO2, amount: "{max(0, 1 - scrap) * 2} kg"}
"""


def expected(distance: float, load: float, grid_factor: float, scrap: float) -> float:
    return distance * load * TRUCK + 10 * grid_factor + max(0.0, 1 - scrap) * 2


def test_declared_values(tmp_path: Path, mini_background: Background) -> None:
    result = calculate(write(tmp_path, "p.yaml", PRODUCT), background=mini_background)
    assert result.total == pytest.approx(expected(100, 0.5, 0.8, 0.2), rel=1e-12)
    assert result.product.parameters["distance_km"] == 100


def test_overrides_numbers_and_text(tmp_path: Path, mini_background: Background) -> None:
    path = write(tmp_path, "p.yaml", PRODUCT)
    result = calculate(
        path,
        background=mini_background,
        parameters={"distance_km": 300, "grid": "us", "scrap": 1.5},
    )
    assert result.total == pytest.approx(expected(300, 0.5, 0.6, 1.5), rel=1e-12)
    assert result.product.parameters["grid"] == "us"


def test_scenarios_side_by_side(tmp_path: Path, mini_background: Background) -> None:
    scenarios = read_scenarios(
        write(
            tmp_path,
            "s.yaml",
            "scenarios:\n  near: {distance_km: 50}\n  far: {distance_km: 500, grid: us}\n",
        )
    )
    assert scenarios == {"near": {"distance_km": 50.0}, "far": {"distance_km": 500.0, "grid": "us"}}
    results = calculate_scenarios(
        write(tmp_path, "p.yaml", PRODUCT), scenarios, background=mini_background
    )
    assert results["near"].total == pytest.approx(expected(50, 0.5, 0.8, 0.2), rel=1e-12)
    assert results["far"].total == pytest.approx(expected(500, 0.5, 0.6, 0.2), rel=1e-12)


def test_undeclared_override_is_refused(tmp_path: Path) -> None:
    inventory = read_inventory(write(tmp_path, "p.yaml", PRODUCT))
    with pytest.raises(InventoryError, match="distance not declared") as info:
        with_parameters(inventory, {"distance": 1})
    assert ", line 5, product.parameters" in info.value.message


def test_unknown_name_in_an_expression_points_at_the_line(tmp_path: Path) -> None:
    with pytest.raises(InventoryError) as info:
        read_inventory(
            write(tmp_path, "p.yaml", PRODUCT.replace("distance_km * load_t", "distanse * load_t"))
        )
    assert ", line 10, processes[0].inputs[0].amount:" in info.value.message
    assert "unknown parameter 'distanse'" in info.value.message


@pytest.mark.parametrize("text", ["__import__('os')", "a.b", "[1]", "1 if 1 else 2", "f(1)"])
def test_only_arithmetic_is_evaluated(text: str) -> None:
    with pytest.raises(ParameterError):
        evaluate(text, {"a": 1.0})


def test_arithmetic() -> None:
    assert evaluate("2 * (a + 1) ** 2 - min(a, 0.5) / 4 + sqrt(16)", {"a": 1.0}) == pytest.approx(
        11.875
    )


def test_cli_set_and_scenario(tmp_path: Path, fixtures: Path, runner: CliRunner) -> None:
    shipped = fixtures.parents[1] / "inventories"
    example = shipped / "examples" / "cement-cn.yaml"
    scenario = shipped / "scenarios" / "cement-cn-grid.yaml"
    both = runner.invoke(app, ["calc", str(example), "--scenario", str(scenario), "-f", "json"])
    assert both.exit_code == 0, both.output
    data = json.loads(both.output)["scenarios"]
    assert list(data) == ["mee-nbs-2022", "mee-nbs-2023", "footprint-2023", "footprint-2024"]
    kwh = 0.0968 * 1000  # grid electricity per t cement in the example
    difference = data["mee-nbs-2022"]["total"]["value"] - data["mee-nbs-2023"]["total"]["value"]
    assert difference == pytest.approx(kwh * (0.5366 - 0.5306), rel=1e-3)
    newer = data["footprint-2023"]["total"]["value"] - data["footprint-2024"]["total"]["value"]
    assert newer == pytest.approx(kwh * (0.6205 - 0.5777), rel=1e-3)
    single = runner.invoke(
        app, ["calc", str(example), "--set", "grid_factor=2022:mee-nbs", "-f", "json"]
    )
    assert json.loads(single.output)["total"]["value"] == pytest.approx(
        data["mee-nbs-2022"]["total"]["value"]
    )
    bad = runner.invoke(app, ["calc", str(example), "--set", "grid_factr=2022"])
    assert bad.exit_code == 2
    assert "not declared" in bad.output
