"""Is a received PACT footprint internally consistent? The rules, checked on the values as read.

All values are compared for the declared amount (kg CO2e, kg C). Two values agree when they
differ by at most 0.1 % of the largest value compared (publishers round their decimals), plus
1e-9 kg. The rules (PACT 3.0 names; 2.x ones in brackets):

1. ``pcfIncludingBiogenicUptake`` = ``pcfExcludingBiogenicUptake`` + ``biogenicCO2Uptake``
   [``pCfIncludingBiogenic`` = ``pCfExcludingBiogenic`` + ``biogenicCarbonWithdrawal``]; a
   missing uptake counts as 0.
2. ``fossilGhgEmissions`` + ``landUseChangeGhgEmissions`` [``dLucGhgEmissions``] ≤
   ``pcfExcludingBiogenicUptake``: both are parts of it (an import would otherwise have to cut
   them down to fit).
3. ``biogenicCO2Uptake`` = −``biogenicCarbonContent`` × 44/12 when both are given.
4. PACT 2.x with ``otherBiogenicGhgEmissions``: ``pCfExcludingBiogenic`` = fossil + dLUC +
   ``landManagementGhgEmissions`` + ``otherBiogenicGhgEmissions``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from footprint.pact.decimal_text import decimal_string, parse_decimal
from footprint.pact.model import CO2_PER_C, PactFootprint
from footprint.pact.schema import spec_line


def _agree(a: float, b: float, *others: float) -> bool:
    largest = max(abs(v) for v in (a, b, *others))
    return abs(a - b) <= 1e-3 * largest + 1e-9


def _kg(value: float) -> str:
    return decimal_string(value, 6)


def inconsistencies(fp: PactFootprint) -> list[str]:
    """What breaks the rules of this module in ``fp`` (empty if nothing does), for the declared
    amount, each naming the PACT properties and their values."""
    out: list[str] = []
    excluding = fp.pcf_excluding_biogenic_uptake
    uptake = fp.biogenic_co2_uptake or 0.0
    including = fp.pcf_including_biogenic_uptake
    if including is not None and not _agree(including, excluding + uptake, excluding, uptake):
        out.append(
            f"the PCF including biogenic uptake ({_kg(including)}) is not the PCF excluding it "
            f"({_kg(excluding)}) plus the biogenic CO2 uptake ({_kg(uptake)})"
        )
    fossil = fp.fossil_ghg_emissions or 0.0
    land = fp.land_use_change_ghg_emissions or 0.0
    if fossil + land > excluding and not _agree(fossil + land, excluding, fossil, land):
        out.append(
            f"fossil ({_kg(fossil)}) and land-use change ({_kg(land)}) emissions add up to more "
            f"than the PCF excluding biogenic uptake ({_kg(excluding)}); the import cuts them "
            "down to fit it"
        )
    carbon = fp.biogenic_carbon_content
    if (
        carbon is not None
        and fp.biogenic_co2_uptake is not None
        and not _agree(fp.biogenic_co2_uptake, -carbon * CO2_PER_C, carbon * CO2_PER_C)
    ):
        out.append(
            f"the biogenic CO2 uptake ({_kg(fp.biogenic_co2_uptake)}) is not the biogenic carbon "
            f"content ({_kg(carbon)} kg C) x -44/12"
        )
    if spec_line(fp.spec_version) != "3.0":
        out.extend(_v2_parts(fp, fossil, land))
    return out


def _v2_parts(fp: PactFootprint, fossil: float, land: float) -> Iterable[str]:
    """Rule 4, on the 2.x document (its values are per declared unit)."""
    pcf: Mapping[str, Any] = fp.document.get("pcf", {})
    if pcf.get("otherBiogenicGhgEmissions") is None:
        return []
    scale = fp.declared_amount
    other = _value(pcf["otherBiogenicGhgEmissions"]) * scale
    management = _value(pcf.get("landManagementGhgEmissions") or "0") * scale
    parts = fossil + land + management + other
    excluding = fp.pcf_excluding_biogenic_uptake
    if _agree(parts, excluding, fossil, land, management, other):
        return []
    return [
        f"fossil ({_kg(fossil)}), dLUC ({_kg(land)}), land management ({_kg(management)}) and "
        f"other biogenic ({_kg(other)}) emissions add up to {_kg(parts)}, not to the PCF "
        f"excluding biogenic uptake ({_kg(excluding)})"
    ]


def _value(raw: object) -> float:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    return parse_decimal(str(raw))
