"""Methane whose flow does not say fossil or biogenic, qualified by the activity that emits it.

AR6 gives fossil methane 29.8 (it includes the CO2 its oxidation adds) and non-fossil 27.0; an
unqualified "Methane" would get the headline 27.9. In USLCI most unqualified methane comes from
coal mines, gas fields and fuel combustion. The rules, first match wins:

1. biogenic if the activity's name names biomass, crops or waste treatment (wood, bark, hog fuel,
   biomass, sawdust, soy, corn, palm, rice, wheat, straw, stover, landfill, wastewater, manure,
   biogas, biodegradable);
2. fossil if its name names a fossil fuel (coal, diesel, gasoline, natural gas, CNG, LNG,
   petroleum, crude, fuel oil, kerosene, LPG, propane, lignite, anthracite, refinery);
3. biogenic if its category is agriculture, forestry, waste management or wood products;
4. fossil if its category is mining, oil and gas, petroleum and coal products, utilities,
   transport, chemicals, metals, minerals or plastics (extraction, energy and industry burning
   fossil fuels);
5. otherwise it stays unspecified (headline GWP), e.g. pulp and paper mills burning both.

The emitting activity's methane becomes a derived flow "Methane (fossil, by activity)" or
"Methane (biogenic, by activity)"; ``methane_by_activity`` in the build report lists every
activity with its origin and the rule that decided it. Nothing here runs at import time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from footprint.background.importers.gases import classify_gas
from footprint.background.importers.linking import Linked
from footprint.background.importers.tables import Activity, Flow

FOSSIL, BIOGENIC = "fossil", "biogenic"


@dataclass(frozen=True)
class Rule:
    """Methane of an activity whose ``field`` (name or category) matches is of ``origin``."""

    field: str
    pattern: re.Pattern[str]
    origin: str
    reason: str


RULES = (
    Rule(
        "name",
        re.compile(
            r"\b(?:wood|bark|hog ?fuel|biomass|sawdust|soy|corn|palm|rice|wheat|straw|stover|"
            r"landfill|wastewater|manure|biogas|biodegradable)\b",
            re.IGNORECASE,
        ),
        BIOGENIC,
        "name: biomass, crops or waste treatment",
    ),
    Rule(
        "name",
        re.compile(
            r"\b(?:coal|diesel|gasoline|natural gas|cng|lng|petroleum|crude|fuel oil|kerosene|"
            r"liquefied petroleum gas|lpg|propane|lignite|anthracite|refinery)\b",
            re.IGNORECASE,
        ),
        FOSSIL,
        "name: a fossil fuel",
    ),
    Rule(
        "category",
        re.compile(
            r"^(?:crop production|animal production|forestry|waste management|"
            r"wood product manufacturing)",
            re.IGNORECASE,
        ),
        BIOGENIC,
        "category: agriculture, forestry, waste or wood products",
    ),
    Rule(
        "category",
        re.compile(
            r"^(?:mining|support activities for mining|oil and gas extraction|"
            r"petroleum and coal products|utilities|truck transportation|"
            r"transit and ground passenger transportation|rail transportation|"
            r"water transportation|air transportation|pipeline transportation|"
            r"chemical manufacturing|primary metal manufacturing|"
            r"fabricated metal product manufacturing|nonmetallic mineral product manufacturing|"
            r"plastics and rubber products manufacturing)",
            re.IGNORECASE,
        ),
        FOSSIL,
        "category: extraction, energy, transport or industry burning fossil fuels",
    ),
)


def methane_origin(name: str, category: str) -> tuple[str, str]:
    """(origin, rule) for methane emitted by an activity; origin '' when no rule applies."""
    for rule in RULES:
        if rule.pattern.search(name if rule.field == "name" else category):
            return rule.origin, rule.reason
    return "", "no rule: mixed or unknown source, headline GWP"


def qualify_methane(
    linked: Linked, activities: Mapping[str, Activity], flows: Mapping[str, Flow]
) -> list[dict[str, Any]]:
    """Move each unqualified methane emission in ``linked`` to the derived flow of the origin its
    activity gives it; return one record per (activity, flow), qualified or not."""
    records = []
    for activity, fid in sorted(linked.biosphere):
        flow = flows.get(fid)
        if flow is None:
            continue
        info = classify_gas(flow.name, flow.cas, flow.category)
        if (info.gas, info.origin, info.kind) != ("CH4", "unspecified", "emission"):
            continue
        act = activities[activity]
        origin, reason = methane_origin(act.name, act.category)
        amounts = linked.biosphere[(activity, fid)]
        records.append(
            {
                "activity": activity,
                "name": act.name,
                "category": act.category,
                "flow": fid,
                "kg_per_unit": math.fsum(amounts),
                "unit": act.unit,
                "origin": origin or "unspecified",
                "rule": reason,
            }
        )
        if origin:
            new = linked.derive(flow, f"{origin}, by activity", "CH4", origin, "emission")
            linked.biosphere[(activity, new)].extend(linked.biosphere.pop((activity, fid)))
            linked.biosphere_spread[(activity, new)].extend(
                linked.biosphere_spread.pop((activity, fid))
            )
    linked.flows_used = {fid for _, fid in linked.biosphere}
    return records
