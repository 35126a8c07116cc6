"""The reviewed inputs of a curated background build, and what the build report says about them.

A curated build (the shipped USLCI) reads, from the directory it writes the tables to:

- ``corrections.csv``: reviewed corrections of source amounts (:mod:`.corrections`);
- ``refinery_allocation.csv``: densities and heating values of the refinery's products
  (:mod:`.refinery`), so that the refinery can be allocated by mass, its stated basis;
- ``providers.csv``: which activity to link where several make the same product (:mod:`.linking`).

It also splits multi-output processes by mass (:mod:`.allocation`), links inputs of flows nobody
makes to the same-name, same-unit product, and gives unqualified methane the origin of its
emitting activity (:mod:`.methane`). A plain import (``footprint import``) does none of this.
Nothing here runs at import time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from footprint.background.importers.corrections import FILE_NAME as CORRECTIONS_FILE
from footprint.background.importers.corrections import (
    Correction,
    corrected_activities,
    read_corrections,
)
from footprint.background.importers.linking import (
    PROVIDERS_FILE,
    Linked,
    Preference,
    read_providers,
)
from footprint.background.importers.refinery import FILE_NAME as REFINERY_FILE
from footprint.background.importers.refinery import RefineryTable, read_refinery_table
from footprint.background.importers.tables import Activity


@dataclass(frozen=True)
class Review:
    """What a build applies beyond plain conversion (all off by default)."""

    corrections: Sequence[Correction] = ()
    refinery: RefineryTable = field(default_factory=RefineryTable)
    providers: Sequence[Preference] = ()
    allocate: bool = False
    link_orphans: bool = False
    methane: bool = False  # qualify unqualified methane by its activity (:mod:`.methane`)


def load_review(directory: Path, corrections: Path | None = None) -> Review:
    """The curated build's review: the files present in ``directory``, allocation and orphan
    linking on. ``corrections`` overrides ``directory/corrections.csv``.

    Raises:
        BackgroundError: a file is malformed (naming it, with line and column).
    """
    path = corrections or directory / CORRECTIONS_FILE
    refinery = directory / REFINERY_FILE
    providers = directory / PROVIDERS_FILE
    return Review(
        corrections=read_corrections(path) if corrections or path.is_file() else [],
        refinery=read_refinery_table(refinery) if refinery.is_file() else RefineryTable(),
        providers=read_providers(providers) if providers.is_file() else [],
        allocate=True,
        link_orphans=True,
        methane=True,
    )


def providers_chosen(
    preferences: Sequence[Preference],
    resolved: Mapping[str, str],
    activities: Mapping[str, Activity],
    linked: Linked,
) -> list[dict[str, Any]]:
    """One entry per preference: the provider chosen, the alternatives and the links it got."""
    makers: dict[str, list[str]] = {}
    for act in activities.values():
        if not act.reference_is_input:
            makers.setdefault(act.product_flow, []).append(act.id)
    out = []
    for p in preferences:
        chosen = resolved[p.flow]
        out.append(
            {
                "flow": p.flow,
                "flow_name": p.flow_name,
                "provider": chosen,
                "provider_name": activities[chosen].name,
                "alternatives": sorted(set(makers.get(p.flow, [])) - {chosen}),
                "exchanges_linked": linked.preferred_links.get((p.flow, chosen), 0),
                "reason": p.reason,
            }
        )
    return out


def review_report(
    review: Review,
    applied: Sequence[dict[str, Any]],
    allocations: Sequence[dict[str, Any]],
    chosen: Sequence[dict[str, Any]],
    linked: Linked,
    methane: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The build-report entries of a review (empty lists when nothing was reviewed)."""
    report: dict[str, Any] = {
        "corrections": list(applied),
        "corrected_activities": corrected_activities(applied),
    }
    if review.allocate:
        report["multi_output_activities"] = sorted(allocations, key=lambda r: (r["name"], r["id"]))
        report["allocation_summary"] = {
            "allocated_by_mass": sum(1 for r in allocations if r["basis"].startswith("mass")),
            "not_allocated": sum(1 for r in allocations if not r["basis"].startswith("mass")),
        }
    report["providers_chosen"] = list(chosen)
    report["orphan_links"] = sorted(
        linked.orphan_links, key=lambda r: (r["consumer_name"], r["flow_name"], r["consumer"])
    )
    if review.methane:
        report["methane_by_activity"] = sorted(
            methane, key=lambda r: (r["origin"], r["name"], r["activity"], r["flow"])
        )
        origins: dict[str, int] = {}
        for record in methane:
            origins[record["origin"]] = origins.get(record["origin"], 0) + 1
        report["methane_origin_summary"] = dict(sorted(origins.items()))
    return report
