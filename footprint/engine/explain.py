"""One background activity explained: its intensity, what it buys, what it emits itself.

The intensity λ of an activity is its own emissions g plus what its inputs carry:
λⱼ = gⱼ + Σᵢ aᵢⱼ λᵢ (aᵢⱼ: amount of supplier i per unit of j). The explanation lists both parts,
so a practitioner choosing a dataset sees where its number comes from; they add up to λⱼ.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

from footprint.background.store import Background
from footprint.engine.cutoffs import reached_cut_offs, summary
from footprint.engine.intensities import background_intensities
from footprint.engine.methods import check_gwp, factor
from footprint.engine.system import ORIGIN_OF_UNSPECIFIED


def explain_activity(
    background: Background,
    activity: str,
    *,
    location: str | None = None,
    gwp: str = "ar6",
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    """What ``activity`` (an id or exact name) is, and its kg CO2e and MJ per unit, itemised.

    Returns a JSON-ready dict: ``activity`` (its table row), ``unit``, ``kg_co2e`` and
    ``by_bucket`` per unit, ``energy_mj`` per unit, ``inputs`` (supplier, amount per unit, kg
    CO2e they carry; largest first), ``direct`` (its own greenhouse-gas exchanges, kg and kg
    CO2e), ``direct_kg_co2e``, ``caveats`` and ``cut_offs`` (the exchanges its supply chain
    leaves out, each with its reason).

    Raises:
        BackgroundError: no such activity (with the nearest names).
        MethodError: unknown GWP set.
    """
    gwp = check_gwp(gwp)
    row = background.find(id=activity, name=activity, location=location, where="activity")
    activity_id = str(row["id"])
    found = background_intensities(background, gwp, cache_dir=cache_dir)
    position = {a: i for i, a in enumerate(found.activity_ids)}
    here = position[activity_id]
    buckets: dict[str, float] = {}
    for (_, bucket), value in zip(found.categories, found.matrix[here], strict=True):
        buckets[bucket] = buckets.get(bucket, 0.0) + float(value)
    acts = background.activities.set_index("id")
    tech = background.technosphere[background.technosphere["consumer"] == activity_id]
    inputs: list[dict[str, Any]] = []
    for supplier, amount in zip(tech["supplier"], tech["amount"], strict=True):
        info = acts.loc[supplier]
        inputs.append(
            {
                "id": str(supplier),
                "name": str(info["name"]),
                "location": str(info["location"] or ""),
                "amount": float(amount),
                "unit": str(info["unit"]),
                "kg_co2e": float(amount) * float(found.total[position[str(supplier)]]),
            }
        )
    inputs.sort(key=lambda item: -abs(item["kg_co2e"]))
    flows = background.flows.set_index("id")
    bio = background.biosphere[background.biosphere["activity"] == activity_id]
    direct: list[dict[str, Any]] = []
    for flow, amount in zip(bio["flow"], bio["amount"], strict=True):
        info = flows.loc[flow]
        if not info["gas"]:
            continue
        origin = str(info["origin"] or ORIGIN_OF_UNSPECIFIED)
        cf = factor(gwp, str(info["gas"]), origin, str(info["kind"] or "emission"))
        direct.append(
            {
                "flow": str(flow),
                "name": str(info["name"]),
                "gas": str(info["gas"]),
                "kg": float(amount),
                "kg_co2e": float(amount) * cf,
            }
        )
    direct.sort(key=lambda item: -abs(item["kg_co2e"]))
    cut_offs = reached_cut_offs(background, [background.index[activity_id]])
    chain = summary(cut_offs)
    return {
        "activity": {key: str(value) for key, value in row.items()},
        "background": {"name": background.name, "version": background.version},
        "gwp": gwp,
        "unit": str(row["unit"]),
        "kg_co2e": float(found.total[here]),
        "by_bucket": buckets,
        "energy_mj": float(found.energy[here]),
        "inputs": inputs,
        "direct": direct,
        "direct_kg_co2e": math.fsum(item["kg_co2e"] for item in direct),
        "caveats": [*background.caveats(activity_id), *([chain] if chain else [])],
        "cut_offs": [asdict(c) for c in cut_offs],
        "solver": found.solver,
    }


def closure(explanation: dict[str, Any]) -> float:
    """Direct plus inputs minus the intensity (kg CO2e per unit): zero up to rounding."""
    parts = [explanation["direct_kg_co2e"], *(i["kg_co2e"] for i in explanation["inputs"])]
    return float(math.fsum(parts) - explanation["kg_co2e"])
