"""The uncertainty distributions of openLCA exchanges, as stats_arrays parameters.

Nothing here runs at import time.
"""

from __future__ import annotations

import math

from footprint.background.importers.openlca_source import JsonObj, clean
from footprint.background.importers.tables import Stats
from footprint.inventory.uncertainty import (
    LOGNORMAL,
    NORMAL,
    TRIANGULAR,
    UNIFORM,
    Distribution,
)

#: A distribution whose mean is further than this factor from the amount is not used.
PLAUSIBLE_MEAN_FACTOR = 10.0


def _number(data: JsonObj, key: str) -> float:
    value = data.get(key)
    try:
        return float(value) if value is not None else math.nan
    except (TypeError, ValueError):
        return math.nan


def _source_spread(data: JsonObj, stated: float) -> Distribution | str:
    """The distribution of an openLCA ``uncertainty`` object in the stated unit, or why it is unused."""
    kind = data.get("distributionType")
    if kind == "LOG_NORMAL_DISTRIBUTION":
        centre, gsd = _number(data, "geomMean"), _number(data, "geomSd")
        if not gsd > 1:
            return "lognormal with geomSd <= 1 (no spread)"
        if math.isnan(centre) or abs(centre - stated) <= 1e-9 * abs(stated):
            centre = stated
        if centre == 0 or centre * stated < 0:
            return "lognormal with a zero geometric mean or one of the other sign"
        return Distribution(
            LOGNORMAL, loc=math.log(abs(centre)), scale=math.log(gsd), negative=centre < 0
        )
    if kind == "NORMAL_DISTRIBUTION":
        mean, sd = _number(data, "mean"), _number(data, "sd")
        if not sd > 0 or not math.isfinite(mean):
            return "normal without a mean or a positive sd"
        return Distribution(NORMAL, loc=mean, scale=sd)
    if kind in ("TRIANGLE_DISTRIBUTION", "UNIFORM_DISTRIBUTION"):
        low, high = _number(data, "minimum"), _number(data, "maximum")
        if not (math.isfinite(low) and math.isfinite(high)):
            return "range without a finite minimum and maximum"
        if low > high:
            low, high = high, low
        if low == high:
            return "range of zero width"
        if not low <= stated <= high:
            return "amount outside its range"
        if kind == "UNIFORM_DISTRIBUTION":
            return Distribution(UNIFORM, minimum=low, maximum=high)
        mode = _number(data, "mode")
        if not low <= mode <= high:
            return "triangle mode outside its range"
        return Distribution(TRIANGULAR, loc=mode, minimum=low, maximum=high)
    return f"unsupported distribution {kind}"


def exchange_spread(
    exchange: JsonObj, k: float, stats: Stats, activity: str = ""
) -> Distribution | None:
    """The exchange's distribution scaled like its amount (stated amount × ``k``), or None.

    Distributions that contradict the amount (outside their range, sign, mean more than
    PLAUSIBLE_MEAN_FACTOR from it) are not used; the reasons are counted in ``stats``.
    """
    data = exchange.get("uncertainty")
    if not data:
        return None
    kind = str(data.get("distributionType", "missing"))
    stats.uncertainty[f"read {kind}"] += 1
    stated = float(exchange["amount"])
    spread = _source_spread(data, stated) if stated and k else "amount zero"
    if isinstance(spread, Distribution):
        mean = spread.mean
        ratio = mean / stated
        if not 1 / PLAUSIBLE_MEAN_FACTOR <= ratio <= PLAUSIBLE_MEAN_FACTOR:
            stats.implausible.append(
                {
                    "activity": activity,
                    "flow": (exchange.get("flow") or {}).get("@id", ""),
                    "flow_name": clean((exchange.get("flow") or {}).get("name")),
                    "amount": stated,
                    "distribution": kind,
                    "distribution_mean": mean,
                }
            )
            spread = f"mean more than {PLAUSIBLE_MEAN_FACTOR:g} times the amount or a tenth of it"
    if isinstance(spread, str):
        stats.uncertainty[f"not used: {spread}"] += 1
        return None
    if spread.kind in (UNIFORM, TRIANGULAR) and _number(data, "minimum") > _number(data, "maximum"):
        stats.uncertainty["used with minimum and maximum swapped back"] += 1
    stats.uncertainty[f"used {kind}"] += 1
    return spread.scaled(k)
