"""The result of a footprint calculation: typed, with ``to_dict`` / ``to_dataframe``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

UNIT = "kg CO2e"


@dataclass(frozen=True)
class Contribution:
    """One line item's share of the footprint (kg CO2e for the declared amount)."""

    process: str
    stage: str
    input: str
    kind: str  # "background" input or direct "emission"
    value: float
    by_bucket: dict[str, float] = field(default_factory=dict)


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
class FootprintResult:
    """Cradle-to-gate footprint of ``declared_amount`` ``declared_unit`` of a product.

    All values are kg CO2e for the declared amount. ``total`` = fossil + biogenic emissions +
    biogenic removals (≤ 0) + land-use change (ISO 14067 §7.2 reports them separately).
    """

    product: dict[str, Any]
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
    method: dict[str, Any]
    background: dict[str, Any]
    solver: dict[str, Any]
    inventory: dict[str, Any]
    allocation: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    energy: float | None = None  # cumulative energy demand, MJ for the declared amount
    #: where the emissions occur: the largest emitting activities of the whole supply chain and
    #: the rest as one entry (empty when computed from precomputed intensities, as batch does)
    by_activity: list[ActivityScore] = field(default_factory=list)
    #: background exchanges left out of the supply chain (cut off), every reason kept
    cut_offs: list[CutOff] = field(default_factory=list)

    @property
    def total_excluding_biogenic_removals(self) -> float:
        """kg CO2e without biogenic CO2 uptake (PACT's pcfExcludingBiogenicUptake)."""
        return self.total - self.biogenic_removals

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the contract of ``footprint calc --format json``."""
        return {
            "product": self.product["name"],
            "product_info": self.product,
            "declared_unit": {"amount": self.declared_amount, "unit": self.declared_unit},
            "total": {"value": self.total, "unit": UNIT},
            "total_excluding_biogenic_removals": {
                "value": self.total_excluding_biogenic_removals,
                "unit": UNIT,
            },
            "by_stage": dict(self.by_stage),
            "by_process": dict(self.by_process),
            "by_gas": dict(self.by_gas),
            "by_input": [asdict(c) for c in self.by_input],
            "by_activity": [asdict(a) for a in self.by_activity],
            "fossil": self.fossil,
            "biogenic_emissions": self.biogenic_emissions,
            "biogenic_removals": self.biogenic_removals,
            "land_use_change": self.land_use_change,
            "energy": None
            if self.energy is None
            else {"value": self.energy, "unit": "MJ", "method": "cumulative energy demand"},
            "method": self.method,
            "background": self.background,
            "solver": self.solver,
            "inventory": self.inventory,
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
