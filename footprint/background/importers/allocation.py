"""Multi-output processes split into one activity per product, by physical (mass) allocation.

A process with co-products becomes one activity per allocated product. The reference product
keeps the process's id; each co-product gets
:func:`~footprint.background.importers.tables.coproduct_id`.
Every input and emission is shared by mass: product ``k`` with mass ``mₖ`` (its amount times its
kg per unit) carries the share ``fₖ = mₖ / Σ m`` of each exchange, per unit of ``k``.

Which outputs share the burden:

- the reference product and every co-product, when each has a mass: its unit is ``kg``, or its
  flow has a kg-per-unit factor (for the refinery fuels: ``refinery_allocation.csv``);
- not an output whose name marks it as waste, disposal, a ``CUTOFF`` flow or a "non-allocated"
  by-product: such an output leaves burden-free and stays listed as unlinked;
- not an output equal to the sum of the others (within :data:`AGGREGATE_TOLERANCE`, with at least
  two others), e.g. the refinery's "1 kg general refinery product" beside its products: it becomes
  an activity of its own carrying the whole process per unit.

A process with an output that has no mass is not allocated: its reference product keeps the whole
burden, as before, and the report says why ("flagged"). Nothing here runs at import time.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from footprint.background.importers.tables import PRODUCT, Activity, Exchange, Parsed, coproduct_id

#: Relative tolerance for recognising an output that is the sum of the others.
AGGREGATE_TOLERANCE = 0.05
#: Outputs that are not co-products: waste, disposal, cut-off and explicitly non-allocated flows.
NOT_A_COPRODUCT = re.compile(r"\b(?:waste|disposal|non-allocated)\b|^cutoff\b", re.IGNORECASE)
EXCLUDED_REASON = "extra output (waste or cut-off output, no share of the burden)"


@dataclass(frozen=True)
class Output:
    """One product output of a process, per unit of its reference product."""

    flow: str
    product: str
    amount: float
    unit: str
    kg: float | None  # mass of ``amount``; None when the unit has no mass factor
    exchange: Exchange | None = None  # None for the reference product


def coproducts(parsed: Parsed) -> dict[str, list[Exchange]]:
    """The co-product output exchanges of each activity (products, not avoided, converted)."""
    out: dict[str, list[Exchange]] = defaultdict(list)
    for e in parsed.exchanges:
        if e.flow_type == PRODUCT and not e.is_input and not e.avoided and not e.problem:
            out[e.activity].append(e)
    return dict(out)


def _mass(flow: str, amount: float, unit: str, kg_per_unit: Mapping[str, float]) -> float | None:
    if unit == "kg":
        return amount
    factor = kg_per_unit.get(flow)
    return None if factor is None else amount * factor


def _aggregate(outputs: list[Output]) -> Output | None:
    """A co-product whose mass equals the sum of the other outputs' (at least two others)."""
    if len(outputs) < 3 or any(o.kg is None for o in outputs):
        return None
    total = math.fsum(o.kg for o in outputs if o.kg is not None)
    for o in outputs[1:]:
        assert o.kg is not None
        if abs(2 * o.kg - total) <= AGGREGATE_TOLERANCE * o.kg:
            return o
    return None


def _scaled(exchange: Exchange, activity: str, k: float) -> Exchange:
    spread = exchange.spread.scaled(k) if exchange.spread is not None else None
    return replace(exchange, activity=activity, amount=exchange.amount * k, spread=spread)


def _split_off(parent: Activity, output: Output, aggregate: bool) -> Activity:
    what = "all products" if aggregate else "co-product"
    return replace(
        parent,
        id=coproduct_id(parent.id, output.flow),
        name=f"{output.product} ({what} of {parent.name})",
        unit=output.unit,
        product=output.product,
        product_flow=output.flow,
        reference_is_input=False,
        parent=parent.id,
    )


def _record(
    activity: Activity, basis: str, outputs: list[Output], excluded: list[Output]
) -> dict[str, Any]:
    return {
        "id": activity.id,
        "name": activity.name,
        "co_products": len(outputs) + len(excluded) - 1,
        "basis": basis,
        "outputs": [
            {"flow": o.flow, "product": o.product, "amount": o.amount, "unit": o.unit, "kg": o.kg}
            for o in outputs
        ],
        "excluded": [
            {"flow": o.flow, "product": o.product, "amount": o.amount, "unit": o.unit}
            for o in excluded
        ],
    }


def _flag(outputs: list[Output], excluded: list[Output]) -> str:
    """Why the outputs cannot be allocated by mass, or '' when they can."""
    flows = [o.flow for o in outputs]
    if len(set(flows)) < len(flows):
        return "not allocated: the same product is output twice"
    no_mass = [f"{o.product} ({o.unit})" for o in outputs if o.kg is None]
    if no_mass:
        return "not allocated (flagged): no mass for " + "; ".join(no_mass)
    if any(o.amount <= 0 for o in outputs):
        return "not allocated (flagged): an output amount is zero or negative"
    if len(outputs) == 1:
        return "not allocated: its other outputs are waste or cut-off outputs" if excluded else ""
    return ""


def _outputs(
    act: Activity, products: list[Exchange], kg_per_unit: Mapping[str, float]
) -> tuple[list[Output], list[Output]]:
    """The reference and co-product outputs of ``act``, and the outputs that are not co-products."""
    ref = Output(
        act.product_flow,
        act.product,
        1.0,
        act.unit,
        _mass(act.product_flow, 1.0, act.unit, kg_per_unit),
    )
    outputs: list[Output] = [ref]
    excluded: list[Output] = []
    for e in products:
        out = Output(
            e.flow, e.flow_name, e.amount, e.unit, _mass(e.flow, e.amount, e.unit, kg_per_unit), e
        )
        (excluded if NOT_A_COPRODUCT.search(e.flow_name) else outputs).append(out)
    return outputs, excluded


def _split(
    act: Activity,
    own: list[Exchange],
    outputs: list[Output],
    excluded: list[Output],
    mj_per_kg: Mapping[str, float],
    density_source: str,
) -> tuple[list[Activity], list[Exchange], dict[str, Any]]:
    """The activities and exchanges ``act`` splits into by mass, and its report record."""
    aggregate = _aggregate(outputs)
    shared = [o for o in outputs if o is not aggregate]
    masses = [o.kg for o in shared if o.kg is not None]
    total = math.fsum(masses)
    converted = [o.product for o in outputs if o.unit != "kg"]
    basis = "mass"
    if converted:
        basis += f" (kg per unit of {', '.join(converted)}: {density_source})"
    moved = {id(o.exchange) for o in outputs if o.exchange is not None}
    waste = {id(o.exchange) for o in excluded}
    rest = [
        replace(e, problem=EXCLUDED_REASON) if id(e) in waste else e
        for e in own
        if id(e) not in moved
    ]
    record = _record(act, basis, outputs, excluded)
    energy = [
        m * mj_per_kg[o.flow] for o, m in zip(shared, masses, strict=True) if o.flow in mj_per_kg
    ]
    made: list[Activity] = []
    exchanges: list[Exchange] = []
    for item, o in zip(record["outputs"], outputs, strict=True):
        mass = o.kg if o.kg is not None else math.nan
        if o is aggregate:
            share, target = 1.0, _split_off(act, o, aggregate=True)
        else:
            share = mass / total
            target = act if o.exchange is None else _split_off(act, o, aggregate=False)
            if len(energy) == len(shared):
                item["energy_share"] = mass * mj_per_kg[o.flow] / math.fsum(energy)
        item["share"], item["activity"] = share, target.id
        made.append(target)
        exchanges.extend(_scaled(e, target.id, share / o.amount) for e in rest)
    return made, exchanges, record


def allocate(
    parsed: Parsed,
    kg_per_unit: Mapping[str, float] | None = None,
    mj_per_kg: Mapping[str, float] | None = None,
    density_source: str = "",
) -> tuple[Parsed, list[dict[str, Any]]]:
    """``parsed`` with every multi-output process split by mass where possible, and the report.

    ``kg_per_unit`` gives the mass of one reference unit of non-mass product flows (by flow id);
    ``mj_per_kg`` their lower heating values, for an energy-basis comparison in the report;
    ``density_source`` names where ``kg_per_unit`` comes from (shown in the basis).

    Returns the new activities and exchanges, and one record per multi-output process: its
    basis, each output's amount, mass, share and activity id, and the excluded outputs.
    """
    kg_per_unit = kg_per_unit or {}
    mj_per_kg = mj_per_kg or {}
    products = coproducts(parsed)
    own: dict[str, list[Exchange]] = defaultdict(list)
    for e in parsed.exchanges:
        own[e.activity].append(e)
    activities = dict(parsed.activities)
    exchanges: list[Exchange] = []
    records = []
    for aid in sorted(own):
        act = parsed.activities[aid]
        if aid not in products:
            exchanges.extend(own[aid])
            continue
        outputs, excluded = _outputs(act, products[aid], kg_per_unit)
        flag = _flag([o for o in outputs if o is not _aggregate(outputs)], excluded)
        if flag:
            waste = {id(o.exchange) for o in excluded}
            exchanges.extend(
                replace(e, problem=EXCLUDED_REASON) if id(e) in waste else e for e in own[aid]
            )
            records.append(_record(act, flag, outputs, excluded))
            continue
        made, split, record = _split(act, own[aid], outputs, excluded, mj_per_kg, density_source)
        activities.update((a.id, a) for a in made)
        exchanges.extend(split)
        records.append(record)
    return Parsed(activities, exchanges, list(parsed.unlinked)), records
