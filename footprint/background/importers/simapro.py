"""Convert a SimaPro CSV export of processes into the background table format.

The file is read with ``bw_simapro_csv`` (header, blocks, parameters and formulas, SimaPro's own
``Units`` block if the export has one); everything after reading is done here. The tables are
those of :mod:`footprint.background.importers.tables` and follow
``inventories/background/uslci/README.md``:

- one activity per product of each ``Process`` block (or per treated waste of a waste treatment
  process), making one unit of that product, in the product's unit (SimaPro ``ton`` is a metric
  tonne: ``t``; ``l`` is ``L``; ``p`` is ``piece``; ``personkm`` is ``pkm``). The activity is named
  after its product, which SimaPro keeps unique in a database. With several products each gets its
  stated allocation percentage of every input and emission (100 % when there is one product);
- technosphere inputs (``Materials/fuels``, ``Electricity/heat``) link to the activity making the
  product of that name and are converted to its unit; ``Waste to treatment`` links to the waste
  treatment process of that name (the treatment service consumed, positive);
- elementary flows are keyed ``<compartment>/<subcompartment>/<name>/<unit>`` (``unspecified`` when
  SimaPro leaves the subcompartment blank) and converted to a reference unit of their dimension
  (kg, MJ, m3, m2, m2*a, kBq, ...); gas, origin and kind come from
  :func:`~footprint.background.importers.gases.classify_gas`;
- everything else (inputs nobody makes, avoided products, waste without a treatment process,
  social and economic issues, unknown units, skipped processes) is listed in ``unlinked`` with
  its reason. Nothing is dropped silently.

Nothing runs at import time; ``bw_simapro_csv`` is imported when a file is converted.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from footprint.background.importers.gases import classify_gas, normalise_cas, other_ghg_flows
from footprint.background.importers.simapro_units import (
    flow_reference_unit,
    unit_factor,
    unit_label,
    unit_problem,
)
from footprint.background.importers.tables import (
    Activity,
    Build,
    Stats,
    UnlinkedRow,
    activity_rows,
    import_report,
    table_counts,
    unlinked_rows,
)
from footprint.errors import BackgroundError, UnitError
from footprint.units import is_known_unit

# Process blocks with elementary flows -> compartment (first part of the flow's category path).
BIOSPHERE_BLOCKS: Mapping[str, str] = {
    "Emissions to air": "air",
    "Emissions to water": "water",
    "Emissions to soil": "soil",
    "Resources": "resource",
    "Final waste flows": "final waste",
    "Non material emissions": "non material",
    "Non material emission": "non material",
}
NOT_PHYSICAL_BLOCKS: Mapping[str, str] = {
    "Social issues": "social issue (not physical)",
    "Economic issues": "economic issue (not physical)",
}
TECHNOSPHERE_BLOCKS = ("Materials/fuels", "Electricity/heat")
WASTE_SCENARIO_BLOCKS = ("Waste scenario", "Separated waste", "Remaining waste")

AVOIDED = "avoided product (substitution not applied)"
_LOCATION = re.compile(r"\{([^{}|]+)\}")
_YEARS = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*$")

Edge = Mapping[str, Any]
Progress = Callable[[int, int], None]


# --- source model -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Output:
    """An activity made from one product of a process: its allocation share (fraction) and the
    amount of the product the process makes (in the activity's unit)."""

    activity: Activity
    share: float
    amount: float

    def per_unit(self, value: float) -> float:
        """A process amount as an amount per one unit of this product."""
        return value * self.share / self.amount


@dataclass(frozen=True)
class Target:
    """Where one exchange of a process goes, with its amount per process batch (target unit)."""

    table: str  # "technosphere", "biosphere" or "unlinked"
    key: str  # supplier activity id, elementary flow id, or (unlinked) flow id / product name
    name: str
    amount: float
    unit: str
    reason: str = ""


@dataclass
class FlowRecord:
    id: str
    name: str
    compartment: str
    unit: str
    cas: str


@dataclass
class Converted:
    """Matrix entries before merging, elementary flows used and unlinked rows."""

    technosphere: defaultdict[tuple[str, str], list[float]] = field(
        default_factory=lambda: defaultdict(list)
    )
    biosphere: defaultdict[tuple[str, str], list[float]] = field(
        default_factory=lambda: defaultdict(list)
    )
    flows: dict[str, FlowRecord] = field(default_factory=dict)
    unlinked: list[UnlinkedRow] = field(default_factory=list)


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _metadata(process: Any) -> dict[str, Any]:
    meta: dict[str, Any] = process.parsed.get("metadata", {})
    return meta


def _location(product: str, geography: str) -> str:
    match = _LOCATION.search(product)
    if match:
        return match.group(1).strip()
    return "" if geography.lower() in ("", "unspecified") else geography


def _validity(period: str) -> tuple[str, str]:
    match = _YEARS.match(period)
    if not match:
        return "", ""
    start, end = match.group(1), match.group(2) or match.group(1)
    return f"{start}-01-01", f"{end}-12-31"


def _references(meta: Mapping[str, Any]) -> str:
    refs = meta.get("Literature references") or []
    if isinstance(refs, str):
        return _text(refs)
    return "; ".join(_text(r.get("reference")) for r in refs if r.get("reference"))


def _edges(process: Any, label: str) -> list[Edge]:
    block = process.blocks.get(label)
    return list(block.parsed) if block is not None else []


def _process_id(process: Any, name: str) -> str:
    """The SimaPro process identifier, or a stable stand-in made from the first product name."""
    pid = _text(_metadata(process).get("Process identifier")).strip("'\"")
    return pid or "simapro-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]


# --- activities -------------------------------------------------------------------------------


@dataclass
class Catalogue:
    """Every process with its outputs, and the providers of each product and waste name."""

    outputs: list[tuple[Any, list[Output]]] = field(default_factory=list)
    products: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    wastes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    units: dict[str, str] = field(default_factory=dict)
    skipped: list[UnlinkedRow] = field(default_factory=list)
    allocated: list[dict[str, Any]] = field(default_factory=list)


def _shares(products: Sequence[Edge], stats: Stats) -> list[float]:
    """Allocation share (fraction) of each product: as stated with several, 1 with one."""
    stated = [float(p.get("allocation", 100.0)) / 100.0 for p in products]
    if len(products) == 1:
        if stated[0] != 1.0:
            stats.notes[
                "single-product processes with allocation other than 100 % (100 % used)"
            ] += 1
        return [1.0]
    if not math.isclose(math.fsum(stated), 1.0, rel_tol=1e-9):
        stats.notes[
            "multi-product processes whose shares do not sum to 100 % (used as stated)"
        ] += 1
    return stated


def _skip_reason(process: Any, products: Sequence[Edge], treated: Sequence[Edge]) -> str:
    if any(process.blocks.get(b) for b in WASTE_SCENARIO_BLOCKS):
        return "waste scenario (not supported; process skipped)"
    if not products and not treated:
        return "no reference product (process skipped)"
    if len(treated) > 1:
        return "several treated wastes (process skipped)"
    return ""


def _product_problem(unit: str, amount: float) -> str:
    if not is_known_unit(unit):
        return f"unknown product unit (product skipped): {unit}"
    if amount == 0.0 or not math.isfinite(amount):
        return "zero reference amount (product skipped)"
    return ""


def _activity_id(pid: str, name: str, single: bool, used_ids: set[str]) -> str:
    """``pid`` for a process's only product, else ``pid/product``; suffixed ``#n`` on a clash."""
    aid = pid if single and pid not in used_ids else f"{pid}/{name}"
    n = 2
    while aid in used_ids:
        aid, n = f"{pid}/{name}#{n}", n + 1
    used_ids.add(aid)
    return aid


def _activity(aid: str, edge: Edge, unit: str, meta: Mapping[str, Any], treated: bool) -> Activity:
    name = _text(edge.get("name"))
    valid_from, valid_until = _validity(_text(meta.get("Time period")))
    path = [_text(meta.get("Category type")), *str(edge.get("category") or "").split("\\")]
    return Activity(
        id=aid,
        name=name,
        location=_location(name, _text(meta.get("Geography"))),
        unit=unit,
        product=name,
        product_flow=name,
        category="/".join(_text(p) for p in path if _text(p)),
        description_source=_references(meta),
        valid_from=valid_from,
        valid_until=valid_until,
        reference_is_input=treated,
    )


def _outputs(process: Any, stats: Stats, catalogue: Catalogue, used_ids: set[str]) -> None:
    """Add the activities of one process (one per product or treated waste) to ``catalogue``."""
    meta = _metadata(process)
    products, treated = _edges(process, "Products"), _edges(process, "Waste treatment")
    first = _text((products or treated or [{}])[0].get("name")) or _text(meta.get("Process name"))
    pid = _process_id(process, first)
    label = _text(meta.get("Process name")) or first
    skip = _skip_reason(process, products, treated)
    if skip:
        catalogue.skipped.append(UnlinkedRow(pid, label, "", "", None, "", skip))
        return
    edges = products or treated
    shares = _shares(products, stats) if products else [1.0]
    outputs: list[Output] = []
    for edge, share in zip(edges, shares, strict=True):
        name, unit = _text(edge.get("name")), unit_label(str(edge.get("unit", "")))
        amount = float(edge.get("amount", 0.0))
        if treated and amount < 0:
            stats.notes["waste treatments stated with a negative amount (sign ignored)"] += 1
            amount = -amount
        if edge.get("original unit before conversion") is not None:
            original = unit_label(str(edge["original unit before conversion"]))
            stats.conversions[f"{original} -> {unit} (SimaPro units block)"] += 1
        problem = _product_problem(unit, amount)
        if problem:
            catalogue.skipped.append(UnlinkedRow(pid, name, name, name, None, unit, problem))
            continue
        aid = _activity_id(pid, name, len(edges) == 1, used_ids)
        outputs.append(Output(_activity(aid, edge, unit, meta, bool(treated)), share, amount))
        (catalogue.wastes if treated else catalogue.products)[name].append(aid)
        catalogue.units[aid] = unit
    if len(products) > 1:
        catalogue.allocated.append(
            {
                "id": pid,
                "name": label,
                "co_products": len(products) - 1,
                "allocation_percent": {
                    _text(p.get("name")): float(p.get("allocation", 100.0)) for p in products
                },
            }
        )
    if outputs:
        catalogue.outputs.append((process, outputs))


def catalogue_processes(processes: Sequence[Any], stats: Stats) -> Catalogue:
    """Activities of every process, and who provides each product and waste treatment."""
    catalogue, used_ids = Catalogue(), set[str]()
    for process in processes:
        meta = _metadata(process)
        stats.notes[f"process type {_text(meta.get('Type')) or 'unknown'}"] += 1
        stats.notes[f"category type {_text(meta.get('Category type')) or 'unknown'}"] += 1
        _outputs(process, stats, catalogue, used_ids)
    return catalogue


# --- exchanges --------------------------------------------------------------------------------


def _stated(edge: Edge, stats: Stats) -> tuple[float, str]:
    """Amount and unit label as read (after any conversion by SimaPro's own ``Units`` block)."""
    unit = unit_label(str(edge.get("unit", "")))
    original = edge.get("original unit before conversion")
    if original is not None:
        stats.conversions[f"{unit_label(str(original))} -> {unit} (SimaPro units block)"] += 1
    return float(edge.get("amount", 0.0)), unit


def _to_provider(
    edge: Edge, providers: Sequence[str], catalogue: Catalogue, stats: Stats, unlinked: str
) -> Target:
    """A technosphere exchange linked to its one provider (converted), or an unlinked target."""
    name = _text(edge.get("name"))
    amount, unit = _stated(edge, stats)
    if not providers:
        return Target("unlinked", name, name, amount, unit, unlinked)
    if len(providers) > 1:
        return Target(
            "unlinked", name, name, amount, unit, "ambiguous provider: " + " ".join(providers)
        )
    supplier = providers[0]
    target = catalogue.units[supplier]
    try:
        factor = unit_factor(unit, target)
    except UnitError:
        return Target("unlinked", name, name, amount, unit, unit_problem(unit, target))
    if unit != target:
        stats.conversions[f"{unit} -> {target}"] += 1
    return Target("technosphere", supplier, name, amount * factor, target)


def _elementary(edge: Edge, compartment: str, stats: Stats, flows: dict[str, FlowRecord]) -> Target:
    name = _text(edge.get("name"))
    context = edge.get("context") or ("", "")
    path = f"{compartment}/{_text(context[1]) or 'unspecified'}"
    amount, unit = _stated(edge, stats)
    if not is_known_unit(unit):
        return Target(
            "unlinked", f"{path}/{name}/{unit}", name, amount, unit, f"unknown unit: {unit}"
        )
    ref = flow_reference_unit(unit)
    if unit != ref:
        stats.conversions[f"{unit} -> {ref}"] += 1
    fid = f"{path}/{name}/{ref}"
    record = flows.setdefault(fid, FlowRecord(fid, name, path, ref, ""))
    if not record.cas:
        record.cas = normalise_cas(edge.get("cas_number"))
    return Target("biosphere", fid, name, amount * unit_factor(unit, ref), ref)


def process_targets(
    process: Any, catalogue: Catalogue, stats: Stats, flows: dict[str, FlowRecord]
) -> list[Target]:
    """Every non-reference exchange of ``process``, per process batch, in its target unit."""
    targets: list[Target] = []
    for label in TECHNOSPHERE_BLOCKS:
        for edge in _edges(process, label):
            providers = catalogue.products.get(_text(edge.get("name")), [])
            targets.append(
                _to_provider(edge, providers, catalogue, stats, "unlinked product input")
            )
    for edge in _edges(process, "Waste to treatment"):
        providers = catalogue.wastes.get(_text(edge.get("name")), [])
        targets.append(_to_provider(edge, providers, catalogue, stats, "unlinked waste output"))
    for edge in _edges(process, "Avoided products"):
        providers = catalogue.products.get(_text(edge.get("name")), [])
        linked = _to_provider(edge, providers, catalogue, stats, AVOIDED)
        targets.append(
            Target("unlinked", linked.name, linked.name, linked.amount, linked.unit, AVOIDED)
        )
    for label, compartment in BIOSPHERE_BLOCKS.items():
        for edge in _edges(process, label):
            targets.append(_elementary(edge, compartment, stats, flows))
    for label, reason in NOT_PHYSICAL_BLOCKS.items():
        for edge in _edges(process, label):
            amount, unit = _stated(edge, stats)
            name = _text(edge.get("name"))
            targets.append(Target("unlinked", name, name, amount, unit, reason))
    return targets


def convert_processes(
    catalogue: Catalogue, stats: Stats, progress: Progress | None, total: int
) -> Converted:
    """Split every exchange of every output into technosphere, biosphere and unlinked entries."""
    out = Converted(unlinked=list(catalogue.skipped))
    done = total - len(catalogue.outputs)
    for process, outputs in catalogue.outputs:
        for target in process_targets(process, catalogue, stats, out.flows):
            for output in outputs:
                act, amount = output.activity, output.per_unit(target.amount)
                if target.table == "technosphere":
                    out.technosphere[(act.id, target.key)].append(amount)
                elif target.table == "biosphere":
                    out.biosphere[(act.id, target.key)].append(amount)
                else:
                    out.unlinked.append(
                        UnlinkedRow(
                            act.id,
                            act.name,
                            target.key,
                            target.name,
                            amount,
                            target.unit,
                            target.reason,
                        )
                    )
        done += 1
        if progress is not None:
            progress(done, total)
    if progress is not None and not catalogue.outputs:
        progress(total, total)
    return out


# --- tables and report ------------------------------------------------------------------------


def flow_rows(flows: Mapping[str, FlowRecord], used: Iterable[str]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for fid in sorted(set(used)):
        flow = flows[fid]
        info = classify_gas(flow.name, flow.cas, flow.compartment)
        rows.append(
            (
                fid,
                flow.name,
                flow.compartment,
                flow.unit,
                flow.cas,
                info.gas,
                info.origin,
                info.kind,
            )
        )
    return rows


def _counts(
    processes: int, tables: Mapping[str, Sequence[tuple[str, ...]]], converted: Converted
) -> dict[str, int]:
    return table_counts(processes, tables, sum(len(v) for v in converted.technosphere.values()))


def _ghg_not_characterised(
    tables: Mapping[str, Sequence[tuple[str, ...]]], converted: Converted
) -> list[dict[str, Any]]:
    uses = Counter(flow for (_, flow) in converted.biosphere)
    flows = [
        (
            fid,
            name,
            compartment,
            classify_gas(name, converted.flows[fid].cas, compartment).other_ghg,
        )
        for fid, name, compartment, *_ in tables["flows"]
    ]
    return other_ghg_flows(flows, uses)


def make_report(
    path: Path,
    header: Mapping[str, Any],
    reader: str,
    digest: str,
    processes: int,
    tables: Mapping[str, Sequence[tuple[str, ...]]],
    converted: Converted,
    catalogue: Catalogue,
    stats: Stats,
) -> dict[str, Any]:
    """The build report: the keys of every reader's report, plus the SimaPro header."""
    project = _text(header.get("project")) or path.stem
    version = _text(header.get("simapro_version"))
    libraries = [_text(x) for x in header.get("libraries") or []]
    source = f"SimaPro CSV export {path.name} (project {project!r}"
    source += f", SimaPro {version}" if version else ""
    source += f", libraries: {', '.join(libraries)}" if libraries else ""
    meta = {
        "dataset": project,
        "version": digest[:12],
        "source_file": path.name,
        "source_sha256": digest,
        "source_format": "SimaPro CSV",
        "reader": reader,
        "simapro": {
            "version": version,
            "csv_format_version": _text(header.get("csv_version")),
            "project": _text(header.get("project")),
            "libraries": libraries,
        },
        "sources": [source + ")"],
    }
    multi = sorted(catalogue.allocated, key=lambda d: (d["name"], d["id"]))
    after = {
        "units_emitted": {
            "multi_output_activities": multi,
            "ghg_not_characterised": _ghg_not_characterised(tables, converted),
        }
    }
    counts = _counts(processes, tables, converted)
    return import_report(meta, counts, tables, stats.conversions, stats.notes, after)


def _read(path: Path) -> tuple[Any, str, str]:
    """Parse ``path`` with bw_simapro_csv; return the parsed file, reader label and sha256."""
    import bw_simapro_csv  # type: ignore[import-untyped]
    from bw2parameters.errors import ValidationError  # type: ignore[import-untyped]
    from bw_simapro_csv import errors
    from bw_simapro_csv.header import SimaProCSVType  # type: ignore[import-untyped]

    if not path.is_file():
        raise BackgroundError(f"SimaPro CSV file {path} not found", fix="check the path")
    raw = path.read_bytes()
    # The reader's own default encoding (registered by bw_simapro_csv through ftfy; it repairs
    # UTF-8 read this way). A stream, not a path, so that it neither writes logs nor leaks a file.
    text = raw.removeprefix(b"\xef\xbb\xbf").decode("sloppy-windows-1252")
    try:
        parsed = bw_simapro_csv.SimaProCSV(
            io.StringIO(text), database_name=path.stem, stderr_logs=False, write_logs=False
        )
    except (
        ValueError,
        IndexError,
        KeyError,
        ValidationError,  # a formula refers to an unknown parameter, or similar
        errors.WasteModelMismatch,
        errors.IndeterminateBlockEnd,
        errors.FormulaReservedWord,
        errors.UnparsableLine,
    ) as exc:
        raise BackgroundError(
            f"{path} could not be read as a SimaPro CSV export: {exc}",
            fix="export processes from SimaPro as CSV (File > Export, semicolon separator)",
        ) from exc
    if parsed.header.get("kind") != SimaProCSVType.processes:
        raise BackgroundError(
            f"{path} is a SimaPro CSV export of {parsed.header.get('kind')}, not of processes",
            fix="export processes (not methods or product stages) from SimaPro",
        )
    return parsed, f"bw_simapro_csv {bw_simapro_csv.__version__}", hashlib.sha256(raw).hexdigest()


def convert_simapro_csv(path: Path, *, progress: Progress | None = None) -> Build:
    """Convert a SimaPro CSV export of processes into background tables and a report.

    Args:
        path: the ``.csv`` file exported by SimaPro (processes).
        progress: called with (processes done, processes in the file) while converting.

    Raises:
        BackgroundError: the file is missing, unreadable, or not an export of processes.
    """
    from bw_simapro_csv.blocks import Process  # type: ignore[import-untyped]

    parsed, reader, digest = _read(path)
    processes = [block for block in parsed.blocks if isinstance(block, Process)]
    stats = Stats()
    catalogue = catalogue_processes(processes, stats)
    converted = convert_processes(catalogue, stats, progress, len(processes))
    activities = {o.activity.id: o.activity for _, outputs in catalogue.outputs for o in outputs}
    tables = {
        "activities": activity_rows(activities),
        "technosphere": stats.sum_rows(converted.technosphere, "technosphere"),
        "biosphere": stats.sum_rows(converted.biosphere, "biosphere"),
        "flows": flow_rows(converted.flows, (flow for _, flow in converted.biosphere)),
        "unlinked": unlinked_rows(converted.unlinked),
    }
    report = make_report(
        path, parsed.header, reader, digest, len(processes), tables, converted, catalogue, stats
    )
    return Build(tables, report)
