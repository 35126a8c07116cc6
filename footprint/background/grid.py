"""Grid electricity emission factors, cited per row, as background activities (1 kWh each)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from footprint.background.store import Background
from footprint.units import convert, quantity

GRID_FLOW_CO2 = "footprint:grid:CO2:fossil"
GRID_FLOW_CO2E = "footprint:grid:CO2e"


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
                "name": "Greenhouse gases as CO2e (life-cycle grid factor)",
                "compartment": "air",
                "unit": "kg",
                "cas": "",
                "gas": "CO2e",
                "origin": "fossil",
                "kind": "emission",
            },
        ]
    )


def grid_activity_name(row: pd.Series) -> str:
    """``Electricity, grid average, CN, 2022 (<series>)``."""
    return f"Electricity, grid average, {row['country']}, {row['year']} ({row['series']})"


def grid_background(path: Path) -> Background:
    """Read ``grid_factors.csv`` into one activity per factor, emitting CO2 (or CO2e) per kWh."""
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    activities, biosphere = [], []
    for _, row in rows.iterrows():
        gas = "CO2e" if row["gas_scope"].strip() == "CO2e" else "CO2"
        unit = row["unit"].replace("CO2e", "").replace("CO2", "").replace("  ", " ")
        kg_per_kwh = convert(
            quantity(float(row["value"]), unit), "kg/kWh", where=f"{path}, {row['id']}"
        )
        activities.append(
            {
                "id": row["id"],
                "name": grid_activity_name(row),
                "location": row["country"],
                "unit": "kWh",
                "product": "electricity",
                "category": f"grid electricity/{row['scope']}",
                "source": f"{row['publisher']}, {row['document']}, {row['table_or_page']}"
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
    )
