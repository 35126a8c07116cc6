"""Link, normalise and tabulate the processes read from EcoSpold 1 or 2 (see
:mod:`footprint.background.importers.ecospold`). Nothing here runs at import time.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from footprint.background.importers.ecospold import (
    PREFERRED_FLOW_UNITS,
    TECHNOSPHERE_INPUT_GROUPS,
    UNIT_REASONS,
    Exchange,
    Process,
    Resolver,
    Source,
    unit_factor,
    unit_problem,
)
from footprint.background.importers.gases import (
    GasInfo,
    classification_path,
    classify_gas,
    other_ghg_flows,
)
from footprint.background.importers.tables import (
    Activity,
    Build,
    Tables,
    UnlinkedRow,
    activity_rows,
    import_report,
    multi_output_activities,
    table_counts,
    unlinked_rows,
)

# --- linking and tables -----------------------------------------------------------------------


@dataclass(frozen=True)
class _FlowClass:
    """How an elementary flow is written: reference unit and gas classification."""

    unit: str
    info: GasInfo


# Top compartments of EcoSpold exports (USLCI's openLCA export uses troposphere/urban,


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
            "technosphere": self.stats.sum_rows(self.technosphere, "technosphere"),
            "biosphere": self.stats.sum_rows(self.biosphere, "biosphere"),
            "flows": flows,
            "unlinked": unlinked_rows(self.unlinked),
        }

    def ghg_not_characterised(self) -> list[dict[str, Any]]:
        """The greenhouse gases without a GWP among the flows used."""
        uses = Counter(flow for (_, flow) in self.biosphere)
        flows = [
            (fid, flow.name, flow.compartment, self.flow_class[fid].info.other_ghg)
            for fid, flow in ((f, self.source.flows[f]) for f in sorted(self.flows_used))
        ]
        return other_ghg_flows(flows, uses)


def assemble(source: Source, resolve: Resolver, meta: Mapping[str, Any]) -> Build:
    """Link and tabulate ``source`` (``resolve`` finds an input's provider); report after ``meta``."""
    assembler = _Assembler(source, resolve)
    assembler.run()
    tables = assembler.tables()
    stats = source.stats
    before = sum(len(v) for v in assembler.technosphere.values())
    after: dict[str, dict[str, Any]] = {
        "notes": {"skipped_files": sorted(source.skipped_files)},
        "units_emitted": {
            "multi_output_activities": multi_output_activities(tables["unlinked"]),
            "ghg_not_characterised": assembler.ghg_not_characterised(),
        },
    }
    counts = table_counts(source.datasets_read, tables, before)
    return Build(tables, import_report(meta, counts, tables, stats.conversions, stats.notes, after))
