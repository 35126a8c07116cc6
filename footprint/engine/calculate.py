"""Cradle-to-gate footprint of a product inventory: link, solve, break down."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any, cast

import numpy as np

from footprint.background.catalog import load_background
from footprint.background.store import Background
from footprint.engine.cutoffs import reached_cut_offs, summary
from footprint.engine.methods import BUCKETS, GWP_SETS, check_gwp
from footprint.engine.result import (
    ActivityScore,
    BackgroundInfo,
    Contribution,
    CutOff,
    FootprintResult,
    InventorySource,
    Method,
    Period,
    ProductInfo,
    SolverInfo,
)
from footprint.engine.solve import Solution, solve
from footprint.engine.system import LinkedSystem, link
from footprint.errors import FootprintError
from footprint.inventory import Inventory, read_inventory
from footprint.inventory.validate import with_parameters
from footprint.units import convert

STAGES = ("A1", "A2", "A3")


def calculate(
    inventory: Inventory | str | Path,
    *,
    gwp: str = "ar6",
    background: Background | str = "default",
    data_dir: Path | None = None,
    parameters: dict[str, float | str] | None = None,
) -> FootprintResult:
    """The cradle-to-gate footprint (kg CO2e) of the inventory's declared amount of product.

    Args:
        inventory: an :class:`Inventory` or the path of a YAML/CSV inventory file.
        gwp: GWP100 set: ``ar6`` (default), ``ar5`` or ``ar4``.
        background: a :class:`Background` or its name (``default`` is the shipped one).
        data_dir: where imported backgrounds live.
        parameters: values overriding the inventory's declared parameters.

    Raises:
        FootprintError: bad inventory, unknown background activity, unit mismatch, unknown gas.
    """
    gwp = check_gwp(gwp)
    if not isinstance(inventory, Inventory):
        inventory = read_inventory(inventory)
    if parameters:
        inventory = with_parameters(inventory, parameters)
    if isinstance(background, str):
        uses_background = any(i.background for p in inventory.processes for i in p.inputs)
        background = (
            load_background(background, data_dir)
            if uses_background
            else Background.empty(f"none (foreground only; {background} not needed)")
        )
    system = link(inventory, background)
    cf = system.characterisation(gwp)
    # Amounts near the float limit overflow to inf; _check_finite then names them.
    with np.errstate(over="ignore", invalid="ignore"):
        solution = solve(system, cf)
        return footprint_result(inventory, system, solution, gwp, cf)


def calculate_scenarios(
    inventory: Inventory | str | Path,
    scenarios: dict[str, dict[str, float | str]],
    *,
    gwp: str = "ar6",
    background: Background | str = "default",
    data_dir: Path | None = None,
) -> dict[str, FootprintResult]:
    """One result per scenario (name → parameter overrides), each computed as :func:`calculate` does.

    Raises:
        FootprintError: as :func:`calculate`, or a scenario names an undeclared parameter.
    """
    if not isinstance(inventory, Inventory):
        inventory = read_inventory(inventory)
    return {
        name: calculate(
            inventory, gwp=gwp, background=background, data_dir=data_dir, parameters=values
        )
        for name, values in scenarios.items()
    }


def _contributions(system: LinkedSystem, solution: Solution, cf: np.ndarray) -> list[Contribution]:
    out = []
    for line in system.lines:
        scale = solution.supply[system.activity_id(line.process)] * line.amount
        # kg CO2e by bucket, then gas; the buckets' and the gases' totals are its sums
        split: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        if line.kind == "background":
            for (gas, bucket), value in zip(
                solution.categories, solution.category_intensity[line.supplier], strict=False
            ):
                split[bucket][gas] += float(scale * value)
        else:
            split[line.bucket][line.gas] += float(scale * float(cf[line.flow]))
        buckets = {bucket: sum(by_gas.values()) for bucket, by_gas in split.items()}
        gases: dict[str, float] = defaultdict(float)
        for by_gas in split.values():
            for gas, value in by_gas.items():
                gases[gas] += value
        out.append(
            Contribution(
                process=system.processes[line.process].label,
                stage=line.stage,
                input=line.label,
                kind=line.kind,
                value=float(sum(buckets.values())),
                by_bucket={b: float(buckets.get(b, 0.0)) for b in BUCKETS},
                by_gas=dict(gases),
                by_bucket_and_gas={b: dict(g) for b, g in split.items()},
            )
        )
    return out


TOP_ACTIVITIES = 25  # activities listed in ``by_activity`` before the rest


def _activity_scores(system: LinkedSystem, solution: Solution) -> list[ActivityScore]:
    """The largest emitting activities (background and foreground), the rest as one entry."""
    scores = solution.activity_scores
    if scores is None or not scores.size:
        return []
    nb = system.n_background
    scale = float(np.abs(scores).sum()) or 1.0
    order = np.argsort(-np.abs(scores), kind="stable")
    order = order[np.abs(scores[order]) > 1e-12 * scale].tolist()
    acts = system.background.activities
    out = []
    for i in order[:TOP_ACTIVITIES]:
        if i < nb:
            row = acts.iloc[i]
            out.append(
                ActivityScore(
                    str(row["id"]), str(row["name"]), str(row["location"] or ""), float(scores[i])
                )
            )
        else:
            process = system.processes[i - nb]
            out.append(
                ActivityScore(f"foreground:{process.id}", process.label, "", float(scores[i]))
            )
    rest = order[TOP_ACTIVITIES:]
    if rest:
        value = math.fsum(float(scores[i]) for i in rest)
        out.append(ActivityScore("other", f"Other {len(rest)} activities", "", value, len(rest)))
    return out


def _cut_offs(system: LinkedSystem, solution: Solution) -> list[CutOff]:
    """The cut-offs of the background activities the product's supply chain reaches."""
    starts = {line.supplier for line in system.lines if line.kind == "background"}
    solved = solution.activity_scores is not None  # the fast path never solves the background
    supply = solution.supply[: system.n_background] if solved else None
    return reached_cut_offs(system.background, starts, supply)


def _kg(amount: object) -> float | None:
    """An optional mass quantity in kg."""
    return None if amount is None else convert(amount, "kg")  # type: ignore[arg-type]


def _significant(values: dict[str, float]) -> dict[str, float]:
    """Entries largest first, without those that are only rounding noise (< 1e-12 of the whole)."""
    scale = math.fsum(abs(v) for v in values.values())
    kept = {k: v for k, v in values.items() if abs(v) > 1e-12 * scale}
    return dict(sorted(kept.items(), key=lambda kv: -abs(kv[1])))


def _sum_by(items: list[Contribution], key: str) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for c in items:
        totals[getattr(c, key)] += c.value
    return dict(totals)


def _check_finite(
    inventory: Inventory,
    system: LinkedSystem,
    solution: Solution,
    items: list[Contribution],
    total: float,
    energy: float,
) -> None:
    """Refuse a footprint that is not a finite number, naming the amounts out of range.

    Raises:
        FootprintError: the total, the energy or a line's share is infinite or not a number.
    """
    if (
        math.isfinite(total)
        and math.isfinite(energy)
        and all(math.isfinite(c.value) for c in items)
    ):
        return
    supply = np.asarray(solution.supply, dtype=float)
    scaled = [
        f"process {process.label!r} is needed {float(supply[system.activity_id(i)]):g} times over"
        for i, process in enumerate(system.processes)
        if not math.isfinite(float(supply[system.activity_id(i)]))
    ]
    bad = [c for c in items if not math.isfinite(c.value)]
    if not bad:  # each share is finite but their sum is not: the largest are to blame
        bad = sorted(items, key=lambda c: -abs(c.value))[:3]
    lines = [f"{c.process}: {c.input} ({c.value:g} kg CO2e)" for c in bad[:5]]
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    product = inventory.product
    raise FootprintError(
        f"the footprint is not a finite number ({total:g} kg CO2e for {product.declared_amount:g} "
        f"{product.declared_unit}); out of range: " + "; ".join(scaled[:3] + lines) + more,
        where=inventory.source,
        fix="check those amounts, the declared amount and the process outputs, and their units: "
        "they are far beyond any real quantity",
    )


def footprint_result(
    inventory: Inventory, system: LinkedSystem, solution: Solution, gwp: str, cf: np.ndarray
) -> FootprintResult:
    items = _contributions(system, solution, cf)
    energy = math.fsum(
        float(
            solution.supply[system.activity_id(line.process)]
            * line.amount
            * solution.energy_intensity[line.supplier]
        )
        for line in system.lines
        if line.kind == "background"
    )
    gases: dict[str, float] = defaultdict(float)
    buckets: dict[str, float] = defaultdict(float)
    split: dict[str, dict[str, float]] = {b: defaultdict(float) for b in BUCKETS}
    for c in items:
        for key, value in c.by_gas.items():
            gases[key] += value
        for key, value in c.by_bucket.items():
            buckets[key] += value
        for key, by_gas in c.by_bucket_and_gas.items():
            for gas, value in by_gas.items():
                split[key][gas] += value
    total = float(sum(c.value for c in items))
    _check_finite(inventory, system, solution, items, total, energy)
    if not math.isnan(solution.score) and not math.isclose(
        total, solution.score, rel_tol=1e-8, abs_tol=1e-9
    ):
        raise RuntimeError(
            f"breakdown {total!r} does not add up to bw2calc's score {solution.score!r}"
        )
    by_stage = {s: 0.0 for s in STAGES}
    by_stage.update(_sum_by(items, "stage"))
    by_process = {p.label: 0.0 for p in inventory.processes}
    by_process.update(_sum_by(items, "process"))
    product = inventory.product
    cut_offs = _cut_offs(system, solution)
    caveat = summary(cut_offs)
    return FootprintResult(
        product=_product_info(inventory),
        declared_unit=product.declared_unit,
        declared_amount=product.declared_amount,
        total=total,
        by_stage=by_stage,
        by_process=by_process,
        by_gas=_significant(gases),
        by_input=sorted(items, key=lambda c: -abs(c.value)),
        by_activity=_activity_scores(system, solution),
        fossil=buckets["fossil"],
        biogenic_emissions=buckets["biogenic_emissions"],
        biogenic_removals=buckets["biogenic_removals"],
        land_use_change=buckets["land_use_change"],
        method=Method(
            gwp=gwp,
            name=GWP_SETS[gwp],
            source="IPCC; see footprint/data/gwp100.SOURCES.md",
            unspecified_origin="counted as fossil",
        ),
        background=_background_info(system.background),
        solver=SolverInfo.from_dict(solution.solver),
        inventory=InventorySource(inventory.source, inventory.sha256),
        allocation=dict(system.allocation),
        warnings=[*system.warnings, *([caveat] if caveat else [])],
        energy=energy,
        cut_offs=cut_offs,
        by_bucket_and_gas={b: _significant(g) for b, g in split.items()},
        system=system,
    )


def _product_info(inventory: Inventory) -> ProductInfo:
    product = inventory.product
    period = product.reference_period
    return ProductInfo(
        name=product.name,
        id=product.id,
        category=product.category,
        geography=product.geography,
        boundary=product.boundary,
        reference_period=(
            Period(period.start.isoformat(), period.end.isoformat()) if period else None
        ),
        biogenic_carbon_content_kg=_kg(product.biogenic_carbon_content),
        primary_data_share=product.primary_data_share,
        company=product.company.model_dump() if product.company else None,
        data_quality=(
            product.data_quality.model_dump(exclude_none=True) if product.data_quality else None
        ),
        cpc=product.cpc,
        fossil_carbon_content_kg=_kg(product.fossil_carbon_content),
        mass_per_declared_unit_kg=_kg(product.mass_per_declared_unit),
        parameters=dict(product.parameters),
    )


def _background_info(background: Background) -> BackgroundInfo:
    """What :meth:`Background.describe` says, as a record."""
    return BackgroundInfo(**cast("dict[str, Any]", background.describe()))
