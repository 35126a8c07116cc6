"""Link a product inventory to a background and express both as matrix entries.

Activity ids: background activities are ``0 … nB−1`` in table order, foreground processes follow.
Technosphere entries are (product row, activity column, amount, flip); flipped entries are inputs.
Declared uncertainty travels with each line and foreground technosphere entry, scaled to its amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from footprint.background.store import Background
from footprint.engine.methods import bucket, canonical_gas, factor, gwp_table
from footprint.errors import BackgroundError, InventoryError, UnitError
from footprint.inventory.model import Inventory, Process
from footprint.inventory.uncertainty import Distribution, unit_factor
from footprint.units import convert, quantity

ORIGIN_OF_UNSPECIFIED = "unspecified"


@dataclass(frozen=True)
class Line:
    """One foreground line item: a background input or a direct emission of a process."""

    process: int  # foreground position
    label: str
    stage: str
    kind: str  # "background", "emission"
    amount: float  # per unit of the process's output, after allocation (supplier unit or kg)
    unit: str
    supplier: int = -1  # background activity id
    flow: int = -1  # biosphere flow id, for emissions
    gas: str = ""
    bucket: str = ""
    #: distribution of ``amount`` (same unit, after allocation), when the inventory declares one
    uncertainty: Distribution | None = None


@dataclass(frozen=True)
class Entries:
    """The system's matrix entries as numpy arrays (technosphere: flipped entries are inputs)."""

    tech_rows: np.ndarray
    tech_cols: np.ndarray
    tech_values: np.ndarray
    tech_flip: np.ndarray
    bio_rows: np.ndarray
    bio_cols: np.ndarray
    bio_values: np.ndarray

    def __len__(self) -> int:
        return int(self.tech_rows.size + self.bio_rows.size)


@dataclass
class LinkedSystem:
    """Foreground and background as matrix entries, with the line items for breakdowns.

    The lists hold the foreground's entries (appended while linking); the background's are in
    :attr:`background_entries`; :meth:`entries` gives all of them as arrays.
    """

    background: Background
    processes: list[Process]
    reference: int  # activity id of the reference process
    demand: float  # in the reference process's output unit
    n_background: int
    tech_rows: list[int] = field(default_factory=list)
    tech_cols: list[int] = field(default_factory=list)
    tech_values: list[float] = field(default_factory=list)
    tech_flip: list[bool] = field(default_factory=list)
    bio_rows: list[int] = field(default_factory=list)
    bio_cols: list[int] = field(default_factory=list)
    bio_values: list[float] = field(default_factory=list)
    flow_ids: dict[str, int] = field(default_factory=dict)
    #: gas, origin, kind and name of each flow
    flow_info: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: MJ of primary energy per unit of each energy-carrying resource flow
    flow_energy: dict[int, float] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    #: distribution of ``tech_values[i]`` (the foreground list) for inputs between foreground processes
    tech_uncertainty: dict[int, Distribution] = field(default_factory=dict)
    allocation: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: the background's entries (activity ids 0 … nB−1), as arrays; the lists above hold the rest
    background_entries: Entries | None = None
    _entries: Entries | None = field(default=None, repr=False, compare=False)

    def entries(self) -> Entries:
        """Every matrix entry as arrays: the background's, then the foreground's (kept until more
        entries are added)."""
        count = len(self.tech_rows) + len(self.bio_rows)
        count += len(self.background_entries) if self.background_entries is not None else 0
        if self._entries is None or len(self._entries) != count:
            parts = [
                Entries(
                    np.asarray(self.tech_rows, dtype=np.int64),
                    np.asarray(self.tech_cols, dtype=np.int64),
                    np.asarray(self.tech_values, dtype=float),
                    np.asarray(self.tech_flip, dtype=bool),
                    np.asarray(self.bio_rows, dtype=np.int64),
                    np.asarray(self.bio_cols, dtype=np.int64),
                    np.asarray(self.bio_values, dtype=float),
                )
            ]
            if self.background_entries is not None:
                parts.insert(0, self.background_entries)
            self._entries = Entries(
                *(
                    np.concatenate([getattr(part, name) for part in parts])
                    for name in Entries.__dataclass_fields__
                )
            )
        return self._entries

    def activity_id(self, position: int) -> int:
        """Activity id of the foreground process at ``position``."""
        return self.n_background + position

    def flow(self, key: str, gas: str, origin: str, kind: str, name: str) -> int:
        """Id of biosphere flow ``key``, registering it on first use."""
        if key not in self.flow_ids:
            self.flow_ids[key] = len(self.flow_info)
            self.flow_info.append((gas, origin, kind, name))
        return self.flow_ids[key]

    def energy_factors(self) -> np.ndarray:
        """MJ of primary energy (cumulative energy demand) per unit of each flow."""
        out = np.zeros(len(self.flow_info))
        for flow, mj in self.flow_energy.items():
            out[flow] = mj
        return out

    def characterisation(self, gwp: str) -> np.ndarray:
        """kg CO2e per unit of each flow (0 for flows that are not greenhouse gases)."""
        return np.array(
            [factor(gwp, g, o, k) if g else 0.0 for g, o, k, _ in self.flow_info], dtype=float
        )


def _positions(ids: pa.Array, keys: pd.Series, what: str, background: Background) -> np.ndarray:
    """Position of each of ``keys`` among ``ids``.

    Raises:
        BackgroundError: a key is not among ``ids`` (an exchange names an unknown activity/flow).
    """
    found = pc.index_in(pa.array(keys.astype(str)), value_set=ids)
    if found.null_count:
        missing = str(keys.iloc[int(np.flatnonzero(found.is_null().to_numpy(False))[0])])
        raise BackgroundError(
            f"background {background.name!r} has an exchange with unknown {what} {missing!r}",
            fix="rebuild or re-import the background so that every exchange names a known id",
        )
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)


def add_background(system: LinkedSystem) -> None:
    """Add the background's activities, exchanges and flows (to a system with no entries yet)."""
    bg = system.background
    assert system.background_entries is None, "the background is added once"
    assert not system.flow_info, "the background comes first"
    ids = pa.array(bg.activities["id"].astype(str))
    n = len(bg.activities)
    tech, bio, flows = bg.technosphere, bg.biosphere, bg.flows
    columns = (flows[c].tolist() for c in ("id", "gas", "origin", "kind", "name"))
    for flow_id, gas, origin, kind, name in zip(*columns, strict=True):
        system.flow(str(flow_id), gas, origin or ORIGIN_OF_UNSPECIFIED, kind or "emission", name)
    from footprint.engine.energy import ced_vector

    for flow_id, mj in zip(flows["id"].tolist(), ced_vector(flows).tolist(), strict=True):
        if mj:
            system.flow_energy[system.flow_ids[str(flow_id)]] = float(mj)
    diagonal = np.arange(n, dtype=np.int64)
    flow_keys = pa.array(list(system.flow_ids), type=pa.string())
    flow_of = np.fromiter(system.flow_ids.values(), dtype=np.int64, count=len(flow_keys))
    empty = np.zeros(0, dtype=np.int64)
    has_tech, has_bio = bool(len(tech)), bool(len(bio))
    system.background_entries = Entries(
        np.concatenate(
            [diagonal, _positions(ids, tech["supplier"], "supplier", bg) if has_tech else empty]
        ),
        np.concatenate(
            [diagonal, _positions(ids, tech["consumer"], "consumer", bg) if has_tech else empty]
        ),
        np.concatenate([np.ones(n), np.asarray(tech["amount"], dtype=float)]),
        np.concatenate([np.zeros(n, dtype=bool), np.ones(len(tech), dtype=bool)]),
        flow_of[_positions(flow_keys, bio["flow"], "flow", bg)] if has_bio else empty,
        _positions(ids, bio["activity"], "activity", bg) if has_bio else empty,
        np.asarray(bio["amount"], dtype=float),
    )


def _allocation_share(process: Process, inventory: Inventory, position: int) -> float:
    if not process.co_products:
        return 1.0
    where = inventory.where("processes", position, "co_products")
    if process.allocation == "mass":
        try:
            main = convert(process.output, "kg", where=where)
            others = sum(convert(c.amount, "kg", where=where) for c in process.co_products)
        except UnitError as exc:
            raise InventoryError(
                "mass allocation needs every output in a mass unit: " + exc.what,
                where=where,
                fix="state outputs and co-products in kg or t, or use 'allocation: economic'",
            ) from None
        return main / (main + others)
    if process.allocation == "substitution":
        return (
            1.0  # the process keeps all burdens and is credited for what its co-products displace
        )
    economic = process.allocation == "economic"
    field, per_item = ("output_price", "price") if economic else ("output_property", "property")
    main_x = process.output_price if economic else process.output_property
    others_x = [c.price if economic else c.property for c in process.co_products]
    if main_x is None or any(x is None for x in others_x):
        raise InventoryError(
            f"{process.allocation} allocation needs '{field}' on the process and '{per_item}' on every co-product",
            where=where,
            fix="add them (per unit of each amount), or choose another allocation",
        )
    main_value = process.output.magnitude * float(main_x)
    total = main_value + sum(
        c.amount.magnitude * float(x or 0)
        for c, x in zip(process.co_products, others_x, strict=True)
    )
    if total <= 0:
        raise InventoryError(
            f"the outputs' total {per_item} is zero", where=where, fix="check the values"
        )
    return float(main_value / total)


def _add_credits(system: LinkedSystem, inventory: Inventory, position: int) -> None:
    """Substitution: each co-product displaces a background product, as a negative input (a credit)."""
    process = inventory.processes[position]
    col = system.activity_id(position)
    for k, co in enumerate(process.co_products):
        where = inventory.where("processes", position, "co_products", k)
        if co.substitutes is None:
            raise InventoryError(
                f"co-product {co.name!r} has no 'substitutes' for substitution",
                where=where,
                fix="name the background product it displaces, or choose another allocation",
            )
        ref = co.substitutes
        activity = system.background.find(
            id=ref.id, name=ref.name, location=ref.location, where=where + ".substitutes"
        )
        amount = convert(co.amount, activity["unit"], where=where + ".amount")
        supplier = system.background.index[activity["id"]]
        system.tech_rows.append(supplier)
        system.tech_cols.append(col)
        system.tech_values.append(amount)
        system.tech_flip.append(False)  # the process supplies it: less is needed elsewhere
        system.lines.append(
            Line(
                position,
                f"{co.name} (avoided: {activity['name']})",
                process.stage,
                "background",
                -amount,
                str(activity["unit"]),
                supplier=supplier,
            )
        )


def _add_process(
    system: LinkedSystem, inventory: Inventory, position: int, positions: dict[str, int]
) -> None:
    process = inventory.processes[position]
    col = system.activity_id(position)
    system.tech_rows.append(col)
    system.tech_cols.append(col)
    system.tech_values.append(float(process.output.magnitude))
    system.tech_flip.append(False)
    share = _allocation_share(process, inventory, position)
    if process.allocation == "substitution":
        _add_credits(system, inventory, position)
    if process.allocation == "substitution":
        system.allocation[process.label] = (
            "substitution (co-products credited with the products they displace)"
        )
    elif process.co_products:
        system.allocation[process.label] = f"{process.allocation} ({share:.6g} to the main product)"
    for k, item in enumerate(process.inputs):
        where = inventory.where("processes", position, "inputs", k)
        if item.process is not None:
            if item.process not in positions:
                raise InventoryError(
                    f"input from unknown process {item.process!r}",
                    where=where,
                    fix=f"use one of the process ids: {', '.join(positions)}",
                )
            supplier = inventory.processes[positions[item.process]]
            amount = convert(item.amount, str(supplier.output.units), where=where + ".amount")
            system.tech_rows.append(system.activity_id(positions[item.process]))
            system.tech_cols.append(col)
            system.tech_values.append(amount * share)
            system.tech_flip.append(True)
            if item.uncertainty is not None:
                per_unit = unit_factor(item.amount, str(supplier.output.units)) * share
                system.tech_uncertainty[len(system.tech_values) - 1] = (
                    item.uncertainty.distribution_of(item.amount).scaled(per_unit)
                )
            continue
        ref = item.background
        assert ref is not None
        activity = system.background.find(
            id=ref.id, name=ref.name, location=ref.location, where=where + ".background"
        )
        amount = convert(item.amount, activity["unit"], where=where + ".amount")
        supplier_id = system.background.index[activity["id"]]
        for caveat in system.background.caveats(str(activity["id"]), cut_offs=False):
            note = f"{activity['name']} [{activity['id']}]: {caveat}"
            if note not in system.warnings:
                system.warnings.append(note)
        system.tech_rows.append(supplier_id)
        system.tech_cols.append(col)
        system.tech_values.append(amount * share)
        system.tech_flip.append(True)
        spread = None
        if item.uncertainty is not None:
            per_unit = unit_factor(item.amount, str(activity["unit"])) * share
            spread = item.uncertainty.distribution_of(item.amount).scaled(per_unit)
        system.lines.append(
            Line(
                position,
                item.name or str(activity["name"]),
                item.stage or process.stage,
                "background",
                amount * share,
                str(activity["unit"]),
                supplier=supplier_id,
                uncertainty=spread,
            )
        )
    for k, emission in enumerate(process.emissions):
        where = inventory.where("processes", position, "emissions", k)
        gas = canonical_gas(emission.gas)
        if gas is None:
            raise InventoryError(
                f"unknown gas {emission.gas!r}",
                where=where + ".gas",
                fix="use a gas of the GWP table ("
                + ", ".join(k for k in gwp_table("ar6") if k != "CO2e")
                + "), or CO2e for an amount already in CO2-equivalent",
            )
        mass = convert(emission.amount, "kg", where=where + ".amount")
        kind = "removal" if mass < 0 else "emission"
        if kind == "removal" and gas != "CO2":
            raise InventoryError("only CO2 can be removed (negative amount)", where=where)
        flow = system.flow(
            f"foreground:{gas}:{emission.origin}:{kind}",
            gas,
            emission.origin,
            kind,
            f"{gas} ({emission.origin}{', removal' if kind == 'removal' else ''})",
        )
        system.bio_rows.append(flow)
        system.bio_cols.append(col)
        system.bio_values.append(abs(mass) * share)
        spread = None
        if emission.uncertainty is not None:
            per_unit = unit_factor(emission.amount, "kg") * share * (-1.0 if mass < 0 else 1.0)
            spread = emission.uncertainty.distribution_of(emission.amount).scaled(per_unit)
        system.lines.append(
            Line(
                position,
                emission.name or f"{gas}, {emission.origin.replace('_', ' ')}, direct",
                emission.stage or process.stage,
                "emission",
                abs(mass) * share,
                "kg",
                flow=flow,
                gas=gas,
                bucket=bucket(emission.origin, kind),
                uncertainty=spread,
            )
        )


def foreground_matrix(system: LinkedSystem) -> np.ndarray:
    """The foreground block of the technosphere matrix (processes × processes, inputs negative)."""
    e = system.entries()
    nb, n = system.n_background, len(system.processes)
    mask = (e.tech_rows >= nb) & (e.tech_cols >= nb)
    a = np.zeros((n, n))
    values = np.where(e.tech_flip[mask], -e.tech_values[mask], e.tech_values[mask])
    np.add.at(a, (e.tech_rows[mask] - nb, e.tech_cols[mask] - nb), values)
    return a


def _check_foreground(system: LinkedSystem, inventory: Inventory) -> None:
    """Refuse foreground cycles that consume all they make (no net output)."""
    n = len(inventory.processes)
    a = foreground_matrix(system)
    demand = np.zeros(n)
    demand[system.reference - system.n_background] = 1.0
    try:
        supply = np.linalg.solve(a, demand)
        ok = bool(np.all(np.isfinite(supply)) and np.all(supply >= -1e-12))
    except np.linalg.LinAlgError:
        ok = False
    if not ok:
        names = ", ".join(p.id for p in inventory.processes)
        raise InventoryError(
            "the foreground processes consume as much as they make, or more (a cycle with no net "
            f"output among: {names})",
            where=inventory.where("processes"),
            fix="check the amounts of inputs from other foreground processes: each process must "
            "make more than it takes back from itself, directly or through a loop",
        )


def link(
    inventory: Inventory, background: Background, *, with_background: bool = True
) -> LinkedSystem:
    """Link ``inventory`` to ``background`` and build the system's matrix entries.

    With ``with_background=False`` only the foreground's entries are built (the background's
    intensities are then taken from :mod:`footprint.engine.intensities`).

    Raises:
        InventoryError / BackgroundError / UnitError: with file, line and field.
    """
    positions = {p.id: i for i, p in enumerate(inventory.processes)}
    reference = inventory.reference_process
    product = inventory.product
    where = inventory.where("product", "declared_unit")
    declared = quantity(product.declared_amount, product.declared_unit, where=where)
    demand = convert(declared, str(reference.output.units), where=where)
    system = LinkedSystem(
        background=background,
        processes=list(inventory.processes),
        reference=len(background.activities) + positions[reference.id],
        demand=demand,
        n_background=len(background.activities),
    )
    if with_background:
        add_background(system)
    for position in range(len(inventory.processes)):
        _add_process(system, inventory, position, positions)
    _check_foreground(system, inventory)
    return system
