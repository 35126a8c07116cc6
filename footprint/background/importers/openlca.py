"""Convert an openLCA JSON-LD export into background tables: the build of the shipped USLCI.

Run the build with ``python -m footprint.background.build_uslci --source DIR`` (see
:mod:`footprint.background.build_uslci`), or import any JSON-LD export with
``footprint import --format jsonld``. The shipped source is the openLCA 1.5 JSON-LD export of
the US Federal LCA Commons' USLCI (``FLCAC-admin/uslci-content``). The files are read with
bw2io's ``JSONLDExtractor``; everything after reading is done by this package, because bw2io's
JSON-LD strategies mishandle this schema (they convert an amount to the unit group's reference
unit but keep the label of the unit it was stated in when the flow reference has no ``refUnit``,
ignore flow-property factors, and crash on openLCA 1.5 category references).

Outputs (gzip CSV with mtime 0, rows sorted, floats written with ``repr``) are described in
``inventories/background/uslci/README.md``. Nothing here runs at import time; the shipped package
never reads the source data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from footprint.background.importers.allocation import allocate
from footprint.background.importers.corrections import apply_corrections
from footprint.background.importers.linking import (
    DerivedFlow,
    Linked,
    flow_table,
    link,
    resolve_preferences,
)
from footprint.background.importers.linking import ghg_not_characterised as ghg_uncharacterised
from footprint.background.importers.methane import qualify_methane
from footprint.background.importers.openlca_process import parse_processes
from footprint.background.importers.openlca_source import (
    Index,
    Source,
    build_index,
    read_source,
    reference_unit,
    source_commit,
    unit_label,
)
from footprint.background.importers.refinery import check_names, feedstock_per_unit
from footprint.background.importers.review import (
    Review,
    load_review,
    providers_chosen,
    review_report,
)
from footprint.background.importers.tables import (
    UNCERTAINTY_COLUMNS,
    Activity,
    Build,
    Stats,
    activity_rows,
    import_report,
    multi_output_activities,
    table_counts,
    unlinked_rows,
    write_build,
)

DEFAULT_OUT = Path("inventories/background/uslci")


def flow_rows(
    index: Index, used: Iterable[str], derived: Mapping[str, DerivedFlow] | None = None
) -> list[tuple[str, ...]]:
    """The flows table: source flows as classified, ``derived`` ones as they were made."""
    return flow_table(
        index.flows, lambda f: unit_label(reference_unit(index, f)), used, derived or {}
    )


def ghg_not_characterised(
    index: Index, linked: Linked, activities: Mapping[str, Activity]
) -> list[dict[str, Any]]:
    """:func:`~footprint.background.importers.linking.ghg_not_characterised` of the indexed flows."""
    return ghg_uncharacterised(index.flows, linked, activities)


def make_report(
    source: Source,
    tables: Mapping[str, Sequence[tuple[str, ...]]],
    linked: Linked,
    index: Index,
    stats: Stats,
    commit: str,
    activities: Mapping[str, Activity],
) -> dict[str, Any]:
    """The build report of a JSON-LD conversion (the review's sections are added by the caller)."""
    meta = {
        "dataset": "USLCI (US Federal LCA Commons)",
        "source_repository": "FLCAC-admin/uslci-content",
        "source_commit": commit,
        "source_format": "openLCA JSON-LD (openLCA 1.5 schema)",
        "reader": "bw2io.extractors.json_ld.JSONLDExtractor",
        "sources": [
            f"USLCI, US Federal LCA Commons (FLCAC-admin/uslci-content {commit}), MIT licence"
        ],
    }
    before = sum(len(v) for v in linked.technosphere.values())
    counts = table_counts(len(source.get("processes", {})), tables, before)
    corrections = [
        {"unit": u, "to": r, "source_factor": s, "exact_factor": e, "exchanges": n}
        for (u, r, s, e), n in sorted(stats.corrections.items())
    ]
    after: dict[str, dict[str, Any]] = {
        "unit_conversions": {"unit_factor_corrections": corrections},
        "units_emitted": {
            "suspect_references": sorted(stats.suspect_references, key=lambda d: d["id"]),
            "multi_output_activities": multi_output_activities(tables["unlinked"]),
            "ghg_not_characterised": ghg_not_characterised(index, linked, activities),
            "uncertainty": {
                "columns": list(UNCERTAINTY_COLUMNS),
                "counts": dict(sorted(stats.uncertainty.items())),
                "implausible_not_used": sorted(
                    stats.implausible, key=lambda d: (d["activity"], d["flow"], d["amount"])
                ),
            },
        },
    }
    return import_report(meta, counts, tables, stats.conversions, stats.notes, after)


def build_tables(
    source: Source,
    *,
    exact_units: bool = True,
    commit: str = "unknown",
    review: Review | None = None,
) -> Build:
    """Convert an extracted JSON-LD source into output tables and a report (no files written).

    ``review`` (see :mod:`footprint.background.importers.review`) adds reviewed corrections,
    applied to the source first, mass allocation of multi-output processes, preferred providers, the linking
    of inputs by product name and the origin of unqualified methane by its emitting activity;
    without it the source is converted as it is.

    Raises:
        BackgroundError: a reviewed input does not match the source (the message names its row).
    """
    review = review or Review()
    processes, applied = apply_corrections(source.get("processes", {}), review.corrections)
    source = {**source, "processes": processes}
    index = build_index(source, exact_units=exact_units)
    stats = Stats()
    parsed = parse_processes(source, index, stats)
    allocations: list[dict[str, Any]] = []
    if review.allocate:
        table = review.refinery
        check_names(table, {fid: flow.name for fid, flow in index.flows.items()})
        parsed, allocations = allocate(
            parsed, table.kg_per_unit, table.mj_per_kg, Path(table.path).name
        )
        feedstock_per_unit(allocations, parsed.exchanges, table)
    preferred = resolve_preferences(review.providers, parsed.activities)
    linked = link(
        parsed, index.flows, stats.notes, preferred=preferred, orphans=review.link_orphans
    )
    methane = qualify_methane(linked, parsed.activities, index.flows) if review.methane else []
    tables = {
        "activities": activity_rows(parsed.activities),
        "technosphere": stats.sum_rows(
            linked.technosphere, "technosphere", linked.technosphere_spread
        ),
        "biosphere": stats.sum_rows(linked.biosphere, "biosphere", linked.biosphere_spread),
        "flows": flow_rows(index, linked.flows_used, linked.derived),
        "unlinked": unlinked_rows(linked.unlinked),
    }
    report = make_report(source, tables, linked, index, stats, commit, parsed.activities)
    chosen = providers_chosen(review.providers, preferred, parsed.activities, linked)
    report.update(review_report(review, applied, allocations, chosen, linked, methane))
    return Build(tables, report)


def build(
    source: Path,
    out: Path,
    *,
    exact_units: bool = True,
    commit: str | None = None,
    corrections: Path | None = None,
) -> dict[str, Any]:
    """Read ``source``, convert it and write the background database to ``out``.

    The reviewed inputs beside the tables in ``out`` are applied (see
    :func:`footprint.background.importers.review.load_review`); ``corrections`` overrides
    ``out/corrections.csv``.

    Raises:
        BackgroundError: a reviewed input is malformed or does not match the source.
    """
    review = load_review(out, corrections)
    data = read_source(source)
    result = build_tables(
        data, exact_units=exact_units, commit=commit or source_commit(source), review=review
    )
    return write_build(result, out)
