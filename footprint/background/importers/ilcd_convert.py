"""Convert an ILCD archive (see :mod:`footprint.background.importers.ilcd`) into background tables.

Each process becomes one activity making one unit of its reference flow (amounts divided by the
reference amount, which is often not 1); exchanges are converted to their flow's reference unit
(:mod:`footprint.background.importers.ilcd_units`) and linked by
:mod:`footprint.background.importers.linking`. A product input made by several data sets goes to
the one at the consumer's location, else at the nearest enclosing one (a city code ``HA-JS-CN``
-> its province ``JS-CN`` -> ``CN`` -> ``GLO``); several at that level, or none on the way, leave
it listed as an ambiguous provider, not guessed.
Elementary flows are characterised by :mod:`footprint.background.importers.gases`.

Two kinds of TianGong data set get a caveat (``suspect_references`` in the report, shown with the
activity): the pollution-census coefficients (names ending ``NESPS2``), which carry no energy or
material inputs and are never linked as providers, and spend-based input-output sectors (CEEIO),
whose money unit and price year are stated. Everything not linked is listed in ``unlinked`` with
its reason; references to flow data sets absent from the archive are listed and counted with the
data set that makes them. Nothing runs at import time.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from footprint.background.importers.ilcd import (
    ExchangeRecord,
    IlcdData,
    ProcessRecord,
    read_archive,
)
from footprint.background.importers.ilcd_uncertainty import CONVENTION, exchange_spread
from footprint.background.importers.ilcd_units import UnitProblem
from footprint.background.importers.linking import (
    Linked,
    flow_table,
    ghg_not_characterised,
    link,
    unlink_singular_loops,
)
from footprint.background.importers.tables import (
    ELEMENTARY,
    PRODUCT,
    UNCERTAINTY_COLUMNS,
    Activity,
    Build,
    Exchange,
    Flow,
    Parsed,
    UnlinkedRow,
    activity_rows,
    import_report,
    multi_output_activities,
    source_meta,
    sum_rows,
    table_counts,
    unlinked_rows,
)
from footprint.inventory.uncertainty import Distribution

Progress = Callable[[int, int], None]

READER = "footprint ILCD reader (lxml, entities and DTDs never loaded)"
CENSUS = re.compile(r"\bNESPS2\s*$")
CENSUS_PROVIDER = "pollution-census data sets (NESPS2), which carry no energy or material inputs"
CENSUS_NOTE = (
    "pollution-census coefficients (China's Second National Pollution Source Census, NESPS2): "
    "pollutant emissions per unit of product only, without energy or material inputs and mostly "
    "without CO2, so not cradle-to-gate greenhouse-gas data; never linked as a provider"
)
MISSING_FLOW = "flow data set missing from the archive"
_RATE = re.compile(r"(?:RMB|CNY)\s*:\s*EUR\s*=\s*([\d.]+)\s*:\s*1", re.IGNORECASE)


def is_census(process: ProcessRecord) -> bool:
    """Whether the data set is a pollution-census coefficient (its name ends with NESPS2)."""
    return bool(CENSUS.search(process.name))


def is_input_output(process: ProcessRecord) -> bool:
    """Whether the data set is a sector of the CEEIO input-output table."""
    return process.category.startswith("CEEIO") or "| CEEIO |" in process.name


def location_chain(code: str, known: Collection[str] = ()) -> list[str]:
    """``code`` and the locations enclosing it, nearest first, ending with ``GLO``.

    A TianGong city code ``HA-JS-CN`` is in province ``JS-CN``, in ``CN``. With ``known`` codes
    (``ILCDLocations.xml``), a suffix that is not one of them ends the chain (``EU-15`` is not
    in ``15``).
    """
    chain = [code] if code else []
    while "-" in code:
        code = code.split("-", 1)[1]
        if known and code not in known:
            break
        chain.append(code)
    if "GLO" not in chain:
        chain.append("GLO")
    return chain


@dataclass
class LocationChooser:
    """Picks, among several providers, the one at the consumer's location or the nearest
    enclosing one; '' when none is on the way or several share the nearest level."""

    activities: Mapping[str, Activity]
    known: Collection[str] = ()
    resolved: Counter[str] = field(default_factory=Counter)

    def __call__(self, consumer: Activity, candidates: Sequence[str]) -> str:
        for level, code in enumerate(location_chain(consumer.location, self.known)):
            here = [c for c in candidates if self.activities[c].location == code]
            if len(here) == 1:
                kind = "same location" if level == 0 else "enclosing location"
                self.resolved["global (GLO)" if level and code == "GLO" else kind] += 1
                return here[0]
            if here:
                return ""
        return ""


@dataclass
class Stats:
    notes: Counter[str] = field(default_factory=Counter)
    conversions: Counter[str] = field(default_factory=Counter)
    #: caveat -> the activities it is about (``suspect_groups`` in the report)
    suspect: dict[str, list[str]] = field(default_factory=dict)
    missing: dict[str, dict[str, Any]] = field(default_factory=dict)
    exchanges_read: int = 0
    #: read / used / not used distributions, by type and reason (``uncertainty`` in the report)
    uncertainty: Counter[str] = field(default_factory=Counter)
    #: exchanges whose uncertainty fields are not used, one record each
    not_used: list[dict[str, Any]] = field(default_factory=list)


def _fmt_year(year: str, end: bool) -> str:
    return f"{year}-12-31" if year and end else (f"{year}-01-01" if year else "")


def provenance(process: ProcessRecord) -> str:
    """Data generator, sources, licence and review of a data set, for the ``source`` column."""
    parts = [
        f"data generator: {process.generator}" if process.generator else "",
        f"source: {' | '.join(s for s in process.sources if s)}" if any(process.sources) else "",
        f"licence: {process.licence}" if process.licence else "",
        f"review: {process.review}" if process.review else "",
        f"ILCD data set type: {process.dataset_type}" if process.dataset_type else "",
    ]
    return "; ".join(p for p in parts if p)


def _amount(text: str | None) -> float | str:
    """The number, or why there is none."""
    if text is None or not text.strip():
        return "no amount"
    try:
        value = float(text)
    except ValueError:
        return f"amount is not a number: {text.strip()!r}"
    return value if math.isfinite(value) else f"amount is not a finite number: {text.strip()!r}"


class _Converter:
    """Turns the records of one archive into a :class:`Parsed` (activities and exchanges)."""

    def __init__(self, data: IlcdData, stats: Stats) -> None:
        self.data = data
        self.flows: dict[str, Flow] = {fid: f.flow for fid, f in data.flows.items()}
        self.stats = stats
        self.parsed = Parsed()

    def skip(self, process: ProcessRecord, reason: str, ref: ExchangeRecord | None = None) -> None:
        self.stats.notes["processes skipped"] += 1
        flow, name = (ref.flow, ref.flow_name) if ref else ("", "")
        self.parsed.unlinked.append(
            UnlinkedRow(
                process.id, process.name, flow, name, None, "", f"{reason} (process skipped)"
            )
        )

    def in_reference_unit(self, flow: Flow, value: float, prop: str) -> tuple[float, str]:
        """Raises: UnitProblem."""
        amount, label = self.data.units.amount(flow, value, prop)
        reference = self.data.units.reference(flow)
        if reference.note.endswith("kept as written"):
            self.stats.notes[f"amounts in {reference.label} (no such unit in the registry)"] += 1
        elif reference.note:
            self.stats.conversions[reference.note] += 1
        if prop and prop != flow.reference_property:
            named = self.data.units.properties[prop].name
            self.stats.conversions[f"flow property {named} -> {label}"] += 1
        return amount, label

    def missing(self, process: ProcessRecord, exchange: ExchangeRecord) -> None:
        entry = self.stats.missing.setdefault(
            exchange.flow,
            {"flow": exchange.flow, "name": exchange.flow_name, "exchanges": 0, "data_sets": []},
        )
        entry["exchanges"] += 1
        if process.id not in entry["data_sets"]:
            entry["data_sets"].append(process.id)

    def process(self, process: ProcessRecord) -> None:
        by_id = {e.internal_id: e for e in process.exchanges}
        refs = [by_id[r] for r in process.references if r in by_id]
        if not refs:
            self.skip(process, "no reference flow")
            return
        if len(refs) > 1:
            self.stats.notes["processes with several reference flows (first used)"] += 1
        ref = refs[0]
        flow = self.flows.get(ref.flow)
        if flow is None:
            self.missing(process, ref)
            self.skip(process, f"reference {MISSING_FLOW}", ref)
            return
        value = _amount(ref.amount)
        if isinstance(value, str):
            self.skip(process, f"reference exchange: {value}", ref)
            return
        try:
            scale, unit = self.in_reference_unit(flow, value, ref.prop)
        except UnitProblem as exc:
            self.skip(process, f"reference exchange: {exc}", ref)
            return
        if scale == 0.0:
            self.skip(process, "zero reference amount")
            return
        if scale != 1.0:
            self.stats.notes["processes normalised from a reference amount other than 1"] += 1
        if ref.uncertainty.given:
            self.stats.uncertainty[f"read {ref.uncertainty.kind}"] += 1
            self.stats.uncertainty["not used: reference exchange (one unit by definition)"] += 1
        census = is_census(process)
        activity = Activity(
            id=process.id,
            name=process.name,
            location=process.location,
            unit=unit,
            product=flow.name,
            product_flow=flow.id,
            category=process.category,
            description_source=provenance(process),
            valid_from=_fmt_year(process.reference_year, False),
            valid_until=_fmt_year(process.valid_until, True),
            reference_is_input=ref.is_input,
            name_zh=process.name_zh,
            not_provider=CENSUS_PROVIDER if census else "",
        )
        self.parsed.activities[process.id] = activity
        self.caveats(process, activity, flow)
        for exchange in process.exchanges:
            if exchange is not ref:
                self.exchange(process, exchange, scale)

    def caveats(self, process: ProcessRecord, activity: Activity, flow: Flow) -> None:
        notes = []
        if is_census(process):
            notes.append(CENSUS_NOTE)
            self.stats.notes["census data sets (never providers)"] += 1
        if self.data.units.is_currency(flow):
            notes.append(self.money_note(process, activity, flow))
        if flow.flow_type == ELEMENTARY:
            notes.append(
                f"its reference flow {flow.name!r} is an elementary flow: no input links to "
                "this activity, and its own reference emission or resource is not counted"
            )
            self.stats.notes["activities whose reference flow is an elementary flow"] += 1
        if notes:
            self.stats.suspect.setdefault("; ".join(notes), []).append(activity.id)

    def money_note(self, process: ProcessRecord, activity: Activity, flow: Flow) -> str:
        group = self.data.units.group_of(flow.reference_property)
        prop = self.data.units.properties[flow.reference_property].name
        kind = (
            "spend-based input-output sector (CEEIO 2018 table)"
            if is_input_output(process)
            else "a flow measured in money"
        )
        self.stats.notes[f"activities per unit of money ({kind.split(' (')[0]})"] += 1
        rate = _RATE.search(process.use_advice)
        year = process.reference_year or "not stated"
        return (
            f"{kind}: amounts per {activity.unit} as written (flow property {prop!r}, unit group "
            f"{group.name!r}); the unit registry has no currencies, so money units are kept as "
            f"written, never converted; price year {year}"
            + (f"; the data set converted CNY to EUR at {rate.group(1)} CNY/EUR" if rate else "")
        )

    def exchange(self, process: ProcessRecord, record: ExchangeRecord, scale: float) -> None:
        self.stats.exchanges_read += 1
        flow = self.flows.get(record.flow)
        value = _amount(record.amount)
        problem, amount, unit = "", math.nan, ""
        spread: Distribution | None = None
        if flow is None:
            self.missing(process, record)
            problem = MISSING_FLOW
            amount = value / scale if isinstance(value, float) else math.nan
        elif isinstance(value, str):
            problem = value
        elif value == 0.0:
            self.stats.notes["exchanges with amount zero (ignored)"] += 1
            return
        else:
            try:
                converted, unit = self.in_reference_unit(flow, value, record.prop)
            except UnitProblem as exc:
                problem = f"unit problem: {exc}"
            else:
                amount = converted / scale
                spread = self.spread(process, record, value, amount / value)
        if problem and record.uncertainty.given:
            self.stats.uncertainty[f"read {record.uncertainty.kind}"] += 1
            self.stats.uncertainty["not used: exchange not converted (in unlinked.csv.gz)"] += 1
        self.parsed.exchanges.append(
            Exchange(
                activity=process.id,
                flow=record.flow,
                flow_name=flow.name if flow else record.flow_name,
                flow_type=flow.flow_type if flow else "",
                amount=amount,
                unit=unit,
                is_input=record.is_input,
                avoided=False,
                default_provider="",
                problem=problem,
                spread=spread,
            )
        )

    def spread(
        self, process: ProcessRecord, record: ExchangeRecord, stated: float, k: float
    ) -> Distribution | None:
        """The distribution of the amount ``stated`` × ``k`` (its conversion and normalisation),
        or None; fields that cannot be used are counted and listed with their reason."""
        fields = record.uncertainty
        found = exchange_spread(fields, stated)
        if found is None:
            return None
        self.stats.uncertainty[f"read {fields.kind}"] += 1
        if isinstance(found, str):
            self.stats.uncertainty[f"not used: {found}"] += 1
            self.stats.not_used.append(
                {
                    "activity": process.id,
                    "flow": record.flow,
                    "flow_name": record.flow_name,
                    "amount": stated,
                    "distribution": fields.distribution or "",
                    "reason": found,
                }
            )
            return None
        self.stats.uncertainty[f"used {fields.kind}"] += 1
        return found.scaled(k)


def _product_inputs(parsed: Parsed, data: IlcdData) -> dict[str, int]:
    """Product inputs of the non-census data sets, and how many some data set makes (as its
    reference flow): the counts to compare with the source's own description."""
    makers = Counter(a.product_flow for a in parsed.activities.values() if not a.reference_is_input)
    out = Counter[str]()
    for e in parsed.exchanges:
        if not e.is_input or is_census(data.processes[e.activity]):
            continue
        if e.flow_type == PRODUCT or (not e.flow_type and e.problem == MISSING_FLOW):
            out["product_inputs"] += 1
            out["made_by_a_data_set"] += makers[e.flow] > 0
            out["made_by_several"] += makers[e.flow] > 1
    return dict(out)


def _exchange_counts(
    linked: Linked, tables: Mapping[str, Sequence[tuple[str, ...]]], stats: Stats, chooser: Any
) -> dict[str, int]:
    gas = {row[0]: bool(row[5]) for row in tables["flows"]}
    rows = [r for r in linked.unlinked if r.flow]
    biosphere = [(fid, len(v)) for (_, fid), v in linked.biosphere.items()]
    return {
        "read": stats.exchanges_read,
        "linked": sum(len(v) for v in linked.technosphere.values()),
        "linked_by_location": sum(chooser.resolved.values()),
        "ambiguous": sum(1 for r in rows if r.reason.startswith("ambiguous provider")),
        "unlinked": len(rows),
        "missing_flow_data_set": sum(1 for r in rows if r.reason == MISSING_FLOW),
        "biosphere": sum(n for _, n in biosphere),
        "characterised": sum(n for fid, n in biosphere if gas.get(fid)),
        "not_characterised": sum(n for fid, n in biosphere if not gas.get(fid)),
        "zero_ignored": stats.notes["exchanges with amount zero (ignored)"],
    }


def build_ilcd(data: IlcdData, meta: Mapping[str, Any]) -> Build:
    """Convert what :func:`~footprint.background.importers.ilcd.read_archive` read into tables
    and a report."""
    stats = Stats()
    converter = _Converter(data, stats)
    for pid in sorted(data.processes):
        converter.process(data.processes[pid])
    parsed = converter.parsed
    chooser = LocationChooser(parsed.activities, frozenset(data.locations))
    linked = link(parsed, converter.flows, stats.notes, choose=chooser)
    loops = unlink_singular_loops(linked, parsed)
    if loops:
        stats.notes["supply loops with no net output (unlinked)"] += loops

    def unit(flow: Flow) -> str:
        try:
            return data.units.reference(flow).label
        except UnitProblem:
            return ""

    # the uncertainty columns are written when some exchange carries a distribution
    spread = any(e.spread is not None for e in parsed.exchanges)
    tech_spread = linked.technosphere_spread if spread else None
    bio_spread = linked.biosphere_spread if spread else None
    tables = {
        "activities": activity_rows(parsed.activities),
        "technosphere": sum_rows(
            linked.technosphere, "technosphere", stats.notes, stats.uncertainty, tech_spread
        ),
        "biosphere": sum_rows(
            linked.biosphere, "biosphere", stats.notes, stats.uncertainty, bio_spread
        ),
        "flows": flow_table(converter.flows, unit, linked.flows_used, linked.derived),
        "unlinked": unlinked_rows(linked.unlinked),
    }
    before = sum(len(v) for v in linked.technosphere.values())
    multi = multi_output_activities(tables["unlinked"])
    locations = Counter(a.location for a in parsed.activities.values())
    unknown = sorted(c for c in locations if data.locations and c and c not in data.locations)
    missing = sorted(stats.missing.values(), key=lambda d: (-d["exchanges"], d["flow"]))
    by_flow = [
        {**m, "data_sets": len(m["data_sets"]), "for_example": m["data_sets"][:3]} for m in missing
    ]
    counts = table_counts(len(data.processes), tables, before)
    after: dict[str, dict[str, Any]] = {
        "counts": {
            "exchanges": _exchange_counts(linked, tables, stats, chooser),
            "linked_by_location": dict(sorted(chooser.resolved.items())),
        },
        "units_emitted": {
            "suspect_groups": [
                {"note": note, "activities": len(ids), "ids": sorted(ids)}
                for note, ids in sorted(stats.suspect.items())
            ],
            "multi_output": {
                "activities": len(multi),
                "co_product_exchanges": sum(m["co_products"] for m in multi),
                "listed_in": "unlinked.csv.gz, reason 'extra output (co-product, no allocation)'",
            },
            "ghg_not_characterised": ghg_not_characterised(
                converter.flows, linked, parsed.activities
            ),
            "missing_flow_data_sets": {
                "flows": len(missing),
                "exchanges": sum(m["exchanges"] for m in missing),
                "data_sets": len({d for m in missing for d in m["data_sets"]}),
                "by_flow": by_flow,
            },
            "product_inputs_of_non_census_data_sets": _product_inputs(parsed, data),
            "locations": {
                "activities_by_location": len(locations),
                "codes_not_in_ILCDLocations": unknown,
            },
            "duplicate_data_sets_not_read": [
                {"folder": f, "uuid": u, "file": n} for f, u, n in data.duplicates
            ],
            "uncertainty": {
                "columns": list(UNCERTAINTY_COLUMNS) if spread else [],
                "convention": CONVENTION,
                "counts": dict(sorted(stats.uncertainty.items())),
                "not_used": sorted(
                    stats.not_used, key=lambda d: (d["activity"], d["flow"], d["amount"])
                ),
            },
        },
    }
    report = import_report(meta, counts, tables, stats.conversions, stats.notes, after)
    return Build(tables, report)


def convert_ilcd(path: Path, *, progress: Progress | None = None) -> Build:
    """Convert the ILCD archive at ``path`` (a .zip or a folder) into tables and a report.

    Raises:
        FootprintError: see :func:`~footprint.background.importers.ilcd.read_archive`.
    """
    data = read_archive(path, progress)
    return build_ilcd(data, source_meta(path, "ILCD", READER))
