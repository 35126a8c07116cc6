"""Convert EcoSpold 1 and EcoSpold 2 inventory databases into background tables.

:func:`convert_ecospold1` reads EcoSpold 1 (ecoinvent v1/v2 and openLCA exports such as USLCI's);
:func:`convert_ecospold2` reads EcoSpold 2 (an ecoinvent v3 ``datasets/`` folder, optionally with
``MasterData/``). Both return a :class:`~footprint.background.build_uslci.Build` holding the five
tables described in ``inventories/background/uslci/README.md``; write them with
:func:`~footprint.background.build_uslci.write_build`.

The contract: every activity makes one reference unit of its reference product; technosphere
amounts are supplier reference units per reference unit of the consumer (positive = consumed);
biosphere amounts are flow reference units (kg for gases) per reference unit of the activity, with
removals positive and ``kind = removal``. Amounts stated in other units (MJ for a kWh product,
L for m3, kg for t, kgkm for tkm) are converted with pint (:mod:`footprint.units`). No allocation
is applied. Everything left out of the matrices is in ``unlinked`` with its reason.

Readers: EcoSpold 1 is parsed here with ElementTree. bw2io's ``Ecospold1DataExtractor`` validates
every file against the schema through pyecospold (USLCI's export fails on its 40-character author
limit) and drops each exchange's input/output group, which is needed to tell a reference product
from a co-product or waste and a resource from an emission. EcoSpold 2 is read with bw2io's
``Ecospold2DataExtractor``, extended to keep the exchange groups, unit ids and the compartments of
elementary exchanges, which it drops. Nothing runs at import time.
"""

from __future__ import annotations

import calendar
import hashlib
import math
import tempfile
import uuid
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

from footprint.archive import open_zip
from footprint.background.build_uslci import (
    UNIT_LABELS,
    Build,
    Stats,
    _isolate_brightway,
    _sum_rows,
    activity_rows,
    multi_output_activities,
    table_counts,
    units_emitted,
    unlinked_rows,
)
from footprint.background.ghg import GasInfo, classify_gas, compartment_class, normalise_cas
from footprint.background.lci import Activity, UnlinkedRow
from footprint.errors import BackgroundError, FootprintError
from footprint.units import is_known_unit

Progress = Callable[[int, int], None]
Tables = dict[str, list[tuple[str, ...]]]

ES1_NS = "http://www.EcoInvent.org/EcoSpold01"
ES2_NS = "http://www.EcoInvent.org/EcoSpold02"
ES1_READER = "footprint EcoSpold parser (xml.etree.ElementTree)"
ES2_READER = (
    "bw2io.extractors.ecospold2.Ecospold2DataExtractor "
    "(extended to keep exchange groups, unit ids and compartments)"
)
#: Namespace of the ids given to EcoSpold 1 elementary flows (which have none in the source).
ES1_FLOW_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, ES1_NS + "/elementary-flow")

# EcoSpold unit names -> pint-parsable labels (on top of build_uslci's openLCA names). Only units
# listed here are converted; any other unit is kept as stated and must match exactly.
UNIT_ALIASES: Mapping[str, str] = {
    **UNIT_LABELS,
    "btu": "Btu",
    "mg": "mg",
    "kJ": "kJ",
    "GJ": "GJ",
    "TJ": "TJ",
    "Wh": "Wh",
    "MWh": "MWh",
    "GWh": "GWh",
    "ml": "mL",
    "km": "km",
    "km2": "km2",
    "ha": "ha",
    "tkm": "tkm",
    "metric ton*km": "tkm",
    "kgkm": "kgkm",
    "t*mi": "t*mi",
    "metric ton": "t",
    "pkm": "pkm",
    "personkm": "pkm",
    "person*km": "pkm",
    "piece": "piece",
    "pcs": "piece",
    "m2a": "m2*a",
    "m2*year": "m2*a",
    "m3a": "m3*a",
    "m3*year": "m3*a",
    "ma": "m*a",
    "m*year": "m*a",
    "km*year": "km*a",
    "kg*day": "kg*day",
    "a": "year",
    "year": "year",
    "day": "day",
    "hour": "hour",
    "min": "minute",
    "s": "second",
    "Nm3": "Nm3",
    "cu ft": "ft**3",
    "gal": "gallon",
    "lb": "lb",
}
_KNOWN_LABELS = frozenset(UNIT_ALIASES.values())

# Exchange groups. EcoSpold 1 and 2 share the numbers: inputs 1-3 and 5 come from the
# technosphere, 4 from nature; output 0 is the reference product, 1 an avoided product (EcoSpold 1),
# 2 a by-product, 3 waste (EcoSpold 1) or material for treatment (EcoSpold 2), 4 to nature and
# 5 a stock addition (EcoSpold 2).
TECHNOSPHERE_INPUT_GROUPS = frozenset({1, 2, 3, 5})
NATURE_GROUP = 4
UNIT_REASONS = ("unit mismatch", "unknown unit")
#: Reference units of elementary flows described only by their exchanges (first that fits).
PREFERRED_FLOW_UNITS = ("kg", "MJ", "m3", "m2", "m2*a", "m3*a", "kBq", "m", "m*a", "kg*a", "piece")


# --- units ------------------------------------------------------------------------------------


def unit_label(unit: str | None) -> str:
    """The pint-parsable label of an EcoSpold unit name (``"l"`` -> ``"L"``, ``"unit"`` -> ``"piece"``)."""
    text = " ".join(str(unit or "").split())
    return UNIT_ALIASES.get(text, text)


@cache
def unit_factor(source: str, target: str) -> float | None:
    """How many ``target`` units one ``source`` unit is (labels), or None if not convertible."""
    if source == target:
        return 1.0
    if not known_unit(source) or not known_unit(target):
        return None
    from footprint.units import convert, quantity

    try:
        return convert(quantity(1.0, source), target)
    except FootprintError:
        return None


def known_unit(label: str) -> bool:
    """Whether a unit label is one this module converts (listed, and parsed by the registry)."""
    return label in _KNOWN_LABELS and is_known_unit(label)


def unit_problem(unit: str, target: str) -> str:
    """The unlinked reason for an amount in ``unit`` that cannot be expressed in ``target``."""
    kind = "unit mismatch" if known_unit(unit) and known_unit(target) else "unknown unit"
    return f"{kind}: {unit} -> {target}"


# --- source model -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One non-reference exchange as stated in the source (amount per stated reference amount)."""

    is_input: bool
    group: int
    name: str
    amount: float
    unit: str
    product: str = ""  # product key: normalised name (EcoSpold 1) or intermediateExchangeId
    link: str = ""  # EcoSpold 2 activityLinkId
    location: str = ""
    category: str = ""
    flow: str = ""  # elementary flow id; empty for intermediate exchanges
    problem: str = ""

    @property
    def elementary(self) -> bool:
        return self.group == NATURE_GROUP


@dataclass(frozen=True)
class ElementaryFlow:
    """An elementary flow: compartment is ``compartment/subcompartment``; unit a label or ''."""

    id: str
    name: str
    compartment: str
    unit: str
    cas: str


@dataclass
class Process:
    """A dataset with its reference product; ``amount`` is the stated reference amount."""

    id: str
    name: str
    location: str
    category: str
    source: str
    valid_from: str
    valid_until: str
    product: str
    product_key: str
    product_flow: str
    unit: str
    amount: float
    exchanges: list[Exchange] = field(default_factory=list)


@dataclass
class Source:
    """Everything read from the files, before linking."""

    processes: dict[str, Process] = field(default_factory=dict)
    skipped: list[UnlinkedRow] = field(default_factory=list)
    flows: dict[str, ElementaryFlow] = field(default_factory=dict)
    product_units: dict[str, str] = field(default_factory=dict)
    datasets_read: int = 0
    product_ids: bool = True  # EcoSpold 2 products have ids; EcoSpold 1 ones only names
    skipped_files: list[str] = field(default_factory=list)
    ids_seen: Counter[str] = field(default_factory=Counter)
    stats: Stats = field(default_factory=Stats)


Resolver = Callable[[Process, Exchange], tuple[str, str]]


def _clean(text: object) -> str:
    return " ".join(str(text).split()) if text is not None else ""


def _path(*parts: str | None) -> str:
    return "/".join(p for p in (_clean(x) for x in parts) if p)


def _float(text: object) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        return math.nan
    return value


def _skip(source: Source, pid: str, name: str, reason: str) -> None:
    source.skipped.append(UnlinkedRow(pid, name, "", "", None, "", reason))


# --- linking and tables -----------------------------------------------------------------------


@dataclass(frozen=True)
class _FlowClass:
    """How an elementary flow is written: reference unit and gas classification."""

    unit: str
    info: GasInfo


# Top compartments of EcoSpold exports (USLCI's openLCA export uses troposphere/urban,
# fresh water body/river, human-dominated/agricultural, ...) -> the class ``classify_gas`` knows.
_COMPARTMENT_CLASSES: Mapping[str, str] = {
    "air": "air",
    "troposphere": "air",
    "stratosphere": "air",
    "urban": "air",
    "rural": "air",
    "water": "water",
    "fresh water body": "water",
    "saline water body": "water",
    "soil": "soil",
    "ground": "soil",
    "human-dominated": "soil",
    "terrestrial": "soil",
    "natural resource": "resource",
    "resource": "resource",
}


def classification_path(compartment: str, from_nature: bool) -> str:
    """The compartment path given to ``classify_gas``, prefixed with the class it belongs to.

    A flow taken from nature (mostly an input) is a resource whatever its compartment: USLCI's
    EcoSpold 1 has methane and natural gas from ``air/subterranean`` and CO2 from
    ``air/troposphere`` as inputs. Otherwise the top compartment decides (``emission/<sub>``: the
    subcompartment), so ``troposphere/urban`` is air and ``emission/ground`` soil.
    """
    parts = [p.strip().lower() for p in compartment.split("/")]
    top = parts[1] if parts[0] == "emission" and len(parts) > 1 else parts[0]
    kind = "resource" if from_nature else _COMPARTMENT_CLASSES.get(top, "")
    if not kind or compartment_class(compartment) == kind:
        return compartment
    return f"{kind}/{compartment}"


def flow_reference_unit(units: Mapping[str, int], master: str, gas: str) -> str:
    """The unit an elementary flow is written in: kg for a greenhouse gas, else the master data's
    unit, else the preferred unit (kg, MJ, m3, kBq, ...) of the kind its most used unit measures."""
    if gas:
        return "kg"
    if master or not units:
        return master
    common = min(units.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return next((p for p in PREFERRED_FLOW_UNITS if unit_factor(common, p) is not None), common)


class _Assembler:
    """Normalise, link and tabulate the processes of a :class:`Source`."""

    def __init__(self, source: Source, resolve: Resolver) -> None:
        self.source = source
        self.resolve = resolve
        self.stats = source.stats
        self.acts = source.processes
        self.technosphere: defaultdict[tuple[str, str], list[float]] = defaultdict(list)
        self.biosphere: defaultdict[tuple[str, str], list[float]] = defaultdict(list)
        self.unlinked: list[UnlinkedRow] = list(source.skipped)
        self.flows_used: set[str] = set()
        self.co_products = {
            e.product
            for p in self.acts.values()
            for e in p.exchanges
            if not e.is_input and not e.elementary and e.group in (0, 2)
        }
        self.providers: dict[str, list[str]] = defaultdict(list)
        for pid in sorted(self.acts):
            self.providers[self.acts[pid].product_key].append(pid)
        self.flow_class = self._classify_flows()

    def _classify_flows(self) -> dict[str, _FlowClass]:
        direction: Counter[str] = Counter()
        units: dict[str, Counter[str]] = defaultdict(Counter)
        for pid in sorted(self.acts):
            for e in self.acts[pid].exchanges:
                if e.elementary and e.flow:
                    direction[e.flow] += 1 if e.is_input else -1
                    units[e.flow][e.unit] += 1
        out = {}
        for fid, flow in self.source.flows.items():
            path = classification_path(flow.compartment, direction[fid] > 0)
            info = classify_gas(flow.name, flow.cas, path)
            out[fid] = _FlowClass(flow_reference_unit(units[fid], flow.unit, info.gas), info)
        return out

    def product_unit(self, exchange: Exchange) -> str:
        """The reference unit of an intermediate exchange's product, if one is known."""
        known = self.source.product_units.get(exchange.product)
        if known:
            return known
        units = {self.acts[p].unit for p in self.providers.get(exchange.product, [])}
        return units.pop() if len(units) == 1 else ""

    def convert(self, amount: float, unit: str, target: str) -> float | None:
        factor = unit_factor(unit, target) if target else None
        if factor is None:
            return None
        if unit != target:
            self.stats.conversions[f"{unit} -> {target}"] += 1
        return amount * factor

    def _unlinked(self, proc: Process, e: Exchange, reason: str, converted: bool = True) -> None:
        amount, unit = e.amount, e.unit
        target = self.product_unit(e) if not e.elementary else self.flow_class[e.flow].unit
        value = self.convert(amount, unit, target) if converted and math.isfinite(amount) else None
        if value is not None:
            amount, unit = value, target
        flow = e.flow or (e.product if self.source.product_ids else "")
        self.unlinked.append(
            UnlinkedRow(proc.id, proc.name, flow, e.name, amount / abs(proc.amount), unit, reason)
        )

    def run(self) -> None:
        for pid in sorted(self.acts):
            proc = self.acts[pid]
            if proc.amount < 0:
                self.stats.notes["activities with a negative reference amount (treatment)"] += 1
            for e in proc.exchanges:
                if e.problem:
                    self._unlinked(proc, e, e.problem, converted=False)
                elif e.elementary:
                    self._biosphere(proc, e)
                elif e.amount == 0.0:
                    self.stats.notes["intermediate exchanges with amount zero (ignored)"] += 1
                else:
                    self._technosphere(proc, e)

    def _biosphere(self, proc: Process, e: Exchange) -> None:
        flow = self.flow_class[e.flow]
        value = self.convert(e.amount, e.unit, flow.unit)
        if value is None:
            self._unlinked(proc, e, unit_problem(e.unit, flow.unit), converted=False)
            return
        amount = value / abs(proc.amount)
        if e.is_input != (flow.info.kind == "removal"):
            amount = -amount
            self.stats.notes[
                "biosphere exchanges against the flow's direction (amount negated)"
            ] += 1
        self.biosphere[(proc.id, e.flow)].append(amount)
        self.flows_used.add(e.flow)

    def _technosphere(self, proc: Process, e: Exchange) -> None:
        if e.is_input and e.group not in TECHNOSPHERE_INPUT_GROUPS:
            self._unlinked(proc, e, f"unknown input group {e.group}")
            return
        if not e.is_input and e.group == 1:
            self._unlinked(proc, e, "avoided product")
            return
        if not e.is_input and e.group == 5:
            self._unlinked(proc, e, "stock addition (not modelled)")
            return
        if not e.is_input and e.group not in (0, 2, 3):
            self._unlinked(proc, e, f"unknown output group {e.group}")
            return
        supplier, reason = self.resolve(proc, e)
        value = None
        if supplier:
            target = self.acts[supplier].unit
            value = self.convert(e.amount, e.unit, target)
            if value is None:
                supplier, reason = "", unit_problem(e.unit, target)
        scale = abs(proc.amount)
        if supplier == proc.id and value is not None and value / scale >= 1.0:
            supplier, reason = "", "self-input not less than the reference output"
        if e.is_input:
            if supplier and value is not None:
                sign = math.copysign(1.0, self.acts[supplier].amount)
                self.technosphere[(proc.id, supplier)].append(sign * value / scale)
                return
            if not reason:
                reason = "unlinked product input"
                if e.product in self.co_products:
                    reason += " (co-product elsewhere)"
            self._unlinked(proc, e, reason, converted=not reason.startswith(UNIT_REASONS))
            return
        # An output: a waste or by-product linked to its treatment (EcoSpold 2 treatments have a
        # negative reference amount; EcoSpold 1 waste goes to a treatment service with a positive
        # one) consumes that treatment; any other product output is a co-product.
        treatment = supplier and (e.group == 3 or self.acts[supplier].amount < 0)
        if treatment and value is not None:
            self.technosphere[(proc.id, supplier)].append(value / scale)
        elif e.group == 3:
            reason = reason if reason.startswith(("ambiguous", *UNIT_REASONS)) else ""
            self._unlinked(proc, e, reason or "unlinked waste output")
        else:
            self._unlinked(proc, e, "extra output (co-product, no allocation)")

    def tables(self) -> Tables:
        acts = {
            pid: Activity(
                id=p.id,
                name=p.name,
                location=p.location,
                unit=p.unit,
                product=p.product,
                product_flow=p.product_flow,
                category=p.category,
                description_source=p.source,
                valid_from=p.valid_from,
                valid_until=p.valid_until,
                reference_is_input=p.amount < 0,
            )
            for pid, p in self.acts.items()
        }
        flows: list[tuple[str, ...]] = []
        for fid in sorted(self.flows_used):
            flow, cls = self.source.flows[fid], self.flow_class[fid]
            info = cls.info
            row = (fid, flow.name, flow.compartment, cls.unit, flow.cas)
            flows.append((*row, info.gas, info.origin, info.kind))
        return {
            "activities": activity_rows(acts),
            "technosphere": _sum_rows(self.technosphere, self.stats, "technosphere"),
            "biosphere": _sum_rows(self.biosphere, self.stats, "biosphere"),
            "flows": flows,
            "unlinked": unlinked_rows(self.unlinked),
        }

    def ghg_not_characterised(self) -> list[dict[str, Any]]:
        uses = Counter(flow for (_, flow) in self.biosphere)
        out = []
        for fid in sorted(self.flows_used):
            flow = self.source.flows[fid]
            if self.flow_class[fid].info.other_ghg:
                out.append(
                    {
                        "id": fid,
                        "name": flow.name,
                        "compartment": flow.compartment,
                        "activities": uses[fid],
                    }
                )
        return sorted(out, key=lambda d: (d["name"], d["compartment"], d["id"]))


def _counts(source: Source, tables: Tables, linked_before_merge: int) -> dict[str, int]:
    return table_counts(source.datasets_read, tables, linked_before_merge)


def _build(source: Source, resolve: Resolver, meta: Mapping[str, Any]) -> Build:
    assembler = _Assembler(source, resolve)
    assembler.run()
    tables = assembler.tables()
    stats = source.stats
    gas_counts = Counter(row[5] for row in tables["flows"] if row[5])
    report: dict[str, Any] = {
        **meta,
        "counts": _counts(source, tables, sum(len(v) for v in assembler.technosphere.values())),
        "flows_by_gas": dict(sorted(gas_counts.items())),
        "unlinked_by_reason": dict(
            sorted(Counter(row[6].split(":", 1)[0] for row in tables["unlinked"]).items())
        ),
        "unit_conversions": dict(sorted(stats.conversions.items())),
        "notes": dict(sorted(stats.notes.items())),
        "skipped_files": sorted(source.skipped_files),
        "units_emitted": units_emitted(tables),
        "multi_output_activities": multi_output_activities(tables["unlinked"]),
        "ghg_not_characterised": assembler.ghg_not_characterised(),
    }
    return Build(tables, report)


def _meta(path: Path, fmt: str, reader: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "dataset": path.name,
        "source_format": fmt,
        "reader": reader,
        "sources": [f"{path.name} ({fmt})"],
    }
    if path.is_file():
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        meta["source_sha256"] = digest.hexdigest()
    return meta


def _check_path(path: Path) -> None:
    if not path.exists():
        raise BackgroundError(f"{path} not found", fix="give an existing file, directory or .zip")
    if path.is_file() and path.suffix.lower() in (".7z", ".rar", ".gz", ".tar"):
        raise BackgroundError(
            f"{path.name}: only .zip archives are read",
            fix="unpack the archive and give the directory (or repack it as .zip)",
        )


# --- EcoSpold 1 -------------------------------------------------------------------------------


def ecospold1_flow_id(name: str, category: str, subcategory: str) -> str:
    """The id given to an EcoSpold 1 elementary flow: a UUID5 of name, category, subcategory."""
    key = "\x1f".join(_clean(x) for x in (name, category, subcategory))
    return str(uuid.uuid5(ES1_FLOW_NAMESPACE, key))


def product_key(name: str) -> str:
    """How EcoSpold 1 products are matched: name, case and whitespace ignored."""
    return _clean(name).casefold()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(elem: ET.Element | None, name: str) -> ET.Element | None:
    if elem is None:
        return None
    return next((c for c in elem if _local(c.tag) == name), None)


def _children(elem: ET.Element | None, name: str) -> list[ET.Element]:
    return [] if elem is None else [c for c in elem if _local(c.tag) == name]


def _text(elem: ET.Element | None) -> str:
    return _clean(elem.text) if elem is not None and elem.text else ""


def _es1_files(path: Path, stack: ExitStack) -> list[tuple[str, Callable[[], bytes]]]:
    """(name, reader) of each XML file in a file, directory or .zip, sorted by name."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() == ".xml")
        return [(str(f.relative_to(path)), f.read_bytes) for f in files]
    if path.suffix.lower() == ".zip":
        archive = stack.enter_context(open_zip(path))
        names = sorted(n for n in archive.namelist() if n.lower().endswith(".xml"))
        return [(n, partial(archive.read, n)) for n in names]
    return [(path.name, path.read_bytes)]


def _attr(elem: ET.Element | None, name: str) -> str:
    return _clean(elem.get(name)) if elem is not None else ""


def _es1_date(period: ET.Element | None, kind: str) -> str:
    """ISO date from ``<startDate>``, ``<startYearMonth>`` or ``<startYear>`` (or ``end...``)."""
    text = _text(_child(period, f"{kind}Date"))
    if text:
        return text[:10]
    text = _text(_child(period, f"{kind}YearMonth"))
    if len(text) >= 7 and text[:4].isdigit() and text[5:7].isdigit():
        year, month = int(text[:4]), int(text[5:7])
        day = 1 if kind == "start" else calendar.monthrange(year, month)[1]
        return f"{year:04d}-{month:02d}-{day:02d}"
    text = _text(_child(period, f"{kind}Year"))
    if text[:4].isdigit():
        return f"{text[:4]}-01-01" if kind == "start" else f"{text[:4]}-12-31"
    return ""


def _es1_source(meta: ET.Element | None) -> str:
    """The published source of a dataset: ``author (year): title``."""
    admin = _child(meta, "administrativeInformation")
    number = _attr(_child(admin, "dataGeneratorAndPublication"), "referenceToPublishedSource")
    for src in _children(_child(meta, "modellingAndValidation"), "source"):
        if src.get("number") == number and number:
            author, year = _clean(src.get("firstAuthor")), _clean(src.get("year"))
            title = _clean(src.get("title"))
            head = f"{author} ({year})" if year and year != "9999" else author
            return f"{head}: {title}" if head and title else head or title
    return ""


def _es1_exchange(elem: ET.Element, source: Source) -> Exchange:
    groups = [(g, _text(c)) for g in ("inputGroup", "outputGroup") for c in _children(elem, g)]
    name, unit = _clean(elem.get("name")), unit_label(elem.get("unit"))
    category, sub = _clean(elem.get("category")), _clean(elem.get("subCategory"))
    amount = _float(elem.get("meanValue"))
    problem = "" if math.isfinite(amount) else "invalid amount"
    if len(groups) != 1 or not groups[0][1].isdigit():
        problem = "unknown exchange group"
        groups = [("inputGroup", "-1")]
    is_input, group = groups[0][0] == "inputGroup", int(groups[0][1])
    if group == NATURE_GROUP:
        fid = ecospold1_flow_id(name, category, sub)
        cas = normalise_cas(_clean(elem.get("CASNumber")))
        cas = cas if any(ch.isdigit() for ch in cas) else ""
        known = source.flows.get(fid)
        if known is None or (cas and not known.cas):
            source.flows[fid] = ElementaryFlow(fid, name, _path(category, sub), "", cas)
        return Exchange(is_input, group, name, amount, unit, flow=fid, problem=problem)
    return Exchange(
        is_input,
        group,
        name,
        amount,
        unit,
        product=product_key(name),
        location=_clean(elem.get("location")),
        category=_path(category, sub),
        problem=problem,
    )


def _es1_process(ds: ET.Element, pid: str, source: Source) -> None:
    meta = _child(ds, "metaInformation")
    info = _child(meta, "processInformation")
    ref = _child(info, "referenceFunction")
    name = _clean(ref.get("name")) if ref is not None else ""
    flow_data = _child(ds, "flowData")
    if ref is None or not name:
        _skip(source, pid, name, "no reference product (process skipped)")
        return
    if _children(flow_data, "allocation"):
        source.stats.notes["processes with allocation factors (ignored, no allocation)"] += 1
    exchanges = [_es1_exchange(e, source) for e in _children(flow_data, "exchange")]
    outputs = [e for e in exchanges if not e.is_input and e.group == 0 and not e.problem]
    named = [e for e in outputs if e.product == product_key(name)]
    reference = next(iter(named or outputs), None)
    if reference is None:
        source.stats.notes["reference taken from referenceFunction (no outputGroup 0)"] += 1
        unit, amount = unit_label(ref.get("unit")), _float(ref.get("amount") or "1")
    else:
        unit, amount = reference.unit, reference.amount
        exchanges.remove(reference)
    if len(outputs) > 1:
        source.stats.notes[
            "processes with several outputGroup 0 exchanges (first is reference)"
        ] += 1
    if amount == 0.0 or not math.isfinite(amount):
        _skip(source, pid, name, "zero reference amount (process skipped)")
        return
    source.processes[pid] = Process(
        id=pid,
        name=name,
        location=_attr(_child(info, "geography"), "location"),
        category=_path(ref.get("category"), ref.get("subCategory")),
        source=_es1_source(meta),
        valid_from=_es1_date(_child(info, "timePeriod"), "start"),
        valid_until=_es1_date(_child(info, "timePeriod"), "end"),
        product=name,
        product_key=product_key(name),
        product_flow="",
        unit=unit,
        amount=amount,
        exchanges=exchanges,
    )


def read_ecospold1(path: Path, progress: Progress | None = None) -> Source:
    """Read every EcoSpold 1 dataset in a file, directory or .zip (``progress`` per file)."""
    _check_path(path)
    with ExitStack() as stack:
        files = _es1_files(path, stack)
        if not files:
            raise BackgroundError(f"{path} holds no .xml files", fix="give EcoSpold 1 XML files")
        source = Source(product_ids=False)
        for done, (name, read) in enumerate(files, start=1):
            _es1_file(name, read(), source)
            if progress is not None:
                progress(done, len(files))
    if not source.datasets_read:
        raise BackgroundError(
            f"{path} holds no EcoSpold 1 datasets ({'; '.join(source.skipped_files)})",
            fix="give EcoSpold 1 XML files (EcoSpold 2 .spold folders: convert_ecospold2)",
        )
    return source


def _es1_file(name: str, data: bytes, source: Source) -> None:
    """Read the datasets of one EcoSpold 1 XML file into ``source``."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        source.skipped_files.append(f"{name}: not well-formed XML ({exc})")
        return
    if root.tag not in (f"{{{ES1_NS}}}ecoSpold", "ecoSpold"):
        kind = "an EcoSpold 2 file" if root.tag.startswith(f"{{{ES2_NS}}}") else "not EcoSpold 1"
        source.skipped_files.append(f"{name}: {kind}")
        return
    for ds in _children(root, "dataset"):
        source.datasets_read += 1
        number = _clean(ds.get("number")) or f"{Path(name).stem}-{source.datasets_read}"
        source.ids_seen[number] += 1
        pid = number
        if source.ids_seen[number] > 1:
            pid = f"{number}_{source.ids_seen[number]}"
            source.stats.notes["duplicate dataset numbers (suffixed _2, _3, ...)"] += 1
        _es1_process(ds, pid, source)


def _es1_resolver(source: Source) -> Resolver:
    providers: dict[str, list[Process]] = defaultdict(list)
    for pid in sorted(source.processes):
        providers[source.processes[pid].product_key].append(source.processes[pid])

    def resolve(process: Process, exchange: Exchange) -> tuple[str, str]:
        candidates = providers.get(exchange.product, [])
        if not candidates:
            return "", ""
        fitting = [c for c in candidates if unit_factor(exchange.unit, c.unit) is not None]
        if not fitting:
            return "", unit_problem(exchange.unit, candidates[0].unit)
        for attribute, wanted in (("location", exchange.location), ("category", exchange.category)):
            same = [c for c in fitting if wanted and getattr(c, attribute) == wanted]
            if len(fitting) > 1 and same:
                fitting = same
        if len(fitting) == 1:
            return fitting[0].id, ""
        return "", "ambiguous provider: " + " ".join(c.id for c in fitting)

    return resolve


def convert_ecospold1(path: Path, *, progress: Progress | None = None) -> Build:
    """Convert EcoSpold 1 datasets (an XML file, a directory of them or a .zip) to tables.

    Products are matched by name (case and whitespace ignored) and a convertible unit, then by
    location and category when several processes make them; elementary flows by name, category
    and subcategory (their id is :func:`ecospold1_flow_id`). ``progress(done, total)`` is called
    after each XML file.

    Raises:
        BackgroundError: the path is missing, an unsupported archive, or holds no XML files.
        FootprintError: a .zip that is unreadable or beyond the limits of :mod:`footprint.archive`.
    """
    source = read_ecospold1(Path(path), progress)
    return _build(source, _es1_resolver(source), _meta(Path(path), "EcoSpold 1", ES1_READER))


# --- EcoSpold 2 -------------------------------------------------------------------------------


def _es2_extractor() -> Any:
    """bw2io's EcoSpold 2 extractor, keeping the exchange groups, unit ids and compartments."""
    _isolate_brightway()
    from bw2io.extractors.ecospold2 import Ecospold2DataExtractor

    class Extractor(Ecospold2DataExtractor):  # type: ignore[misc]
        @classmethod
        def extract_exchange(cls, exc: Any) -> dict[str, Any]:
            data: dict[str, Any] = super().extract_exchange(exc)
            for tag, direction in (("inputGroup", "input"), ("outputGroup", "output")):
                if hasattr(exc, tag):
                    data["group"] = (direction, int(str(getattr(exc, tag).text).strip()))
            data["unit id"] = exc.get("unitId") or ""
            if hasattr(exc, "compartment"):
                outer = exc.compartment
                data["compartment"] = (
                    str(getattr(outer, "compartment", "") or ""),
                    str(getattr(outer, "subcompartment", "") or ""),
                )
            return data

    return Extractor


def _master_file(root: Path, name: str) -> Path | None:
    candidates = sorted(root.rglob(name)) or sorted(root.parent.glob(f"MasterData/{name}"))
    return candidates[0] if candidates else None


def _es2_master(root: Path, source: Source) -> dict[str, str]:
    """Read ``MasterData`` (if any): elementary flows, product units; return unit names by id."""
    units: dict[str, str] = {}
    path = _master_file(root, "Units.xml")
    if path is not None:
        for unit in ET.parse(path).getroot():
            units[unit.get("id", "")] = _text(_child(unit, "name"))
    path = _master_file(root, "IntermediateExchanges.xml")
    if path is not None:
        for product in ET.parse(path).getroot():
            label = unit_label(
                _text(_child(product, "unitName")) or units.get(product.get("unitId", ""))
            )
            source.product_units[product.get("id", "")] = label
    path = _master_file(root, "ElementaryExchanges.xml")
    if path is not None:
        for flow in ET.parse(path).getroot():
            fid = flow.get("id", "")
            comp = _child(flow, "compartment")
            label = unit_label(_text(_child(flow, "unitName")) or units.get(flow.get("unitId", "")))
            source.flows[fid] = ElementaryFlow(
                fid,
                _text(_child(flow, "name")),
                _path(_text(_child(comp, "compartment")), _text(_child(comp, "subcompartment"))),
                label,
                normalise_cas(_clean(flow.get("casNumber"))),
            )
    return units


def _es2_category(classifications: Sequence[tuple[str, str]]) -> str:
    by_system = {_clean(s): _clean(v) for s, v in classifications}
    for system in ("ISIC rev.4 ecoinvent", "EcoSpold01Categories"):
        if by_system.get(system):
            return by_system[system]
    return next((v for _, v in sorted(by_system.items()) if v), "")


def _es2_exchange(data: Mapping[str, Any], units: Mapping[str, str], source: Source) -> Exchange:
    direction, group = data.get("group", ("input", -1))
    unit = unit_label(data.get("unit") or units.get(data.get("unit id", ""), ""))
    name, amount = _clean(data.get("name")), float(data.get("amount", math.nan))
    problem = "" if group >= 0 else "unknown exchange group"
    if data["type"] == "biosphere":
        fid = str(data.get("flow") or "")
        if fid not in source.flows:
            compartment = data.get("compartment", ("", ""))
            cas = normalise_cas(_clean(data.get("CAS number")))
            source.flows[fid] = ElementaryFlow(fid, name, _path(*compartment), "", cas)
            source.stats.notes["elementary flows not in MasterData (described from exchanges)"] += 1
        return Exchange(direction == "input", NATURE_GROUP, name, amount, unit, flow=fid)
    return Exchange(
        direction == "input",
        group,
        name,
        amount,
        unit,
        product=str(data.get("flow") or ""),
        link=str(data.get("activity") or ""),
        problem=problem,
    )


def _es2_process(data: Mapping[str, Any], units: Mapping[str, str], source: Source) -> None:
    name, activity = _clean(data.get("name")), str(data.get("activity") or "")
    source.stats.notes[f"activity type {data.get('activity type', 'unknown')}"] += 1
    exchanges = [_es2_exchange(e, units, source) for e in data.get("exchanges", [])]
    products = [
        e
        for e in exchanges
        if not e.is_input and e.group == 0 and not e.elementary and e.amount != 0.0
    ]
    stem = Path(str(data.get("filename", ""))).stem
    named = [e for e in products if stem == f"{activity}_{e.product}"]
    if not products:
        _skip(source, activity or stem, name, "no reference product (process skipped)")
        return
    reference = (named or products)[0]
    if len(products) > 1:
        source.stats.notes["datasets with several reference products (one used)"] += 1
    pid = f"{activity}_{reference.product}"
    if pid in source.processes:
        _skip(source, pid, name, "duplicate dataset (process skipped)")
        return
    exchanges.remove(reference)
    source.processes[pid] = Process(
        id=pid,
        name=name,
        location=_clean(data.get("location")),
        category=_es2_category(data.get("classifications", [])),
        source=_clean((data.get("authors", {}).get("data generator") or {}).get("name")),
        valid_from=str(data.get("start_date") or "")[:10],
        valid_until=str(data.get("end_date") or "")[:10],
        product=reference.name,
        product_key=reference.product,
        product_flow=reference.product,
        unit=reference.unit,
        amount=reference.amount,
        exchanges=exchanges,
    )


def _es2_files(root: Path) -> list[Path]:
    return sorted((p for p in root.rglob("*") if p.suffix.lower() == ".spold"), key=str)


def read_ecospold2(path: Path, progress: Progress | None = None) -> Source:
    """Read EcoSpold 2 datasets and MasterData from a directory or .zip (``progress`` per file)."""
    _check_path(path)
    if path.is_file():
        if path.suffix.lower() != ".zip":
            raise BackgroundError(
                f"{path.name} is not a directory or .zip", fix="give the datasets folder"
            )
        with tempfile.TemporaryDirectory(prefix="footprint-ecospold2-") as tmp:
            with open_zip(path) as archive:  # limits checked before anything is unpacked
                archive.extractall(tmp)
            return read_ecospold2(Path(tmp), progress)
    source = Source()
    units = _es2_master(path, source)
    files = _es2_files(path)
    if not files:
        raise BackgroundError(f"{path} holds no .spold files", fix="give the datasets folder")
    extractor = _es2_extractor()
    for done, file in enumerate(files, start=1):
        source.datasets_read += 1
        try:
            data = extractor.extract_activity(str(file.parent), file.name, "ecospold2")
        except Exception as exc:  # bw2io raises bare ValueError/AttributeError on odd files
            reason = f"unreadable dataset: {type(exc).__name__} {exc} (process skipped)"
            _skip(source, file.stem, file.name, reason)
        else:
            _es2_process(data, units, source)
        if progress is not None:
            progress(done, len(files))
    return source


def _es2_resolver(source: Source) -> Resolver:
    providers: dict[str, list[str]] = defaultdict(list)
    for pid in sorted(source.processes):
        providers[source.processes[pid].product_key].append(pid)

    def resolve(process: Process, exchange: Exchange) -> tuple[str, str]:
        if exchange.link:
            target = f"{exchange.link}_{exchange.product}"
            if target in source.processes:
                return target, ""
            return "", f"linked activity missing: {exchange.link}"
        candidates = providers.get(exchange.product, [])
        if len(candidates) > 1:
            return "", "ambiguous provider: " + " ".join(candidates)
        return (candidates[0], "") if candidates else ("", "")

    return resolve


def convert_ecospold2(path: Path, *, progress: Progress | None = None) -> Build:
    """Convert an EcoSpold 2 ``datasets`` folder (or a .zip of it) to background tables.

    Activity ids are ``<activity id>_<reference product id>`` as in ecoinvent's file names.
    Intermediate exchanges link by ``activityLinkId`` (to that activity's dataset for the same
    product) or, without one, to the only activity whose reference product they are; elementary
    exchanges by ``elementaryExchangeId``, described by ``MasterData/ElementaryExchanges.xml``
    when present. ``progress(done, total)`` is called after each .spold file.

    Raises:
        BackgroundError: the path is missing, not a directory or .zip, or holds no .spold files.
        FootprintError: a .zip that is unreadable or beyond the limits of :mod:`footprint.archive`.
    """
    source = read_ecospold2(Path(path), progress)
    return _build(source, _es2_resolver(source), _meta(Path(path), "EcoSpold 2", ES2_READER))
