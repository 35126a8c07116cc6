"""The catalogue page's content, from a :class:`BatchResult` of many products.

Footprints are compared per declared unit (``kg_co2e / declared_amount``) within each category;
declared units differ between categories (t, m3, piece …), so the distribution chart uses a log
axis and labels each category with its unit. Verdict columns are optional: a column named
``verdict`` or starting with ``verdict:`` (one per scheme, values such as ``MET``) gives pass rates.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from footprint.engine.batch import BatchResult
from footprint.labels.batch import PREFIX, PassRate, pass_rate
from footprint.report import charts
from footprint.report.format import CO2E, DASH, pct
from footprint.report.i18n import ENGLISH, Translator
from footprint.report.model import Cell, Chart, Table, num, txt
from footprint.report.svg import GREEN, GREY, VERMILION

MAX_GROUPS = 40


@dataclass(frozen=True)
class CatalogueView:
    """Everything the catalogue template shows."""

    products: int
    computed: int
    failed: int
    categories: int
    distribution: Chart | None
    excluded: int
    pass_rates: Chart | None
    ranking: Table
    failures: Table | None
    solver: dict[str, Any]


def _float(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _records(batch: BatchResult) -> list[dict[str, Any]]:
    rows = batch.rows
    if rows is None or rows.empty:
        return []
    return [dict(zip(rows.columns, values, strict=True)) for values in rows.itertuples(index=False)]


def _verdict_columns(columns: list[str]) -> list[str]:
    return [c for c in columns if c == "verdict" or c.startswith(PREFIX)]


def _pass_rates(ok: list[dict[str, Any]], columns: list[str], t: Translator = ENGLISH) -> Chart:
    """Share of MET, NOT MET and other verdicts among the products each scheme judged."""
    names, rates, rows = [], [], []
    for column in columns:
        rate = pass_rate(_text(r.get(column)) for r in ok)
        name = column.removeprefix(PREFIX) if column != "verdict" else "(verdict)"
        names.append(name)
        rates.append(rate)
        rows.append(
            [
                txt(name, "mono"),
                txt(rate.judged, "num"),
                txt(rate.met, "num"),
                txt(rate.not_met, "num"),
                txt(rate.other, "num"),
                txt(pct(100.0 * rate.met / rate.judged) if rate.judged else DASH, "num"),
            ]
        )

    def share(count: Callable[[PassRate], int]) -> list[float]:
        return [100.0 * count(r) / r.judged if r.judged else 0.0 for r in rates]

    title = t("Label pass rates")
    met, not_met, other = t("MET"), t("NOT MET"), t("other verdict")
    svg = charts.stacked(
        "pass-rates",
        title,
        names,
        {
            met: share(lambda r: r.met),
            not_met: share(lambda r: r.not_met),
            other: share(lambda r: r.other),
        },
        {met: GREEN, not_met: VERMILION, other: GREY},
        t("% of the products judged"),
        [100.0 if r.judged else 0.0 for r in rates],
        [t("{met} of {judged} MET", met=r.met, judged=r.judged) for r in rates],
        t=t,
    )
    table = Table(
        t("Label pass rates (MET among the products checked)"),
        [t("Scheme"), t("Checked"), met, not_met, t("Other"), t("Pass rate")],
        rows,
    )
    note = t(
        "A scheme judges only the products whose category it covers; 'other' is NOT COMPARABLE, "
        "INSUFFICIENT EVIDENCE or NOT IN FORCE."
    )
    return Chart("pass-rates", title, svg, table, note)


def catalogue_view(batch: BatchResult, t: Translator = ENGLISH) -> CatalogueView:
    """The view of ``batch``, in ``t``'s language."""
    import numpy as np

    records = _records(batch)
    ok = [r for r in records if _text(r.get("status")) in ("ok", "")]
    ok = [r for r in ok if not math.isnan(_float(r.get("kg_co2e")))]
    for r in ok:
        amount = _float(r.get("declared_amount"))
        amount = amount if amount and not math.isnan(amount) else 1.0
        r["_per"] = _float(r.get("kg_co2e")) / amount
        r["_unit"] = _text(r.get("declared_unit")) or t("declared unit")
        r["_category"] = _text(r.get("category")) or t("(no category)")
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in sorted(ok, key=lambda r: (r["_category"], r["_per"])):
        groups.setdefault(r["_category"], []).append(r)

    distribution = None
    excluded = 0
    summary_rows: list[list[Cell]] = []
    strip_groups: list[tuple[str, list[float]]] = []
    for category, members in groups.items():
        units = sorted({m["_unit"] for m in members})
        unit = units[0] if len(units) == 1 else t("mixed units")
        values = np.array([m["_per"] for m in members], dtype=float)
        positive = values[values > 0]
        excluded += int(values.size - positive.size)
        if positive.size and len(strip_groups) < MAX_GROUPS:
            strip_groups.append(
                (
                    t(
                        "{category} (per {unit}), n = {n}",
                        category=category,
                        unit=unit,
                        n=len(members),
                    ),
                    positive.tolist(),
                )
            )
        summary_rows.append(
            [
                txt(category, "wrap"),
                txt(unit),
                txt(len(members), "num"),
                num(float(values.min())),
                num(float(np.median(values))),
                num(float(values.max())),
            ]
        )
    if strip_groups:
        title = t("Footprint per declared unit (log scale)")
        svg = charts.strips(
            "catalogue",
            title,
            strip_groups,
            t("{co2e} per declared unit (log scale; units differ)", co2e=CO2E),
        )
        note = t(
            "Declared units differ between categories, so values are comparable only within a "
            "category; the axis is logarithmic to show them all."
        )
        if len(groups) > MAX_GROUPS:
            note += t(
                " The chart shows the first {shown} of {count} categories; the table lists all.",
                shown=MAX_GROUPS,
                count=len(groups),
            )
        distribution = Chart(
            "catalogue",
            title,
            svg,
            Table(
                t("Per category, {co2e} per declared unit", co2e=CO2E),
                [t("Category"), t("Per"), t("Products"), t("Min"), t("Median"), t("Max")],
                summary_rows,
            ),
            note,
        )

    ranking_rows: list[list[Cell]] = []
    for members in groups.values():
        for rank, r in enumerate(members, 1):
            ranking_rows.append(
                [
                    Cell(t("{rank} of {count}", rank=rank, count=len(members)), float(rank), "num"),
                    Cell(_text(r.get("product")) or _text(r.get("file")), None, "wrap"),
                    txt(r["_category"]),
                    num(r["_per"]),
                    txt(r["_unit"]),
                    txt(_text(r.get("geography")) or DASH),
                    num(_float(r.get("A1")), 3),
                    num(_float(r.get("A2")), 3),
                    num(_float(r.get("A3")), 3),
                ]
            )
    ranking = Table(
        t(
            "Ranking within each category ({co2e} per declared unit, lowest first); "
            "click a heading to sort",
            co2e=CO2E,
        ),
        [t("Rank"), t("Product"), t("Category"), CO2E, t("Per"), t("Geography"), "A1", "A2", "A3"],
        ranking_rows,
        css="wide sortable",
    )

    verdict_columns = _verdict_columns([str(c) for c in batch.rows.columns]) if records else []
    pass_rates = _pass_rates(ok, verdict_columns, t) if verdict_columns else None

    failed_rows = [
        [Cell(str(f), None, "mono wrap"), Cell(str(e), None, "wrap")] for f, e in batch.failures
    ]
    failures = (
        Table(t("Products that failed"), [t("File"), t("Message")], failed_rows, css="wide")
        if failed_rows
        else None
    )
    return CatalogueView(
        products=len(records),
        computed=len(ok),
        failed=len(batch.failures),
        categories=len(groups),
        distribution=distribution,
        excluded=excluded,
        pass_rates=pass_rates,
        ranking=ranking,
        failures=failures,
        solver=dict(batch.solver),
    )
