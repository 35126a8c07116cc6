"""Characterisation: IPCC GWP100 factors (AR6 default, AR5, AR4) for greenhouse gases.

Emissions are classed by gas and by the ISO 14067 §7.2 bucket they are reported in: ``fossil``,
``biogenic_emissions``, ``biogenic_removals`` (factor −1 × GWP, i.e. −1 for CO2 taken up) and
``land_use_change``. Pre-aggregated CO2e amounts (gas ``CO2e``) have factor 1 in every set.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from footprint.errors import MethodError
from footprint.paths import data_rows

GWP_SETS: dict[str, str] = {
    "ar6": "IPCC AR6 GWP100",
    "ar5": "IPCC AR5 GWP100",
    "ar4": "IPCC AR4 GWP100",
}
BUCKETS = ("fossil", "biogenic_emissions", "biogenic_removals", "land_use_change")
AGGREGATED = "CO2e"

_ALIASES = {
    "carbon dioxide": "CO2",
    "methane": "CH4",
    "nitrous oxide": "N2O",
    "dinitrogen monoxide": "N2O",
    "sulphur hexafluoride": "SF6",
    "sulfur hexafluoride": "SF6",
    "nitrogen trifluoride": "NF3",
    "cf4": "PFC-14",
    "c2f6": "PFC-116",
    "hfc-116": "PFC-116",
    "carbon tetrachloride": "CCl4",
    "cfc-10": "CCl4",
    "methyl chloroform": "CH3CCl3",
    "hcfc-140": "CH3CCl3",
    "methyl bromide": "CH3Br",
    "halon-1001": "CH3Br",
    "methyl chloride": "CH3Cl",
    "r-40": "CH3Cl",
    "dichloromethane": "CH2Cl2",
    "methylene chloride": "CH2Cl2",
    "hcc-30": "CH2Cl2",
    "chloroform": "CHCl3",
    "co2e": AGGREGATED,
    "co2eq": AGGREGATED,
}


@dataclass(frozen=True)
class GasFactors:
    """GWP100 of one gas; methane distinguishes fossil and non-fossil origin."""

    gas: str
    fossil: float
    non_fossil: float
    unspecified: float


def _key(row: dict[str, str]) -> str:
    """The table key of a ``gwp100.csv`` row: its ``key`` column (older tables: derived)."""
    if row.get("key"):
        return row["key"]
    gas_name, formula = row["gas"], row["formula"]
    if "(" in gas_name and "PFC" in gas_name:
        return gas_name.split("(")[1].rstrip(")")
    return gas_name if gas_name.upper().startswith("HFC") else formula


@cache
def gwp_table(gwp: str) -> dict[str, GasFactors]:
    """Factors of the GWP set ``gwp`` (``ar6``, ``ar5`` or ``ar4``), keyed by gas.

    Raises:
        MethodError: unknown set.
    """
    column = check_gwp(gwp)
    rows: dict[str, dict[str, float]] = {}
    for row in data_rows("gwp100.csv"):
        name = row["gas"]
        key = _key(row)
        origin = "unspecified"
        if "(fossil)" in name:
            origin = "fossil"
        elif "(non-fossil)" in name:
            origin = "non_fossil"
        rows.setdefault(key, {})[origin] = float(row[column])
    table = {}
    for key, values in rows.items():
        unspecified = values.get("unspecified", values.get("fossil", 0.0))
        table[key] = GasFactors(
            gas=key,
            fossil=values.get("fossil", unspecified),
            non_fossil=values.get("non_fossil", unspecified),
            unspecified=unspecified,
        )
    table[AGGREGATED] = GasFactors(AGGREGATED, 1.0, 1.0, 1.0)
    return table


def check_gwp(gwp: str) -> str:
    """Normalise a GWP set name.

    Raises:
        MethodError: unknown set.
    """
    key = gwp.strip().lower()
    if key not in GWP_SETS:
        raise MethodError(
            f"unknown GWP set {gwp!r}", fix=f"use one of {', '.join(GWP_SETS)} (default ar6)"
        )
    return key


def canonical_gas(gas: str) -> str | None:
    """The table key for a gas name or formula (``"methane"`` → ``"CH4"``), or None."""
    text = gas.strip()
    lowered = text.lower()
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    for key in gwp_table("ar6"):
        if key.lower() == lowered:
            return key
    return None


def factor(gwp: str, gas: str, origin: str, kind: str = "emission") -> float:
    """kg CO2e per kg of ``gas`` of ``origin`` (fossil, biogenic, land_use_change, unspecified).

    Methane: fossil and land-use-change origin take the fossil GWP, biogenic the non-fossil one,
    unspecified the headline value.

    A removal (``kind="removal"``) has the negative factor.
    """
    entry = gwp_table(gwp)[gas]
    value = {
        "fossil": entry.fossil,
        "biogenic": entry.non_fossil,
        # Carbon released from soil or biomass stocks is not recycled from the air: fossil value
        # (as in bw2io's IPCC 2021 method for "Methane, from soil or biomass stock").
        "land_use_change": entry.fossil,
    }.get(origin, entry.unspecified)
    return -value if kind == "removal" else value


def bucket(origin: str, kind: str = "emission") -> str:
    """The ISO 14067 §7.2 reporting bucket; unspecified origin counts as fossil."""
    if kind == "removal":
        return "biogenic_removals"
    return {"biogenic": "biogenic_emissions", "land_use_change": "land_use_change"}.get(
        origin, "fossil"
    )
