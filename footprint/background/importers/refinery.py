"""The refinery's products as masses: densities and heating values for allocating its burden.

USLCI's "Petroleum refining, at refinery" states its own basis: "The data are allocated to
specific refinery products based on the percent by mass of each product in the refinery output."
Its fuels are stated by volume (diesel, gasoline, kerosene, LPG, residual fuel oil in l, refinery
gas in m3), so their densities come from ``refinery_allocation.csv`` beside the tables, each with
its published value, unit and source:

==========================  ================================================================
column                      meaning
==========================  ================================================================
``product_flow``            flow id
``product``                 flow name (checked against the source)
``unit``                    the flow's reference unit in the built tables (``m3`` or ``kg``)
``role``                    ``co-product``, ``aggregate`` (the sum of the others, documented
                            only) or ``feedstock`` (crude oil, for the crude-equivalent check)
``density``                 published density with its unit, e.g. ``3167 g/gal``; empty for a
                            flow measured in kg
``lower_heating_value``     published LHV with its unit, e.g. ``42.781 MJ/kg`` (for the
                            energy-basis comparison in the report)
``source``, ``confidence``  where the values come from; ``[V]`` read in the primary document,
                            ``[S]`` from a secondary copy
``note``                    anything a reviewer should know
==========================  ================================================================

Nothing here runs at import time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from footprint.background.importers.reviewed_csv import reviewed_rows
from footprint.background.importers.tables import Exchange
from footprint.errors import BackgroundError, FootprintError
from footprint.units import convert, quantity

FILE_NAME = "refinery_allocation.csv"
COLUMNS = (
    "product_flow",
    "product",
    "unit",
    "role",
    "density",
    "lower_heating_value",
    "source",
    "confidence",
    "note",
)
ROLES = ("co-product", "aggregate", "feedstock")


@dataclass(frozen=True)
class RefineryTable:
    """Masses and heating values of refinery products and feedstocks, by flow id."""

    kg_per_unit: dict[str, float] = field(default_factory=dict)  # flows not measured in kg
    mj_per_kg: dict[str, float] = field(default_factory=dict)
    feedstock_kg_per_m3: dict[str, float] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    path: str = FILE_NAME


def _value(text: str, target: str, where: str) -> float:
    try:
        value = convert(quantity(text, where=where), target, where=where)
    except FootprintError as exc:
        raise BackgroundError(exc.what, where=where, fix=exc.fix) from None
    if not math.isfinite(value) or value <= 0:
        raise BackgroundError(f"{text!r} is not a positive amount", where=where)
    return value


def read_refinery_table(path: Path) -> RefineryTable:
    """The table in ``path``.

    Raises:
        BackgroundError: no such file, a missing column or role, or a value that is not a
            positive quantity of the right dimension (density of a volume flow: mass/volume).
    """
    table = RefineryTable(path=str(path))
    for line, row in reviewed_rows(path, COLUMNS, "refinery allocation table"):
        where = f"{path}, line {line}"
        flow, unit, role = row["product_flow"].strip(), row["unit"].strip(), row["role"].strip()
        if role not in ROLES:
            raise BackgroundError(
                f"role {role!r} is not one of {', '.join(ROLES)}", where=f"{where}, role"
            )
        table.names[flow] = row["product"].strip()
        density = row["density"].strip()
        if role == "feedstock":
            table.feedstock_kg_per_m3[flow] = _value(density, "kg/m3", f"{where}, density")
        elif unit != "kg" and role == "co-product":
            table.kg_per_unit[flow] = _value(density, f"kg/{unit}", f"{where}, density")
        if row["lower_heating_value"].strip():
            table.mj_per_kg[flow] = _value(
                row["lower_heating_value"], "MJ/kg", f"{where}, lower_heating_value"
            )
    return table


def check_names(table: RefineryTable, flow_names: Mapping[str, str]) -> None:
    """Refuse a row whose flow is unknown to the source or named differently there.

    Raises:
        BackgroundError: naming the flow.
    """
    for flow, name in table.names.items():
        found = flow_names.get(flow)
        if found is None or " ".join(found.split()).casefold() != " ".join(name.split()).casefold():
            raise BackgroundError(
                f"flow {flow} is {found!r} in the source, not {name!r}",
                where=f"{table.path}, product_flow {flow}",
                fix="use the flow id and name of the source's JSON-LD file",
            )


def feedstock_per_unit(
    records: Sequence[dict[str, Any]], exchanges: Sequence[Exchange], table: RefineryTable
) -> None:
    """Add to each allocated output of ``records`` the crude oil it carries, as m3 of crude per
    unit of product (``feedstock``), using the feedstock densities of ``table``.

    The check the allocation must pass: a m3 of refined fuel carries about one m3 of crude.
    """
    crude: dict[str, list[Exchange]] = {}
    for e in exchanges:
        if e.flow in table.feedstock_kg_per_m3 and e.is_input:
            crude.setdefault(e.activity, []).append(e)
    for record in records:
        for output in record["outputs"]:
            found = crude.get(str(output.get("activity", "")), [])
            if found:
                output["feedstock"] = {
                    "flow": found[0].flow,
                    "name": found[0].flow_name,
                    "kg_per_unit": math.fsum(e.amount for e in found),
                    "m3_per_unit": math.fsum(
                        e.amount / table.feedstock_kg_per_m3[e.flow] for e in found
                    ),
                }
