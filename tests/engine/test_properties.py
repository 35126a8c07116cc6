"""Invariants: linearity in the declared amount; every breakdown sums to the total."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footprint.background.store import Background
from footprint.engine.calculate import calculate
from footprint.inventory import Inventory

amounts = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)


def product(
    declared: float,
    steel: float,
    power: float,
    gas: float,
    truck: float,
    co2: float,
    removal: float,
    loop: float,
) -> Inventory:
    return Inventory.model_validate(
        {
            "product": {
                "name": "P",
                "declared_unit": "kg",
                "declared_amount": declared,
                "geography": "US",
            },
            "processes": [
                {
                    "id": "make",
                    "output": "2 kg",
                    "inputs": [
                        {"background": {"id": "steel"}, "amount": f"{steel} kg", "stage": "A1"},
                        {"background": {"id": "elec-us"}, "amount": f"{power} kWh"},
                        {"process": "heat", "amount": f"{gas} MJ"},
                        {"background": {"id": "truck"}, "amount": f"{truck} tkm", "stage": "A2"},
                    ],
                    "emissions": [
                        {"gas": "CO2", "amount": f"{co2} kg"},
                        {"gas": "CO2", "amount": f"{-removal} kg", "origin": "biogenic"},
                    ],
                },
                {
                    "id": "heat",
                    "stage": "A3",
                    "output": "100 MJ",
                    "inputs": [
                        {"background": {"id": "gas"}, "amount": "2.6 m3"},
                        {"process": "make", "amount": f"{loop} kg"},
                    ],
                },
            ],
        }
    )


#: strategies for the arguments of :func:`product`
PRODUCT_ARGS = {
    "declared": amounts,
    "steel": amounts,
    "power": amounts,
    "gas": st.floats(min_value=1e-3, max_value=100),
    "truck": amounts,
    "co2": amounts,
    "removal": amounts,
    "loop": st.floats(min_value=0, max_value=0.5),
}


def sums(values: object) -> float:
    assert isinstance(values, dict)
    return math.fsum(values.values())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(factor=st.floats(min_value=0.01, max_value=100), **PRODUCT_ARGS)
def test_linear_in_declared_amount_and_breakdowns_sum(
    mini_background: Background,
    declared: float,
    factor: float,
    steel: float,
    power: float,
    gas: float,
    truck: float,
    co2: float,
    removal: float,
    loop: float,
) -> None:
    base = calculate(
        product(declared, steel, power, gas, truck, co2, removal, loop), background=mini_background
    )
    scaled = calculate(
        product(declared * factor, steel, power, gas, truck, co2, removal, loop),
        background=mini_background,
    )
    tol = 1e-9 * max(1.0, sum(abs(c.value) for c in base.by_input))
    assert scaled.total == pytest.approx(base.total * factor, rel=1e-9, abs=tol * factor)
    for part in (base.by_stage, base.by_process, base.by_gas):
        assert sums(part) == pytest.approx(base.total, rel=1e-9, abs=tol)
    assert math.fsum(c.value for c in base.by_input) == pytest.approx(base.total, rel=1e-9, abs=tol)
    iso = base.fossil + base.biogenic_emissions + base.biogenic_removals + base.land_use_change
    assert iso == pytest.approx(base.total, rel=1e-9, abs=tol)
    assert base.biogenic_removals <= 0


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steel=amounts, extra=amounts)
def test_more_input_never_lowers_an_emissions_only_footprint(
    mini_background: Background, steel: float, extra: float
) -> None:
    low = calculate(product(1, steel, 1, 1, 1, 1, 0, 0), background=mini_background)
    high = calculate(product(1, steel + extra, 1, 1, 1, 1, 0, 0), background=mini_background)
    assert high.total > low.total


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(inventory=st.builds(product, **PRODUCT_ARGS))
def test_batch_fast_path_equals_the_full_bw2calc_solve(
    mini_background: Background, inventory: Inventory
) -> None:
    from footprint.engine.fast import calculate_with
    from footprint.engine.intensities import background_intensities

    full = calculate(inventory, background=mini_background)
    fast = calculate_with(inventory, background_intensities(mini_background), mini_background)
    scale = max(abs(full.total), full.fossil, 1e-12)
    for name in ("total", "fossil", "biogenic_emissions", "biogenic_removals", "energy"):
        assert getattr(fast, name) == pytest.approx(
            getattr(full, name), rel=1e-9, abs=1e-12 * scale
        )
    for stage, value in full.by_stage.items():
        assert fast.by_stage[stage] == pytest.approx(value, rel=1e-9, abs=1e-12 * scale)
    where = math.fsum(a.value for a in full.by_activity)
    assert where == pytest.approx(full.total, rel=1e-9, abs=1e-12 * scale)
    assert fast.by_activity == []  # the fast path does not trace the supply chain
