"""Uncertainty of inventory amounts: the ``uncertainty`` field, its distributions and their sampling.

An input or emission may declare how its amount is distributed (numbers are in the amount's unit;
``sd``, ``min`` and ``max`` may also be quantities such as ``"2 kWh"``)::

    uncertainty: {distribution: lognormal, gsd: 1.2}        # or sigma: 0.18 (σ of ln(amount))
    uncertainty: {distribution: normal, sd: 0.1}
    uncertainty: {distribution: triangular, min: 0.9, max: 1.3}   # mode = the amount
    uncertainty: {distribution: uniform, min: 0.9, max: 1.3}
    uncertainty: {pedigree: [2, 3, 1, 2, 4], basic_gsd: 1.05}     # lognormal from data quality

Conventions are those of ecoinvent and Brightway (stats_arrays): distributions are stored as
stats_arrays parameters (ids 0 none, 2 lognormal, 3 normal, 4 uniform, 5 triangular; ``loc``,
``scale``, ``minimum``, ``maximum``). For the lognormal the amount is the **geometric mean** (the
median): ``loc`` = ln|amount|, ``scale`` = σ = ln(gsd), and a negative amount gives −exp(N(loc, σ))
(stats_arrays' ``negative`` flag). The normal is centred on the amount; the triangular's mode is the
amount.

:class:`Distribution` is the one distribution record of the project: the inventory field gives
it, the background importers write it to their tables' uncertainty columns
(:func:`footprint.background.importers.tables.uncertainty_cells`), and Monte Carlo samples it.

Pedigree matrix (ecoinvent version 3). Weidema B.P., Bauer C., Hischier R., Mutel C., Nemecek T.,
Reinhard J., Vadenbo C.O., Wernet G. (2013), *Overview and methodology. Data quality guideline for the
ecoinvent database version 3*, ecoinvent report 1(v3), St. Gallen, section 10.2: the basic
uncertainty (Table 10.4) and the additional uncertainty of each data-quality indicator (Table 10.5)
are variances σ² of the log-transformed amount, and they add up::

    σ_total = sqrt(σ_b² + σ_1² + σ_2² + σ_3² + σ_4² + σ_5²),    gsd_total = exp(σ_total)

Table 10.5, σ_i² by score 1 … 5 (the ecoinvent pedigree uncertainty factors, U_i = exp(σ_i)):

========================================  =====  ========  ======  ======  =====
indicator                                     1         2       3       4      5
========================================  =====  ========  ======  ======  =====
reliability                                   0    0.0006   0.002   0.008   0.04
completeness                                  0    0.0001  0.0006   0.002  0.008
temporal correlation                          0    0.0002   0.002   0.008   0.04
geographical correlation                      0  0.000025  0.0001  0.0006  0.002
further technological correlation             0    0.0006   0.008    0.04   0.12
========================================  =====  ========  ======  ======  =====

The basic uncertainty is given as ``basic_gsd`` (σ_b = ln(basic_gsd)) or, as Table 10.4 lists it,
``basic_variance`` (σ_b²). These are the values of version 3; version 2 (Frischknecht et al. 2007)
used factors on the 95 % range (σ = ln(U)/2) and a sixth indicator, sample size.

Samples are drawn by inverse transform from one uniform block per set of distributions
(numpy ``Generator``), with the stats_arrays parameterisation, so one seed gives the same numbers on
every machine.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal

import numpy as np
import pint
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from footprint.errors import UnitError

#: stats_arrays ids
NONE, LOGNORMAL, NORMAL, UNIFORM, TRIANGULAR = 0, 2, 3, 4, 5
KINDS = {NONE: "none", LOGNORMAL: "lognormal", NORMAL: "normal", UNIFORM: "uniform"}
KINDS[TRIANGULAR] = "triangular"

#: Weidema et al. (2013), Table 10.5: σ² of ln(amount) added by each indicator, for scores 1 … 5.
PEDIGREE_VARIANCES: dict[str, tuple[float, float, float, float, float]] = {
    "reliability": (0.0, 0.0006, 0.002, 0.008, 0.04),
    "completeness": (0.0, 0.0001, 0.0006, 0.002, 0.008),
    "temporal correlation": (0.0, 0.0002, 0.002, 0.008, 0.04),
    "geographical correlation": (0.0, 0.000025, 0.0001, 0.0006, 0.002),
    "further technological correlation": (0.0, 0.0006, 0.008, 0.04, 0.12),
}
PEDIGREE_SOURCE = (
    "Weidema et al. (2013), Data quality guideline for the ecoinvent database version 3, "
    "Tables 10.4 and 10.5"
)


def pedigree_sigma(
    scores: Sequence[int], *, basic_gsd: float | None = None, basic_variance: float | None = None
) -> float:
    """σ of ln(amount) from pedigree scores (reliability, completeness, temporal, geographical,
    technological; each 1 … 5) and the basic uncertainty, as ecoinvent v3 computes it.

    Raises:
        ValueError: not five scores of 1 … 5, or not exactly one basic uncertainty.
    """
    if len(scores) != 5 or any(int(s) != s or not 1 <= s <= 5 for s in scores):
        raise ValueError(f"a pedigree is five scores of 1 to 5, got {list(scores)}")
    if (basic_gsd is None) == (basic_variance is None):
        raise ValueError("give one basic uncertainty: basic_gsd or basic_variance")
    variance = math.log(basic_gsd) ** 2 if basic_gsd is not None else float(basic_variance or 0)
    for table, score in zip(PEDIGREE_VARIANCES.values(), scores, strict=True):
        variance += table[int(score) - 1]
    return math.sqrt(variance)


@dataclass(frozen=True)
class Distribution:
    """The distribution of one value, as stats_arrays parameters (``kind`` is its id).

    none (0): the value is ``loc``; lognormal (2): ±exp(N(``loc``, ``scale``)), negative when
    ``negative``; normal (3): N(``loc``, ``scale``); uniform (4): U(``minimum``, ``maximum``);
    triangular (5): mode ``loc`` between ``minimum`` and ``maximum``.
    """

    kind: int
    loc: float = math.nan
    scale: float = math.nan
    minimum: float = math.nan
    maximum: float = math.nan
    negative: bool = False

    def scaled(self, k: float) -> Distribution:
        """The distribution of ``k`` × the value (a unit conversion, an allocation share, a sign)."""
        if k == 0:
            return Distribution(NONE, loc=0.0)
        if self.kind == LOGNORMAL:
            return replace(self, loc=self.loc + math.log(abs(k)), negative=self.negative != (k < 0))
        if self.kind in (NONE, NORMAL):
            return replace(self, loc=self.loc * k, scale=self.scale * abs(k))
        low, high = sorted((self.minimum * k, self.maximum * k))
        return replace(self, loc=self.loc * k, minimum=low, maximum=high)

    @property
    def mean(self) -> float:
        """The arithmetic mean value (for the lognormal ±exp(``loc`` + ``scale``²/2))."""
        if self.kind == LOGNORMAL:
            value = math.exp(self.loc + self.scale**2 / 2)
            return -value if self.negative else value
        if self.kind == UNIFORM:
            return (self.minimum + self.maximum) / 2
        if self.kind == TRIANGULAR:
            return (self.minimum + self.loc + self.maximum) / 3
        return self.loc

    @property
    def median(self) -> float:
        """The median value (the geometric mean for the lognormal)."""
        if self.kind == LOGNORMAL:
            return -math.exp(self.loc) if self.negative else math.exp(self.loc)
        if self.kind == UNIFORM:
            return (self.minimum + self.maximum) / 2
        if self.kind == TRIANGULAR:
            return float(DistributionArray.of([self]).ppf(np.array([[0.5]]))[0, 0])
        return self.loc


@dataclass(frozen=True)
class DistributionArray:
    """Many distributions as parallel arrays (a stats_arrays parameter array, unstructured)."""

    kind: np.ndarray
    loc: np.ndarray
    scale: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    negative: np.ndarray

    @classmethod
    def of(cls, items: Sequence[Distribution]) -> DistributionArray:
        """The arrays of ``items``, in order."""
        return cls(
            np.array([d.kind for d in items], dtype=np.int8),
            np.array([d.loc for d in items], dtype=float),
            np.array([d.scale for d in items], dtype=float),
            np.array([d.minimum for d in items], dtype=float),
            np.array([d.maximum for d in items], dtype=float),
            np.array([d.negative for d in items], dtype=bool),
        )

    def __len__(self) -> int:
        return int(self.kind.shape[0])

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at probabilities ``u`` (rows: distributions; each in (0, 1))."""
        return self._ppf_in_place(np.array(u, dtype=float))

    def _ppf_in_place(self, p: np.ndarray) -> np.ndarray:
        """:meth:`ppf`, overwriting the probabilities ``p`` (keeps one array of samples in memory)."""
        from scipy.special import ndtri

        col = (slice(None), None)
        kinds = np.unique(self.kind)
        for kind in kinds:
            rows = self.kind == kind
            whole = len(kinds) == 1
            part = p if whole else p[rows]
            loc, scale = self.loc[rows][col], self.scale[rows][col]
            low, high = self.minimum[rows][col], self.maximum[rows][col]
            if kind in (LOGNORMAL, NORMAL):
                ndtri(part, out=part)
                part *= scale
                part += loc
                if kind == LOGNORMAL:
                    np.exp(part, out=part)
                    part[self.negative[rows]] *= -1.0
            elif kind == UNIFORM:
                part *= high - low
                part += low
            elif kind == TRIANGULAR:
                width = high - low
                with np.errstate(divide="ignore", invalid="ignore"):
                    cut = np.where(width > 0, (loc - low) / width, 0.0)
                left = low + np.sqrt(part * width * (loc - low))
                right = high - np.sqrt((1.0 - part) * width * (high - loc))
                part[...] = np.where(part < cut, left, right)
            else:
                part[...] = loc
            if not whole:
                p[rows] = part
        return p

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` samples of each distribution (rows), from one uniform block of ``rng``."""
        u = rng.random((len(self), size))
        np.maximum(u, 2.0**-54, out=u)
        return self._ppf_in_place(u)


# --- the inventory field ----------------------------------------------------------------------

Score = Annotated[int, Field(ge=1, le=5)]
Number = float | str
_USES: dict[str | None, set[str]] = {
    "lognormal": {"gsd", "sigma"},
    "normal": {"sd"},
    "triangular": {"min", "max"},
    "uniform": {"min", "max"},
    None: {"pedigree", "basic_gsd", "basic_variance"},
}


def _quantity(value: Number, unit: Any, name: str) -> float:
    """``value`` (a number in ``unit`` or a quantity text) as a number in ``unit``."""
    from footprint.units import convert, quantity

    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a number, got {str(value).lower()}")
    if not isinstance(value, str):
        number = float(value)
    else:
        try:
            try:
                number = float(value)
            except ValueError:
                return convert(quantity(value), unit)
        except UnitError as exc:
            if "cannot be converted" not in exc.what:
                raise ValueError(f"{name}: {exc.what}") from None
            raise ValueError(
                f"{name} {value!r} is not in a unit of the amount's kind ({unit:~P})"
            ) from None
    if not math.isfinite(number):
        raise ValueError(f"{name} {value!r} is not a finite number")
    return number


class Uncertainty(BaseModel):
    """How an amount is distributed: lognormal, normal, triangular, uniform, or a pedigree score.

    Numbers are in the amount's unit unless written with their own (``"2 kWh"``). Lognormal: the
    amount is the geometric mean (median). Triangular: the amount is the mode. Pedigree: a
    lognormal whose σ follows ecoinvent v3 (Weidema et al. 2013, Tables 10.4 and 10.5).
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        json_schema_extra={
            "examples": [
                {"distribution": "lognormal", "gsd": 1.2},
                {"distribution": "normal", "sd": "2 kWh"},
                {"distribution": "triangular", "min": 0.9, "max": 1.3},
                {"distribution": "uniform", "min": 0.9, "max": 1.3},
                {"pedigree": [2, 3, 1, 2, 4], "basic_gsd": 1.05},
            ]
        },
    )

    distribution: Literal["lognormal", "normal", "triangular", "uniform"] | None = Field(
        None, description="lognormal, normal, triangular or uniform (omit with a pedigree)"
    )
    gsd: float | None = Field(
        None, ge=1, description="lognormal: geometric standard deviation exp(σ), at least 1"
    )
    sigma: float | None = Field(
        None, ge=0, description="lognormal: σ, the standard deviation of ln(amount)"
    )
    sd: Number | None = Field(
        None, description="normal: standard deviation, in the amount's unit or e.g. '2 kWh'"
    )
    min: Number | None = Field(
        None, description="triangular / uniform: lowest value (at most the amount)"
    )
    max: Number | None = Field(
        None, description="triangular / uniform: highest value (at least the amount)"
    )
    pedigree: list[Score] | None = Field(
        None,
        min_length=5,
        max_length=5,
        description="scores 1-5: [reliability, completeness, temporal, geographical, technological]",
    )
    basic_gsd: float | None = Field(
        None, ge=1, description="pedigree: basic uncertainty as a geometric standard deviation"
    )
    basic_variance: float | None = Field(
        None, ge=0, description="pedigree: basic uncertainty as σ² of ln(amount) (Table 10.4)"
    )

    @field_validator(
        "gsd", "sigma", "sd", "min", "max", "basic_gsd", "basic_variance", mode="before"
    )
    @classmethod
    def _not_bool(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"{info.field_name}: expected a number, got {str(value).lower()}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Uncertainty:
        kind = self.distribution
        if self.pedigree is not None:
            if kind not in (None, "lognormal"):
                raise ValueError(f"a pedigree makes a lognormal distribution, not a {kind} one")
            kind = None
            if (self.basic_gsd is None) == (self.basic_variance is None):
                raise ValueError(
                    "a pedigree needs one basic uncertainty: 'basic_gsd' (e.g. 1.05) or "
                    "'basic_variance' (Weidema et al. 2013, Table 10.4)"
                )
        elif kind is None:
            raise ValueError(
                "give 'distribution' (lognormal, normal, triangular or uniform) or a 'pedigree'"
            )
        given = {k for k, v in self if v is not None and k != "distribution"}
        unused = sorted(given - _USES[kind])
        if unused:
            what = "a pedigree" if kind is None else f"a {kind} distribution"
            raise ValueError(f"{', '.join(unused)} not used by {what}")
        if kind == "lognormal" and (self.gsd is None) == (self.sigma is None):
            raise ValueError("a lognormal needs one of 'gsd' or 'sigma'")
        if kind == "normal" and self.sd is None:
            raise ValueError("a normal distribution needs 'sd'")
        if kind in ("triangular", "uniform") and (self.min is None or self.max is None):
            raise ValueError(f"a {kind} distribution needs 'min' and 'max'")
        return self

    @property
    def kind(self) -> str:
        """lognormal, normal, triangular or uniform (a pedigree is lognormal)."""
        return self.distribution or "lognormal"

    @property
    def sigma_of_log(self) -> float:
        """σ of ln(amount) for the lognormal (from gsd, sigma or the pedigree)."""
        if self.pedigree is not None:
            return pedigree_sigma(
                self.pedigree, basic_gsd=self.basic_gsd, basic_variance=self.basic_variance
            )
        return math.log(self.gsd) if self.gsd is not None else float(self.sigma or 0.0)

    def for_amount(self, amount: pint.Quantity) -> Uncertainty:  # type: ignore[type-arg]
        """This uncertainty with numbers in ``amount``'s unit, checked against ``amount``.

        Raises:
            ValueError: a lognormal of a zero amount, a negative sd, or an amount outside min … max.
        """
        value, unit = float(amount.magnitude), amount.units
        if self.kind == "lognormal" and value == 0:
            raise ValueError("a lognormal distribution needs a non-zero amount (its median)")
        update: dict[str, float] = {}
        for name in ("sd", "min", "max"):
            raw = getattr(self, name)
            if raw is not None:
                update[name] = _quantity(raw, unit, name)
        if update.get("sd", 0.0) < 0:
            raise ValueError(f"sd must not be negative, got {update['sd']:g}")
        if "min" in update:
            low, high = update["min"], update["max"]
            if not low <= value <= high:
                raise ValueError(
                    f"a {self.kind} distribution needs min <= amount <= max; got min {low:g}, "
                    f"amount {value:g}, max {high:g} {unit:~P}"
                )
        return self.model_copy(update=update)

    def distribution_of(self, amount: pint.Quantity) -> Distribution:  # type: ignore[type-arg]
        """The distribution of ``amount``, in its unit."""
        checked = self.for_amount(amount)
        value = float(amount.magnitude)
        kind = checked.kind
        if kind == "lognormal":
            return Distribution(
                LOGNORMAL, loc=math.log(abs(value)), scale=checked.sigma_of_log, negative=value < 0
            )
        if kind == "normal":
            return Distribution(NORMAL, loc=value, scale=float(checked.sd or 0.0))
        low, high = float(checked.min or 0.0), float(checked.max or 0.0)
        if kind == "uniform":
            return Distribution(UNIFORM, loc=value, minimum=low, maximum=high)
        return Distribution(TRIANGULAR, loc=value, minimum=low, maximum=high)


def _check_against_amount(value: Uncertainty | None, info: ValidationInfo) -> Uncertainty | None:
    amount = info.data.get("amount")
    if value is None or not isinstance(amount, pint.Quantity):
        return value  # an invalid amount has its own error
    return value.for_amount(amount)


#: The optional ``uncertainty`` field of inputs and emissions (declared after ``amount``).
UncertaintyField = Annotated[Uncertainty | None, AfterValidator(_check_against_amount)]


def unit_factor(amount: pint.Quantity, target: str, *, where: str | None = None) -> float:  # type: ignore[type-arg]
    """Target units per one unit of ``amount`` (what a sample in ``amount``'s unit is multiplied by).

    Raises:
        UnitError: the dimensions differ.
    """
    from footprint.units import convert

    return convert(amount.__class__(1.0, amount.units), target, where=where)
