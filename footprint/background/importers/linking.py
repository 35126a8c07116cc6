"""Linking: each exchange of a parsed database becomes a technosphere link, a biosphere entry or
an unlinked row with its reason. Nothing is dropped silently; nothing here runs at import time.

A product input goes to, in this order: its ``defaultProvider`` (or the activity split off it for
that product); the unique activity making that flow; the provider a reviewed ``providers.csv``
prefers among several; the one a ``choose`` function picks for the consuming activity (e.g. by
location). With ``orphans``, an input of a flow that no activity makes goes to the activity making
the unique product flow of the same name and unit (listed in ``orphan_links``). Activities with a
``not_provider`` reason are never linked as providers, and an activity never supplies itself as
much as it makes (listed as "self-input not less than the reference output").
"""

from __future__ import annotations

import math
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from footprint.background.importers.gases import classify_gas, normalise_name
from footprint.background.importers.reviewed_csv import reviewed_rows
from footprint.background.importers.tables import (
    ELEMENTARY,
    PRODUCT,
    WASTE,
    Activity,
    Exchange,
    Flow,
    Parsed,
    UnlinkedRow,
    coproduct_id,
)
from footprint.errors import BackgroundError
from footprint.inventory.uncertainty import Distribution

#: Namespace of the ids of flows derived from a source flow (a biogenic CO2 uptake listed as a
#: negative emission, methane whose origin the activity decides; see :func:`derived_flow_id`).
DERIVED_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "footprint/background/derived-flow")
PROVIDERS_FILE = "providers.csv"
PROVIDER_COLUMNS = ("flow", "flow_name", "process", "process_name", "reason")


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
    technosphere_spread: defaultdict[tuple[str, str], list[Distribution | None]] = field(
        default_factory=lambda: defaultdict(list)
    )
    biosphere_spread: defaultdict[tuple[str, str], list[Distribution | None]] = field(
        default_factory=lambda: defaultdict(list)
    )
    #: product inputs of a flow nobody makes, linked by name and unit (one record each)
    orphan_links: list[dict[str, Any]] = field(default_factory=list)
    #: (flow, provider) -> exchanges linked to the provider ``providers.csv`` prefers
    preferred_links: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: flows made here from a source flow (id -> what it is), written to the flows table
    derived: dict[str, DerivedFlow] = field(default_factory=dict)

    def derive(self, base: Flow, what: str, gas: str, origin: str, kind: str) -> str:
        """The id of the flow ``base`` becomes as ``what`` (registered once)."""
        fid = derived_flow_id(base.id, what)
        self.derived.setdefault(
            fid, DerivedFlow(base.id, f"{base.name} ({what})", gas, origin, kind)
        )
        return fid


@dataclass(frozen=True)
class DerivedFlow:
    """A flow of the built tables that stands for a source flow in one role."""

    base: str
    name: str
    gas: str
    origin: str
    kind: str


def derived_flow_id(base: str, what: str) -> str:
    """The stable id of source flow ``base`` in the role ``what``."""
    return str(uuid.uuid5(DERIVED_NAMESPACE, f"{base}/{what}"))


#: choose(consuming activity, candidate provider ids) -> the id to link, or '' (ambiguous).
Chooser = Callable[[Activity, Sequence[str]], str]


@dataclass(frozen=True)
class Context:
    """What linking needs besides the exchange: providers, preferences and name aliases."""

    parsed: Parsed
    providers: Mapping[tuple[str, bool], list[str]]
    preferred: Mapping[str, str]
    aliases: Mapping[tuple[str, str], str]
    choose: Chooser | None = None
    #: (flow, reference is an input) -> why its only makers are kept out of linking
    excluded: Mapping[tuple[str, bool], str] = field(default_factory=dict)


def providers_by_flow(activities: Mapping[str, Activity]) -> dict[tuple[str, bool], list[str]]:
    """(flow id, reference is an input) -> ids of activities whose reference is that flow
    (activities with a ``not_provider`` reason left out)."""
    providers: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for act in sorted(activities.values(), key=lambda a: a.id):
        if not act.not_provider:
            providers[(act.product_flow, act.reference_is_input)].append(act.id)
    return providers


def excluded_providers(activities: Mapping[str, Activity]) -> dict[tuple[str, bool], str]:
    """(flow id, reference is an input) -> the ``not_provider`` reason of its first excluded maker."""
    out: dict[tuple[str, bool], str] = {}
    for act in sorted(activities.values(), key=lambda a: a.id):
        if act.not_provider:
            out.setdefault((act.product_flow, act.reference_is_input), act.not_provider)
    return out


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
    exchange: Exchange, context: Context, ref_is_input: bool, flow: str
) -> tuple[str, list[str]]:
    """The supplier of ``flow`` for ``exchange`` (or '') and the candidates when ambiguous."""
    activities = context.parsed.activities
    default = activities.get(exchange.default_provider) or activities.get(
        coproduct_id(exchange.default_provider, flow)
    )
    if default is not None and default.product_flow == flow and not default.not_provider:
        return default.id, []
    candidates = context.providers.get((flow, ref_is_input), [])
    if exchange.activity in candidates and exchange.amount >= 1.0:
        # an activity cannot supply as much as it makes of its own product (singular matrix)
        candidates = [c for c in candidates if c != exchange.activity]
    if len(candidates) == 1:
        return candidates[0], []
    if context.preferred.get(flow) in candidates:
        return context.preferred[flow], []
    if candidates and context.choose is not None:
        chosen = context.choose(activities[exchange.activity], candidates)
        if chosen in candidates:
            return chosen, []
    return "", candidates


def _link(exchange: Exchange, supplier: str, linked: Linked) -> None:
    linked.technosphere[(exchange.activity, supplier)].append(exchange.amount)
    linked.technosphere_spread[(exchange.activity, supplier)].append(exchange.spread)


def _orphan(exchange: Exchange, context: Context, linked: Linked) -> bool:
    """Link a product input of a flow nobody makes to the same-name, same-unit product."""
    alias = context.aliases.get((normalise_name(exchange.flow_name), exchange.unit))
    if alias is None or alias == exchange.flow:
        return False
    supplier, _ = _supplier(exchange, context, False, alias)
    if not supplier:
        return False
    _link(exchange, supplier, linked)
    consumer = context.parsed.activities[exchange.activity]
    provider = context.parsed.activities[supplier]
    linked.orphan_links.append(
        {
            "consumer": consumer.id,
            "consumer_name": consumer.name,
            "flow": exchange.flow,
            "flow_name": exchange.flow_name,
            "amount": exchange.amount,
            "unit": exchange.unit,
            "linked_flow": alias,
            "provider": provider.id,
            "provider_name": provider.name,
        }
    )
    return True


def link_technosphere(exchange: Exchange, context: Context, linked: Linked) -> None:
    verdict = _technosphere_reason(exchange)
    if isinstance(verdict, str):
        linked.unlinked.append(_unlinked(context.parsed, exchange, verdict))
        return
    ref_is_input, reason = verdict
    supplier, candidates = _supplier(exchange, context, ref_is_input, exchange.flow)
    if supplier:
        _link(exchange, supplier, linked)
        if len(context.providers.get((exchange.flow, ref_is_input), [])) > 1:
            linked.preferred_links[(exchange.flow, supplier)] += 1
    elif candidates:
        linked.unlinked.append(
            _unlinked(context.parsed, exchange, "ambiguous provider: " + " ".join(candidates))
        )
    elif not ref_is_input and context.aliases and _orphan(exchange, context, linked):
        return
    elif exchange.activity in context.providers.get((exchange.flow, ref_is_input), []):
        linked.unlinked.append(
            _unlinked(context.parsed, exchange, "self-input not less than the reference output")
        )
    elif (exchange.flow, ref_is_input) in context.excluded:
        why = context.excluded[(exchange.flow, ref_is_input)]
        linked.unlinked.append(
            _unlinked(context.parsed, exchange, f"provider excluded: made only by {why}")
        )
    elif exchange.flow in linked.co_products:
        linked.unlinked.append(
            _unlinked(context.parsed, exchange, f"{reason} (co-product elsewhere)")
        )
    else:
        linked.unlinked.append(_unlinked(context.parsed, exchange, reason))


def link_biosphere(
    exchange: Exchange, flows: Mapping[str, Flow], linked: Linked, notes: Counter[str]
) -> None:
    """An elementary exchange as a biosphere entry, signed by the flow's direction.

    Biogenic CO2 goes by its net direction: taken up (an input of an emission flow such as
    PLA's "Carbon dioxide, biogenic", or a negative emission) it is a removal; released (a
    negative uptake of "Carbon dioxide, in air") it is an emission. Never a negative one.
    """
    flow = flows[exchange.flow]
    info = classify_gas(flow.name, flow.cas, flow.category)
    fid, amount, spread = exchange.flow, exchange.amount, exchange.spread
    if exchange.is_input != (info.kind == "removal"):
        amount, spread = -amount, spread.scaled(-1.0) if spread else None
        notes["biosphere exchanges against the flow's direction (amount negated)"] += 1
    if info.gas == "CO2" and info.origin == "biogenic" and amount < 0:
        kind = "emission" if info.kind == "removal" else "removal"
        fid = linked.derive(
            flow, "uptake" if kind == "removal" else "release", "CO2", "biogenic", kind
        )
        amount, spread = -amount, spread.scaled(-1.0) if spread else None
        counted = "a removal" if kind == "removal" else "an emission"
        notes[f"biogenic CO2 exchanges counted as {counted} (net direction)"] += 1
    linked.biosphere[(exchange.activity, fid)].append(amount)
    linked.biosphere_spread[(exchange.activity, fid)].append(spread)
    linked.flows_used.add(fid)


def name_aliases(activities: Mapping[str, Activity]) -> dict[tuple[str, str], str]:
    """(normalised product name, unit) -> the one product flow made under that name and unit."""
    flows: dict[tuple[str, str], set[str]] = defaultdict(set)
    for act in activities.values():
        if not act.reference_is_input and not act.not_provider:
            flows[(normalise_name(act.product), act.unit)].add(act.product_flow)
    return {key: next(iter(ids)) for key, ids in flows.items() if len(ids) == 1}


def link(
    parsed: Parsed,
    flows: Mapping[str, Flow],
    notes: Counter[str],
    *,
    preferred: Mapping[str, str] | None = None,
    orphans: bool = False,
    choose: Chooser | None = None,
) -> Linked:
    """Split exchanges into technosphere, biosphere and unlinked rows.

    ``preferred`` maps a product flow made by several activities to the one to link;
    ``orphans`` links inputs of flows nobody makes by product name and unit; ``choose`` picks
    among several makers for the consuming activity ('' leaves the input ambiguous).
    """
    context = Context(
        parsed,
        providers_by_flow(parsed.activities),
        preferred or {},
        name_aliases(parsed.activities) if orphans else {},
        choose,
        excluded_providers(parsed.activities),
    )
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
            link_technosphere(exchange, context, linked)
    return linked


@dataclass(frozen=True)
class Preference:
    """A reviewed choice of provider: ``process`` (or the activity split off it) makes ``flow``."""

    line: int
    flow: str
    flow_name: str
    process: str
    process_name: str
    reason: str
    path: str = PROVIDERS_FILE


def read_providers(path: Path) -> list[Preference]:
    """The preferred providers in ``path`` (a CSV with :data:`PROVIDER_COLUMNS`).

    Raises:
        BackgroundError: no such file, a missing column or an empty cell.
    """
    out = []
    for line, row in reviewed_rows(path, PROVIDER_COLUMNS, "providers file"):
        cells = {c: " ".join(row[c].split()) for c in PROVIDER_COLUMNS}
        empty = [c for c in PROVIDER_COLUMNS if not cells[c]]
        if empty:
            raise BackgroundError(f"{empty[0]} is empty", where=f"{path}, line {line}, {empty[0]}")
        out.append(Preference(line, **cells, path=str(path)))
    return out


def resolve_preferences(
    preferences: Sequence[Preference], activities: Mapping[str, Activity]
) -> dict[str, str]:
    """flow id -> id of the activity that makes it, for each preference.

    Raises:
        BackgroundError: the process does not make the flow (as its reference product or an
            allocated co-product), or a name differs from the source's.
    """
    out = {}
    for p in preferences:
        where = f"{p.path}, line {p.line}"
        process = activities.get(p.process)
        if process is None or process.name.casefold() != p.process_name.casefold():
            found = repr(process.name) if process else "no such activity"
            raise BackgroundError(
                f"process {p.process} is {found}, not {p.process_name!r}",
                where=f"{where}, process",
                fix="use the process id and name of the source",
            )
        target = p.process if process.product_flow == p.flow else coproduct_id(p.process, p.flow)
        made = activities.get(target)
        if made is None or made.product.casefold() != p.flow_name.casefold():
            raise BackgroundError(
                f"{p.process_name!r} does not make {p.flow_name!r} ({p.flow}) as its reference "
                "product or an allocated co-product",
                where=f"{where}, flow",
                fix="name a flow the process outputs, and allocate the process",
            )
        out[p.flow] = target
    return out


def flow_table(
    flows: Mapping[str, Flow],
    unit: Callable[[Flow], str],
    used: Iterable[str],
    derived: Mapping[str, DerivedFlow],
) -> list[tuple[str, ...]]:
    """The flows table (``FLOW_COLUMNS``): source flows as :func:`classify_gas` classifies them,
    ``derived`` ones as they were made; ``unit`` gives a flow's reference unit label."""
    rows: list[tuple[str, ...]] = []
    for fid in sorted(used):
        made = derived.get(fid)
        flow = flows[made.base if made else fid]
        info = classify_gas(flow.name, flow.cas, flow.category)
        gas, origin, kind = (
            (made.gas, made.origin, made.kind) if made else (info.gas, info.origin, info.kind)
        )
        name = made.name if made else flow.name
        rows.append((fid, name, flow.category, unit(flow), flow.cas, gas, origin, kind))
    return rows


def ghg_not_characterised(
    flows: Mapping[str, Flow], linked: Linked, activities: Mapping[str, Activity]
) -> list[dict[str, Any]]:
    """Greenhouse-gas flows outside the GWP table, with their mass: ``kg`` summed over the
    activities' rows (each per unit of its activity) and the activity emitting most per unit."""
    out = []
    rows: dict[str, list[tuple[float, str]]] = {}
    for (activity, fid), amounts in sorted(linked.biosphere.items()):
        rows.setdefault(fid, []).append((math.fsum(amounts), activity))
    for fid in sorted(linked.flows_used):
        flow = flows.get(fid)
        if flow is None or not classify_gas(flow.name, flow.cas, flow.category).other_ghg:
            continue
        found = rows.get(fid, [])
        largest = max(found, key=lambda r: (abs(r[0]), r[1]), default=(0.0, ""))
        out.append(
            {
                "id": fid,
                "name": flow.name,
                "compartment": flow.category,
                "activities": len(found),
                "kg": math.fsum(kg for kg, _ in found),
                "largest": {
                    "activity": largest[1],
                    "name": activities[largest[1]].name if largest[1] else "",
                    "kg_per_unit": largest[0],
                },
            }
        )
    return sorted(out, key=lambda d: (d["name"], d["compartment"], d["id"]))


def unlink_singular_loops(linked: Linked, parsed: Parsed, tolerance: float = 1e-9) -> int:
    """Unlink the supply loops that make the technosphere matrix singular; return how many.

    A loop of activities that supply each other all they make (coal mining buying 1 kg of washed
    coal whose washing buys 1 kg of mined coal) has no net output: I - A is singular on it, and
    no activity of the database could be solved. Each strongly connected group of activities
    whose block of I - A is singular (smallest singular value below ``tolerance`` times the
    largest) has all its links among its members moved to ``unlinked``, with the reason.
    """
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    totals: dict[tuple[str, str], float] = {
        key: math.fsum(values) for key, values in linked.technosphere.items()
    }
    ids = sorted({a for pair in totals for a in pair})
    if not ids:
        return 0
    index = {a: i for i, a in enumerate(ids)}
    rows = [index[supplier] for _, supplier in totals]
    cols = [index[consumer] for consumer, _ in totals]
    graph = csr_matrix(([1.0] * len(totals), (rows, cols)), shape=(len(ids), len(ids)))
    _, labels = connected_components(graph, directed=True, connection="strong")
    members: dict[int, list[str]] = defaultdict(list)
    for activity, label in zip(ids, labels, strict=True):
        members[int(label)].append(activity)
    loops = 0
    for group in members.values():
        inside = set(group)
        pairs = [p for p in totals if p[0] in inside and p[1] in inside]
        if not pairs:
            continue
        position = {a: i for i, a in enumerate(group)}
        block = np.identity(len(group))
        for consumer, supplier in pairs:
            block[position[supplier], position[consumer]] -= totals[(consumer, supplier)]
        values = np.linalg.svd(block, compute_uv=False)
        if values.min() >= tolerance * max(1.0, float(values.max())):
            continue
        loops += 1
        for consumer, supplier in sorted(pairs):
            amounts = linked.technosphere.pop((consumer, supplier))
            linked.technosphere_spread.pop((consumer, supplier), None)
            made, user = parsed.activities[supplier], parsed.activities[consumer]
            for amount in amounts:
                linked.unlinked.append(
                    UnlinkedRow(
                        consumer,
                        user.name,
                        made.product_flow,
                        made.product,
                        amount,
                        made.unit,
                        f"supply loop with no net output (singular): {' '.join(sorted(group))}",
                    )
                )
    return loops
