"""ILCD units and the linking rules the ILCD import needs (self-supply, supply loops, census)."""

from __future__ import annotations

from collections import Counter

import pytest

from footprint.background.importers.ilcd_units import FlowProperty, UnitGroup, UnitProblem, Units
from footprint.background.importers.linking import link, unlink_singular_loops
from footprint.background.importers.tables import PRODUCT, Activity, Exchange, Flow, Parsed

MASS = UnitGroup("g-mass", "Units of mass", "kg", {"kg": 1.0, "t": 1000.0, "g": 0.001})
# factors stated the other way round (how many of each unit one reference unit is), as some do
INVERTED = UnitGroup(
    "g-inv", "Unit of energy", "MWh (el)", {"MWh (el)": 1.0, "kWh": 1000.0, "GJ": 3.6}
)
YEARS = UnitGroup("g-time", "Units of time", "a", {"d": 1.0, "a": 365.0})
MONEY = UnitGroup("g-eur", "Units of currency 2000", "EUR", {"EUR": 1.0, "USD": 1.1})
UNITS = Units(
    {g.id: g for g in (MASS, INVERTED, YEARS, MONEY)},
    {
        "p-mass": FlowProperty("p-mass", "Mass", "g-mass"),
        "p-energy": FlowProperty("p-energy", "Energy", "g-inv"),
        "p-time": FlowProperty("p-time", "Time", "g-time"),
        "p-money": FlowProperty("p-money", "Market value", "g-eur"),
        "p-lost": FlowProperty("p-lost", "Lost", "g-nowhere"),
    },
)


def flow(ref: str, **factors: float) -> Flow:
    return Flow("f", "f", PRODUCT, "", "", ref, {ref: 1.0, **factors})


def test_reference_units_map_to_the_registry() -> None:
    assert UNITS.amount(flow("p-mass"), 2.5) == (2.5, "kg")
    assert UNITS.amount(flow("p-time"), 2.0) == (2.0, "year")  # the group's base is a day
    assert MASS.to_reference("t") == 1000.0
    assert YEARS.to_reference("d") == pytest.approx(1 / 365)


def test_an_unknown_reference_unit_is_written_in_a_checked_unit_of_its_group() -> None:
    # 1 "MWh (el)" is 1000 kWh; the group states kWh = 1000 and GJ = 3.6 per reference
    # unit, inverted: checked against the registry (1 kWh = 0.0036 GJ), then used inverted
    amount, label = UNITS.amount(flow("p-energy"), 2.0)
    assert label == "kWh"
    assert amount == pytest.approx(2000.0, rel=1e-4)
    assert "stated inverted" in UNITS.reference(flow("p-energy")).note


def test_a_named_property_converts_through_the_flow_property_factors() -> None:
    # 1 kg of the flow has 0.05 MWh (el): 0.1 MWh (el) named by energy is 2 kg
    assert UNITS.amount(flow("p-mass", **{"p-energy": 0.05}), 0.1, "p-energy") == (
        pytest.approx(2.0),
        "kg",
    )
    with pytest.raises(UnitProblem, match="not a property of the flow"):
        UNITS.amount(flow("p-mass"), 1.0, "p-time")
    with pytest.raises(UnitProblem, match="unit group g-nowhere"):
        UNITS.amount(flow("p-lost"), 1.0)
    with pytest.raises(UnitProblem, match="flow property p-none missing"):
        UNITS.amount(flow("p-none"), 1.0)


def test_money_is_kept_as_written() -> None:
    reference = UNITS.reference(flow("p-money"))
    assert (reference.label, reference.factor) == ("EUR", 1.0)
    assert reference.note == "EUR kept as written"
    assert UNITS.is_currency(flow("p-money"))
    assert not UNITS.is_currency(flow("p-mass"))


def act(aid: str, flow_id: str, location: str = "CN", not_provider: str = "") -> Activity:
    return Activity(
        aid, aid, location, "kg", flow_id, flow_id, "", "", "", "", False, not_provider=not_provider
    )


def uses(consumer: str, flow_id: str, amount: float) -> Exchange:
    return Exchange(consumer, flow_id, flow_id, PRODUCT, amount, "kg", True, False, "")


def test_an_activity_never_supplies_itself_all_it_makes() -> None:
    acts = {"a": act("a", "x"), "b": act("b", "x", "US")}
    small = link(Parsed(dict(acts), [uses("a", "x", 0.1)]), {}, Counter(), choose=lambda c, o: "a")
    assert dict(small.technosphere) == {("a", "a"): [0.1]}
    # 1 kg or more of its own product: only the other maker may supply it
    big = link(Parsed(dict(acts), [uses("a", "x", 1.0)]), {}, Counter())
    assert dict(big.technosphere) == {("a", "b"): [1.0]}
    alone = link(Parsed({"a": acts["a"]}, [uses("a", "x", 2.0)]), {}, Counter())
    assert [r.reason for r in alone.unlinked] == ["self-input not less than the reference output"]


def test_activities_kept_out_of_linking_are_never_providers() -> None:
    acts = {"census": act("census", "x", not_provider="census data sets"), "user": act("user", "y")}
    linked = link(Parsed(dict(acts), [uses("user", "x", 1.0)]), {}, Counter())
    assert not linked.technosphere
    assert [r.reason for r in linked.unlinked] == [
        "provider excluded: made only by census data sets"
    ]


def test_a_supply_loop_with_no_net_output_is_unlinked() -> None:
    acts = {"mine": act("mine", "coal"), "wash": act("wash", "washed"), "user": act("user", "z")}
    exchanges = [
        uses("mine", "washed", 1.0),
        uses("wash", "coal", 1.0),
        uses("user", "washed", 2.0),
    ]
    parsed = Parsed(dict(acts), exchanges)
    linked = link(parsed, {}, Counter())
    assert unlink_singular_loops(linked, parsed) == 1
    assert dict(linked.technosphere) == {("user", "wash"): [2.0]}
    assert sorted(r.activity for r in linked.unlinked) == ["mine", "wash"]
    assert all(r.reason.startswith("supply loop with no net output") for r in linked.unlinked)
    # a loop that does produce something is kept
    productive = Parsed(dict(acts), [uses("mine", "washed", 0.1), uses("wash", "coal", 1.2)])
    kept = link(productive, {}, Counter())
    assert unlink_singular_loops(kept, productive) == 0
    assert len(kept.technosphere) == 2
