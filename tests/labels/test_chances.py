"""A footprint with its Monte Carlo spread, judged against a threshold (footprint.labels.chances)."""

from __future__ import annotations

from pathlib import Path

import pytest

from footprint.errors import UnitError
from footprint.labels.chances import UncertaintyRequest, footprint_uncertainty, threshold_kg


@pytest.mark.parametrize(
    ("text", "amount", "unit", "kg"),
    [
        ("900 kg CO2e", 1.0, "t", 900.0),
        ("0.89 t CO2e", 2.0, "t", 890.0),  # already for the declared amount: not scaled
        ("0.89 t CO2e/t", 1.0, "t", 890.0),
        ("0.89 t CO2e/t", 2.0, "t", 1780.0),  # per declared unit, times the declared amount
        ("500 kg CO2e/t", 1.0, "kg", 0.5),
        ("3 kg CO2e/piece", 4.0, "piece", 12.0),
    ],
)
def test_threshold_in_kg_co2e_for_the_declared_amount(
    text: str, amount: float, unit: str, kg: float
) -> None:
    assert threshold_kg(text, amount, unit) == pytest.approx(kg, rel=1e-12)


def test_a_threshold_that_is_not_a_footprint_names_where_it_was_given() -> None:
    with pytest.raises(UnitError) as caught:
        threshold_kg("1 t CO2e/t", 1.0, "piece", where="--threshold")
    assert caught.value.where == "--threshold"


def test_spread_threshold_and_no_schemes(fixtures: Path) -> None:
    request = UncertaintyRequest(iterations=20, seed=3, threshold="3 kg CO2e/piece")
    found = footprint_uncertainty(fixtures / "hand.yaml", request)
    assert found.limit == pytest.approx(3.0)
    assert found.chances is None
    # the hand example declares no distribution: every sample is the deterministic footprint
    assert not found.uncertainty.has_spread
    assert found.probability_meeting_threshold is None
    assert found.uncertainty.mean == pytest.approx(found.result.total, rel=1e-9)
    data = found.to_dict()
    assert data["total"] == found.result.to_dict()["total"]
    assert data["uncertainty"]["threshold"] == {"value": pytest.approx(3.0), "unit": "kg CO2e"}
    assert "schemes" not in data["uncertainty"]


PRODUCT = """\
product:
  name: P
  declared_unit: kg
  geography: US
  parameters: {x: 1}
processes:
  - id: p
    output: 1 kg
    emissions:
      - {gas: CO2, amount: "{x * 2} kg"}
"""


def test_parameters_apply_to_both_the_footprint_and_the_samples(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(PRODUCT, encoding="utf-8")
    found = footprint_uncertainty(path, UncertaintyRequest(iterations=10, parameters={"x": 3.0}))
    assert found.result.total == pytest.approx(6.0, rel=1e-12)
    assert found.uncertainty.mean == pytest.approx(6.0, rel=1e-9)
