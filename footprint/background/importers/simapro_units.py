"""Units of SimaPro CSV exports: SimaPro unit names as registry units, and the reference units of
elementary flows. Nothing here runs at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from footprint.background.importers.unit_aliases import UNIT_ALIASES
from footprint.units import convert, is_known_unit, parse_unit, quantity

# SimaPro unit names -> unit strings the registry parses (``ton`` is a metric tonne: ``t``).
SIMAPRO_UNITS: Mapping[str, str] = UNIT_ALIASES["simapro"]

# Reference units of elementary flows: the first one of the flow's dimension is used.
FLOW_REFERENCE_UNITS = (
    "kg",
    "MJ",
    "m3",
    "m2",
    "m2*a",
    "m3*a",
    "m*a",
    "m",
    "kBq",
    "piece",
    "tkm",
    "pkm",
    "hour",
)


def unit_label(simapro_unit: str) -> str:
    """The unit string written to the tables for a SimaPro unit name (``ton`` -> ``t``)."""
    text = simapro_unit.strip()
    return SIMAPRO_UNITS.get(text, text)


@cache
def unit_factor(source: str, target: str) -> float:
    """Amount in ``target`` per 1 ``source`` (registry labels, e.g. kWh -> MJ = 3.6).

    Raises:
        UnitError: a unit is unknown or the two measure different things.
    """
    if source == target:
        return 1.0
    return convert(quantity(1.0, source), target)


@cache
def flow_reference_unit(label: str) -> str:
    """Reference unit of an elementary flow stated in ``label``: kg, MJ, m3, ... (else ``label``)."""
    dimension = parse_unit(label).dimensionality
    for ref in FLOW_REFERENCE_UNITS:
        if parse_unit(ref).dimensionality == dimension:
            return ref
    return label


def unit_problem(source: str, target: str) -> str:
    """The unlinked reason for an amount in ``source`` that cannot be expressed in ``target``."""
    if not is_known_unit(source):
        return f"unknown unit: {source}"
    return f"incompatible unit: {source} -> {target}"
