"""A reproducible synthetic background of ecoinvent size and shape, and products that use it.

The technosphere is cyclic (suppliers are drawn from every activity, hubs more often) and
diagonally dominant in value terms: each activity's inputs are worth 10–45 % of its output, so
A = I − M with ‖S⁻¹MS‖₁ < 0.45 for the activities' prices S (well-conditioned, positive supply).
The same numbers are given as a :class:`footprint.background.store.Background` (our code) and as a
bw_processing datapackage (plain bw2calc).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from footprint.background.store import Background
from footprint.engine.methods import factor

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

WINDOW = 100  # how far upstream (in the acyclic order) a non-hub input may come from
#: Activity reference units and their shares (roughly as in USLCI / ecoinvent).
UNITS = {"kg": 0.45, "MJ": 0.15, "tkm": 0.1, "m3": 0.08, "kWh": 0.07, "piece": 0.06, "m2": 0.05}
UNITS_P = {u: p / sum(UNITS.values()) for u, p in UNITS.items()}
#: (gas, origin, kind, flow name) of the greenhouse-gas flows, repeated over compartments.
GHG_KINDS = [
    ("CO2", "fossil", "emission", "Carbon dioxide, fossil"),
    ("CH4", "fossil", "emission", "Methane, fossil"),
    ("N2O", "unspecified", "emission", "Dinitrogen monoxide"),
    ("CO2", "biogenic", "emission", "Carbon dioxide, non-fossil"),
    ("CO2", "biogenic", "removal", "Carbon dioxide, in air"),
    ("CH4", "biogenic", "emission", "Methane, non-fossil"),
    ("CO2", "land_use_change", "emission", "Carbon dioxide, from soil or biomass stock"),
    ("CH4", "land_use_change", "emission", "Methane, from soil or biomass stock"),
    ("SF6", "unspecified", "emission", "Sulfur hexafluoride"),
    ("NF3", "unspecified", "emission", "Nitrogen fluoride"),
    ("HFC-134a", "unspecified", "emission", "Ethane, 1,1,1,2-tetrafluoro-, HFC-134a"),
    ("HFC-32", "unspecified", "emission", "Methane, difluoro-, HFC-32"),
    ("HFC-125", "unspecified", "emission", "Ethane, pentafluoro-, HFC-125"),
    ("HFC-143a", "unspecified", "emission", "Ethane, 1,1,1-trifluoro-, HFC-143a"),
    ("HFC-23", "unspecified", "emission", "Methane, trifluoro-, HFC-23"),
    ("PFC-14", "unspecified", "emission", "Methane, tetrafluoro-, PFC-14"),
    ("PFC-116", "unspecified", "emission", "Ethane, hexafluoro-, PFC-116"),
]
AIR = [
    "air/unspecified",
    "air/urban air close to ground",
    "air/non-urban air or from high stacks",
    "air/lower stratosphere + upper troposphere",
    "air/low population density, long-term",
    "air/indoor",
]
#: Energy resources with a cumulative-energy-demand factor (name, unit).
RESOURCES = [
    ("Coal, hard, unspecified, in ground", "kg"),
    ("Coal, brown, in ground", "kg"),
    ("Gas, natural, in ground", "m3"),
    ("Oil, crude, in ground", "kg"),
    ("Uranium, in ground", "kg"),
    ("Energy, kinetic (in wind), converted", "MJ"),
    ("Energy, potential (in hydropower reservoir), converted", "MJ"),
    ("Energy, gross calorific value, in biomass", "MJ"),
    ("Energy, solar, converted", "MJ"),
]
OTHER_COMPARTMENTS = ["air/unspecified", "water/surface water", "water/ground-", "soil/industrial"]
#: Direct emissions of generated products: (gas, origin) with their flows' kind "emission".
PRODUCT_GASES = [("CO2", "fossil"), ("CH4", "fossil"), ("N2O", "fossil"), ("CO2", "biogenic")]


@dataclass(frozen=True)
class SyntheticSystem:
    """The background's numbers: technosphere inputs (all consumed, i.e. flipped) and biosphere.

    ``*_sigma`` is the lognormal σ (of ln amount) of each exchange, 0.0 for a certain one.
    """

    units: list[str]
    tech_supplier: IntArray
    tech_consumer: IntArray
    tech_amount: FloatArray
    tech_sigma: FloatArray
    bio_flow: IntArray
    bio_activity: IntArray
    bio_amount: FloatArray
    bio_sigma: FloatArray
    flows: pd.DataFrame  # id, name, compartment, unit, cas, gas, origin, kind
    cf: FloatArray  # kg CO2e (AR6) per unit of each flow

    @property
    def n_activities(self) -> int:
        """Number of activities."""
        return len(self.units)

    def activity_id(self, index: int) -> str:
        """Stable id of activity ``index``."""
        return f"syn-{index:06d}"

    def flow_of(self, gas: str, origin: str) -> int:
        """Row of the first emission flow of ``gas`` with the factor of an emission of ``origin``."""
        f = self.flows
        same = (f["gas"] == gas) & (f["kind"] == "emission")
        hits = np.flatnonzero(same.to_numpy() & (self.cf == factor("ar6", gas, origin)))
        return int(hits[0])


@dataclass(frozen=True)
class SyntheticProduct:
    """A generated product: background inputs (activity, amount in its unit) and one emission."""

    name: str
    suppliers: list[int]
    amounts: list[float]
    gas: str
    origin: str
    mass: float  # kg of gas


def _counts(rng: np.random.Generator, n: int, mean: float, cap: int) -> IntArray:
    """Per-activity counts ≥ 1, skewed (negative binomial), with the given mean."""
    counts = 1 + rng.negative_binomial(2, 2.0 / (2.0 + mean - 1.0), size=n)
    return np.minimum(counts, cap).astype(np.int64)


def _dedupe(
    owner: IntArray, partner: IntArray, counts: IntArray, n_partners: int
) -> tuple[IntArray, IntArray]:
    """The first ``counts[j]`` distinct partners of each owner ``j`` (candidates in draw order)."""
    _, first = np.unique(owner * n_partners + partner, return_index=True)
    first.sort()
    owner, partner = owner[first], partner[first]
    starts = np.searchsorted(owner, owner, side="left")
    keep = np.arange(len(owner)) - starts < counts[owner]
    return owner[keep].astype(np.int64), partner[keep].astype(np.int64)


def _zipf(n: int, exponent: float, offset: float = 1.0) -> FloatArray:
    weights = 1.0 / (np.arange(n) + offset) ** exponent
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def _technosphere(
    rng: np.random.Generator, n: int, inputs_per_activity: float
) -> tuple[IntArray, IntArray]:
    """(consumer, supplier) pairs with ecoinvent's shape: markets (hubs) carry the cycles.

    About 1.5 % of activities are hubs (markets: electricity, transport, fuels ...) that supply
    60 % of all inputs (Zipf popularity) and buy from 1–5 producers anywhere in the system, which
    closes loops through them. Other inputs come from activities a little further upstream
    (a local, acyclic supply chain). This keeps the LU fill-in at ecoinvent's scale.
    """
    n_hubs = max(3, round(0.015 * n))
    hubs = rng.choice(n, size=n_hubs, replace=False)
    is_hub = np.zeros(n, dtype=bool)
    is_hub[hubs] = True
    others = np.flatnonzero(~is_hub)
    hub_inputs = np.minimum(1 + rng.poisson(1.5, size=n_hubs), n - 1)
    mean = (inputs_per_activity * n - hub_inputs.sum()) / (n - n_hubs)  # all activities: as asked
    counts = _counts(rng, n, mean, cap=min(400, n - 1))
    counts[hubs] = hub_inputs
    level = rng.permutation(n)  # position in the acyclic upstream order
    by_level = np.argsort(level)
    drawn = np.ceil(counts * 1.6).astype(np.int64) + 3
    consumer = np.repeat(np.arange(n, dtype=np.int64), drawn)
    supplier = np.empty(len(consumer), dtype=np.int64)
    from_hub_consumer = is_hub[consumer]
    supplier[from_hub_consumer] = rng.choice(others, size=int(from_hub_consumer.sum()))
    rest = np.flatnonzero(~from_hub_consumer)
    to_hub = rng.random(len(rest)) < 0.6
    supplier[rest[to_hub]] = hubs[rng.choice(n_hubs, size=int(to_hub.sum()), p=_zipf(n_hubs, 1.0))]
    local = rest[~to_hub]
    window = min(WINDOW, n // 4 + 1)
    upstream = level[consumer[local]] - rng.integers(1, window + 1, size=len(local))
    supplier[local] = by_level[np.where(upstream >= 0, upstream, rng.integers(0, n, len(local)))]
    keep = supplier != consumer
    return _dedupe(consumer[keep], supplier[keep], counts, n)


def _flows(rng: np.random.Generator, n_flows: int, n_ghg: int) -> pd.DataFrame:
    rows: list[dict[str, str]] = []
    for i in range(n_ghg):
        gas, origin, kind, name = GHG_KINDS[i % len(GHG_KINDS)]
        compartment = AIR[(i // len(GHG_KINDS)) % len(AIR)]
        if kind == "removal":
            compartment = "natural resource/in air"
        repeat = i // (len(GHG_KINDS) * len(AIR))
        rows.append(
            {
                "name": name + (f" (variant {repeat})" if repeat else ""),
                "compartment": compartment,
                "unit": "kg",
                "gas": gas,
                "origin": origin,
                "kind": kind,
            }
        )
    for name, unit in RESOURCES[: max(0, n_flows - n_ghg)]:
        rows.append(
            {
                "name": name,
                "compartment": "natural resource/in ground",
                "unit": unit,
                "gas": "",
                "origin": "",
                "kind": "",
            }
        )
    for i in range(len(rows), n_flows):
        rows.append(
            {
                "name": f"Substance {i:05d}",
                "compartment": OTHER_COMPARTMENTS[int(rng.integers(len(OTHER_COMPARTMENTS)))],
                "unit": "kg",
                "gas": "",
                "origin": "",
                "kind": "",
            }
        )
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", [f"flow-{i:05d}" for i in range(len(frame))])
    frame.insert(4, "cas", "")
    return frame[["id", "name", "compartment", "unit", "cas", "gas", "origin", "kind"]]


def generate_system(
    n_activities: int = 21_000,
    n_flows: int = 4_700,
    seed: int = 42,
    *,
    inputs_per_activity: float = 15.3,
    exchanges_per_activity: float = 29.0,
    n_ghg: int = 200,
    uncertain_share: float = 0.7,
) -> SyntheticSystem:
    """The synthetic background (same ``seed``, same numbers)."""
    rng = np.random.default_rng(seed)
    n = n_activities
    n_ghg = min(n_ghg, max(1, n_flows // 4))
    units = list(rng.choice(list(UNITS_P), size=n, p=list(UNITS_P.values())))
    price = np.exp(rng.normal(0.0, 1.0, size=n))  # value of one unit of each activity's output
    consumer, supplier = _technosphere(rng, n, inputs_per_activity)
    # Inputs of each consumer are worth a share u_j ∈ [0.10, 0.45] of its output.
    share = rng.uniform(0.10, 0.45, size=n)
    raw = rng.gamma(0.7, size=len(consumer))
    total = np.bincount(consumer, weights=raw, minlength=n)
    tech_amount = raw / total[consumer] * share[consumer] * price[consumer] / price[supplier]
    flows = _flows(rng, n_flows, n_ghg)
    weights = _zipf(n_flows, 1.0, 5.0)[rng.permutation(n_flows)]
    weights[: len(GHG_KINDS)] = weights.max()  # CO2, CH4, N2O ... in most activities
    weights /= weights.sum()
    per_activity = _counts(rng, n, exchanges_per_activity, cap=n_flows)
    activity = np.repeat(np.arange(n, dtype=np.int64), np.ceil(per_activity * 1.3).astype(int) + 3)
    flow = rng.choice(n_flows, size=len(activity), p=weights)
    activity, flow = _dedupe(activity, flow, per_activity, n_flows)
    bio_amount = np.exp(rng.normal(np.log(1e-3), 2.0, size=len(flow))) * price[activity]
    cf = np.array(
        [
            factor("ar6", g, o or "unspecified", k or "emission") if g else 0.0
            for g, o, k in zip(flows["gas"], flows["origin"], flows["kind"], strict=True)
        ]
    )

    def sigma(size: int) -> FloatArray:
        values = rng.uniform(0.05, 0.6, size=size)
        return np.asarray(np.where(rng.random(size) < uncertain_share, values, 0.0))

    return SyntheticSystem(
        units=[str(u) for u in units],
        tech_supplier=supplier,
        tech_consumer=consumer,
        tech_amount=np.asarray(tech_amount, dtype=np.float64),
        tech_sigma=sigma(len(consumer)),
        bio_flow=flow,
        bio_activity=activity,
        bio_amount=np.asarray(bio_amount, dtype=np.float64),
        bio_sigma=sigma(len(flow)),
        flows=flows,
        cf=cf,
    )


def to_background(system: SyntheticSystem, name: str = "synthetic") -> Background:
    """The system as our ``Background``; exchanges carry the uncertainty columns too.

    As :mod:`footprint.background.importers.tables` writes them (stats_arrays parameters):
    ``uncertainty_type`` 2 (lognormal, ``loc`` = ln amount, ``scale`` = σ) or 0 (none).
    """
    n = system.n_activities
    ids = np.array([system.activity_id(i) for i in range(n)], dtype=object)
    activities = pd.DataFrame(
        {
            "id": ids,
            "name": [f"synthetic activity {i}" for i in range(n)],
            "location": "GLO",
            "unit": system.units,
            "product": [f"synthetic product {i}" for i in range(n)],
            "category": "synthetic",
            "source": "benchmarks/synthetic.py",
        }
    )

    def uncertainty(amount: FloatArray, sigma: FloatArray) -> dict[str, Any]:
        lognormal = sigma > 0
        return {
            "uncertainty_type": np.where(lognormal, 2, 0).astype(np.int64),
            "loc": np.where(lognormal, np.log(amount), np.nan),
            "scale": np.where(lognormal, sigma, np.nan),
            "minimum": np.nan,
            "maximum": np.nan,
        }

    technosphere = pd.DataFrame(
        {
            "consumer": ids[system.tech_consumer],
            "supplier": ids[system.tech_supplier],
            "amount": system.tech_amount,
            **uncertainty(system.tech_amount, system.tech_sigma),
        }
    )
    biosphere = pd.DataFrame(
        {
            "activity": ids[system.bio_activity],
            "flow": system.flows["id"].to_numpy()[system.bio_flow],
            "amount": system.bio_amount,
            **uncertainty(system.bio_amount, system.bio_sigma),
        }
    )
    return Background(
        name=name,
        version="synthetic-1",
        activities=activities,
        technosphere=technosphere,
        biosphere=biosphere,
        flows=system.flows.copy(),
        sources=["synthetic (benchmarks/synthetic.py)"],
    )


def write_tables(background: Background, directory: Path) -> None:
    """Write ``background`` as an imported database (gzip CSV tables and their columnar copies)
    in ``directory``."""
    from footprint.background.columnar import write_columnar
    from footprint.background.importers.tables import UNCERTAINTY_COLUMNS
    from footprint.background.store import (
        ACTIVITY_COLUMNS,
        BIOSPHERE_COLUMNS,
        FLOW_COLUMNS,
        TECHNOSPHERE_COLUMNS,
    )

    spread = list(UNCERTAINTY_COLUMNS)

    directory.mkdir(parents=True, exist_ok=True)
    gz = {"method": "gzip", "compresslevel": 1, "mtime": 0}
    for stem, frame, columns in (
        ("activities", background.activities, ACTIVITY_COLUMNS),
        ("technosphere", background.technosphere, TECHNOSPHERE_COLUMNS + spread),
        ("biosphere", background.biosphere, BIOSPHERE_COLUMNS + spread),
        ("flows", background.flows, FLOW_COLUMNS),
    ):
        frame[columns].to_csv(directory / f"{stem}.csv.gz", index=False, compression=gz)
    (directory / "build_report.json").write_text('{"version": "synthetic-1"}\n', encoding="utf-8")
    write_columnar(directory)


def datapackage(system: SyntheticSystem, *, distributions: bool = False) -> Any:
    """The background as an in-memory bw_processing datapackage (products = activities = 0…n−1)."""
    from footprint.background.brightway import calculation

    _, bwp = calculation()
    n = system.n_activities
    dp = bwp.create_datapackage(name="synthetic-background", sequential=True)
    rows = np.concatenate([np.arange(n), system.tech_supplier])
    cols = np.concatenate([np.arange(n), system.tech_consumer])
    amount = np.concatenate([np.ones(n), system.tech_amount])
    sigma = np.concatenate([np.zeros(n), system.tech_sigma])
    flip = np.concatenate([np.zeros(n, dtype=bool), np.ones(len(system.tech_amount), dtype=bool)])
    extra: dict[str, Any] = {}
    if distributions:
        extra = {"distributions_array": _distributions(amount, sigma, bwp)}
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        name="technosphere",
        indices_array=_indices(rows, cols, bwp),
        data_array=amount,
        flip_array=flip,
        **extra,
    )
    if distributions:
        extra = {"distributions_array": _distributions(system.bio_amount, system.bio_sigma, bwp)}
    dp.add_persistent_vector(
        matrix="biosphere_matrix",
        name="biosphere",
        indices_array=_indices(system.bio_flow, system.bio_activity, bwp),
        data_array=system.bio_amount,
        **extra,
    )
    ghg = np.flatnonzero(system.cf)
    dp.add_persistent_vector(
        matrix="characterization_matrix",
        name="gwp100-ar6",
        indices_array=_indices(ghg, ghg, bwp),
        data_array=system.cf[ghg],
    )
    return dp


def _indices(rows: IntArray, cols: IntArray, bwp: Any) -> Any:
    out = np.empty(len(rows), dtype=bwp.INDICES_DTYPE)
    out["row"], out["col"] = rows, cols
    return out


def _distributions(amount: FloatArray, sigma: FloatArray, bwp: Any) -> Any:
    out = np.zeros(len(amount), dtype=bwp.UNCERTAINTY_DTYPE)
    lognormal = sigma > 0
    out["uncertainty_type"] = np.where(lognormal, 2, 0)
    out["loc"] = np.where(lognormal, np.log(np.abs(amount)), amount)
    out["scale"] = np.where(lognormal, sigma, np.nan)
    out["shape"] = out["minimum"] = out["maximum"] = np.nan
    out["negative"] = amount < 0
    return out


def generate_products(
    system: SyntheticSystem, n_products: int, seed: int = 42
) -> list[SyntheticProduct]:
    """``n_products`` small products: 3–8 background inputs and one direct emission each."""
    rng = np.random.default_rng([seed, 1])
    out = []
    for k in range(n_products):
        m = int(rng.integers(3, 9))
        suppliers = rng.choice(system.n_activities, size=m, replace=False)
        amounts = [float(f"{a:.6g}") for a in np.exp(rng.normal(0.0, 1.0, size=m))]
        gas, origin = PRODUCT_GASES[int(rng.integers(len(PRODUCT_GASES)))]
        mass = float(f"{np.exp(rng.normal(np.log(0.05), 1.0)):.6g}")
        out.append(
            SyntheticProduct(
                f"synthetic product {k:05d}",
                [int(s) for s in suppliers],
                amounts,
                gas,
                origin,
                mass,
            )
        )
    return out


def inventory_data(system: SyntheticSystem, product: SyntheticProduct) -> dict[str, Any]:
    """The product as raw inventory data (what a YAML file holds)."""
    inputs = [
        {
            "name": f"input {i}",
            "background": {"id": system.activity_id(s)},
            "amount": f"{a:.6g} {system.units[s]}",
            "stage": "A2" if system.units[s] == "tkm" else "A1",
        }
        for i, (s, a) in enumerate(zip(product.suppliers, product.amounts, strict=True))
    ]
    return {
        "product": {
            "name": product.name,
            "category": "synthetic",
            "declared_unit": "kg",
            "declared_amount": 1,
            "geography": "US",
        },
        "processes": [
            {
                "id": "make",
                "stage": "A3",
                "output": "1 kg",
                "inputs": inputs,
                "emissions": [
                    {
                        "gas": product.gas,
                        "amount": f"{product.mass:.6g} kg",
                        "origin": product.origin,
                    }
                ],
            }
        ],
    }


def product_datapackage(system: SyntheticSystem, product: SyntheticProduct, activity: int) -> Any:
    """One product as its own datapackage: activity ``activity`` (≥ n) buying from the background."""
    from footprint.background.brightway import calculation

    _, bwp = calculation()
    dp = bwp.create_datapackage(name=product.name, sequential=True)
    rows = np.array([activity, *product.suppliers], dtype=np.int64)
    cols = np.full(len(rows), activity, dtype=np.int64)
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        name="product-technosphere",
        indices_array=_indices(rows, cols, bwp),
        data_array=np.array([1.0, *product.amounts]),
        flip_array=np.array([False] + [True] * len(product.amounts)),
    )
    flow = system.flow_of(product.gas, product.origin)
    dp.add_persistent_vector(
        matrix="biosphere_matrix",
        name="product-biosphere",
        indices_array=_indices(np.array([flow]), np.array([activity]), bwp),
        data_array=np.array([product.mass]),
    )
    return dp


def products_datapackage(system: SyntheticSystem, products: list[SyntheticProduct]) -> Any:
    """All products in one datapackage: product ``k`` is activity ``n + k``."""
    from footprint.background.brightway import calculation

    _, bwp = calculation()
    n = system.n_activities
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    flip: list[bool] = []
    b_rows: list[int] = []
    b_cols: list[int] = []
    b_data: list[float] = []
    for k, product in enumerate(products):
        rows += [n + k, *product.suppliers]
        cols += [n + k] * (1 + len(product.suppliers))
        data += [1.0, *product.amounts]
        flip += [False] + [True] * len(product.amounts)
        b_rows.append(system.flow_of(product.gas, product.origin))
        b_cols.append(n + k)
        b_data.append(product.mass)
    dp = bwp.create_datapackage(name="synthetic-products", sequential=True)
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        name="products-technosphere",
        indices_array=_indices(np.array(rows), np.array(cols), bwp),
        data_array=np.array(data),
        flip_array=np.array(flip),
    )
    dp.add_persistent_vector(
        matrix="biosphere_matrix",
        name="products-biosphere",
        indices_array=_indices(np.array(b_rows), np.array(b_cols), bwp),
        data_array=np.array(b_data),
    )
    return dp
