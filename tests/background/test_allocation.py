"""Mass allocation of multi-output processes, on hand-made parsed records (checked on paper)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footprint.background.importers.allocation import EXCLUDED_REASON, allocate
from footprint.background.importers.tables import (
    ELEMENTARY,
    PRODUCT,
    Activity,
    Exchange,
    Parsed,
    coproduct_id,
)
from footprint.inventory.uncertainty import LOGNORMAL, Distribution


def activity(aid: str = "mill", product: str = "Board", unit: str = "kg") -> Activity:
    return Activity(
        aid, "Board mill", "US", unit, product, f"f-{product}", "Wood", "", "", "", False
    )


def exchange(flow: str, amount: float, *, output: bool = False, kind: str = PRODUCT) -> Exchange:
    return Exchange(
        "mill", flow, flow.removeprefix("f-"), kind, amount, "kg", not output, False, ""
    )


def parsed(*exchanges: Exchange, act: Activity | None = None) -> Parsed:
    act = act or activity()
    return Parsed({act.id: act}, list(exchanges))


def by_activity(result: Parsed) -> dict[tuple[str, str], float]:
    return {(e.activity, e.flow): e.amount for e in result.exchanges}


def test_outputs_share_inputs_and_emissions_by_mass() -> None:
    # 1 kg board, 0.5 kg chips, 0.25 kg bark per 1 kg board: masses 1 : 0.5 : 0.25 of 1.75
    source = parsed(
        exchange("f-wood", 3.5),
        exchange("f-co2", 0.7, output=True, kind=ELEMENTARY),
        exchange("f-Chips", 0.5, output=True),
        exchange("f-Bark", 0.25, output=True),
    )
    result, (record,) = allocate(source)
    chips, bark = coproduct_id("mill", "f-Chips"), coproduct_id("mill", "f-Bark")
    assert by_activity(result) == pytest.approx(
        {
            ("mill", "f-wood"): 3.5 / 1.75,  # per kg of board: its share 1/1.75
            ("mill", "f-co2"): 0.7 / 1.75,
            (chips, "f-wood"): 3.5 * (0.5 / 1.75) / 0.5,  # per kg of chips: the same per kg
            (chips, "f-co2"): 0.7 / 1.75,
            (bark, "f-wood"): 3.5 / 1.75,
            (bark, "f-co2"): 0.7 / 1.75,
        }
    )
    assert result.activities[chips].name == "Chips (co-product of Board mill)"
    assert result.activities[chips].product_flow == "f-Chips"
    assert result.activities[chips].parent == "mill"
    assert record["basis"] == "mass"
    assert [o["share"] for o in record["outputs"]] == pytest.approx(
        [1 / 1.75, 0.5 / 1.75, 0.25 / 1.75]
    )
    assert source.activities.keys() == {"mill"}  # the input is not changed


def test_an_output_without_mass_leaves_the_process_unallocated_and_flagged() -> None:
    heat = Exchange("mill", "f-heat", "Heat", PRODUCT, 2.0, "MJ", False, False, "")
    source = parsed(exchange("f-wood", 3.5), heat)
    result, (record,) = allocate(source)
    assert result.exchanges == source.exchanges
    assert list(result.activities) == ["mill"]
    assert record["basis"] == "not allocated (flagged): no mass for Heat (MJ)"


def test_a_density_gives_a_volume_output_its_mass_and_heating_values_an_energy_share() -> None:
    act = activity("refinery", "Diesel", "m3")
    gasoline = Exchange("refinery", "f-gas", "Gasoline", PRODUCT, 2.0, "m3", False, False, "")
    crude = Exchange("refinery", "f-crude", "Crude", PRODUCT, 3000.0, "kg", True, False, "")
    result, (record,) = allocate(
        Parsed({"refinery": act}, [crude, gasoline]),
        kg_per_unit={"f-Diesel": 800.0, "f-gas": 750.0},
        mj_per_kg={"f-Diesel": 43.0, "f-gas": 44.0},
        density_source="densities.csv",
    )
    # masses 800 kg diesel and 1500 kg gasoline per m3 diesel
    assert by_activity(result)[("refinery", "f-crude")] == pytest.approx(3000.0 * 800 / 2300)
    assert record["basis"] == "mass (kg per unit of Diesel, Gasoline: densities.csv)"
    shares = [o["energy_share"] for o in record["outputs"]]
    energy = 800 * 43 + 1500 * 44
    assert shares == pytest.approx([800 * 43 / energy, 1500 * 44 / energy])


def test_waste_and_cut_off_outputs_carry_nothing() -> None:
    source = parsed(
        exchange("f-wood", 3.0),
        exchange("f-Chips", 0.5, output=True),
        exchange("f-Solid waste, for disposal", 9.0, output=True),
        exchange("f-CUTOFF Scrap, at plant", 0.1, output=True),
    )
    result, (record,) = allocate(source)
    assert [o["product"] for o in record["outputs"]] == ["Board", "Chips"]
    assert [o["product"] for o in record["excluded"]] == [
        "Solid waste, for disposal",
        "CUTOFF Scrap, at plant",
    ]
    flagged = [e for e in result.exchanges if e.problem == EXCLUDED_REASON]
    assert {e.flow_name for e in flagged} == {"Solid waste, for disposal", "CUTOFF Scrap, at plant"}
    assert by_activity(result)[("mill", "f-wood")] == pytest.approx(3.0 / 1.5)


def test_only_waste_besides_the_reference_leaves_it_whole() -> None:
    source = parsed(exchange("f-wood", 3.0), exchange("f-Wood ash waste", 0.1, output=True))
    result, (record,) = allocate(source)
    assert record["basis"] == "not allocated: its other outputs are waste or cut-off outputs"
    assert by_activity(result)[("mill", "f-wood")] == 3.0
    assert [e.problem for e in result.exchanges if e.flow_type == PRODUCT and not e.is_input] == [
        EXCLUDED_REASON
    ]


def test_an_output_that_is_the_sum_of_the_others_gets_the_whole_process() -> None:
    # 1 kg board + 0.5 kg chips = 1.5 kg "all products"
    source = parsed(
        exchange("f-wood", 3.0),
        exchange("f-Chips", 0.5, output=True),
        exchange("f-All products", 1.5, output=True),
    )
    result, (record,) = allocate(source)
    total = coproduct_id("mill", "f-All products")
    assert by_activity(result)[("mill", "f-wood")] == pytest.approx(3.0 / 1.5)
    assert by_activity(result)[(total, "f-wood")] == pytest.approx(3.0 / 1.5)  # whole / 1.5 kg
    assert result.activities[total].name == "All products (all products of Board mill)"
    assert [o["share"] for o in record["outputs"]] == pytest.approx([1 / 1.5, 0.5 / 1.5, 1.0])


def test_distributions_are_scaled_with_their_amounts() -> None:
    wood = exchange("f-wood", 3.0)
    spread = Distribution(LOGNORMAL, loc=math.log(3.0), scale=0.2)
    source = parsed(
        Exchange(**{**wood.__dict__, "spread": spread}), exchange("f-Chips", 1.0, output=True)
    )
    result, _ = allocate(source)
    for e in result.exchanges:
        assert e.spread is not None
        assert e.spread.loc == pytest.approx(math.log(e.amount))
        assert e.spread.scale == 0.2


@settings(max_examples=100, deadline=None)
@given(
    amounts=st.lists(st.floats(0.01, 100.0), min_size=1, max_size=4),
    wood=st.floats(0.1, 1000.0),
)
def test_allocation_conserves_every_exchange(amounts: list[float], wood: float) -> None:
    """Σ over products of (amount per unit × units made) is the process's own amount."""
    outputs = [exchange(f"f-P{i}", a, output=True) for i, a in enumerate(amounts)]
    result, (record,) = allocate(parsed(exchange("f-wood", wood), *outputs))
    made = {o["activity"]: o["amount"] for o in record["outputs"]}
    if any("(all products of" in result.activities[a].name for a in made):
        return  # an output equal to the sum of the others is the whole process again
    per_unit = by_activity(result)
    assert math.fsum(per_unit[(a, "f-wood")] * n for a, n in made.items()) == pytest.approx(wood)
