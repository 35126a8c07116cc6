"""The result of a footprint calculation: typed, with ``to_dict`` / ``to_dataframe``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from footprint.engine.system import LinkedSystem

UNIT = "kg CO2e"


@dataclass(frozen=True)
class Contribution:
    """One line item's share of the footprint (kg CO2e for the declared amount)."""

    process: str
    stage: str
    input: str
    kind: str  # "background" input or direct "emission"
    value: float
    #: kg CO2e by ISO 14067 bucket (fossil, biogenic emissions, biogenic removals, land-use change)
    by_bucket: dict[str, float] = field(default_factory=dict)
    #: kg CO2e by greenhouse gas (GWP100-weighted); not part of ``to_dict`` / ``to_dataframe``
    by_gas: dict[str, float] = field(default_factory=dict)
    #: kg CO2e by bucket, then by gas (``{"biogenic_emissions": {"CH4": ...}}``); not part of
    #: ``to_dict`` / ``to_dataframe`` (summed in the result's ``by_bucket_and_gas``)
    by_bucket_and_gas: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The line item as JSON-ready data (its gases are summed in the result's ``by_gas``)."""
        return {
            "process": self.process,
            "stage": self.stage,
            "input": self.input,
            "kind": self.kind,
            "value": self.value,
            "by_bucket": dict(self.by_bucket),
        }


@dataclass(frozen=True)
class ActivityScore:
    """What one activity of the supply chain emits itself (kg CO2e for the declared amount)."""

    activity: str  # background activity id, or "foreground:<process id>"
    name: str
    location: str
    value: float
    count: int = 1  # activities this entry stands for (more than one for the rest)


@dataclass(frozen=True)
class CutOff:
    """One exchange left out of an activity the supply chain reaches.

    ``amount`` is per unit of the activity; ``reached`` is that amount times the activity's
    supply for the declared amount of product (None where the supply was not solved, as in the
    batch fast path).
    """

    activity: str
    activity_name: str
    input: str
    amount: float | None
    unit: str
    reason: str
    reached: float | None = None


@dataclass(frozen=True)
class Period:
    """A reference period, as ISO dates (``2023-01-01``)."""

    start: str
    end: str


@dataclass(frozen=True)
class ProductInfo:
    """What the inventory says about the product (masses in kg, shares in percent)."""

    name: str
    id: str | None = None
    category: str | None = None
    geography: str | None = None
    boundary: str = "cradle-to-gate"
    reference_period: Period | None = None
    biogenic_carbon_content_kg: float | None = None
    primary_data_share: float | None = None
    #: the maker (``name``, ``ids``...), as the inventory gives it
    company: dict[str, Any] | None = None
    #: data quality ratings (lower is better) the inventory states
    data_quality: dict[str, Any] | None = None
    cpc: str | None = None
    fossil_carbon_content_kg: float | None = None
    mass_per_declared_unit_kg: float | None = None
    #: the parameter values the footprint was computed with
    parameters: dict[str, float | str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (the ``product_info`` of ``footprint calc --format json``)."""
        return asdict(self)


@dataclass(frozen=True)
class Method:
    """The characterisation method: an IPCC GWP100 set."""

    gwp: str  # ar6, ar5 or ar4
    name: str
    source: str
    unspecified_origin: str  # how a flow of unstated origin is counted

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class BackgroundInfo:
    """The background database a result was computed with: name, version, size and sources."""

    name: str
    version: str
    activities: int = 0
    technosphere_exchanges: int = 0
    biosphere_exchanges: int = 0
    elementary_flows: int = 0
    #: exchanges the background's import could not link, by reason
    unlinked_exchanges: dict[str, int] = field(default_factory=dict)
    ghg_flows_not_characterised: int = 0
    sources: list[str] = field(default_factory=list)

    @property
    def foreground_only(self) -> bool:
        """True when no background database was needed (the system is all foreground)."""
        return self.name.startswith("none")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class SolverInfo:
    """The solver used and the versions of the libraries behind it.

    A solve by bw2calc gives ``bw2calc`` and ``bw_processing``; a footprint from precomputed
    intensities gives their ``method`` and ``intensities`` key. Fields not given are left out of
    :meth:`to_dict`; entries of a solver this record does not know are kept in ``more``.
    """

    name: str
    bw2calc: str | None = None
    bw_processing: str | None = None
    method: str | None = None
    intensities: str | None = None
    more: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, info: Mapping[str, Any]) -> SolverInfo:
        """The record of a solver's description (``name`` and what else it gives)."""
        known = {f.name for f in fields(cls)} - {"more"}
        return cls(
            **{k: v for k, v in info.items() if k in known},
            more={k: v for k, v in info.items() if k not in known},
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: the entries given (in field order), then the others."""
        out = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "more" and getattr(self, f.name) is not None
        }
        return out | self.more


@dataclass(frozen=True)
class InventorySource:
    """The inventory file a result was computed from, and its sha256."""

    source: str
    sha256: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class FootprintResult:
    """Cradle-to-gate footprint of ``declared_amount`` ``declared_unit`` of a product.

    All values are kg CO2e for the declared amount. ``total`` = fossil + biogenic emissions +
    biogenic removals (≤ 0) + land-use change (ISO 14067 §7.2 reports them separately).

    ``system`` is the linked system the result was computed from (inventory and background); it
    is not part of the result's data (not in ``to_dict``, not compared) and is None for a result
    built otherwise.
    """

    product: ProductInfo
    declared_unit: str
    declared_amount: float
    total: float
    by_stage: dict[str, float]
    by_process: dict[str, float]
    by_gas: dict[str, float]
    by_input: list[Contribution]
    fossil: float
    biogenic_emissions: float
    biogenic_removals: float
    land_use_change: float
    method: Method
    background: BackgroundInfo
    solver: SolverInfo
    inventory: InventorySource
    allocation: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    energy: float | None = None  # cumulative energy demand, MJ for the declared amount
    #: where the emissions occur: the largest emitting activities of the whole supply chain and
    #: the rest as one entry (empty when computed from precomputed intensities, as batch does)
    by_activity: list[ActivityScore] = field(default_factory=list)
    #: background exchanges left out of the supply chain (cut off), every reason kept
    cut_offs: list[CutOff] = field(default_factory=list)
    #: kg CO2e of each ISO 14067 bucket (``fossil``, ``biogenic_emissions``, ...) by greenhouse
    #: gas, so that biogenic and fossil methane (or CO2) are told apart; each bucket adds up to
    #: its total. ``CO2e`` is pre-aggregated CO2e of unknown gases (e.g. a supplier's PACT
    #: footprint). Empty for a result built without it (the split is then unknown).
    by_bucket_and_gas: dict[str, dict[str, float]] = field(default_factory=dict)
    system: LinkedSystem | None = field(default=None, repr=False, compare=False)

    @property
    def total_excluding_biogenic_removals(self) -> float:
        """kg CO2e without biogenic CO2 uptake (PACT's pcfExcludingBiogenicUptake)."""
        return self.total - self.biogenic_removals

    @property
    def biogenic_non_co2_emissions(self) -> float | None:
        """kg CO2e of biogenic emissions of gases other than CO2 (biogenic CH4, N2O, ...);
        None when unknown: part of the biogenic emissions is pre-aggregated CO2e of unknown
        gases, or the result carries no split by gas."""
        return _without_co2(self.by_bucket_and_gas, "biogenic_emissions", self.biogenic_emissions)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the contract of ``footprint calc --format json``."""
        return {
            "product": self.product.name,
            "product_info": self.product.to_dict(),
            "declared_unit": {"amount": self.declared_amount, "unit": self.declared_unit},
            "total": {"value": self.total, "unit": UNIT},
            "total_excluding_biogenic_removals": {
                "value": self.total_excluding_biogenic_removals,
                "unit": UNIT,
            },
            "by_stage": dict(self.by_stage),
            "by_process": dict(self.by_process),
            "by_gas": dict(self.by_gas),
            "by_bucket_and_gas": {b: dict(g) for b, g in self.by_bucket_and_gas.items()},
            "by_input": [c.to_dict() for c in self.by_input],
            "by_activity": [asdict(a) for a in self.by_activity],
            "fossil": self.fossil,
            "biogenic_emissions": self.biogenic_emissions,
            "biogenic_removals": self.biogenic_removals,
            "land_use_change": self.land_use_change,
            "energy": None
            if self.energy is None
            else {"value": self.energy, "unit": "MJ", "method": "cumulative energy demand"},
            "method": self.method.to_dict(),
            "background": self.background.to_dict(),
            "solver": self.solver.to_dict(),
            "inventory": self.inventory.to_dict(),
            "allocation": self.allocation,
            "warnings": list(self.warnings),
            "cut_offs": [asdict(c) for c in self.cut_offs],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """``to_dict`` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    def to_dataframe(self) -> pd.DataFrame:
        """One row per line item: process, stage, input, kind, kg CO2e and its ISO buckets."""
        rows = [
            {
                "process": c.process,
                "stage": c.stage,
                "input": c.input,
                "kind": c.kind,
                "kg_co2e": c.value,
                **c.by_bucket,
            }
            for c in self.by_input
        ]
        return pd.DataFrame(rows)


#: the share of a bucket below which pre-aggregated CO2e in it is rounding noise
_NOISE = 1e-9


def _without_co2(
    by_bucket_and_gas: Mapping[str, Mapping[str, float]], bucket: str, total: float
) -> float | None:
    """kg CO2e of ``bucket`` from gases other than CO2, or None if that is unknown."""
    gases = by_bucket_and_gas.get(bucket)
    if gases is None:
        return 0.0 if by_bucket_and_gas and total == 0.0 else None
    scale = max(abs(total), sum(abs(v) for v in gases.values()))
    if abs(gases.get("CO2e", 0.0)) > _NOISE * scale:
        return None
    return float(sum(v for gas, v in gases.items() if gas not in ("CO2", "CO2e")))
