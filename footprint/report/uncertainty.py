"""Monte Carlo results in the report: histogram, percentiles, probability of meeting each label.

Any object with ``samples`` (kg CO2e for the declared amount, like ``FootprintResult.total``),
``percentiles`` (a mapping such as ``{2.5: …, 50: …, 97.5: …}``, or a callable returning one) and
``probability_at_most(threshold)`` is accepted; missing percentiles are computed from the samples.
When every sample is the same (nothing sampled carries a distribution) the section shows a note,
the object's ``note`` if it has one, instead of a one-bar histogram and probabilities.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from footprint.engine.result import FootprintResult
from footprint.labels.assess import limit_for
from footprint.labels.verdict import LabelVerdict
from footprint.report import charts
from footprint.report.format import CO2E, DASH, pct, pretty_unit
from footprint.report.model import Chart, Table, num, txt

QUANTILES = (2.5, 50.0, 97.5)


@runtime_checkable
class Uncertainty(Protocol):
    """The shape of ``footprint.engine.montecarlo.UncertaintyResult`` that the report reads."""

    @property
    def samples(self) -> Any: ...

    @property
    def percentiles(self) -> Any: ...

    def probability_at_most(self, threshold: float) -> float: ...


NO_SPREAD = (
    "Every sample gives the same footprint: nothing in this inventory or its background carries "
    "a distribution, so the spread is zero and no probability of meeting a limit can be given. "
    "Declare `uncertainty:` on amounts, or use --background-uncertainty default."
)


@dataclass(frozen=True)
class UncertaintyView:
    """The uncertainty section: the histogram with its percentile table, and label probabilities;
    or, when every sample is the same, only ``note``."""

    chart: Chart | None
    probabilities: Table | None
    samples: int
    note: str = ""
    #: how background exchanges without a distribution were spread, when a default was asked for
    background_default: str = ""


def _key(raw: object) -> float | None:
    try:
        return float(str(raw).lower().lstrip("pq").replace("_", "."))
    except ValueError:
        return None


def percentiles_of(uncertainty: Uncertainty) -> dict[float, float]:
    """2.5, 50 and 97.5 percentiles: from ``uncertainty.percentiles`` or, failing that, the samples."""
    import numpy as np

    raw = uncertainty.percentiles
    if callable(raw):
        raw = raw()
    found: dict[float, float] = {}
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            q = _key(key)
            if q is not None and value is not None:
                found[q] = float(value)
    samples = np.asarray(uncertainty.samples, dtype=float)
    for q in QUANTILES:
        if q not in found and samples.size:
            found[q] = float(np.percentile(samples, q))
    return found


def uncertainty_view(
    uncertainty: Uncertainty, result: FootprintResult, verdicts: Sequence[LabelVerdict]
) -> UncertaintyView:
    """The uncertainty section for ``result``."""
    import numpy as np

    from footprint.report.product import unit_of

    samples = np.asarray(uncertainty.samples, dtype=float)
    default = _default_text(getattr(uncertainty, "background_default", None))
    if samples.size and not np.ptp(samples) > 1e-9 * float(np.max(np.abs(samples))):
        note = str(getattr(uncertainty, "note", "") or "")
        text = f"Every sample gives the same footprint; {note}." if note else NO_SPREAD
        return UncertaintyView(None, None, int(samples.size), text, default)
    q = percentiles_of(uncertainty)
    limits: list[tuple[str, float, LabelVerdict]] = []
    for v in verdicts:
        limit = limit_for(v, result)
        if limit is not None and math.isfinite(limit):
            limits.append((v.scheme, limit, v))
    unit = unit_of(result)
    title = f"Monte Carlo distribution ({samples.size:,} samples)"
    svg = charts.histogram(
        "uncertainty",
        title,
        samples.tolist(),
        q,
        result.total,
        [(name, limit) for name, limit, _ in limits],
        unit,
    )
    mean = float(samples.mean()) if samples.size else math.nan
    std = float(samples.std(ddof=1)) if samples.size > 1 else math.nan
    rows = [
        [txt("Samples"), txt(f"{samples.size:,}", "num")],
        [txt("Deterministic result"), num(result.total)],
        [txt("Mean"), num(mean)],
        [txt("Standard deviation"), num(std)],
        *[[txt(f"{p:g} % percentile"), num(q.get(p))] for p in QUANTILES],
    ]
    if q.get(50.0):
        width = (q.get(97.5, math.nan) - q.get(2.5, math.nan)) / 2 / q[50.0] * 100
        rows.append([txt("95 % interval half-width"), txt(f"±{pct(width)}", "num")])
    table = Table(f"Distribution, {unit}", ["Statistic", CO2E], rows, css="compact")
    probabilities = None
    if limits:
        prob_rows = []
        for name, limit, v in limits:
            p = float(uncertainty.probability_at_most(limit))
            prob_rows.append(
                [
                    txt(name, "mono"),
                    num(v.outcome.threshold),
                    txt(pretty_unit(v.outcome.unit)),
                    num(limit),
                    txt(pct(100.0 * p) if math.isfinite(p) else DASH, "num"),
                ]
            )
        probabilities = Table(
            "Probability of meeting each label limit (share of samples at or below it)",
            ["Scheme", "Limit", "Unit", f"Limit, {unit}", "P(meets)"],
            prob_rows,
        )
    return UncertaintyView(
        Chart("uncertainty", title, svg, table), probabilities, int(samples.size), "", default
    )


def _default_text(default: object) -> str:
    """One sentence on the default background spread (``background_default`` of the result)."""
    if not isinstance(default, Mapping):
        return ""
    scores = ", ".join(str(v) for v in dict(default.get("pedigree") or {}).values())
    return (
        "Background exchanges without a distribution of their own were given a default "
        f"lognormal centred on their amount, from the pedigree ({scores}) and the basic "
        f"uncertainties of {default.get('source', 'the ecoinvent data quality guideline')}."
    )
