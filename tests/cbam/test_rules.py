"""The attribution and precursor rules, on small installations solved by hand."""

from __future__ import annotations

import pytest

from footprint.cbam.calc import calculate
from tests.cbam.helpers import build, installation, process


def _flow(amount: str, ef: str) -> dict[str, str]:
    return {"amount": amount, "emission_factor": ef}


def test_attributed_emissions_add_imports_and_deduct_exports() -> None:
    nitric = process(
        "acid",
        cn="28080000",
        category="Nitric acid",
        level=100.0,
        streams=[(10.0, 56.1)],
        measured_emissions=[
            {"gas": "N2O", "amount": "1 t"},
            {"name": "stack CO2e", "gas": "CO2", "amount": "500 t CO2e"},
        ],
        heat_imported=[_flow("1000 GJ", "0.06 t CO2/GJ")],
        heat_exported=[_flow("500 GJ", "0.07 t CO2/GJ")],
        waste_gas_imported=[_flow("2 TJ", "80 t CO2/TJ")],
        waste_gas_exported=[_flow("1 TJ", "90 t CO2/TJ")],
        electricity_exported=[_flow("100 MWh", "0.9 t CO2/MWh")],
        electricity_consumed=[
            {"amount": "400 MWh", "emission_factor": "0.5 t CO2/MWh", "factor_source": "grid"}
        ],
    )
    result = calculate(build(installation([nitric])))
    res = result.processes[0]
    direct = 10 * 56.1 + 1 * 273 + 500  # fuel, N2O at AR6 GWP100 273, CO2e given as such
    # waste gases at the natural-gas factor 56.1 t CO2/TJ, exports x 0.667 (their own 80 and 90
    # t CO2/TJ are not used)
    attributed = direct + 1000 * 0.06 - 500 * 0.07 + 2 * 56.1 - 1 * 56.1 * 0.667 - 100 * 0.9
    assert res.direct_emissions == pytest.approx(direct, abs=1e-9)
    assert res.attributed_direct == pytest.approx(attributed, abs=1e-9)
    assert res.attributed_indirect == pytest.approx(400 * 0.5, abs=1e-9)
    assert (res.see.direct, res.see.indirect) == pytest.approx(
        (attributed / 100, 400 * 0.5 / 100), abs=1e-12
    )


def test_indirect_of_a_non_annex_ii_precursor_is_carried_into_an_annex_ii_good() -> None:
    grid = [{"amount": "100 MWh", "emission_factor": "0.5 t CO2/MWh", "factor_source": "grid"}]
    pellets = process(
        "pellets",
        cn="26011200",
        category="Sintered ore",
        level=1000.0,
        streams=[(10.0, 56.1)],
        electricity_consumed=grid,
    )
    dri = process(
        "dri",
        cn="7203",
        category="Direct reduced iron",
        level=800.0,
        streams=[(20.0, 56.1)],
        precursors=[("pellets", 900.0)],
        electricity_consumed=grid,
    )
    result = calculate(build(installation([pellets, dri])))
    pellet_see = (10 * 56.1 / 1000, 100 * 0.5 / 1000)
    dri_see = (
        20 * 56.1 / 800 + 900 / 800 * pellet_see[0],
        0.0 + 900 / 800 * pellet_see[1],  # DRI's own electricity does not count; the ore's does
    )
    assert (result.processes[1].see.direct, result.processes[1].see.indirect) == pytest.approx(
        dri_see, abs=1e-12
    )


def test_indirect_of_an_annex_ii_precursor_is_dropped_in_a_non_annex_ii_good() -> None:
    grid = [{"amount": "300 MWh", "emission_factor": "0.5 t CO2/MWh", "factor_source": "grid"}]
    hydrogen = process(
        "h2",
        cn="28041000",
        category="Hydrogen",
        level=100.0,
        streams=[(50.0, 56.1)],
        precursors=[("ore", 10.0)],
    )
    ammonia = process(
        "nh3",
        cn="28141000",
        category="Ammonia",
        level=500.0,
        streams=[(5.0, 56.1)],
        precursors=[("h2", 90.0)],
        electricity_consumed=grid,
    )
    ore = {"id": "ore", "cn": "26011200", "country": "CN", "quantity": "10 t"}
    result = calculate(build(installation([hydrogen, ammonia], [ore])))
    # China default for agglomerated iron ore: direct 0.2, indirect 0.06.
    h2 = (50 * 56.1 / 100 + 10 / 100 * 0.2, 10 / 100 * 0.06)
    assert (result.processes[0].see.direct, result.processes[0].see.indirect) == pytest.approx(
        h2, abs=1e-12
    )
    nh3 = (5 * 56.1 / 500 + 90 / 500 * h2[0], 300 * 0.5 / 500)  # hydrogen's indirect dropped
    assert (result.processes[1].see.direct, result.processes[1].see.indirect) == pytest.approx(
        nh3, abs=1e-12
    )


def test_over_consumption_and_unused_precursors_are_warned() -> None:
    a = process("a", level=100.0, streams=[(1.0, 56.1)])
    b = process("b", level=100.0, streams=[(1.0, 56.1)], precursors=[("a", 150.0), ("x", 9.0)])
    bought = [
        {"id": "x", "cn": "7201", "country": "CN", "quantity": "5 t"},
        {"id": "y", "cn": "7201", "country": "CN", "quantity": "5 t"},
    ]
    text = " ".join(calculate(build(installation([a, b], bought))).warnings)
    assert "processes consume 9 t but 5 t were purchased" in text
    assert "'y' is used by no process" in text
    assert "other processes consume 150 t of its goods but it makes 100 t" in text


def test_a_carbon_price_covered_by_free_allocation_is_effectively_zero() -> None:
    paid = {
        "scheme": "national ETS",
        "price": 97.49,
        "currency": "CNY",
        "emissions_priced": "56.1 t CO2e",
        "rebated": "56.1 t CO2e",
        "evidence": "allowance records",
    }
    a = process(
        "a", level=100.0, streams=[(1.0, 56.1)], precursors=[("x", 10.0)], carbon_price=paid
    )
    bought = [{"id": "x", "cn": "7201", "country": "CN", "quantity": "10 t"}]
    result = calculate(build(installation([a], bought)))
    price = result.processes[0].carbon_price
    assert price is not None
    assert (price["effective_total"], price["deducted"]) == (0.0, False)
    text = " ".join(result.warnings)
    assert "carbon price paid is effectively zero" in text
    assert "part of this SEE comes from default values" in text
