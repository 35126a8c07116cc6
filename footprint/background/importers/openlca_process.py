"""openLCA processes as activities and exchanges, each normalised to one reference unit.

Nothing here runs at import time.
"""

from __future__ import annotations

import math

from footprint.background.importers.gases import normalise_name
from footprint.background.importers.openlca_source import (
    Index,
    JsonObj,
    Source,
    UnitProblem,
    clean,
    convert,
    is_currency,
    reference_unit,
    unit_label,
)
from footprint.background.importers.openlca_uncertainty import exchange_spread
from footprint.background.importers.tables import (
    PRODUCT,
    Activity,
    Exchange,
    Flow,
    Parsed,
    Stats,
    UnlinkedRow,
)
from footprint.inventory.uncertainty import Distribution


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
    name = normalise_name(clean(process.get("name")))
    if normalise_name(clean(ref["flow"].get("name"))) == name:
        return
    for exchange in process.get("exchanges", []):
        if (
            exchange is not ref
            and not exchange.get("input")
            and _flow_type(index, exchange) == PRODUCT
            and normalise_name(clean(exchange["flow"].get("name"))) == name
        ):
            stats.suspect_references.append(
                {
                    "id": process["@id"],
                    "name": clean(process.get("name")),
                    "flagged_reference": clean(ref["flow"].get("name")),
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
        name=clean(process.get("name")),
        location=index.locations.get(location.get("@id", ""), clean(location.get("name"))),
        unit=unit_label(reference_unit(index, flow)),
        product=flow.name,
        product_flow=flow.id,
        category=index.categories.get((process.get("category") or {}).get("@id", ""), ""),
        description_source=clean((doc.get("publication") or {}).get("name")),
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
    spread: Distribution | None = None
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
        flow_name=flow.name if flow else clean(ref.get("name")),
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
        UnlinkedRow(process["@id"], clean(process.get("name")), "", "", None, "", reason)
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
