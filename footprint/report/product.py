"""The parts of a product report built from one :class:`FootprintResult`: header, headline, charts."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from footprint.engine.result import ActivityScore, FootprintResult, ProductInfo
from footprint.report import charts
from footprint.report.format import CO2E, DASH, formula, pct, sig, signed_pct
from footprint.report.i18n import ENGLISH, N_, Translator, activity_name
from footprint.report.model import Cell, Chart, Table, num, txt
from footprint.report.svg import BLUE, GREEN, GREY, ORANGE, PURPLE, SKY, VERMILION, YELLOW

if TYPE_CHECKING:
    from footprint.background.store import Background

TOP = 8
#: the modules of a cradle-to-gate study (EN 15804 / GB/T 24067 life-cycle stages)
MODULES = {
    "A1": N_("raw material supply"),
    "A2": N_("transport to the factory"),
    "A3": N_("manufacturing"),
}
#: the kinds of line item (``ContributionRow.kind``)
KINDS = {"background": N_("background"), "emission": N_("emission")}
STAGE_COLOURS = {"A1": BLUE, "A2": ORANGE, "A3": GREEN}
GAS_COLOURS = {"CO2": BLUE, "CH4": VERMILION, "N2O": PURPLE, "SF6": YELLOW, "NF3": SKY}


@dataclass(frozen=True)
class Headline:
    """The total, shown big, and the text it is shown as."""

    value: float
    text: str
    unit: str
    per: str
    per_unit_value: float | None  # per 1 declared unit when the declared amount is not 1


def stage_label(stage: str, t: Translator = ENGLISH) -> str:
    """``A1 raw material supply``: a life-cycle stage with its module's name."""
    return f"{stage} {t(MODULES[stage])}" if stage in MODULES else stage


def per_declared(amount: float, unit: str, t: Translator = ENGLISH) -> str:
    """The declared unit as a phrase: ``per 1 t``."""
    return t("per {amount} {unit}", amount=f"{amount:g}", unit=unit)


def unit_of(result: FootprintResult, t: Translator = ENGLISH) -> str:
    """``kg CO₂e per 1 t``: the unit of every number in the result."""
    return t(
        "{co2e} per {amount} {unit}",
        co2e=CO2E,
        amount=f"{result.declared_amount:g}",
        unit=result.declared_unit,
    )


def headline(result: FootprintResult, t: Translator = ENGLISH) -> Headline:
    """The headline total (same number as ``result.to_dict()['total']``)."""
    per_unit = None
    if not math.isclose(result.declared_amount, 1.0):
        per_unit = result.total / result.declared_amount
    return Headline(
        result.total,
        sig(result.total),
        CO2E,
        per_declared(result.declared_amount, result.declared_unit, t),
        per_unit,
    )


def header(
    result: FootprintResult, tool_version: str, generated: str, t: Translator = ENGLISH
) -> list[tuple[str, str, str]]:
    """(label, value, css class) rows describing the study."""
    product = result.product
    period = product.reference_period
    company = (product.company or {}).get("name")
    background = result.background
    solver = result.solver
    solver_text = solver.name or DASH
    if solver.bw2calc:
        solver_text += f" (bw2calc {solver.bw2calc})"
    boundary = product.boundary
    rows = [
        (t("Product"), product.name or DASH, ""),
        (t("Product id"), product.id or DASH, "mono"),
        (t("Category"), product.category or DASH, ""),
        (t("Company"), str(company or DASH), ""),
        (t("Declared unit"), f"{result.declared_amount:g} {result.declared_unit}", ""),
        (t("Geography"), product.geography or DASH, ""),
        (
            t("Reference period"),
            t("{start} to {end}", start=period.start, end=period.end)
            if period
            else t("not stated"),
            "",
        ),
        (t("System boundary"), f"{boundary or t('cradle-to-gate')} (A1–A3)", ""),
        (t("GWP set"), f"{result.method.name} ({result.method.gwp})", ""),
        (
            t("Background database"),
            t(
                "{name}, version {version}",
                name=background.name,
                version=background.version,
            ),
            "",
        ),
        (t("Solver"), solver_text, ""),
        *_data_quality_rows(product, t),
        (t("Inventory"), str(result.inventory.source or DASH), "mono"),
        (t("Inventory sha256"), str(result.inventory.sha256 or DASH), "mono hash"),
        (t("Tool"), f"footprint {tool_version}", ""),
        (t("Generated"), generated, ""),
    ]
    return rows


def _data_quality_rows(product: ProductInfo, t: Translator = ENGLISH) -> list[tuple[str, str, str]]:
    """Primary data share and the data quality ratings, when the inventory states them."""
    rows = []
    share = product.primary_data_share
    if share is not None:
        rows.append((t("Primary data share"), f"{float(share):g} %", ""))
    quality = product.data_quality
    if quality:
        text = ", ".join(
            f"{key.replace('_percent', ' %').replace('_', ' ')} {float(value):g}"
            for key, value in quality.items()
        )
        rows.append((t("Data quality (lower is better)"), text, ""))
    return rows


def iso_split(result: FootprintResult, t: Translator = ENGLISH) -> Table:
    """ISO 14067 §7.2: fossil, biogenic emissions, biogenic removals and land-use change."""
    total = result.total
    rows = [
        (t("Fossil GHG emissions"), result.fossil),
        (t("Biogenic GHG emissions"), result.biogenic_emissions),
        (t("Biogenic removals (uptake, ≤ 0)"), result.biogenic_removals),
        (t("Direct land-use change"), result.land_use_change),
    ]
    body = [[txt(name), num(value), txt(pct(_share(value, total)), "num")] for name, value in rows]
    foot = [
        [txt(t("Total")), num(total), txt(pct(100.0 if total else None), "num")],
        [
            txt(t("Total excluding biogenic removals")),
            num(result.total_excluding_biogenic_removals),
            txt("", "num"),
        ],
    ]
    return Table(
        t("ISO 14067 split, {unit}", unit=unit_of(result, t)),
        [t("Component"), CO2E, t("Share of total")],
        body,
        foot,
    )


def energy_table(result: FootprintResult, t: Translator = ENGLISH) -> Table | None:
    """Cumulative energy demand, when computed."""
    if result.energy is None:
        return None
    return Table(
        t("Cumulative energy demand"),
        [t("Indicator"), f"MJ {per_declared(result.declared_amount, result.declared_unit, t)}"],
        [[txt(t("Primary energy (CED, higher heating value)")), num(result.energy)]],
    )


def _share(value: float, total: float) -> float | None:
    return None if not total else 100.0 * value / total


def stage_chart(result: FootprintResult, t: Translator = ENGLISH) -> Chart:
    """kg CO2e by life-cycle stage."""
    stages = list(result.by_stage.items())
    unit = unit_of(result, t)
    title = t("Emissions by life-cycle stage (total {total})", total=f"{sig(result.total)} {CO2E}")
    svg = charts.bars(
        "stage",
        title,
        [stage_label(s, t) for s, _ in stages],
        [v for _, v in stages],
        unit,
        [STAGE_COLOURS.get(s, GREY) for s, _ in stages],
    )
    rows = [
        [
            txt(s),
            txt(t(MODULES[s]) if s in MODULES else s),
            num(v),
            txt(pct(_share(v, result.total)), "num"),
        ]
        for s, v in stages
    ]
    table = Table(
        t("By life-cycle stage, {unit}", unit=unit),
        [t("Stage"), t("Module"), CO2E, t("Share")],
        rows,
        [
            [
                txt(t("Total")),
                txt(""),
                num(result.total),
                txt(pct(100.0 if result.total else None), "num"),
            ]
        ],
    )
    return Chart("stage", title, svg, table)


def contributors_chart(result: FootprintResult, top: int = TOP, t: Translator = ENGLISH) -> Chart:
    """The largest line items as a Pareto chart, with the rest of the inputs as one bar."""
    items = result.by_input
    if len(items) <= top + 1:
        top = len(items)  # a remainder of one input is shown as itself
    shown = items[:top]
    rest = items[top:]
    labels = [f"{c.input} ({c.stage})" for c in shown]
    values = [c.value for c in shown]
    other = t("Other {count} line items", count=len(rest))
    if rest:
        labels.append(other)
        values.append(math.fsum(c.value for c in rest))
    total = result.total
    cumulative: list[float] = []
    running = 0.0
    for v in values:
        running += v
        cumulative.append(_share(running, total) or 0.0)
    unit = unit_of(result, t)
    title = (
        t(
            "Top {shown} of {count} line items, the rest as one bar",
            shown=len(shown),
            count=len(items),
        )
        if rest
        else t("All {count} line items, largest first", count=len(items))
    )
    svg = charts.pareto("contributors", title, labels, values, cumulative, unit, bool(rest), t=t)
    rows: list[list[Cell]] = []
    for i, c in enumerate(shown):
        rows.append(
            [
                txt(i + 1, "num"),
                Cell(c.input, None, "wrap"),
                txt(c.stage),
                num(c.value),
                txt(pct(_share(c.value, total)), "num"),
                txt(pct(cumulative[i]), "num"),
            ]
        )
    if rest:
        rows.append(
            [
                txt("", "num"),
                Cell(other, None, "wrap muted"),
                txt(DASH),
                num(values[-1]),
                txt(pct(_share(values[-1], total)), "num"),
                txt(pct(cumulative[-1]), "num"),
            ]
        )
    table = Table(
        t("Top contributors, {unit}", unit=unit),
        ["#", t("Input"), t("Stage"), CO2E, t("Share"), t("Cumulative")],
        rows,
    )
    return Chart("contributors", title, svg, table, remainder=bool(rest))


HOTSPOTS = 10  # supply-chain activities drawn before the rest


def hotspot_chart(
    result: FootprintResult,
    top: int = HOTSPOTS,
    t: Translator = ENGLISH,
    background: Background | None = None,
) -> Chart | None:
    """The activities of the whole supply chain that emit most themselves (None if not traced).

    With ``background``, activities are named in ``t``'s language where the background has it.
    """
    items = [a for a in result.by_activity if a.activity != "other"]
    if not items:
        return None
    rest_value = math.fsum(a.value for a in result.by_activity if a.activity == "other")
    rest_count = sum(int(a.name.split()[1]) for a in result.by_activity if a.activity == "other")
    shown, hidden = items[:top], items[top:]
    rest_value += math.fsum(a.value for a in hidden)
    rest_count += len(hidden)

    def name(a: ActivityScore) -> str:
        if a.activity.startswith("foreground:"):
            return a.name
        return activity_name(background, a.activity, a.name, t.lang)

    def label(a: ActivityScore) -> str:
        where = f", {a.location}" if a.location else ""
        kind = t(" (foreground)") if a.activity.startswith("foreground:") else where
        return f"{name(a)}{kind}"

    labels = [label(a) for a in shown]
    values = [a.value for a in shown]
    colours = [ORANGE if a.activity.startswith("foreground:") else BLUE for a in shown]
    other = t("Other {count} activities", count=rest_count)
    if rest_count:
        labels.append(other)
        values.append(rest_value)
        colours.append(GREY)
    unit = unit_of(result, t)
    title = t("Largest emitting activities of the supply chain")
    svg = charts.bars("hotspots", title, labels, values, unit, colours)
    rows = [
        [
            txt(i + 1, "num"),
            Cell(name(a), None, "wrap"),
            txt(a.location or DASH),
            txt(t("foreground") if a.activity.startswith("foreground:") else t("background")),
            num(a.value),
            txt(pct(_share(a.value, result.total)), "num"),
        ]
        for i, a in enumerate(shown)
    ]
    if rest_count:
        rows.append(
            [
                txt("", "num"),
                Cell(other, None, "wrap muted"),
                txt(DASH),
                txt(DASH),
                num(rest_value),
                txt(pct(_share(rest_value, result.total)), "num"),
            ]
        )
    table = Table(
        t("Emitting activities, {unit}", unit=unit),
        ["#", t("Activity"), t("Location"), t("Part"), CO2E, t("Share")],
        rows,
        [[txt(""), txt(t("Total")), txt(""), txt(""), num(result.total), txt("", "num")]],
    )
    return Chart("hotspots", title, svg, table)


def _denoise(value: float, scale: float) -> float:
    """0 for numerical noise (below 1e-12 of ``scale``), else ``value``."""
    return 0.0 if abs(value) < 1e-12 * scale else value


def all_inputs(result: FootprintResult, t: Translator = ENGLISH) -> Table:
    """Every line item, largest first, with its process and ISO 14067 buckets."""
    scale = math.fsum(abs(c.value) for c in result.by_input) or 1.0
    rows = [
        [
            txt(i + 1, "num"),
            Cell(c.input, None, "wrap"),
            Cell(c.process, None, "wrap"),
            txt(c.stage),
            txt(t(KINDS[c.kind]) if c.kind in KINDS else c.kind),
            num(c.value),
            num(_denoise(c.by_bucket.get("fossil", 0.0), scale)),
            num(_denoise(c.by_bucket.get("biogenic_emissions", 0.0), scale)),
            num(_denoise(c.by_bucket.get("biogenic_removals", 0.0), scale)),
            num(_denoise(c.by_bucket.get("land_use_change", 0.0), scale)),
        ]
        for i, c in enumerate(result.by_input)
    ]
    return Table(
        t("Every line item, {unit}", unit=unit_of(result, t)),
        [
            "#",
            t("Input"),
            t("Process"),
            t("Stage"),
            t("Kind"),
            t("Total"),
            t("Fossil"),
            t("Biogenic em."),
            t("Biogenic rem."),
            t("LUC"),
        ],
        rows,
        [
            [
                txt(""),
                txt(t("Total")),
                txt(""),
                txt(""),
                txt(""),
                num(result.total),
                num(result.fossil),
                num(result.biogenic_emissions),
                num(result.biogenic_removals),
                num(result.land_use_change),
            ]
        ],
        css="wide",
    )


def gas_chart(result: FootprintResult, t: Translator = ENGLISH) -> Chart:
    """kg CO2e by greenhouse gas."""
    gases = list(result.by_gas.items())
    unit = unit_of(result, t)
    title = t("Emissions by greenhouse gas, GWP100-weighted ({gwp})", gwp=result.method.gwp)
    svg = charts.bars(
        "gas",
        title,
        [formula(g) for g, _ in gases],
        [v for _, v in gases],
        unit,
        [GAS_COLOURS.get(g, GREY) for g, _ in gases],
    )
    rows = [[txt(formula(g)), num(v), txt(pct(_share(v, result.total)), "num")] for g, v in gases]
    table = Table(
        t("By greenhouse gas, {unit} (GWP100-weighted)", unit=unit),
        [t("Gas"), CO2E, t("Share")],
        rows,
        [[txt(t("Total")), num(math.fsum(v for _, v in gases)), txt("", "num")]],
    )
    return Chart("gas", title, svg, table)


def process_table(result: FootprintResult, t: Translator = ENGLISH) -> Table:
    """kg CO2e by foreground process."""
    rows = [
        [Cell(p, None, "wrap"), num(v), txt(pct(_share(v, result.total)), "num")]
        for p, v in sorted(result.by_process.items(), key=lambda kv: -abs(kv[1]))
    ]
    return Table(
        t("By foreground process, {unit}", unit=unit_of(result, t)),
        [t("Process"), CO2E, t("Share")],
        rows,
    )


def scenario_chart(scenarios: Mapping[str, FootprintResult], t: Translator = ENGLISH) -> Chart:
    """Scenarios side by side: one stacked bar by stage each, and a table with the differences."""
    names = list(scenarios)
    results = [scenarios[n] for n in names]
    stages: list[str] = []
    for r in results:
        stages += [s for s in r.by_stage if s not in stages]
    units = {unit_of(r, t) for r in results}
    unit = (
        units.pop() if len(units) == 1 else t("{co2e} per declared unit (units differ)", co2e=CO2E)
    )
    parts = {stage_label(s, t): [r.by_stage.get(s, 0.0) for r in results] for s in stages}
    colours = {stage_label(s, t): STAGE_COLOURS.get(s, GREY) for s in stages}
    title = t("Scenarios side by side, by stage")
    svg = charts.stacked(
        "scenarios", title, names, parts, colours, unit, [r.total for r in results], t=t
    )
    base = results[0].total if results else 0.0
    rows = [
        [
            Cell(name, None, "wrap"),
            num(r.total),
            *[num(r.by_stage.get(s, 0.0)) for s in stages],
            txt(signed_pct(_share(r.total - base, base)) if i else t("reference"), "num"),
        ]
        for i, (name, r) in enumerate(zip(names, results, strict=True))
    ]
    table = Table(
        t("Scenarios, {unit}", unit=unit),
        [
            t("Scenario"),
            t("Total"),
            *stages,
            t("vs {name}", name=names[0]) if names else t("Difference"),
        ],
        rows,
    )
    return Chart("scenarios", title, svg, table)


def cut_off_table(
    result: FootprintResult, t: Translator = ENGLISH, background: Background | None = None
) -> Table | None:
    """The background exchanges the supply chain leaves out, largest reached amount first."""
    if not result.cut_offs:
        return None
    ordered = sorted(result.cut_offs, key=lambda c: -abs(c.reached or 0.0))
    rows = [
        [
            Cell(activity_name(background, c.activity, c.activity_name, t.lang), None, "wrap"),
            Cell(c.input, None, "wrap"),
            num(c.amount),
            num(c.reached) if c.reached is not None else txt(DASH, "num"),
            txt(c.unit),
            Cell(c.reason, None, "wrap"),
        ]
        for c in ordered
    ]
    amount = per_declared(result.declared_amount, result.declared_unit, t)
    return Table(
        t(
            "Cut-off exchanges of the supply chain ({count}): their burdens are not counted",
            count=len(rows),
        ),
        [
            t("Activity"),
            t("Exchange left out"),
            t("Per unit of activity"),
            amount,
            t("Unit"),
            t("Reason"),
        ],
        rows,
        css="wide",
    )
