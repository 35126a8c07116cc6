"""Grid electricity emission factors, cited per row, as background activities (1 kWh each).

Each row of ``grid_factors.csv`` declares what its number covers, in machine-readable columns:

* ``gas_scope``: ``CO2`` (carbon dioxide only) or ``CO2e`` (all greenhouse gases, GWP-weighted);
* ``boundary``: ``combustion`` (the power plants' own emissions) or ``life-cycle`` (also the
  upstream supply of fuels and plant);
* ``losses``: ``included`` (per kWh delivered or consumed) or ``excluded`` (per kWh generated);
* ``level``: ``national``, ``regional`` or ``provincial``; ``location`` is the ISO 3166-1 code, an
  ISO 3166-2 subdivision (``CN-JS``) or a regional-grid code (``CN-EAST``).

The activity's name and category repeat the scope, and a factor that leaves out part of the life
cycle carries a caveat that every result using it reports. An id listed in ``aliases`` (an old
id, e.g. ``grid:CN:2022:mee-reporting``) still resolves to its row.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import cast

import pandas as pd

from footprint.background.store import Background
from footprint.errors import BackgroundError
from footprint.units import convert, quantity

GRID_FLOW_CO2 = "footprint:grid:CO2:fossil"
GRID_FLOW_CO2E = "footprint:grid:CO2e"

#: allowed values of the scope and provenance columns
CHOICES: dict[str, tuple[str, ...]] = {
    "gas_scope": ("CO2", "CO2e"),
    "boundary": ("combustion", "life-cycle"),
    "losses": ("included", "excluded"),
    "level": ("national", "regional", "provincial"),
    "status": ("confirmed", "unconfirmed"),
}
#: columns every row must fill (``aliases`` and ``place_zh`` may be empty)
REQUIRED = (
    "id",
    "location",
    "country",
    "level",
    "place_en",
    "year",
    "value",
    "unit",
    "gas_scope",
    "boundary",
    "losses",
    "scope",
    "series",
    "publisher",
    "document",
    "table_or_page",
    "url",
    "status",
    "note",
)
COLUMNS = (*REQUIRED, "place_zh", "aliases")
_ID = re.compile(r"grid:(?P<location>[A-Z]{2}(-[A-Z]+)?):(?P<year>\d{4}):[a-z0-9-]+")


def _flows() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": GRID_FLOW_CO2,
                "name": "Carbon dioxide, fossil (grid factor)",
                "compartment": "air",
                "unit": "kg",
                "cas": "124-38-9",
                "gas": "CO2",
                "origin": "fossil",
                "kind": "emission",
            },
            {
                "id": GRID_FLOW_CO2E,
                "name": "Greenhouse gases as CO2e (grid factor)",
                "compartment": "air",
                "unit": "kg",
                "cas": "",
                "gas": "CO2e",
                "origin": "fossil",
                "kind": "emission",
            },
        ]
    )


def scope_label(row: Mapping[str, str]) -> str:
    """``CO2, combustion, losses excluded``: what the factor covers."""
    return f"{row['gas_scope']}, {row['boundary']}, losses {row['losses']}"


def grid_activity_name(row: Mapping[str, str]) -> str:
    """``Electricity 电力, grid average, CN-JS Jiangsu 江苏, 2023 (<series>; <scope>)``.

    Rows with a Chinese place name also carry 电力 (electricity), so either language finds them.
    """
    zh = str(row["place_zh"]).strip()
    head = "Electricity 电力" if zh else "Electricity"
    place = " ".join(p for p in (row["location"], row["place_en"], zh) if p)
    return f"{head}, grid average, {place}, {row['year']} ({row['series']}; {scope_label(row)})"


def scope_caveat(row: Mapping[str, str], life_cycle_alternative: str | None = None) -> str | None:
    """What a product footprint using this factor leaves out; None for a full life-cycle CO2e
    factor that includes grid losses."""
    if (
        row["boundary"] == "life-cycle"
        and row["gas_scope"] == "CO2e"
        and row["losses"] == "included"
    ):
        return None
    kind = {
        ("CO2", "combustion"): "CO2-only combustion",
        ("CO2", "life-cycle"): "CO2-only life-cycle",
        ("CO2e", "combustion"): "combustion-only CO2e",
        ("CO2e", "life-cycle"): "life-cycle CO2e",
    }[(row["gas_scope"], row["boundary"])]
    missing = [
        part
        for part, left_out in (
            ("upstream", row["boundary"] == "combustion"),
            ("losses", row["losses"] == "excluded"),
        )
        if left_out
    ]
    text = f"grid factor {row['id']} is {kind}"
    if missing:
        text += f": {' and '.join(missing)} not included"
    if row["losses"] == "included" and row["boundary"] == "combustion":
        text += " (grid losses included)"
    if life_cycle_alternative:
        text += f"; life-cycle factor for a product footprint: {life_cycle_alternative}"
    return text


def read_grid_factors(path: Path) -> pd.DataFrame:
    """Read and check ``grid_factors.csv``: every scope and provenance column filled and valid,
    ids unique and matching their location and year, aliases clashing with no id.

    Raises:
        BackgroundError: a missing column, an empty or invalid cell, or a duplicate id (with its
            row and column).
    """
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    absent = [c for c in COLUMNS if c not in rows]
    if absent:
        raise BackgroundError(
            f"missing column(s) {', '.join(absent)}",
            where=str(path),
            fix=f"the header must have: {', '.join(COLUMNS)}",
        )
    seen: set[str] = set()
    for number, row in enumerate(rows.to_dict("records"), start=2):
        where = f"{path}, line {number}"
        for column in REQUIRED:
            if not str(row[column]).strip():
                raise BackgroundError(
                    f"{column} is empty", where=f"{where}, {column}", fix="fill it in"
                )
        for column, allowed in CHOICES.items():
            if row[column] not in allowed:
                raise BackgroundError(
                    f"{column} is {row[column]!r}, expected one of {', '.join(allowed)}",
                    where=f"{where}, {column}",
                    fix=f"write one of {', '.join(allowed)}",
                )
        match = _ID.fullmatch(row["id"])
        if not match or match["location"] != row["location"] or match["year"] != row["year"]:
            raise BackgroundError(
                f"id {row['id']!r} does not read grid:{row['location']}:{row['year']}:SERIES",
                where=f"{where}, id",
                fix="write the id as grid:LOCATION:YEAR:series (series in lower case)",
            )
        if ("CO2e" in row["unit"]) != (row["gas_scope"] == "CO2e"):
            raise BackgroundError(
                f"unit {row['unit']!r} does not match gas_scope {row['gas_scope']!r}",
                where=f"{where}, unit",
                fix="write kg CO2/kWh for CO2 or kg CO2e/kWh for CO2e (or t/MWh alike)",
            )
        for key in [row["id"], *row["aliases"].split()]:
            if key in seen:
                raise BackgroundError(
                    f"id or alias {key!r} appears twice", where=f"{where}, id", fix="make it unique"
                )
            seen.add(key)
    return rows


def _life_cycle_alternatives(rows: pd.DataFrame) -> dict[str, str]:
    """The latest life-cycle CO2e factor per country, for the caveat of the others."""
    full = rows[(rows["boundary"] == "life-cycle") & (rows["gas_scope"] == "CO2e")]
    latest = full.sort_values("year").groupby("country")["id"].last()
    return {str(k): str(v) for k, v in latest.items()}


def grid_background(path: Path) -> Background:
    """Read ``grid_factors.csv`` into one activity per factor, emitting CO2 (or CO2e) per kWh.

    Raises:
        BackgroundError: the table is invalid (see :func:`read_grid_factors`).
    """
    rows = read_grid_factors(path)
    alternatives = _life_cycle_alternatives(rows)
    activities, biosphere = [], []
    caveats: dict[str, str] = {}
    aliases: dict[str, str] = {}
    records = cast("list[dict[str, str]]", rows.to_dict("records"))
    for row in records:
        gas = str(row["gas_scope"])
        unit = row["unit"].replace("CO2e", "").replace("CO2", "").replace("  ", " ")
        kg_per_kwh = convert(
            quantity(float(row["value"]), unit), "kg/kWh", where=f"{path}, {row['id']}"
        )
        activities.append(
            {
                "id": row["id"],
                "name": grid_activity_name(row),
                "location": row["location"],
                "unit": "kWh",
                "product": "electricity",
                "category": f"grid electricity/{row['level']}/{scope_label(row)}",
                "source": f"{row['publisher']}, {row['document']}, {row['table_or_page']}, "
                f"{row['url']}, data year {row['year']}"
                + ("" if row["status"] == "confirmed" else " [unconfirmed]"),
            }
        )
        biosphere.append(
            {
                "activity": row["id"],
                "flow": GRID_FLOW_CO2E if gas == "CO2e" else GRID_FLOW_CO2,
                "amount": kg_per_kwh,
            }
        )
        alternative = alternatives.get(str(row["country"]))
        caveat = scope_caveat(row, None if alternative == row["id"] else alternative)
        if caveat:
            caveats[str(row["id"])] = caveat
        aliases.update({old: str(row["id"]) for old in row["aliases"].split()})
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return Background(
        name="grid",
        version=digest,
        activities=pd.DataFrame(activities),
        technosphere=pd.DataFrame(columns=["consumer", "supplier", "amount"]),
        biosphere=pd.DataFrame(biosphere),
        flows=_flows(),
        sources=[
            f"Grid electricity emission factors: {path.name} (sha256 {digest}), one citation per row"
        ],
        findings=caveats,
        aliases=aliases,
    )
