"""Biogenic and fossil emissions by gas: in the result, and in PACT 3.0's biogenicNonCO2Emissions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from footprint.background.store import Background
from footprint.cli.app import app
from footprint.engine.calculate import calculate
from footprint.exchange.pact import to_pact
from footprint.pact.consistency import inconsistencies
from footprint.pact.decimal_text import parse_decimal
from footprint.pact.model import CO2_PER_C, from_pact
from tests.conftest import write
from tests.helpers import one_process_inventory

OWNER: dict[str, Any] = {
    "company_name": "Example Co",
    "company_ids": ["urn:example:company:example-co"],
    "fossil_carbon_content_kg": 0.0,
}
CH4_FOSSIL, CH4_NON_FOSSIL = 29.8, 27.0  # AR6 GWP100 (footprint/data/gwp100.csv)
# per kg of product: 1 kg fossil CO2, 20 g fossil CH4, 10 g biogenic CH4, 0.5 kg biogenic CO2
# emitted and 0.5 kg taken up (the product's biogenic carbon: 0.5 × 12/44 kg C)
EMISSIONS = (
    "[{gas: CO2, amount: 1 kg}, {gas: CH4, amount: 20 g, origin: fossil},"
    " {gas: CH4, amount: 10 g, origin: biogenic}, {gas: CO2, amount: 0.5 kg, origin: biogenic},"
    " {gas: CO2, amount: -0.5 kg, origin: biogenic}]"
)
CARBON = 0.5 / CO2_PER_C  # kg C per kg of product


def _product(tmp_path: Path, emissions: str = EMISSIONS, amount: float = 2) -> Path:
    return one_process_inventory(
        tmp_path,
        unit="kg",
        amount=amount,
        emissions=emissions,
        extra=f"  biogenic_carbon_content: {CARBON} kg\n  fossil_carbon_content: 0 kg\n",
    )


def test_the_result_splits_each_bucket_by_gas(tmp_path: Path) -> None:
    result = calculate(_product(tmp_path, amount=2), background="none")
    split = result.by_bucket_and_gas
    assert split["fossil"] == pytest.approx({"CO2": 2 * 1.0, "CH4": 2 * 0.02 * CH4_FOSSIL})
    assert split["biogenic_emissions"] == pytest.approx(
        {"CO2": 2 * 0.5, "CH4": 2 * 0.01 * CH4_NON_FOSSIL}
    )
    assert split["biogenic_removals"] == pytest.approx({"CO2": 2 * -0.5})
    assert split["land_use_change"] == {}
    for bucket in ("fossil", "biogenic_emissions", "biogenic_removals"):
        assert sum(split[bucket].values()) == pytest.approx(getattr(result, bucket), rel=1e-12)
    assert result.biogenic_non_co2_emissions == pytest.approx(2 * 0.01 * CH4_NON_FOSSIL)
    data = json.loads(result.to_json())
    assert data["by_bucket_and_gas"]["biogenic_emissions"]["CH4"] == pytest.approx(0.54)
    assert data["by_gas"]["CH4"] == pytest.approx(2 * (0.02 * CH4_FOSSIL + 0.01 * CH4_NON_FOSSIL))


def test_biogenic_methane_of_a_background_flow_is_told_apart(
    tmp_path: Path, mini_background: Background
) -> None:
    """The mini background's steel emits the flow 'Methane, biogenic' (10 g per kg of steel)."""
    path = write(
        tmp_path,
        "p.yaml",
        "product: {name: Bracket, declared_unit: piece, geography: US}\n"
        "processes:\n  - id: make\n    output: 1 piece\n"
        "    inputs: [{background: steel, amount: 3 kg}]\n"
        "    emissions: [{gas: CH4, amount: 1 g, origin: fossil}]\n",
    )
    result = calculate(path, background=mini_background)
    assert result.by_bucket_and_gas["biogenic_emissions"] == pytest.approx(
        {"CH4": 3 * 0.01 * CH4_NON_FOSSIL}
    )
    assert result.by_bucket_and_gas["fossil"] == pytest.approx(
        # steel: 1 kg CO2, 0.5 kWh of US power (0.6 kg CO2/kWh), 0.1 tkm by truck (0.1 kg CO2,
        # 1 g N2O per tkm, AR6 273)
        {"CO2": 3 * (1.0 + 0.5 * 0.6 + 0.1 * 0.1), "N2O": 3 * 0.1 * 0.001 * 273, "CH4": 0.0298}
    )
    assert result.biogenic_non_co2_emissions == pytest.approx(3 * 0.01 * CH4_NON_FOSSIL)


def test_pact_states_the_biogenic_non_co2_emissions(tmp_path: Path) -> None:
    result = calculate(_product(tmp_path, amount=2), background="none")
    pcf = to_pact(result, **OWNER)["pcf"]
    names = (
        "biogenicNonCO2Emissions",
        "fossilGhgEmissions",
        "pcfExcludingBiogenicUptake",
        "biogenicCO2Uptake",
        "pcfIncludingBiogenicUptake",
    )
    values = {name: parse_decimal(pcf[name]) for name in names}
    assert values["biogenicNonCO2Emissions"] == pytest.approx(2 * 0.01 * CH4_NON_FOSSIL)
    assert values["fossilGhgEmissions"] == pytest.approx(2 * (1.0 + 0.02 * CH4_FOSSIL))
    # excluding = fossil + biogenic emissions (CO2 and non-CO2); including adds the uptake
    excluding = 2 * (1.0 + 0.02 * CH4_FOSSIL + 0.5 + 0.01 * CH4_NON_FOSSIL)
    assert values["pcfExcludingBiogenicUptake"] == pytest.approx(excluding)
    assert values["biogenicCO2Uptake"] == pytest.approx(2 * -0.5)
    assert values["pcfIncludingBiogenicUptake"] == pytest.approx(excluding - 1.0)
    for name in (
        "landManagementFossilGhgEmissions",
        "landManagementBiogenicCO2Emissions",
        "landManagementBiogenicCO2Removals",
    ):
        assert name not in pcf  # the inventory model has no land-management origin


def test_no_biogenic_emissions_are_stated_as_zero(tmp_path: Path) -> None:
    path = _product(tmp_path, emissions="[{gas: CO2, amount: 1 kg}]")
    pcf = to_pact(calculate(path, background="none"), **OWNER)["pcf"]
    assert pcf["biogenicNonCO2Emissions"] == "0"


@pytest.mark.parametrize(
    "emissions",
    [
        "[{gas: CO2e, amount: 0.3 kg, origin: biogenic}, {gas: CO2, amount: 1 kg}]",
        "[{gas: CO2e, amount: 0.3 kg, origin: biogenic},"
        " {gas: CH4, amount: 10 g, origin: biogenic}]",
    ],
)
def test_biogenic_co2e_of_unknown_gases_leaves_the_field_out(
    tmp_path: Path, emissions: str
) -> None:
    result = calculate(_product(tmp_path, emissions=emissions), background="none")
    assert result.biogenic_emissions > 0
    assert result.biogenic_non_co2_emissions is None
    pcf = to_pact(result, **OWNER)["pcf"]
    assert "biogenicNonCO2Emissions" not in pcf
    assert "pcfExcludingBiogenicUptake" in pcf


def test_own_export_reimports_without_a_warning(tmp_path: Path, runner: CliRunner) -> None:
    path = _product(tmp_path, amount=2)
    exported = runner.invoke(
        app,
        [
            "export",
            "pact",
            str(path),
            "--company-name",
            "Example Co",
            "--company-id",
            "urn:example:company:example-co",
        ],
    )
    assert exported.exit_code == 0, exported.output
    document = json.loads(exported.output)
    assert "biogenicNonCO2Emissions" in document["pcf"]
    assert inconsistencies(from_pact(document)) == []
    supplier = tmp_path / "own.json"
    supplier.write_text(exported.output, encoding="utf-8")
    imported = runner.invoke(
        app, ["import", "pact", str(supplier), "--data-dir", str(tmp_path / "data")]
    )
    assert imported.exit_code == 0, imported.output
    assert "inconsistent" not in imported.output
    assert "warning" not in imported.output.lower()
