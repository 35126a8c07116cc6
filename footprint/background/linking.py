"""Linking: each exchange of a parsed database becomes a technosphere link, a biosphere entry or
an unlinked row with its reason. Nothing is dropped silently; nothing here runs at import time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from footprint.background.ghg import classify_gas
from footprint.background.lci import (
    ELEMENTARY,
    PRODUCT,
    WASTE,
    Activity,
    Exchange,
    Flow,
    Parsed,
    Spread,
    UnlinkedRow,
)


@dataclass
class Linked:
    """Exchanges sorted into matrix entries (before merging) and unlinked rows."""

    technosphere: defaultdict[tuple[str, str], list[float]] = field(
        default_factory=lambda: defaultdict(list)
    )
    biosphere: defaultdict[tuple[str, str], list[float]] = field(
        default_factory=lambda: defaultdict(list)
    )
    flows_used: set[str] = field(default_factory=set)
    unlinked: list[UnlinkedRow] = field(default_factory=list)
    co_products: set[str] = field(default_factory=set)
    #: the distribution of each exchange in ``technosphere`` / ``biosphere`` (same keys and order)
    technosphere_spread: defaultdict[tuple[str, str], list[Spread | None]] = field(
        default_factory=lambda: defaultdict(list)
    )
    biosphere_spread: defaultdict[tuple[str, str], list[Spread | None]] = field(
        default_factory=lambda: defaultdict(list)
    )


def providers_by_flow(activities: Mapping[str, Activity]) -> dict[tuple[str, bool], list[str]]:
    """(flow id, reference is an input) -> ids of activities whose reference is that flow."""
    providers: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for act in sorted(activities.values(), key=lambda a: a.id):
        providers[(act.product_flow, act.reference_is_input)].append(act.id)
    return providers


def _unlinked(parsed: Parsed, exchange: Exchange, reason: str) -> UnlinkedRow:
    act = parsed.activities[exchange.activity]
    return UnlinkedRow(
        act.id, act.name, exchange.flow, exchange.flow_name, exchange.amount, exchange.unit, reason
    )


def _technosphere_reason(exchange: Exchange) -> tuple[bool, str] | str:
    """(provider's reference is an input, reason if none) for linkable exchanges; else a reason."""
    if exchange.avoided:
        return "avoided product"
    if exchange.flow_type == PRODUCT:
        if exchange.is_input:
            return (False, "unlinked product input")
        return "extra output (co-product, no allocation)"
    if exchange.flow_type == WASTE:
        if not exchange.is_input:
            return (True, "unlinked waste output")
        return "waste input"
    return f"unsupported flow type {exchange.flow_type or 'missing'}"


def _supplier(
    exchange: Exchange,
    parsed: Parsed,
    providers: Mapping[tuple[str, bool], list[str]],
    ref_is_input: bool,
) -> tuple[str, list[str]]:
    default = parsed.activities.get(exchange.default_provider)
    if default is not None and default.product_flow == exchange.flow:
        return default.id, []
    candidates = providers.get((exchange.flow, ref_is_input), [])
    return (candidates[0], []) if len(candidates) == 1 else ("", candidates)


def link_technosphere(
    exchange: Exchange,
    parsed: Parsed,
    providers: Mapping[tuple[str, bool], list[str]],
    linked: Linked,
) -> None:
    verdict = _technosphere_reason(exchange)
    if isinstance(verdict, str):
        linked.unlinked.append(_unlinked(parsed, exchange, verdict))
        return
    ref_is_input, reason = verdict
    supplier, candidates = _supplier(exchange, parsed, providers, ref_is_input)
    if supplier:
        linked.technosphere[(exchange.activity, supplier)].append(exchange.amount)
        linked.technosphere_spread[(exchange.activity, supplier)].append(exchange.spread)
    elif candidates:
        linked.unlinked.append(
            _unlinked(parsed, exchange, "ambiguous provider: " + " ".join(candidates))
        )
    elif exchange.flow in linked.co_products:
        linked.unlinked.append(_unlinked(parsed, exchange, f"{reason} (co-product elsewhere)"))
    else:
        linked.unlinked.append(_unlinked(parsed, exchange, reason))


def link_biosphere(
    exchange: Exchange, flows: Mapping[str, Flow], linked: Linked, notes: Counter[str]
) -> None:
    flow = flows[exchange.flow]
    info = classify_gas(flow.name, flow.cas, flow.category)
    amount, spread = exchange.amount, exchange.spread
    if exchange.is_input != (info.kind == "removal"):
        amount, spread = -amount, spread.scaled(-1.0) if spread else None
        notes["biosphere exchanges against the flow's direction (amount negated)"] += 1
    linked.biosphere[(exchange.activity, exchange.flow)].append(amount)
    linked.biosphere_spread[(exchange.activity, exchange.flow)].append(spread)
    linked.flows_used.add(exchange.flow)


def link(parsed: Parsed, flows: Mapping[str, Flow], notes: Counter[str]) -> Linked:
    """Split exchanges into technosphere, biosphere and unlinked rows."""
    providers = providers_by_flow(parsed.activities)
    linked = Linked(unlinked=list(parsed.unlinked))
    linked.co_products = {
        e.flow for e in parsed.exchanges if e.flow_type == PRODUCT and not e.is_input
    }
    for exchange in parsed.exchanges:
        if exchange.problem:
            linked.unlinked.append(_unlinked(parsed, exchange, exchange.problem))
        elif exchange.flow_type == ELEMENTARY:
            link_biosphere(exchange, flows, linked, notes)
        else:
            link_technosphere(exchange, parsed, providers, linked)
    return linked
