"""Unqualified methane gets the origin of the activity that emits it (rules in the module)."""

from __future__ import annotations

from footprint.background.importers.linking import Linked, derived_flow_id
from footprint.background.importers.methane import methane_origin, qualify_methane
from footprint.background.importers.tables import ELEMENTARY, Activity, Flow


def test_rules_by_name_then_category() -> None:
    cases = {
        ("Bituminous coal, at mine", "Mining (except Oil and Gas)/Coal Mining"): "fossil",
        ("Natural gas, extracted", "Oil and Gas Extraction/Crude Petroleum"): "fossil",
        ("Transport, refuse truck, diesel powered", "Waste Management/Waste Collection"): "fossil",
        ("Wood fuel, hardwood, combusted in industrial boiler", "Utilities/Steam"): "biogenic",
        ("Electricity, biomass, at power plant", "Utilities/Other Electric Power"): "biogenic",
        ("Rice, at field", "Crop Production/Rice Farming"): "biogenic",
        ("Landfill gas, flared", "Other"): "biogenic",
        ("Lumber, softwood, ACQ treated, SE", "Wood Product Manufacturing/Wood Preservation"): (
            "biogenic"
        ),
        ("Steel, billets, at plant", "Primary Metal Manufacturing/Iron and Steel Mills"): "fossil",
        ("Containerboard, average production, at mill", "Paper Manufacturing/Pulp"): "",
    }
    assert {case: methane_origin(*case)[0] for case in cases} == cases


def test_qualified_methane_moves_to_a_derived_flow() -> None:
    methane = Flow("f-ch4", "Methane", ELEMENTARY, "air/unspecified", "74-82-8", "p", {})
    fossil = Flow("f-ch4-f", "Methane, fossil", ELEMENTARY, "air/unspecified", "", "p", {})
    acts = {
        "mine": Activity(
            "mine", "Coal, at mine", "US", "kg", "C", "f-c", "Mining", "", "", "", False
        ),
        "mill": Activity(
            "mill", "Paper, at mill", "US", "kg", "P", "f-p", "Paper", "", "", "", False
        ),
    }
    linked = Linked()
    linked.biosphere[("mine", "f-ch4")].extend([0.002, 0.001])
    linked.biosphere_spread[("mine", "f-ch4")].extend([None, None])
    linked.biosphere[("mine", "f-ch4-f")].append(0.5)
    linked.biosphere[("mill", "f-ch4")].append(0.004)
    records = qualify_methane(linked, acts, {"f-ch4": methane, "f-ch4-f": fossil})
    derived = derived_flow_id("f-ch4", "fossil, by activity")
    assert dict(linked.biosphere) == {
        ("mine", derived): [0.002, 0.001],
        ("mine", "f-ch4-f"): [0.5],  # already fossil: untouched
        ("mill", "f-ch4"): [0.004],  # no rule: stays unspecified
    }
    assert linked.derived[derived].name == "Methane (fossil, by activity)"
    assert (linked.derived[derived].gas, linked.derived[derived].origin) == ("CH4", "fossil")
    assert linked.flows_used == {derived, "f-ch4-f", "f-ch4"}
    assert [(r["activity"], r["origin"], r["kg_per_unit"]) for r in records] == [
        ("mill", "unspecified", 0.004),
        ("mine", "fossil", 0.003),
    ]
