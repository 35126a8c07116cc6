"""Reading an openLCA JSON-LD export: the source model, its index, and amounts in reference units.

The files are read with bw2io's ``JSONLDExtractor``; everything after reading is done by this
package, because bw2io's JSON-LD strategies mishandle the openLCA 1.5 schema (see
:mod:`footprint.background.importers.openlca`). Nothing here runs at import time.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from footprint.background.brightway import extractor
from footprint.background.importers.gases import normalise_cas
from footprint.background.importers.tables import Flow
from footprint.background.importers.unit_aliases import unit_alias

JsonObj = dict[str, Any]
Source = dict[str, dict[str, JsonObj]]

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


def clean(text: Any) -> str:
    """``text`` with its whitespace collapsed ('' for None)."""
    return " ".join(str(text).split()) if text is not None else ""


def _category_paths(categories: Mapping[str, JsonObj]) -> dict[str, str]:
    def path(cid: str, seen: frozenset[str] = frozenset()) -> str:
        cat = categories.get(cid)
        if cat is None or cid in seen:
            return ""
        parent = (cat.get("category") or {}).get("@id")
        prefix = path(parent, seen | {cid}) if parent else ""
        return f"{prefix}/{clean(cat['name'])}" if prefix else clean(cat["name"])

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
        name=clean(obj["name"]),
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
    return unit_alias("openlca", name)


def is_currency(index: Index, flow: Flow) -> bool:
    """Whether the flow is measured in money (its unit group is a currency)."""
    group = index.group_of_property.get(flow.reference_property, "")
    return "currency" in index.group_names.get(group, "").lower()


def read_source(source: Path) -> Source:
    """Read a JSON-LD directory with bw2io's extractor, keyed by folder and ``@id``."""
    if not source.is_dir():
        raise FileNotFoundError(f"source directory {source} not found")
    json_ld = extractor("json_ld")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the extractor leaves files open
        raw: dict[str, dict[str, JsonObj]] = json_ld.extract(source, add_filename=False)
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
