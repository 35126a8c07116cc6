"""Suppliers' PACT footprints as a background: one activity per footprint, CO2e flows by origin."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from footprint.background.importers.tables import ACTIVITY_COLUMNS as TABLE_ACTIVITY_COLUMNS
from footprint.background.importers.tables import Build, fmt
from footprint.background.store import (
    ACTIVITY_COLUMNS,
    BIOSPHERE_COLUMNS,
    TECHNOSPHERE_COLUMNS,
    Background,
)
from footprint.errors import FootprintError
from footprint.pact.consistency import inconsistencies
from footprint.pact.model import PACT_SOURCE, PactFootprint, from_pact, iso_moment
from footprint.safeload import load_json, read_text

#: progress(done, total) while reading the footprints.
Progress = Callable[[int, int], None]

#: Flows of :func:`pact_as_background` (kg CO2e, or kg CO2 taken up, per unit of an activity).
FLOW_FOSSIL = "footprint:pact:CO2e:fossil"
FLOW_LAND_USE_CHANGE = "footprint:pact:CO2e:land_use_change"
FLOW_OTHER = "footprint:pact:CO2e:biogenic"
FLOW_UPTAKE = "footprint:pact:CO2:biogenic:removal"


def _flows() -> pd.DataFrame:
    def row(flow_id: str, name: str, gas: str, origin: str, kind: str) -> dict[str, str]:
        return {
            "id": flow_id,
            "name": name,
            "compartment": "air",
            "unit": "kg",
            "cas": "124-38-9" if gas == "CO2" else "",
            "gas": gas,
            "origin": origin,
            "kind": kind,
        }

    return pd.DataFrame(
        [
            row(
                FLOW_FOSSIL,
                "Greenhouse gases as CO2e, fossil (PACT footprint)",
                "CO2e",
                "fossil",
                "emission",
            ),
            row(
                FLOW_LAND_USE_CHANGE,
                "Greenhouse gases as CO2e, land-use change (PACT footprint)",
                "CO2e",
                "land_use_change",
                "emission",
            ),
            row(
                FLOW_OTHER,
                "Greenhouse gases as CO2e, biogenic and land management (PACT footprint)",
                "CO2e",
                "biogenic",
                "emission",
            ),
            row(
                FLOW_UPTAKE,
                "Carbon dioxide, biogenic uptake in product (PACT footprint)",
                "CO2",
                "biogenic",
                "removal",
            ),
        ]
    )


def _split(fp: PactFootprint) -> dict[str, float]:
    """kg per declared unit on each flow; they add up to pcfExcludingBiogenicUptake (− uptake)."""
    per = 1.0 / fp.declared_amount
    excluding = fp.pcf_excluding_biogenic_uptake * per
    if excluding >= 0:
        land = min(max(fp.land_use_change_ghg_emissions or 0.0, 0.0) * per, excluding)
        fossil = min(max(fp.fossil_ghg_emissions or 0.0, 0.0) * per, excluding - land)
    else:  # net negative: only removals can make it so
        land = fossil = 0.0
    amounts = {
        FLOW_FOSSIL: fossil,
        FLOW_LAND_USE_CHANGE: land,
        FLOW_OTHER: excluding - fossil - land,
    }
    if fp.biogenic_co2_uptake:
        amounts[FLOW_UPTAKE] = -fp.biogenic_co2_uptake * per
    return {k: v for k, v in amounts.items() if abs(v) > 1e-12 * max(abs(excluding), 1e-300)}


def pact_as_background(footprints: Sequence[PactFootprint], name: str = "pact") -> Background:
    """Suppliers' PACT footprints as a background: one activity per footprint, 1 declared unit each.

    Activity id = the PACT id, name = ``productNameCompany``, location = the geography (or GLO),
    unit = the declared unit. Its biosphere gives kg CO2e per unit on pre-aggregated CO2e flows:
    fossil (``fossilGhgEmissions``), land-use change (``landUseChangeGhgEmissions``) and the rest
    of ``pcfExcludingBiogenicUptake`` as biogenic; the three add up to it. The biogenic CO2 uptake
    (``biogenicCO2Uptake``), if any, is a removal flow of biogenic CO2. A footprint that is
    Deprecated or breaks a rule of :mod:`footprint.pact.consistency` is flagged (``suspect``,
    shown as a caveat wherever it is used).

    Raises:
        FootprintError: two footprints share an id.
    """
    activities, biosphere = [], []
    suspect: dict[str, str] = {}
    seen: set[str] = set()
    for fp in footprints:
        if fp.id in seen:
            raise FootprintError(
                f"PACT footprint id {fp.id} is given twice",
                fix="pass each footprint once (use the newest Active one)",
            )
        seen.add(fp.id)
        activities.append(
            {
                "id": fp.id,
                "name": fp.product_name,
                "location": fp.geography,
                "unit": fp.declared_unit,
                "product": fp.product_name,
                "category": "PACT footprint",
                "source": f"{PACT_SOURCE}{fp.id} ({fp.spec_version}, {fp.status}) by "
                f"{fp.company_name}, reference period {iso_moment(fp.reference_period_start)[:10]} to "
                f"{iso_moment(fp.reference_period_end)[:10]}",
            }
        )
        biosphere += [{"activity": fp.id, "flow": f, "amount": a} for f, a in _split(fp).items()]
        notes = [f"the supplier's footprint is inconsistent: {i}" for i in inconsistencies(fp)]
        if fp.status != "Active":
            notes.insert(0, f"its PACT status is {fp.status}; the supplier has replaced it")
        if notes:
            suspect[fp.id] = "; ".join(notes)
    digest = hashlib.sha256(
        json.dumps(
            [[a["id"], a["unit"], a["source"]] for a in activities]
            + [[b["activity"], b["flow"], repr(b["amount"])] for b in biosphere],
            allow_nan=False,
        ).encode()
    ).hexdigest()[:12]
    return Background(
        name=name,
        version=digest,
        activities=pd.DataFrame(activities, columns=ACTIVITY_COLUMNS),
        technosphere=pd.DataFrame(columns=TECHNOSPHERE_COLUMNS),
        biosphere=pd.DataFrame(biosphere, columns=BIOSPHERE_COLUMNS),
        flows=_flows(),
        sources=[str(a["source"]) for a in activities],
        suspect=suspect,
    )


def convert_pact(path: Path, *, progress: Progress | None = None) -> Build:
    """Suppliers' PACT footprints (one document, a list, or ``{"data": [...]}``) as tables.

    Raises:
        FootprintError: the file is not JSON, holds no footprint, or a footprint is invalid.
    """
    _, text = read_text(path)
    data = load_json(text, source=str(path))
    documents = data.get("data", data) if isinstance(data, dict) else data
    documents = [documents] if isinstance(documents, dict) else documents
    if not isinstance(documents, list) or not documents:
        raise FootprintError(
            "no ProductFootprint found",
            where=str(path),
            fix='give one ProductFootprint, a list, or a {"data": [...]} response',
        )
    footprints = []
    for i, document in enumerate(documents):
        if progress is not None:
            progress(i, len(documents))
        footprints.append(from_pact(document))
    bg = pact_as_background(footprints, name=path.stem)
    acts = bg.activities.fillna("")
    tables: dict[str, list[tuple[str, ...]]] = {
        "activities": sorted(
            tuple(str(a.get(c, "")) for c in TABLE_ACTIVITY_COLUMNS)
            for a in acts.rename(columns={"source": "description_source"}).to_dict("records")
        ),
        "technosphere": [],
        "biosphere": sorted(
            (str(b.activity), str(b.flow), fmt(float(str(b.amount))))
            for b in bg.biosphere.itertuples()
        ),
        "flows": sorted(tuple(str(v) for v in row) for row in bg.flows.itertuples(index=False)),
        "unlinked": [],
    }
    report: dict[str, Any] = {
        "counts": {
            "processes_read": len(footprints),
            "activities_written": len(footprints),
            "technosphere_exchanges": 0,
            "biosphere_exchanges": len(tables["biosphere"]),
            "elementary_flows": len(tables["flows"]),
        },
        "unlinked_by_reason": {},
        "suspect_references": [{"id": k, "note": v} for k, v in bg.suspect.items()],
    }
    return Build(tables, report)
