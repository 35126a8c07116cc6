"""The intermediate model of a converted LCI database: activities, exchanges, flows, spreads.

Every importer of this package turns its source into these records, then into the gzip CSV
tables described in ``inventories/background/uslci/README.md``. Nothing here runs at import time.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

PRODUCT, WASTE, ELEMENTARY = "PRODUCT_FLOW", "WASTE_FLOW", "ELEMENTARY_FLOW"

#: Namespace of the ids of activities split off a multi-output process (see :func:`coproduct_id`).
COPRODUCT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "footprint/background/co-product")

# stats_arrays ids of the distributions written to the ``uncertainty_type`` column (0: none).
LOGNORMAL, NORMAL, UNIFORM, TRIANGULAR = 2, 3, 4, 5


def fmt(value: float | None) -> str:
    """``repr`` of a float (round-trips exactly); ``-0.0`` is written as ``0.0``."""
    if value is None:
        return ""
    return repr(value + 0.0)


def coproduct_id(process: str, flow: str) -> str:
    """The stable id of the activity that makes co-product ``flow`` of multi-output ``process``."""
    return str(uuid.uuid5(COPRODUCT_NAMESPACE, f"{process}/{flow}"))


@dataclass(frozen=True)
class Spread:
    """The distribution of an amount, as stats_arrays parameters in the amount's unit.

    lognormal (2): ``loc`` = ln|amount| (the amount is the geometric mean and gives the sign),
    ``scale`` = σ of ln(amount); normal (3): ``loc`` mean, ``scale`` standard deviation; uniform (4):
    ``minimum``, ``maximum``; triangular (5): ``loc`` mode, ``minimum``, ``maximum``. Unused: NaN.
    """

    kind: int
    loc: float = math.nan
    scale: float = math.nan
    minimum: float = math.nan
    maximum: float = math.nan

    def scaled(self, k: float) -> Spread:
        """The distribution of ``k`` × the amount (``k`` ≠ 0)."""
        if self.kind == LOGNORMAL:
            return replace(self, loc=self.loc + math.log(abs(k)))
        if self.kind == NORMAL:
            return replace(self, loc=self.loc * k, scale=self.scale * abs(k))
        low, high = sorted((self.minimum * k, self.maximum * k))
        loc = self.loc * k if self.kind == TRIANGULAR else math.nan
        return replace(self, loc=loc, minimum=low, maximum=high)

    def mean(self, sign: float) -> float:
        """The distribution's arithmetic mean (``sign`` of the amount, for the lognormal)."""
        if self.kind == LOGNORMAL:
            return math.copysign(math.exp(self.loc + self.scale**2 / 2), sign)
        if self.kind == NORMAL:
            return self.loc
        if self.kind == TRIANGULAR:
            return (self.minimum + self.loc + self.maximum) / 3
        return (self.minimum + self.maximum) / 2

    def cells(self) -> tuple[str, ...]:
        """The five uncertainty columns."""
        return (
            str(self.kind),
            *(_cell(v) for v in (self.loc, self.scale, self.minimum, self.maximum)),
        )


NO_SPREAD_CELLS = ("0", "", "", "", "")


def _cell(value: float) -> str:
    return "" if math.isnan(value) else fmt(value)


@dataclass(frozen=True)
class Flow:
    id: str
    name: str
    flow_type: str
    category: str
    cas: str
    reference_property: str
    property_factors: Mapping[str, float]


@dataclass(frozen=True)
class Activity:
    """One activity: one reference unit of ``product``; ``parent`` is the source process it was
    split off by allocation (empty when it is the process itself). ``name_zh`` is its Chinese
    name where the source gives one; ``not_provider`` says why the activity must never be linked
    as the provider of its product (empty: it may be)."""

    id: str
    name: str
    location: str
    unit: str
    product: str
    product_flow: str
    category: str
    description_source: str
    valid_from: str
    valid_until: str
    reference_is_input: bool
    parent: str = ""
    name_zh: str = ""
    not_provider: str = ""


@dataclass(frozen=True)
class Exchange:
    """A non-reference exchange, normalised to one reference unit of the activity's product."""

    activity: str
    flow: str
    flow_name: str
    flow_type: str
    amount: float
    unit: str
    is_input: bool
    avoided: bool
    default_provider: str
    problem: str = ""
    spread: Spread | None = None


@dataclass(frozen=True)
class UnlinkedRow:
    activity: str
    activity_name: str
    flow: str
    flow_name: str
    amount: float | None
    unit: str
    reason: str


@dataclass
class Parsed:
    activities: dict[str, Activity] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)
    unlinked: list[UnlinkedRow] = field(default_factory=list)


def sum_rows(
    pairs: Mapping[tuple[str, str], Sequence[float]],
    what: str,
    notes: Counter[str],
    uncertainty: Counter[str] | None = None,
    spreads: Mapping[tuple[str, str], Sequence[Spread | None]] | None = None,
) -> list[tuple[str, ...]]:
    """One table row per (activity, supplier or flow) pair, its amounts summed, sorted.

    Rows summing to zero are dropped and merges counted in ``notes``. With ``spreads``, the five
    uncertainty columns follow the amount (counted in ``uncertainty``); a merged row keeps no
    distribution (a sum of distributions is not one of them).
    """
    uncertainty = Counter() if uncertainty is None else uncertainty
    rows: list[tuple[str, ...]] = []
    for key in sorted(pairs):
        values = pairs[key]
        if len(values) > 1:
            notes[f"{what} exchanges merged into one row (same pair)"] += len(values) - 1
        total = math.fsum(values)
        if total == 0.0:
            notes[f"{what} rows dropped (amount zero)"] += 1
            continue
        if spreads is None:
            rows.append((key[0], key[1], fmt(total)))
            continue
        given = [s for s in spreads.get(key, []) if s is not None]
        spread = given[0] if len(values) == 1 and given else None
        if given and spread is None:
            uncertainty[f"{what} distributions dropped (exchanges merged into one row)"] += len(
                given
            )
        cells = spread.cells() if spread else NO_SPREAD_CELLS
        uncertainty[f"{what} rows with uncertainty_type {cells[0]}"] += 1
        rows.append((key[0], key[1], fmt(total), *cells))
    return rows
