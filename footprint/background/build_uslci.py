"""Reproducible build of the shipped USLCI background database from openLCA JSON-LD.

Run::

    python -m footprint.background.build_uslci --source /path/to/uslci/jsonld-olca1.5

The source is the openLCA 1.5 JSON-LD export of the US Federal LCA Commons' USLCI
(``FLCAC-admin/uslci-content``). The files are read with bw2io's ``JSONLDExtractor``; everything
after reading is done here, because bw2io's JSON-LD strategies mishandle this schema (they convert
an amount to the unit group's reference unit but keep the label of the unit it was stated in when
the flow reference has no ``refUnit``, ignore flow-property factors, and crash on openLCA 1.5
category references).

Outputs (gzip CSV with mtime 0, rows sorted, floats written with ``repr``) are described in
``inventories/background/uslci/README.md``. Nothing here runs at import time; the shipped package
never reads the source data.
"""

from __future__ import annotations

import argparse
import atexit
import csv
import gzip
import hashlib
import io
import json
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from footprint.background.allocation import allocate
from footprint.background.corrections import FILE_NAME as CORRECTIONS_FILE
from footprint.background.corrections import apply_corrections
from footprint.background.ghg import classify_gas as classify_gas  # re-exported for callers
from footprint.background.ghg import normalise_cas, normalise_name
from footprint.background.lci import (
    LOGNORMAL,
    NORMAL,
    PRODUCT,
    TRIANGULAR,
    UNIFORM,
    Activity,
    Exchange,
    Flow,
    Parsed,
    Spread,
    UnlinkedRow,
    fmt,
    sum_rows,
)
from footprint.background.linking import (
    DerivedFlow,
    Linked,
    flow_table,
    link,
    resolve_preferences,
)
from footprint.background.linking import ghg_not_characterised as ghg_uncharacterised
from footprint.background.methane import qualify_methane
from footprint.background.refinery import check_names, feedstock_per_unit
from footprint.background.review import Review, load_review, providers_chosen, review_report
from footprint.background.store import write_columnar
from footprint.errors import FootprintError

logger = logging.getLogger(__name__)

JsonObj = dict[str, Any]
Source = dict[str, dict[str, JsonObj]]

DEFAULT_OUT = Path("inventories/background/uslci")

ACTIVITY_COLUMNS = (
    "id",
    "name",
    "location",
    "unit",
    "product",
    "product_flow",
    "category",
    "description_source",
    "valid_from",
    "valid_until",
)
TECHNOSPHERE_COLUMNS = ("consumer", "supplier", "amount")
BIOSPHERE_COLUMNS = ("activity", "flow", "amount")
# Optional columns after ``amount`` in technosphere and biosphere: the amount's distribution.
UNCERTAINTY_COLUMNS = ("uncertainty_type", "loc", "scale", "minimum", "maximum")
FLOW_COLUMNS = ("id", "name", "compartment", "unit", "cas", "gas", "origin", "kind")
UNLINKED_COLUMNS = ("activity", "activity_name", "flow", "flow_name", "amount", "unit", "reason")

# openLCA unit names -> unit strings the footprint unit registry parses (others are kept as is).
UNIT_LABELS: Mapping[str, str] = {
    "kg": "kg",
    "t": "t",
    "g": "g",
    "kWh": "kWh",
    "MJ": "MJ",
    "m3": "m3",
    "l": "L",
    "L": "L",
    "m2": "m2",
    "m": "m",
    "t*km": "tkm",
    "kg*km": "kgkm",
    "Item(s)": "piece",
    "p": "piece",
    "unit": "piece",
    "btu": "btu",
    "d": "day",
    "h": "hour",
    "kBq": "kBq",
    "Bq": "Bq",
    "m2*a": "m2*a",
    "m3*a": "m3*a",
    "m*a": "m*a",
    "kg*a": "kg*a",
    "p*km": "pkm",
    "v*km": "vkm",
}

# Exact definitions of units whose openLCA 1.5 unit-group factors are rounded (e.g. cu ft = 0.02
# m3). Keyed by (unit, reference unit of its group); used when the source factor differs by more
# than EXACT_FACTOR_TOLERANCE (relative), and every use is reported.
EXACT_FACTORS: Mapping[tuple[str, str], float] = {
    ("cu ft", "m3"): 0.028316846592,
    ("in3", "m3"): 1.6387064e-05,
    ("yd3", "m3"): 0.764554857984,
    ("gal", "m3"): 0.003785411784,
    ("gal (US liq)", "m3"): 0.003785411784,
    ("gal (US fl)", "m3"): 0.003785411784,
    ("gal (Imp)", "m3"): 0.00454609,
    ("bbl", "m3"): 0.158987294928,
    ("btu", "MJ"): 0.00105505585262,
    ("kcal", "MJ"): 0.0041868,
    ("lb av", "kg"): 0.45359237,
    ("oz av", "kg"): 0.028349523125,
    ("sh tn", "kg"): 907.18474,
    ("long tn", "kg"): 1016.0469088,
    ("in", "m"): 0.0254,
    ("ft", "m"): 0.3048,
    ("yd", "m"): 0.9144,
    ("mi", "m"): 1609.344,
    ("in2", "m2"): 0.00064516,
    ("ft2", "m2"): 0.09290304,
    ("yd2", "m2"): 0.83612736,
    ("p*mi", "p*km"): 1.609344,
}
EXACT_FACTOR_TOLERANCE = 1e-4

# --- source model -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    name: str
    factor: float
    reference: str


@dataclass
class Index:
    """Everything a process refers to, keyed by ``@id``."""

    units_by_group: dict[str, dict[str, Unit]]
    group_of_property: dict[str, str]
    group_names: dict[str, str]
    flows: dict[str, Flow]
    categories: dict[str, str]
    locations: dict[str, str]
    exact_units: bool = True


class UnitProblem(Exception):
    """An exchange amount cannot be converted to its flow's reference unit."""


@dataclass(frozen=True)
class Amount:
    value: float
    unit: str
    conversion: tuple[str, str] | None
    corrected: tuple[str, str, float, float] | None
    factor: float = 1.0  # value = stated amount × factor


def _clean(text: Any) -> str:
    return " ".join(str(text).split()) if text is not None else ""


def _category_paths(categories: Mapping[str, JsonObj]) -> dict[str, str]:
    def path(cid: str, seen: frozenset[str] = frozenset()) -> str:
        cat = categories.get(cid)
        if cat is None or cid in seen:
            return ""
        parent = (cat.get("category") or {}).get("@id")
        prefix = path(parent, seen | {cid}) if parent else ""
        return f"{prefix}/{_clean(cat['name'])}" if prefix else _clean(cat["name"])

    return {cid: path(cid) for cid in categories}


def _unit_index(groups: Mapping[str, JsonObj]) -> dict[str, dict[str, Unit]]:
    index: dict[str, dict[str, Unit]] = {}
    for gid, group in groups.items():
        units = group.get("units", [])
        ref = next((u["name"] for u in units if u.get("referenceUnit")), "")
        by_key: dict[str, Unit] = {}
        for u in units:
            unit = Unit(u["name"], float(u["conversionFactor"]), ref)
            by_key[u["@id"]] = unit
            for alias in [u["name"], *u.get("synonyms", [])]:
                by_key.setdefault(f"name:{alias}", unit)
        index[gid] = by_key
    return index


def _flow(obj: JsonObj, categories: Mapping[str, str]) -> Flow:
    factors = {
        p["flowProperty"]["@id"]: float(p.get("conversionFactor", 1.0))
        for p in obj.get("flowProperties", [])
    }
    refs = [p for p in obj.get("flowProperties", []) if p.get("referenceFlowProperty")]
    ref = refs[0]["flowProperty"]["@id"] if refs else next(iter(factors), "")
    category = categories.get((obj.get("category") or {}).get("@id", ""), "")
    return Flow(
        id=obj["@id"],
        name=_clean(obj["name"]),
        flow_type=obj.get("flowType", ""),
        category=category,
        cas=normalise_cas(obj.get("cas")),
        reference_property=ref,
        property_factors=factors,
    )


def build_index(source: Source, *, exact_units: bool = True) -> Index:
    """Index unit groups, flow properties, flows, categories and locations."""
    categories = _category_paths(source.get("categories", {}))
    groups = source.get("unit_groups", {})
    return Index(
        units_by_group=_unit_index(groups),
        group_of_property={
            fid: fp["unitGroup"]["@id"] for fid, fp in source.get("flow_properties", {}).items()
        },
        group_names={gid: g.get("name", "") for gid, g in groups.items()},
        flows={fid: _flow(f, categories) for fid, f in source.get("flows", {}).items()},
        categories=categories,
        locations={
            lid: loc.get("code") or loc.get("name", "")
            for lid, loc in source.get("locations", {}).items()
        },
        exact_units=exact_units,
    )


def _unit_factor(unit: Unit, exact: bool) -> tuple[float, tuple[str, str, float, float] | None]:
    best = EXACT_FACTORS.get((unit.name, unit.reference)) if exact else None
    if best is None or abs(unit.factor - best) <= EXACT_FACTOR_TOLERANCE * best:
        return unit.factor, None
    return best, (unit.name, unit.reference, unit.factor, best)


def _find_unit(index: Index, group_id: str, ref: JsonObj) -> Unit:
    units = index.units_by_group.get(group_id, {})
    unit = units.get(ref.get("@id", "")) or units.get(f"name:{ref.get('name', '')}")
    if unit is None:
        raise UnitProblem("unknown unit")
    return unit


def convert(index: Index, flow: Flow, exchange: JsonObj) -> Amount:
    """The exchange amount in the flow's reference unit (of its reference flow property)."""
    prop = (exchange.get("flowProperty") or {}).get("@id") or flow.reference_property
    if prop not in flow.property_factors or flow.reference_property not in flow.property_factors:
        raise UnitProblem("unknown flow property")
    unit = _find_unit(index, index.group_of_property.get(prop, ""), exchange.get("unit") or {})
    factor, corrected = _unit_factor(unit, index.exact_units)
    value = float(exchange["amount"]) * factor
    if prop != flow.reference_property:
        ratio = flow.property_factors[flow.reference_property] / flow.property_factors[prop]
        value = value / flow.property_factors[prop] * flow.property_factors[flow.reference_property]
        factor *= ratio
    target = reference_unit(index, flow)
    pair = (unit.name, target) if (unit.name != target or prop != flow.reference_property) else None
    return Amount(value, target, pair, corrected, factor)


def reference_unit(index: Index, flow: Flow) -> str:
    """The openLCA name of the flow's reference unit."""
    units = index.units_by_group.get(index.group_of_property.get(flow.reference_property, ""), {})
    return next((u.reference for u in units.values()), "")


def unit_label(name: str) -> str:
    """The unit string written to the output files."""
    return UNIT_LABELS.get(name, name)


def is_currency(index: Index, flow: Flow) -> bool:
    group = index.group_of_property.get(flow.reference_property, "")
    return "currency" in index.group_names.get(group, "").lower()


# --- uncertainty ------------------------------------------------------------------------------

#: A distribution whose mean is further than this factor from the amount is not used.
PLAUSIBLE_MEAN_FACTOR = 10.0


def _number(data: JsonObj, key: str) -> float:
    value = data.get(key)
    try:
        return float(value) if value is not None else math.nan
    except (TypeError, ValueError):
        return math.nan


def _source_spread(data: JsonObj, stated: float) -> Spread | str:
    """The distribution of an openLCA ``uncertainty`` object in the stated unit, or why it is unused."""
    kind = data.get("distributionType")
    if kind == "LOG_NORMAL_DISTRIBUTION":
        centre, gsd = _number(data, "geomMean"), _number(data, "geomSd")
        if not gsd > 1:
            return "lognormal with geomSd <= 1 (no spread)"
        if math.isnan(centre) or abs(centre - stated) <= 1e-9 * abs(stated):
            centre = stated
        if centre == 0 or centre * stated < 0:
            return "lognormal with a zero geometric mean or one of the other sign"
        return Spread(LOGNORMAL, loc=math.log(abs(centre)), scale=math.log(gsd))
    if kind == "NORMAL_DISTRIBUTION":
        mean, sd = _number(data, "mean"), _number(data, "sd")
        if not sd > 0 or not math.isfinite(mean):
            return "normal without a mean or a positive sd"
        return Spread(NORMAL, loc=mean, scale=sd)
    if kind in ("TRIANGLE_DISTRIBUTION", "UNIFORM_DISTRIBUTION"):
        low, high = _number(data, "minimum"), _number(data, "maximum")
        if not (math.isfinite(low) and math.isfinite(high)):
            return "range without a finite minimum and maximum"
        if low > high:
            low, high = high, low
        if low == high:
            return "range of zero width"
        if not low <= stated <= high:
            return "amount outside its range"
        if kind == "UNIFORM_DISTRIBUTION":
            return Spread(UNIFORM, minimum=low, maximum=high)
        mode = _number(data, "mode")
        if not low <= mode <= high:
            return "triangle mode outside its range"
        return Spread(TRIANGULAR, loc=mode, minimum=low, maximum=high)
    return f"unsupported distribution {kind}"


def exchange_spread(exchange: JsonObj, k: float, stats: Stats, activity: str = "") -> Spread | None:
    """The exchange's distribution scaled like its amount (stated amount × ``k``), or None.

    Distributions that contradict the amount (outside their range, sign, mean more than
    PLAUSIBLE_MEAN_FACTOR from it) are not used; the reasons are counted in ``stats``.
    """
    data = exchange.get("uncertainty")
    if not data:
        return None
    kind = str(data.get("distributionType", "missing"))
    stats.uncertainty[f"read {kind}"] += 1
    stated = float(exchange["amount"])
    spread = _source_spread(data, stated) if stated and k else "amount zero"
    if isinstance(spread, Spread):
        mean = spread.mean(stated)
        ratio = mean / stated
        if not 1 / PLAUSIBLE_MEAN_FACTOR <= ratio <= PLAUSIBLE_MEAN_FACTOR:
            stats.implausible.append(
                {
                    "activity": activity,
                    "flow": (exchange.get("flow") or {}).get("@id", ""),
                    "flow_name": _clean((exchange.get("flow") or {}).get("name")),
                    "amount": stated,
                    "distribution": kind,
                    "distribution_mean": mean,
                }
            )
            spread = f"mean more than {PLAUSIBLE_MEAN_FACTOR:g} times the amount or a tenth of it"
    if isinstance(spread, str):
        stats.uncertainty[f"not used: {spread}"] += 1
        return None
    if spread.kind in (UNIFORM, TRIANGULAR) and _number(data, "minimum") > _number(data, "maximum"):
        stats.uncertainty["used with minimum and maximum swapped back"] += 1
    stats.uncertainty[f"used {kind}"] += 1
    return spread.scaled(k)


# --- processes --------------------------------------------------------------------------------


@dataclass
class Stats:
    """Counters collected during the build (all written to the report)."""

    conversions: Counter[str] = field(default_factory=Counter)
    corrections: dict[tuple[str, str, float, float], int] = field(default_factory=dict)
    notes: Counter[str] = field(default_factory=Counter)
    suspect_references: list[dict[str, str]] = field(default_factory=list)
    uncertainty: Counter[str] = field(default_factory=Counter)
    implausible: list[dict[str, Any]] = field(default_factory=list)

    def record(self, amount: Amount) -> None:
        if amount.conversion:
            self.conversions[f"{amount.conversion[0]} -> {amount.conversion[1]}"] += 1
        if amount.corrected:
            self.corrections[amount.corrected] = self.corrections.get(amount.corrected, 0) + 1


def _reference_exchange(process: JsonObj, index: Index, stats: Stats) -> JsonObj | None:
    exchanges: list[JsonObj] = process.get("exchanges", [])
    flagged = [e for e in exchanges if e.get("quantitativeReference")]
    if len(flagged) > 1:
        stats.notes["processes with several flagged references (first used)"] += 1
    if flagged:
        return flagged[0]
    outputs = [
        e
        for e in exchanges
        if not e.get("input") and _flow_type(index, e) == PRODUCT and not e.get("avoidedProduct")
    ]
    if len(outputs) == 1:
        stats.notes["processes with reference inferred (single product output)"] += 1
        return outputs[0]
    return None


def _check_reference(process: JsonObj, ref: JsonObj, index: Index, stats: Stats) -> None:
    """Note a flagged reference that is not the product the process is named after."""
    name = normalise_name(_clean(process.get("name")))
    if normalise_name(_clean(ref["flow"].get("name"))) == name:
        return
    for exchange in process.get("exchanges", []):
        if (
            exchange is not ref
            and not exchange.get("input")
            and _flow_type(index, exchange) == PRODUCT
            and normalise_name(_clean(exchange["flow"].get("name"))) == name
        ):
            stats.suspect_references.append(
                {
                    "id": process["@id"],
                    "name": _clean(process.get("name")),
                    "flagged_reference": _clean(ref["flow"].get("name")),
                    "unflagged_output_named_like_process": exchange["flow"]["@id"],
                }
            )
            return


def _flow_type(index: Index, exchange: JsonObj) -> str:
    flow = index.flows.get(exchange["flow"]["@id"])
    return flow.flow_type if flow else exchange["flow"].get("flowType", "")


def _activity(process: JsonObj, ref: JsonObj, flow: Flow, index: Index) -> Activity:
    doc = process.get("processDocumentation") or {}
    location = process.get("location") or {}
    return Activity(
        id=process["@id"],
        name=_clean(process.get("name")),
        location=index.locations.get(location.get("@id", ""), _clean(location.get("name"))),
        unit=unit_label(reference_unit(index, flow)),
        product=flow.name,
        product_flow=flow.id,
        category=index.categories.get((process.get("category") or {}).get("@id", ""), ""),
        description_source=_clean((doc.get("publication") or {}).get("name")),
        valid_from=str(doc.get("validFrom", ""))[:10],
        valid_until=str(doc.get("validUntil", ""))[:10],
        reference_is_input=bool(ref.get("input")),
    )


def _exchange(
    process: JsonObj, exchange: JsonObj, scale: float, index: Index, stats: Stats
) -> Exchange:
    ref = exchange["flow"]
    flow = index.flows.get(ref["@id"])
    amount = float(exchange["amount"]) / scale
    unit, problem = (exchange.get("unit") or {}).get("name", ""), ""
    spread: Spread | None = None
    if flow is None:
        problem = "unknown flow"
    elif is_currency(index, flow):
        problem = "currency flow (not physical)"
    else:
        try:
            converted = convert(index, flow, exchange)
        except UnitProblem as exc:
            problem = str(exc)
        else:
            stats.record(converted)
            amount, unit = converted.value / scale, unit_label(converted.unit)
            spread = exchange_spread(exchange, converted.factor / scale, stats, process["@id"])
    return Exchange(
        activity=process["@id"],
        flow=ref["@id"],
        flow_name=flow.name if flow else _clean(ref.get("name")),
        flow_type=flow.flow_type if flow else ref.get("flowType", ""),
        amount=amount,
        unit=unit,
        is_input=bool(exchange.get("input")),
        avoided=bool(exchange.get("avoidedProduct")),
        default_provider=(exchange.get("defaultProvider") or {}).get("@id", ""),
        problem=problem,
        spread=spread,
    )


def _skip(parsed: Parsed, process: JsonObj, reason: str) -> None:
    parsed.unlinked.append(
        UnlinkedRow(process["@id"], _clean(process.get("name")), "", "", None, "", reason)
    )


def parse_process(process: JsonObj, index: Index, stats: Stats, parsed: Parsed) -> None:
    """Add one process (as an activity normalised to one reference unit) to ``parsed``."""
    ref = _reference_exchange(process, index, stats)
    flow = index.flows.get(ref["flow"]["@id"]) if ref else None
    if ref is None or flow is None:
        _skip(parsed, process, "no reference product (process skipped)")
        return
    try:
        amount = convert(index, flow, ref)
    except UnitProblem as exc:
        _skip(parsed, process, f"reference exchange: {exc} (process skipped)")
        return
    if amount.value == 0.0 or not math.isfinite(amount.value):
        _skip(parsed, process, "zero reference amount (process skipped)")
        return
    stats.record(amount)
    _check_reference(process, ref, index, stats)
    parsed.activities[process["@id"]] = _activity(process, ref, flow, index)
    for exchange in process.get("exchanges", []):
        if exchange is not ref:
            parsed.exchanges.append(_exchange(process, exchange, amount.value, index, stats))


def parse_processes(source: Source, index: Index, stats: Stats) -> Parsed:
    parsed = Parsed()
    for pid in sorted(source.get("processes", {})):
        process = source["processes"][pid]
        stats.notes[f"process type {process.get('processType', 'unknown')}"] += 1
        if process.get("allocationFactors"):
            stats.notes["processes with allocation factors (ignored, no allocation)"] += 1
        parse_process(process, index, stats, parsed)
    return parsed


# --- output -----------------------------------------------------------------------------------


def _sum_rows(
    pairs: Mapping[tuple[str, str], list[float]],
    stats: Stats,
    what: str,
    spreads: Mapping[tuple[str, str], list[Spread | None]] | None = None,
) -> list[tuple[str, ...]]:
    """:func:`~footprint.background.lci.sum_rows`, counting in ``stats``."""
    return sum_rows(pairs, what, stats.notes, stats.uncertainty, spreads)


def activity_rows(activities: Mapping[str, Activity]) -> list[tuple[str, ...]]:
    """The activities table; with the ``name_zh`` column when any activity has a Chinese name."""
    acts = sorted(activities.values(), key=lambda a: a.id)
    chinese = any(a.name_zh for a in acts)
    return [
        (
            a.id,
            a.name,
            a.location,
            a.unit,
            a.product,
            a.product_flow,
            a.category,
            a.description_source,
            a.valid_from,
            a.valid_until,
            *((a.name_zh,) if chinese else ()),
        )
        for a in acts
    ]


def flow_rows(
    index: Index, used: Iterable[str], derived: Mapping[str, DerivedFlow] | None = None
) -> list[tuple[str, ...]]:
    """The flows table: source flows as classified, ``derived`` ones as they were made."""
    return flow_table(
        index.flows, lambda f: unit_label(reference_unit(index, f)), used, derived or {}
    )


def unlinked_rows(rows: Iterable[UnlinkedRow]) -> list[tuple[str, ...]]:
    out = [
        (r.activity, r.activity_name, r.flow, r.flow_name, fmt(r.amount), r.unit, r.reason)
        for r in rows
    ]
    return sorted(out)


def csv_gz_bytes(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A gzip-compressed CSV (UTF-8, ``\\n`` line ends) with a fixed gzip header (mtime 0)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return gzip.compress(buffer.getvalue().encode("utf-8"), compresslevel=9, mtime=0)


def write_bytes(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path`` and return its sha256."""
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


# --- report -----------------------------------------------------------------------------------


def _reason_key(reason: str) -> str:
    return reason.split(":", 1)[0]


def units_emitted(tables: Mapping[str, Sequence[tuple[str, ...]]]) -> dict[str, list[str]]:
    return {
        "activities": sorted({row[3] for row in tables["activities"]}),
        "flows": sorted({row[3] for row in tables["flows"]}),
        "unlinked": sorted({row[5] for row in tables["unlinked"]}),
    }


def multi_output_activities(unlinked: Sequence[tuple[str, ...]]) -> list[dict[str, Any]]:
    """Activities with co-products (no allocation: the reference product carries everything)."""
    counts = Counter((row[0], row[1]) for row in unlinked if row[6].startswith("extra output"))
    return [
        {"id": aid, "name": name, "co_products": n}
        for (aid, name), n in sorted(counts.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]


def ghg_not_characterised(
    index: Index, linked: Linked, activities: Mapping[str, Activity]
) -> list[dict[str, Any]]:
    """:func:`~footprint.background.linking.ghg_not_characterised` of the indexed flows."""
    return ghg_uncharacterised(index.flows, linked, activities)


@dataclass(frozen=True)
class Build:
    tables: dict[str, list[tuple[str, ...]]]
    report: dict[str, Any]


def table_counts(
    processes_read: int, tables: Mapping[str, Sequence[Any]], linked_before_merge: int
) -> dict[str, int]:
    """The counts every import report carries, from the written tables."""
    return {
        "processes_read": processes_read,
        "activities_written": len(tables["activities"]),
        "technosphere_exchanges": len(tables["technosphere"]),
        "biosphere_exchanges": len(tables["biosphere"]),
        "elementary_flows": len(tables["flows"]),
        "flows_with_gas": sum(1 for row in tables["flows"] if row[5]),
        "unlinked_exchanges": len(tables["unlinked"]),
        "self_loops": sum(1 for row in tables["technosphere"] if row[0] == row[1]),
        "negative_technosphere_amounts": sum(
            1 for row in tables["technosphere"] if float(row[2]) < 0
        ),
        "exchanges_linked_before_merge": linked_before_merge,
    }


def _counts(source: Source, tables: Mapping[str, Sequence[Any]], linked: Linked) -> dict[str, int]:
    before = sum(len(v) for v in linked.technosphere.values())
    return table_counts(len(source.get("processes", {})), tables, before)


def make_report(
    source: Source,
    tables: Mapping[str, Sequence[tuple[str, ...]]],
    linked: Linked,
    index: Index,
    stats: Stats,
    commit: str,
    activities: Mapping[str, Activity],
) -> dict[str, Any]:
    gas_counts = Counter(row[5] for row in tables["flows"] if row[5])
    return {
        "dataset": "USLCI (US Federal LCA Commons)",
        "source_repository": "FLCAC-admin/uslci-content",
        "source_commit": commit,
        "source_format": "openLCA JSON-LD (openLCA 1.5 schema)",
        "reader": "bw2io.extractors.json_ld.JSONLDExtractor",
        "sources": [
            f"USLCI, US Federal LCA Commons (FLCAC-admin/uslci-content {commit}), MIT licence"
        ],
        "counts": _counts(source, tables, linked),
        "flows_by_gas": dict(sorted(gas_counts.items())),
        "unlinked_by_reason": dict(
            sorted(Counter(_reason_key(row[6]) for row in tables["unlinked"]).items())
        ),
        "unit_conversions": dict(sorted(stats.conversions.items())),
        "unit_factor_corrections": [
            {"unit": u, "to": r, "source_factor": s, "exact_factor": e, "exchanges": n}
            for (u, r, s, e), n in sorted(stats.corrections.items())
        ],
        "notes": dict(sorted(stats.notes.items())),
        "units_emitted": units_emitted(tables),
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
    }


def build_tables(
    source: Source,
    *,
    exact_units: bool = True,
    commit: str = "unknown",
    review: Review | None = None,
) -> Build:
    """Convert an extracted JSON-LD source into output tables and a report (no files written).

    ``review`` (see :mod:`footprint.background.review`) adds reviewed corrections, applied to the
    source first, mass allocation of multi-output processes, preferred providers, the linking
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
        "technosphere": _sum_rows(
            linked.technosphere, stats, "technosphere", linked.technosphere_spread
        ),
        "biosphere": _sum_rows(linked.biosphere, stats, "biosphere", linked.biosphere_spread),
        "flows": flow_rows(index, linked.flows_used, linked.derived),
        "unlinked": unlinked_rows(linked.unlinked),
    }
    report = make_report(source, tables, linked, index, stats, commit, parsed.activities)
    chosen = providers_chosen(review.providers, preferred, parsed.activities, linked)
    report.update(review_report(review, applied, allocations, chosen, linked, methane))
    return Build(tables, report)


# --- reading ----------------------------------------------------------------------------------


def _isolate_brightway() -> None:
    """Point bw2data (imported by bw2io) at a throw-away directory unless already configured."""
    if "bw2data" in sys.modules or "BRIGHTWAY2_DIR" in os.environ:
        return
    tmp = tempfile.mkdtemp(prefix="footprint-build-uslci-bw2-")
    os.environ["BRIGHTWAY2_DIR"] = tmp
    atexit.register(shutil.rmtree, tmp, True)


def read_source(source: Path) -> Source:
    """Read a JSON-LD directory with bw2io's extractor, keyed by folder and ``@id``."""
    if not source.is_dir():
        raise FileNotFoundError(f"source directory {source} not found")
    _isolate_brightway()
    from bw2io.extractors.json_ld import JSONLDExtractor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the extractor leaves files open
        raw: dict[str, dict[str, JsonObj]] = JSONLDExtractor.extract(source, add_filename=False)
    return {
        folder: {obj["@id"]: obj for obj in objects.values() if "@id" in obj}
        for folder, objects in raw.items()
    }


def source_commit(source: Path) -> str:
    """The upstream commit named in a NOTICE.md beside or above the source directory."""
    for notice in (source / "NOTICE.md", source.parent / "NOTICE.md"):
        if notice.is_file():
            match = re.search(r"commit\s+([0-9a-f]{40})", notice.read_text(encoding="utf-8"))
            if match:
                return match.group(1)
    return "unknown"


OUTPUT_FILES = {
    "activities": ("activities.csv.gz", ACTIVITY_COLUMNS),
    "technosphere": ("technosphere.csv.gz", TECHNOSPHERE_COLUMNS),
    "biosphere": ("biosphere.csv.gz", BIOSPHERE_COLUMNS),
    "flows": ("flows.csv.gz", FLOW_COLUMNS),
    "unlinked": ("unlinked.csv.gz", UNLINKED_COLUMNS),
}


#: Optional columns after the required ones of a table, written when its rows carry them.
OPTIONAL_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "activities": ("name_zh",),
    "technosphere": UNCERTAINTY_COLUMNS,
    "biosphere": UNCERTAINTY_COLUMNS,
}


def _header(key: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> Sequence[str]:
    """``columns``, with the OPTIONAL_COLUMNS of table ``key`` when the rows carry them."""
    optional = OPTIONAL_COLUMNS.get(key, ())
    if rows and len(rows[0]) == len(columns) + len(optional):
        return (*columns, *optional)
    return columns


def write_build(build: Build, out: Path) -> dict[str, Any]:
    """Write the tables and ``build_report.json`` into ``out``; return the report."""
    out.mkdir(parents=True, exist_ok=True)
    hashes = {
        name: write_bytes(
            out / name, csv_gz_bytes(_header(key, columns, build.tables[key]), build.tables[key])
        )
        for key, (name, columns) in OUTPUT_FILES.items()
    }
    write_columnar(out)  # binary copies, read in place of matching CSV tables
    report = {**build.report, "files_sha256": dict(sorted(hashes.items()))}
    text = json.dumps(report, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    (out / "build_report.json").write_text(text, encoding="utf-8")
    return report


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
    :func:`footprint.background.review.load_review`); ``corrections`` overrides
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m footprint.background.build_uslci",
        description="Build the shipped USLCI background database from openLCA JSON-LD.",
    )
    parser.add_argument("--source", type=Path, required=True, help="JSON-LD directory")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--commit", default=None, help="upstream commit (default: NOTICE.md)")
    parser.add_argument(
        "--corrections",
        type=Path,
        default=None,
        help=f"reviewed corrections CSV (default: OUT/{CORRECTIONS_FILE} when present)",
    )
    parser.add_argument(
        "--source-unit-factors",
        action="store_true",
        help="use the unit groups' factors even where they are rounded (e.g. cu ft = 0.02 m3)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    args = _parser().parse_args(argv)
    try:
        report = build(
            args.source,
            args.out,
            exact_units=not args.source_unit_factors,
            commit=args.commit,
            corrections=args.corrections,
        )
    except FootprintError as exc:
        sys.stderr.write(f"error: {exc.message}\n")
        return exc.exit_code
    counts = report["counts"]
    sys.stdout.write(
        f"wrote {args.out}: {counts['activities_written']} activities, "
        f"{counts['technosphere_exchanges']} technosphere, "
        f"{counts['biosphere_exchanges']} biosphere, {counts['elementary_flows']} flows, "
        f"{counts['unlinked_exchanges']} unlinked\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
