"""The uncertainty of ILCD exchanges, as the project's :class:`Distribution` (stats_arrays).

An ILCD 1.1 exchange may carry ``uncertaintyDistributionType`` (``undefined``, ``log-normal``,
``normal``, ``triangular``, ``uniform``), ``relativeStandardDeviation95In``, ``minimumAmount``
and ``maximumAmount``. Their meaning is the one the ILCD format documents for these fields
(ILCD Format 1.1, ``ILCD_ProcessDataSet.xsd``, element ``exchange``, fields 1-7-32-127 to
1-7-32-130; European Commission JRC, 2009):

- ``relativeStandardDeviation95In``, log-normal: "the square of the geometric standard deviation
  (SDg^2) is stated. Mean value times SDg^2 equals the 97.5% value (= Maximum value), Mean value
  divided by SDg^2 equals the 2.5% value (= Minimum value)". So SDg² = exp(2σ) and
  σ = ln(value) / 2 (σ of ln(amount), stats_arrays ``scale``); the amount is the geometric mean
  (median), ``loc`` = ln|amount|, as for ecoinvent (the same convention as EcoSpold 1's
  ``standardDeviation95``). A value of 1 or less is no spread and is not used. The field is typed
  as a percentage in the schema, but its documentation describes the dimensionless SDg²; that is
  what is read.
- ``relativeStandardDeviation95In``, normal: "the doubled standard deviation value (2*SD) is
  entered. Mean value plus 2*SD equals 97.5% value": SD = value / 2, in the amount's unit,
  centred on the amount.
- ``minimumAmount`` / ``maximumAmount``: the range of a uniform or triangular distribution; the
  triangular's mode is the amount (ILCD has no mode field; this is the project's convention and
  openLCA's).

Everything else is "not used" and says why (no type for a range, a log-normal without its
SDg², a range the amount lies outside, a mean more than
:data:`~footprint.background.importers.openlca_uncertainty.PLAUSIBLE_MEAN_FACTOR` from the
amount, ...): the exchange keeps its amount without a distribution. Nothing runs at import time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from footprint.background.importers.openlca_uncertainty import PLAUSIBLE_MEAN_FACTOR
from footprint.inventory.uncertainty import (
    LOGNORMAL,
    NORMAL,
    TRIANGULAR,
    UNIFORM,
    Distribution,
)

#: Where the conventions above are stated (written to the import report).
CONVENTION = (
    "ILCD Format 1.1, ILCD_ProcessDataSet.xsd, exchange/relativeStandardDeviation95In: "
    "log-normal: SDg^2 (sigma = ln(value)/2, the amount is the geometric mean); normal: 2*SD in "
    "the amount's unit; minimumAmount/maximumAmount: range of uniform or triangular (mode = amount)"
)
NO_TYPE = "no type"
_KINDS = {
    "log-normal": "log-normal",
    "lognormal": "log-normal",
    "normal": "normal",
    "triangular": "triangular",
    "uniform": "uniform",
}


@dataclass(frozen=True)
class Uncertainty:
    """The uncertainty fields of one exchange, as written (None: absent)."""

    distribution: str | None = None
    rsd95: str | None = None
    minimum: str | None = None
    maximum: str | None = None

    @property
    def given(self) -> bool:
        """Whether the exchange states any uncertainty (an ``undefined`` type alone is none)."""
        kind = (self.distribution or "").strip().lower()
        fields = (self.rsd95, self.minimum, self.maximum)
        return kind not in ("", "undefined") or any(f is not None and f.strip() for f in fields)

    @property
    def kind(self) -> str:
        """The distribution type as written, normalised (``no type`` when absent or undefined)."""
        kind = (self.distribution or "").strip().lower()
        return _KINDS.get(kind, kind) if kind not in ("", "undefined") else NO_TYPE


def _number(text: str | None, name: str) -> float | str:
    if text is None or not text.strip():
        return f"no {name}"
    try:
        value = float(text)
    except ValueError:
        return f"{name} is not a number: {text.strip()!r}"
    return value if math.isfinite(value) else f"{name} is not finite: {text.strip()!r}"


def _range(fields: Uncertainty, stated: float) -> tuple[float, float] | str:
    low = _number(fields.minimum, "minimumAmount")
    high = _number(fields.maximum, "maximumAmount")
    if isinstance(low, str) or isinstance(high, str):
        return f"{fields.kind} without a numeric minimumAmount and maximumAmount"
    low, high = min(low, high), max(low, high)
    if low == high:
        return f"{fields.kind} range of zero width"
    if not low <= stated <= high:
        return f"amount outside its {fields.kind} range"
    return low, high


def source_spread(fields: Uncertainty, stated: float) -> Distribution | str:
    """The distribution of the amount ``stated`` (as written, before any conversion), or why
    there is none that can be used."""
    kind = fields.kind
    if kind == NO_TYPE:
        return "minimumAmount, maximumAmount or relativeStandardDeviation95In without a type"
    if stated == 0:
        return "amount zero"
    if kind in ("log-normal", "normal"):
        value = _number(fields.rsd95, "relativeStandardDeviation95In")
        if isinstance(value, str):
            return f"{kind} with {value}"
        if kind == "log-normal":
            if not value > 1:
                return "log-normal with relativeStandardDeviation95In (SDg^2) <= 1"
            return Distribution(
                LOGNORMAL,
                loc=math.log(abs(stated)),
                scale=math.log(value) / 2,
                negative=stated < 0,
            )
        if not value > 0:
            return "normal with relativeStandardDeviation95In (2*SD) <= 0"
        return Distribution(NORMAL, loc=stated, scale=value / 2)
    if kind in ("uniform", "triangular"):
        found = _range(fields, stated)
        if isinstance(found, str):
            return found
        low, high = found
        if kind == "uniform":
            return Distribution(UNIFORM, minimum=low, maximum=high)
        return Distribution(TRIANGULAR, loc=stated, minimum=low, maximum=high)
    return f"unknown distribution type {fields.distribution!r}"


def plausible(spread: Distribution, stated: float) -> bool:
    """Whether the distribution's mean is within PLAUSIBLE_MEAN_FACTOR of the amount."""
    ratio = spread.mean / stated
    return 1 / PLAUSIBLE_MEAN_FACTOR <= ratio <= PLAUSIBLE_MEAN_FACTOR


def exchange_spread(fields: Uncertainty, stated: float) -> Distribution | str | None:
    """The exchange's distribution for its amount as written; a reason when the fields cannot
    be used; None when it states no uncertainty."""
    if not fields.given:
        return None
    spread = source_spread(fields, stated)
    if isinstance(spread, Distribution) and not plausible(spread, stated):
        return f"mean more than {PLAUSIBLE_MEAN_FACTOR:g} times the amount or a tenth of it"
    return spread
