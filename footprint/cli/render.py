"""Render results for the terminal (rich tables) and as CSV."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from footprint.cli.common import caveat, console
from footprint.engine.result import UNIT, FootprintResult
from footprint.inventory.model import STAGE_NAMES
from footprint.report.format import pct, share, sig, signed_pct

if TYPE_CHECKING:
    from footprint.labels.chances import UncertainFootprint


def _share(value: float, total: float) -> str:
    return pct(share(value, total))


def _breakdown(title: str, values: dict[str, float], total: float, label: str) -> Table:
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column(label)
    table.add_column(UNIT, justify="right")
    table.add_column("share", justify="right")
    for key, value in values.items():
        table.add_row(key, sig(value), _share(value, total))
    return table


def result_table(result: FootprintResult, top: int = 10) -> Group:
    """The footprint as rich renderables: headline, ISO split, stage, gas, top contributors and
    the largest emitting activities."""
    t = result.total
    head = Text.assemble(
        (result.product.name, "bold"),
        "\n",
        (f"{sig(t)} {UNIT}", "bold green"),
        f" per {result.declared_amount:g} {result.declared_unit}"
        f"  ({result.method.name}, cradle-to-gate, background {result.background.name})",
    )
    iso = _breakdown(
        "ISO 14067 split",
        {
            "fossil": result.fossil,
            "biogenic emissions": result.biogenic_emissions,
            "biogenic removals": result.biogenic_removals,
            "land-use change": result.land_use_change,
        },
        t,
        "part",
    )
    stages = {f"{k} {STAGE_NAMES[k]}": v for k, v in result.by_stage.items()}
    contributors = Table(title=f"Top {top} contributors", title_justify="left")
    for column in ("input", "process", "stage"):
        contributors.add_column(column)
    contributors.add_column(UNIT, justify="right")
    contributors.add_column("share", justify="right")
    for c in result.by_input[:top]:
        contributors.add_row(c.input, c.process, c.stage, sig(c.value), _share(c.value, t))
    parts: list[object] = [
        Panel(head, expand=False),
        iso,
        _breakdown("By life-cycle stage", stages, t, "stage"),
        _breakdown("By gas", result.by_gas, t, "gas"),
        _breakdown("By process", result.by_process, t, "process"),
        contributors,
    ]
    emitters = [a for a in result.by_activity if a.activity != "other"][:5]
    if emitters:
        where = Table(
            title="Where the emissions occur (largest emitting activities)", title_justify="left"
        )
        for column in ("activity", "location"):
            where.add_column(column)
        where.add_column(UNIT, justify="right")
        where.add_column("share", justify="right")
        for a in emitters:
            place = "foreground" if a.activity.startswith("foreground:") else a.location
            where.add_row(a.name, place, sig(a.value), _share(a.value, t))
        parts.append(where)
    for warning in result.warnings:
        parts.append(caveat(warning))
    if result.allocation:
        parts.append("Allocation: " + "; ".join(f"{k}: {v}" for k, v in result.allocation.items()))
    return Group(*parts)  # type: ignore[arg-type]


def render_text(result: FootprintResult, width: int = 110) -> str:
    """The terminal table as plain text (for ``--out`` files)."""
    buffer = io.StringIO()
    console(file=buffer, width=width, no_color=True).print(result_table(result))
    return buffer.getvalue()


def render_csv(result: FootprintResult) -> str:
    """One row per line item, with the product and declared unit repeated."""
    frame = result.to_dataframe()
    frame.insert(0, "product", result.product.name)
    frame.insert(1, "declared_unit", f"{result.declared_amount:g} {result.declared_unit}")
    return str(frame.to_csv(index=False, float_format="%.10g"))


def render_scenarios(
    results: dict[str, FootprintResult], scenarios: dict[str, dict[str, float | str]]
) -> tuple[Table, str]:
    """Scenarios side by side: a rich table and the same as CSV."""
    import csv

    first = next(iter(results.values()))
    columns = [
        "scenario",
        "parameters",
        f"total ({UNIT})",
        "A1",
        "A2",
        "A3",
        "fossil",
        "biogenic emissions",
        "biogenic removals",
        "land-use change",
        "energy (MJ)",
    ]
    rows = []
    for name, r in results.items():
        rows.append(
            [
                name,
                ", ".join(
                    f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                    for k, v in scenarios[name].items()
                ),
                r.total,
                r.by_stage.get("A1", 0.0),
                r.by_stage.get("A2", 0.0),
                r.by_stage.get("A3", 0.0),
                r.fossil,
                r.biogenic_emissions,
                r.biogenic_removals,
                r.land_use_change,
                r.energy,
            ]
        )
    table = Table(
        title=f"{first.product.name}: {UNIT} per {first.declared_amount:g} {first.declared_unit}, "
        f"{first.method.name} (every column: --format csv)"
    )
    for column in ("scenario", "parameters", "total", "vs first", "A1", "A2", "A3", "energy (MJ)"):
        table.add_column(
            column, justify="left" if column in ("scenario", "parameters") else "right"
        )
    base = first.total
    for name, r in results.items():
        change = signed_pct(share(r.total - base, base))
        parameters = ", ".join(f"{k}={v}" for k, v in scenarios[name].items())
        table.add_row(
            name,
            parameters,
            sig(r.total),
            change,
            sig(r.by_stage.get("A1", 0.0)),
            sig(r.by_stage.get("A2", 0.0)),
            sig(r.by_stage.get("A3", 0.0)),
            sig(r.energy or 0.0),
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return table, buffer.getvalue()


def explanation_tables(found: dict[str, Any], top: int = 15) -> list[object]:
    """``background show ACTIVITY`` as rich renderables (see :mod:`footprint.engine.explain`)."""
    act, unit = found["activity"], found["unit"]
    per = f"{UNIT} per {unit}"
    head = Text.assemble(
        (str(act["name"]), "bold"),
        f" [{act['location']}]  id {act['id']}\n",
        (f"{sig(found['kg_co2e'])} {per}", "bold green"),
        f"  ·  {sig(found['energy_mj'])} MJ per {unit} (cumulative energy demand)  ·  "
        f"{found['background']['name']} {found['background']['version']}, "
        f"GWP {found['gwp'].upper()}",
    )
    for label, key in (("category", "category"), ("source", "source")):
        if act.get(key):
            head.append(f"\n{label}: {act[key]}")
    parts: list[object] = [Panel(head, expand=False)]
    buckets = {k.replace("_", " "): v for k, v in found["by_bucket"].items()}
    parts.append(_breakdown("ISO 14067 split", buckets, found["kg_co2e"], "part"))
    inputs = found["inputs"] if top == 0 else found["inputs"][:top]
    table = Table(
        title=f"What it buys, per {unit} ({len(inputs)} of {len(found['inputs'])} inputs)",
        title_justify="left",
    )
    for column in ("input", "location", "amount"):
        table.add_column(column, justify="right" if column == "amount" else "left")
    table.add_column(UNIT, justify="right")
    for item in inputs:
        table.add_row(
            item["name"],
            item["location"],
            f"{sig(item['amount'])} {item['unit']}",
            sig(item["kg_co2e"]),
        )
    parts.append(table)
    direct = Table(title=f"What it emits itself, per {unit}", title_justify="left")
    for column in ("flow", "gas"):
        direct.add_column(column)
    direct.add_column("kg", justify="right")
    direct.add_column(UNIT, justify="right")
    for item in found["direct"]:
        direct.add_row(item["name"], item["gas"], sig(item["kg"]), sig(item["kg_co2e"]))
    parts.append(direct)
    parts.extend(caveat(c) for c in found["caveats"])
    return parts


def uncertainty_table(found: UncertainFootprint) -> tuple[Table, list[str]]:
    """``calc --uncertainty`` as a table of statistics and the notes printed below it."""
    from footprint.engine.montecarlo import NO_PROBABILITY

    result, mc = found.result, found.uncertainty
    table = Table(
        title=f"Monte Carlo: {mc.iterations} iterations, seed {mc.seed}, sampling {mc.sources} "
        f"(kg CO2e per {result.declared_amount:g} {result.declared_unit})",
        title_justify="left",
        caption_justify="left",
    )
    table.add_column("statistic")
    table.add_column("kg CO2e", justify="right")
    rows = [
        ("deterministic", result.total),
        ("mean", mc.mean),
        ("median", mc.median),
        ("standard deviation", mc.std),
        ("2.5th percentile", mc.percentiles["2.5"]),
        ("97.5th percentile", mc.percentiles["97.5"]),
    ]
    for label, value in rows:
        table.add_row(label, sig(value))
    chances = found.chances or []
    notes = []
    if mc.has_spread:
        if found.limit is not None:
            table.add_row(
                f"P(footprint <= {found.threshold})", pct(100 * mc.probability_at_most(found.limit))
            )
        for chance in chances:
            p = chance.probability_meeting
            table.add_row(
                f"P(meeting {chance.scheme})",
                pct(100 * p) if p is not None else f"n/a ({chance.verdict})",
            )
        if any(c.probability_meeting is None for c in chances):
            table.caption = (
                "n/a: no footprint limit applies then ('footprint label check' says why)"
            )
    else:
        if mc.note:
            notes.append(f"note: {mc.note}")
        if found.limit is not None or chances:
            notes.append(NO_PROBABILITY)
    if mc.background_default is not None:
        notes.append(_default_caption(mc.background_default))
    return table, notes


def _default_caption(default: dict[str, Any]) -> str:
    """One line on the default background spread: its pedigree and σ by kind of exchange."""
    scores = ", ".join(str(v) for v in default["pedigree"].values())
    sigmas = ", ".join(f"{kind} {value:.3f}" for kind, value in default["sigma"].items())
    return (
        f"background exchanges without a distribution: default lognormal, pedigree ({scores}), "
        f"sigma of ln: {sigmas}"
    )
