"""Our GWP table against the one bw2io ships (IPCC 2021, ecoinvent 3.9 LCIA implementation)."""

from __future__ import annotations

import json
import zipfile
from importlib.resources import files

import pytest

from footprint.engine.methods import bucket, canonical_gas, check_gwp, factor, gwp_table
from footprint.errors import MethodError

# ecoinvent biosphere flow name -> (our gas, origin)
ECOINVENT_NAMES = {
    "Carbon dioxide, fossil": ("CO2", "fossil"),
    "Methane, fossil": ("CH4", "fossil"),
    "Methane, non-fossil": ("CH4", "biogenic"),
    "Methane, from soil or biomass stock": ("CH4", "land_use_change"),
    "Carbon dioxide, from soil or biomass stock": ("CO2", "land_use_change"),
    "Dinitrogen monoxide": ("N2O", "fossil"),
    "Sulfur hexafluoride": ("SF6", "fossil"),
    "Nitrogen fluoride": ("NF3", "fossil"),
    "Ethane, 1,1,1,2-tetrafluoro-, HFC-134a": ("HFC-134a", "fossil"),
    "Methane, difluoro-, HFC-32": ("HFC-32", "fossil"),
    "Ethane, pentafluoro-, HFC-125": ("HFC-125", "fossil"),
    "Ethane, 1,1,1-trifluoro-, HFC-143a": ("HFC-143a", "fossil"),
    "Methane, trifluoro-, HFC-23": ("HFC-23", "fossil"),
    "Methane, tetrafluoro-, R-14": ("PFC-14", "fossil"),
    "Ethane, hexafluoro-, HFC-116": ("PFC-116", "fossil"),
}


@pytest.fixture(scope="module")
def bw2io_ipcc2021() -> dict[str, float]:
    path = files("bw2io") / "data" / "lcia" / "lcia_39_ecoinvent.zip"
    with zipfile.ZipFile(str(path)) as archive:
        methods = json.loads(archive.read("data.json"))
    wanted = ["IPCC 2021", "climate change", "global warming potential (GWP100)"]
    (method,) = [m for m in methods if list(m["name"]) == wanted]
    return {e["name"]: float(e["amount"]) for e in method["exchanges"]}


@pytest.mark.parametrize("name", sorted(ECOINVENT_NAMES))
def test_ar6_agrees_with_bw2io_ipcc_2021(bw2io_ipcc2021: dict[str, float], name: str) -> None:
    gas, origin = ECOINVENT_NAMES[name]
    assert factor("ar6", gas, origin) == pytest.approx(bw2io_ipcc2021[name], rel=1e-9)


def test_removal_is_negative_and_bucketed() -> None:
    assert factor("ar6", "CO2", "biogenic", "removal") == -1.0
    assert bucket("biogenic", "removal") == "biogenic_removals"
    assert bucket("unspecified") == "fossil"


def test_every_table_gas_in_every_set() -> None:
    assert set(gwp_table("ar6")) == set(gwp_table("ar5")) == set(gwp_table("ar4"))
    assert gwp_table("ar5")["CH4"].fossil == 30
    assert gwp_table("ar4")["N2O"].unspecified == 298


def test_gas_aliases() -> None:
    assert canonical_gas("methane") == "CH4"
    assert canonical_gas("hfc-134a") == "HFC-134a"
    assert canonical_gas("CF4") == "PFC-14"
    assert canonical_gas("water vapour") is None


def test_unknown_set() -> None:
    with pytest.raises(MethodError, match="ar6"):
        check_gwp("ar7")
