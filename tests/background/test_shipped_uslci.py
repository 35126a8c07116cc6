"""The shipped USLCI background (built tables, never the source data): complete fuel chains.

Checks against published figures and physical sense, not against numbers the build printed:
diesel burnt in a boiler is 3.2-3.3 kg CO2e per litre well-to-combustion in national factor sets
(UK government GHG conversion factors: about 2.7 combustion plus 0.6 well-to-tank), and a m3 of
refined diesel is made from about a m3 of crude oil.
"""

from __future__ import annotations

import csv
import gzip
import json

import pytest

from footprint.background.catalog import load_background
from footprint.engine.explain import explain_activity
from footprint.paths import background_dir

USLCI = background_dir() / "uslci"
REFINERY = "0aaf1e13-5d80-37f9-b7bb-81a6b8965c71"  # Petroleum refining, at refinery
CRUDE_KG_PER_M3 = 3.205 / 3.785411784e-3  # GREET crude oil, 3205 g/gal (refinery_allocation.csv)
FUELS = (
    "Diesel, at refinery",
    "Gasoline, at refinery",
    "Residual fuel oil, at refinery",
    "Kerosene, at refinery",
    "Liquefied petroleum gas, at refinery",
    "Petroleum coke, at refinery",
    "Bitumen, at refinery",
)


def rows(name: str) -> list[dict[str, str]]:
    with gzip.open(USLCI / name, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def report() -> dict[str, object]:
    data: dict[str, object] = json.loads((USLCI / "build_report.json").read_text("utf-8"))
    return data


def test_diesel_burnt_in_a_boiler_carries_its_supply_chain() -> None:
    found = explain_activity(load_background(), "Diesel, combusted in industrial boiler")
    assert found["unit"] == "m3"
    assert 3200 <= found["kg_co2e"] <= 3300  # kg CO2e per m3 = g per litre
    diesel = [i for i in found["inputs"] if i["id"] == REFINERY]
    assert len(diesel) == 1
    assert diesel[0]["amount"] == pytest.approx(1.0, rel=0.02)  # a m3 of diesel per m3 burnt


def test_no_fuel_is_cut_off_for_an_ambiguous_provider() -> None:
    ambiguous = [r for r in rows("unlinked.csv.gz") if r["reason"].startswith("ambiguous")]
    assert not [r for r in ambiguous if r["flow_name"] in FUELS]
    cut = [r for r in rows("unlinked.csv.gz") if r["flow_name"] in FUELS and "input" in r["reason"]]
    assert cut == []


def test_a_m3_of_refined_diesel_carries_about_a_m3_of_crude() -> None:
    acts = {r["id"]: r for r in rows("activities.csv.gz")}
    crude = [
        r
        for r in rows("technosphere.csv.gz")
        if r["consumer"] == REFINERY and acts[r["supplier"]]["product"] == "Crude oil, extracted"
    ]
    assert len(crude) == 1
    assert acts[REFINERY]["unit"] == "m3"
    assert float(crude[0]["amount"]) / CRUDE_KG_PER_M3 == pytest.approx(1.0, abs=0.05)


def test_refinery_products_add_up_to_its_general_product(report: dict[str, object]) -> None:
    """The refinery states 1 kg of general refinery product; its products weigh about that."""
    (refinery,) = [
        r
        for r in report["multi_output_activities"]
        if r["id"] == REFINERY  # type: ignore[attr-defined]
    ]
    assert refinery["basis"].startswith("mass (kg per unit of Diesel, at refinery")
    shared = [o for o in refinery["outputs"] if o["share"] < 1.0]
    whole = [o for o in refinery["outputs"] if o["product"] == "Petroleum refining, at refinery"]
    assert sum(o["share"] for o in shared) == pytest.approx(1.0, rel=1e-12)
    assert sum(o["kg"] for o in shared) / whole[0]["kg"] == pytest.approx(1.0, abs=0.05)
    for output in shared:  # the energy basis would give nearly the same shares
        assert output["energy_share"] == pytest.approx(output["share"], abs=0.02)


def test_multi_output_activities_say_how_they_were_allocated(report: dict[str, object]) -> None:
    records = report["multi_output_activities"]
    assert isinstance(records, list)
    assert all(r["basis"].startswith(("mass", "not allocated")) for r in records)
    names = {r["name"] for r in rows("activities.csv.gz")}
    for record in records:
        if record["basis"].startswith("mass"):
            assert {o["activity"] for o in record["outputs"]} <= {
                r["id"] for r in rows("activities.csv.gz")
            }
    chlorine = [r for r in records if r["name"] == "Chlorine, production mix, at plant"]
    assert chlorine[0]["basis"] == "mass"
    assert (
        "Sodium hydroxide, production mix, at plant (co-product of Chlorine, production mix, at plant)"
        in names
    )


def test_orphan_links_join_same_name_same_unit_products(report: dict[str, object]) -> None:
    links = report["orphan_links"]
    assert isinstance(links, list)
    assert links
    acts = {r["id"]: r for r in rows("activities.csv.gz")}
    for link in links:
        provider = acts[link["provider"]]
        assert provider["product"].casefold() == link["flow_name"].casefold().strip()
        assert provider["unit"] == link["unit"]
        assert link["flow"] != provider["product_flow"]


def test_every_gas_in_the_flows_table_has_a_gwp_in_every_set() -> None:
    from footprint.engine.methods import gwp_table

    gases = {r["gas"] for r in rows("flows.csv.gz") if r["gas"]}
    assert {"HFC-152a", "NF3", "CFC-11", "HCFC-22"} <= gases
    for gwp in ("ar6", "ar5", "ar4"):
        assert gases <= set(gwp_table(gwp))


def test_biogenic_co2_uptake_is_a_removal_never_a_negative_emission() -> None:
    flows = {r["id"]: r for r in rows("flows.csv.gz")}
    biogenic = [
        float(r["amount"])
        for r in rows("biosphere.csv.gz")
        if flows[r["flow"]]["gas"] == "CO2" and flows[r["flow"]]["origin"] == "biogenic"
    ]
    assert biogenic
    assert min(biogenic) > 0
    pla = explain_activity(load_background(), "Polylactide Biopolymer Resin, at plant")
    # the resin takes up 1.833 kg CO2 per kg (its 'Carbon dioxide, biogenic' input)
    assert pla["by_bucket"]["biogenic_removals"] <= -1.833
    assert pla["by_bucket"]["biogenic_emissions"] >= 0


def test_unqualified_methane_follows_its_activity(report: dict[str, object]) -> None:
    records = report["methane_by_activity"]
    assert isinstance(records, list)
    flows = {r["id"]: r for r in rows("flows.csv.gz")}
    acts = {r["id"]: r for r in rows("activities.csv.gz")}
    origin = {}
    for row in rows("biosphere.csv.gz"):
        flow = flows[row["flow"]]
        if flow["gas"] == "CH4":
            origin.setdefault(acts[row["activity"]]["name"], set()).add(flow["origin"])
    assert origin["Bituminous coal, at mine"] == {"fossil"}
    assert "biogenic" in origin["Rice, at field"]
    left = {r["name"] for r in records if r["origin"] == "unspecified"}
    assert all("Paper" in r["category"] for r in records if r["origin"] == "unspecified")
    assert left  # mixed-fuel paper mills keep the headline value, listed
