"""Cumulative energy demand factors: hand-checked cases and the CSV against bw2io's ecoinvent CED."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from importlib.resources import files

import pandas as pd
import pytest

from footprint.engine.energy import (
    CATEGORIES,
    ced_factor,
    ced_rules,
    ced_vector,
    heating_value_from_name,
    is_resource_compartment,
    normalise_unit,
)

CED_METHOD = "Cumulative Energy Demand (CED)"
_ECOINVENT_SOURCE = re.compile(
    r"ecoinvent LCIA implementation v3\.9 \(bw2io lcia_39_ecoinvent\), Cumulative Energy Demand, "
    r"(?P<category>energy resources: [^']+), '(?P<flow>[^']+)'(?: \(.+\))?"
)


def _csv_rows() -> list[dict[str, str]]:
    with (files("footprint") / "data" / "ced_factors.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def bw2io_ced() -> dict[tuple[str, str], float]:
    """(category, ecoinvent flow name) -> MJ-Eq per unit, from bw2io's shipped ecoinvent LCIA."""
    path = files("bw2io") / "data" / "lcia" / "lcia_39_ecoinvent.zip"
    with zipfile.ZipFile(str(path)) as archive:
        methods = json.loads(archive.read("data.json"))
    table: dict[tuple[str, str], float] = {}
    for method in methods:
        if method["name"][0] != CED_METHOD:
            continue
        assert method["name"][2] == "energy content (HHV)"
        for exchange in method["exchanges"]:
            table[(method["name"][1], exchange["name"])] = float(exchange["amount"])
    assert table, "no CED method in bw2io's lcia_39_ecoinvent.zip"
    return table


# --- hand-checkable cases -----------------------------------------------------------------------


def test_heating_value_in_the_name_in_mj_per_kg() -> None:
    assert ced_factor("Coal, bituminous, 24.8 MJ per kg, in ground", "kg") == (
        pytest.approx(24.8),
        "non-renewable fossil",
    )
    assert ced_factor("Coal, bituminous, 24.8 MJ/kg, in ground", "kg") == (
        pytest.approx(24.8),
        "non-renewable fossil",
    )
    assert ced_factor("Wood and wood waste, 20.9 MJ per kg, ovendry basis", "kg") == (
        pytest.approx(20.9),
        "renewable biomass",
    )


def test_heating_value_in_the_name_in_gj_per_kg_is_converted_to_mj() -> None:
    factor = ced_factor("Uranium oxide, 332 GJ per kg, in ore", "kg")
    assert factor == (pytest.approx(332_000.0), "non-renewable nuclear")
    assert heating_value_from_name("Uranium oxide (U3O8), 332 GJ per kg, in ore") == 332_000.0
    assert heating_value_from_name("Coal, hard, unspecified, in ground") is None


def test_ecoinvent_factors_for_named_resources() -> None:
    assert ced_factor("Natural gas, in ground", "m3") is None  # not a USLCI spelling
    assert ced_factor("Gas, natural, in ground", "m3") == (40.0, "non-renewable fossil")
    assert ced_factor("Gas, natural, in ground", "m³") == (40.0, "non-renewable fossil")
    assert ced_factor("Coal, hard, unspecified, in ground", "kg") == (19.1, "non-renewable fossil")
    assert ced_factor("Coal, lignite, in ground", "kg") == (9.9, "non-renewable fossil")
    assert ced_factor("Oil, crude, in ground", "kg") == (46.0, "non-renewable fossil")
    assert ced_factor("Uranium, in ground", "kg") == (560_000.0, "non-renewable nuclear")
    assert ced_factor("Peat, in ground", "kg") == (9.9, "non-renewable fossil")


def test_energy_flows_in_mj_count_one_to_one() -> None:
    assert ced_factor("Energy, from hydro power", "MJ") == (1.0, "renewable water")
    assert ced_factor("Energy, kinetic (in wind), converted", "MJ") == (
        1.0,
        "renewable wind, solar, geothermal",
    )
    assert ced_factor("Energy, solar", "MJ") == (1.0, "renewable wind, solar, geothermal")
    assert ced_factor("Hard coal (in MJ)", "MJ") == (1.0, "non-renewable fossil")
    assert ced_factor("Energy, gross calorific value, in biomass, primary forest", "MJ") == (
        1.0,
        "non-renewable biomass (primary forest)",
    )
    # A heating value per kg in the name of a flow measured in MJ is not applied.
    assert ced_factor("natural gas; 44.1 MJ/kg", "MJ") == (1.0, "non-renewable fossil")


def test_unit_mismatch_gives_none() -> None:
    assert ced_factor("Coal, bituminous, 24.8 MJ per kg, in ground", "m3") is None
    assert ced_factor("Uranium, in ground", "MJ") is None
    assert ced_factor("Uranium, in ground", "g") is None
    assert ced_factor("Energy, from hydro power", "kWh") is None
    assert ced_factor("Oil, crude, in ground", "m3") is None


def test_non_energy_resources_and_emissions_have_no_factor() -> None:
    for name, unit in [
        ("Water, well, in ground", "m3"),
        ("Water, well, in ground", "kg"),
        ("Carbon dioxide, in air", "kg"),
        ("Carbon, in organic matter, in soil", "kg"),
        ("Soil, unspecified", "kg"),
        ("Iron ore, in ground", "kg"),
        ("Wood, soft, standing", "m3"),
        ("Carbon dioxide, fossil", "kg"),
    ]:
        assert ced_factor(name, unit) is None, name


def test_ced_vector_only_characterises_resources() -> None:
    flows = pd.DataFrame(
        {
            "name": [
                "Coal, bituminous, 24.8 MJ per kg, in ground",
                "Uranium oxide, 332 GJ per kg, in ore",
                "Gas, natural, in ground",
                "Carbon dioxide, fossil",
                "Water, well, in ground",
                "Uranium",
                "Oil, crude, in ground",
                "Energy, from hydro power",
            ],
            "unit": ["kg", "kg", "m3", "kg", "m3", "kg", "m3", "MJ"],
            "compartment": [
                "resource/in ground",
                "resource/unspecified",
                "Elementary Flows/NETL Coal Elementary Flows/resource/in ground",
                "air/unspecified",
                "resource/in water",
                "air/low population density",  # an emission with the name of a resource
                "resource/in ground",  # unit mismatch
                "resource/in water",
            ],
        }
    )
    values = ced_vector(flows)
    assert values.tolist() == pytest.approx([24.8, 332_000.0, 40.0, 0.0, 0.0, 0.0, 0.0, 1.0])
    assert ced_vector(flows.iloc[:0]).shape == (0,)


def test_resource_compartments() -> None:
    assert is_resource_compartment("resource/biotic")
    assert is_resource_compartment("natural resource/in ground")
    assert is_resource_compartment("Elementary Flows/NETL Coal Elementary Flows/resource/in water")
    assert not is_resource_compartment("air/unspecified")
    assert not is_resource_compartment("water/ground-")
    assert not is_resource_compartment("Elementary Flows")


def test_unit_normalisation() -> None:
    assert normalise_unit(" m³ ") == "m3"
    assert normalise_unit("mj") == "MJ"
    assert normalise_unit("kg") == "kg"
    assert normalise_unit("m2*a") == "m2*a"


# --- the CSV itself -----------------------------------------------------------------------------


def test_every_row_compiles_and_is_sourced() -> None:
    rows = _csv_rows()
    assert rows
    assert len(rows) == len(ced_rules())
    for row in rows:
        re.compile(row["pattern"])
        assert row["source"].strip(), row["pattern"]
        assert row["category"] in CATEGORIES, row
        assert row["unit"] in ("kg", "m3", "MJ"), row
        if row["mj_per_unit"] == "from_name":
            assert row["source"] == "heating value stated in the USLCI flow name"
            assert row["unit"] == "kg"
        else:
            assert float(row["mj_per_unit"]) > 0.0


def test_ecoinvent_based_rows_equal_bw2io_ced(bw2io_ced: dict[tuple[str, str], float]) -> None:
    checked = 0
    for row in _csv_rows():
        source = row["source"]
        match = _ECOINVENT_SOURCE.fullmatch(source)
        if match is None:
            # Only derived factors may name the ecoinvent method without being equal to it.
            cites_ecoinvent = source.startswith("ecoinvent LCIA implementation")
            assert not cites_ecoinvent, f"unparsable ecoinvent source: {source}"
            continue
        key = (match["category"], match["flow"])
        assert key in bw2io_ced, key
        assert float(row["mj_per_unit"]) == bw2io_ced[key], key
        checked += 1
    assert checked >= 15


def test_natural_gas_per_kg_is_derived_from_the_ecoinvent_volume_factor(
    bw2io_ced: dict[tuple[str, str], float],
) -> None:
    per_m3 = bw2io_ced[("energy resources: non-renewable, fossil", "Gas, natural")]
    factor = ced_factor("Gas, natural, in ground", "kg")
    assert factor is not None
    assert factor[0] == pytest.approx(per_m3 / 0.8)


def test_ecoinvent_resource_names_are_characterised(
    bw2io_ced: dict[tuple[str, str], float],
) -> None:
    """Every resource of the ecoinvent CED, under its ecoinvent name, gets the ecoinvent factor."""
    units = {"Uranium": "kg", "Coal, brown": "kg", "Coal, hard, unspecified": "kg", "Peat": "kg"}
    units |= {"Oil, crude": "kg", "Gas, natural": "m3"}
    units |= {"Gas, mine, off-gas, process, coal mining": "m3"}
    for (_, flow), amount in bw2io_ced.items():
        found = ced_factor(flow, units.get(flow, "MJ"))
        assert found is not None, flow
        assert found[0] == amount, flow
