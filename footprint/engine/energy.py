"""Cumulative energy demand (CED): MJ of primary energy per unit of an elementary resource flow.

Factors follow the ecoinvent CED method (Frischknecht et al. 2007, ecoinvent report No. 3; higher
heating values) as implemented in ecoinvent's LCIA v3.9 and shipped by bw2io. They live in
``footprint/data/ced_factors.csv`` (see ``ced_factors.SOURCES.md``): each row is a regular
expression matched case-insensitively against the whole flow name, the flow unit it applies to
(``kg``, ``m3`` or ``MJ``), the factor in MJ per unit (or ``from_name``: the heating value stated
in the name, "24.8 MJ per kg" or "332 GJ per kg") and one of six CED categories.

Only resources (flows taken from nature) carry primary energy; emissions never get a factor.
With Brightway's sign convention a resource taken is positive, so ``amount * factor`` summed over
the resource flows of an inventory is its CED in MJ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from footprint.paths import data_rows

FROM_NAME = "from_name"
CATEGORIES = (
    "non-renewable fossil",
    "non-renewable nuclear",
    "non-renewable biomass (primary forest)",
    "renewable biomass",
    "renewable wind, solar, geothermal",
    "renewable water",
)

_UNIT_ALIASES = {
    "m3": "m3",
    "m³": "m3",
    "m^3": "m3",
    "cubic meter": "m3",
    "kg": "kg",
    "kilogram": "kg",
    "mj": "MJ",
    "megajoule": "MJ",
}
# "24.8 MJ per kg", "24.8 MJ/kg", "332 GJ per kg": heating value per kg stated in a flow name.
_HEATING_VALUE = re.compile(r"(\d+(?:\.\d+)?)\s*([MG]J)\s*(?:per\s+|/\s*)kg\b", re.IGNORECASE)
_MJ_PER = {"MJ": 1.0, "GJ": 1000.0}
# Path parts (lower case) that mark a resource compartment besides those containing "resource".
_RESOURCE_PARTS = frozenset({"in ground", "in water", "in air", "biotic", "land"})


@dataclass(frozen=True)
class CedRule:
    """One row of ``ced_factors.csv``.

    Attributes:
        pattern: compiled case-insensitive regex, matched against the whole flow name.
        unit: the flow unit the factor applies to (``kg``, ``m3`` or ``MJ``).
        mj_per_unit: MJ primary energy per unit of the flow; ``None`` means the heating value is
            read from the flow name (``"N MJ per kg"`` or ``"N GJ per kg"``).
        category: CED category, one of :data:`CATEGORIES`.
        source: where the factor comes from.
    """

    pattern: re.Pattern[str]
    unit: str
    mj_per_unit: float | None
    category: str
    source: str


def normalise_unit(unit: str) -> str:
    """Canonical spelling of a flow unit (``m³`` -> ``m3``, ``mj`` -> ``MJ``); others unchanged."""
    text = unit.strip()
    return _UNIT_ALIASES.get(text.lower(), text)


def _normalise_name(name: str) -> str:
    return " ".join(name.split())


@cache
def ced_rules() -> list[CedRule]:
    """The CED rules of ``footprint/data/ced_factors.csv``, in file order.

    Raises:
        ValueError: a row has an unknown category or unit, or an unreadable factor.
    """
    rules: list[CedRule] = []
    for line, row in enumerate(data_rows("ced_factors.csv"), start=2):
        category, unit = row["category"].strip(), normalise_unit(row["unit"])
        if category not in CATEGORIES:
            raise ValueError(f"ced_factors.csv line {line}: unknown category {category!r}")
        if unit not in ("kg", "m3", "MJ"):
            raise ValueError(f"ced_factors.csv line {line}: unknown unit {unit!r}")
        text = row["mj_per_unit"].strip()
        try:
            factor = None if text == FROM_NAME else float(text)
        except ValueError:
            raise ValueError(f"ced_factors.csv line {line}: bad factor {text!r}") from None
        rules.append(
            CedRule(
                pattern=re.compile(row["pattern"], re.IGNORECASE),
                unit=unit,
                mj_per_unit=factor,
                category=category,
                source=row["source"].strip(),
            )
        )
    return rules


def heating_value_from_name(name: str) -> float | None:
    """Heating value stated in a flow name, in MJ per kg (``"332 GJ per kg"`` -> 332000.0)."""
    match = _HEATING_VALUE.search(name)
    if match is None:
        return None
    return float(match.group(1)) * _MJ_PER[match.group(2).upper()]


def ced_rule(name: str, unit: str) -> CedRule | None:
    """The first rule whose pattern matches the whole ``name`` and whose unit is ``unit``."""
    text, wanted = _normalise_name(name), normalise_unit(unit)
    for rule in ced_rules():
        if rule.unit == wanted and rule.pattern.fullmatch(text):
            return rule
    return None


def ced_factor(name: str, unit: str) -> tuple[float, str] | None:
    """MJ primary energy per ``unit`` of the flow ``name``, and its CED category.

    ``unit`` must be the unit the factor is given for (``kg``, ``m3``/``m³`` or ``MJ``); a flow
    known in another unit gives ``None``, as does a flow without a rule. The name alone decides:
    whether the flow is a resource is :func:`ced_vector`'s business.
    """
    rule = ced_rule(name, unit)
    if rule is None:
        return None
    factor = rule.mj_per_unit
    if factor is None:
        factor = heating_value_from_name(name)
        if factor is None:
            return None
    return factor, rule.category


def is_resource_compartment(compartment: str) -> bool:
    """Whether a ``/``-separated compartment path marks a resource (``resource/in ground``)."""
    parts = [part.strip().lower() for part in compartment.split("/")]
    return any("resource" in part or part in _RESOURCE_PARTS for part in parts)


def ced_vector(flows: pd.DataFrame) -> npt.NDArray[np.float64]:
    """MJ primary energy per flow unit for each row of a flows table, 0.0 where none applies.

    Uses the columns ``name``, ``unit`` and ``compartment``; only rows whose compartment marks a
    resource (see :func:`is_resource_compartment`) get a factor, so emissions are always 0.0.
    Multiply by resource amounts taken (flow units per reference unit) and sum to get MJ.
    """
    values = np.zeros(len(flows), dtype=np.float64)
    columns = zip(
        flows["name"].tolist(), flows["unit"].tolist(), flows["compartment"].tolist(), strict=True
    )
    for index, (name, unit, compartment) in enumerate(columns):
        if not is_resource_compartment(str(compartment)):
            continue
        found = ced_factor(str(name), str(unit))
        if found is not None:
            values[index] = found[0]
    return values
