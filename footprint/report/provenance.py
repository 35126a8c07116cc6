"""Where the numbers come from: the background datasets a product used and the factor sources.

Datasets are traced through the linked system the result was computed from (it carries it):
each background line item names its activity, location and the activity's ``source``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from footprint.background.store import Background
from footprint.engine.result import FootprintResult
from footprint.report.format import DASH
from footprint.report.i18n import ENGLISH, Translator, activity_name
from footprint.report.model import Cell, Table, num, txt

if TYPE_CHECKING:
    from footprint.engine.system import LinkedSystem

Key = tuple[str, str, str]


@dataclass(frozen=True)
class Provenance:
    """The provenance section."""

    datasets: Table
    note: str
    background_sources: list[str]
    gwp_sources: list[str]
    ced_sources: list[str]


def _data_text(name: str) -> str:
    return resources.files("footprint").joinpath("data", name).read_text(encoding="utf-8")


def _plain(markdown: str) -> str:
    """One line of Markdown as plain text (emphasis and code marks removed)."""
    return " ".join(re.sub(r"[*`]", "", markdown).split())


def gwp_sources(result: FootprintResult) -> list[str]:
    """The GWP set's name and its citation from ``footprint/data/gwp100.SOURCES.md``."""
    gwp = result.method.gwp
    lines = [f"{result.method.name}: {result.method.source}"]
    try:
        text = _data_text("gwp100.SOURCES.md")
    except OSError:
        return lines
    match = re.search(rf"^- `{re.escape(gwp)}`: (.*?)(?=^- `|^\s*$|\Z)", text, re.M | re.S)
    if match:
        lines.append(_plain(match.group(1)))
    return lines


def ced_sources(t: Translator = ENGLISH) -> list[str]:
    """The cumulative energy demand method and the distinct sources of its factors."""
    out: list[str] = []
    try:
        text = _data_text("ced_factors.SOURCES.md")
        method = re.search(r"^## Method\s*\n\n(.*?)(?:\n\n|\Z)", text, re.M | re.S)
        if method:
            out.append(_plain(method.group(1)))
        rows = csv.DictReader(_data_text("ced_factors.csv").splitlines())
        seen: list[str] = []
        for row in rows:
            family = re.split(r",\s", row.get("source") or "", maxsplit=1)[0].strip()
            if family and family not in seen:
                seen.append(family)
        out += [t("Factors: {source}", source=s) for s in seen]
    except OSError:
        pass
    return out


def _trace(system: LinkedSystem) -> dict[Key, list[int]]:
    """Background row positions used by each (process, input, stage) line item."""
    found: dict[Key, list[int]] = {}
    for line in system.lines:
        if line.kind == "background" and line.supplier >= 0:
            key = (system.processes[line.process].label, line.label, line.stage)
            found.setdefault(key, [])
            if line.supplier not in found[key]:
                found[key].append(line.supplier)
    return found


def provenance(result: FootprintResult, t: Translator = ENGLISH) -> Provenance:
    """The provenance section of ``result``, traced through the linked system it carries.

    Datasets are named in ``t``'s language where the background has such names.
    """
    bg: Background | None = None
    traced: dict[Key, list[int]] = {}
    note = ""
    if any(c.kind == "background" for c in result.by_input):
        if result.system is not None:
            bg = result.system.background
            traced = _trace(result.system)
        else:
            note = t(
                "Background datasets could not be traced ({reason}); "
                "line items are listed without them.",
                reason=t("the result does not carry the linked system it was computed from"),
            )
    rows: list[list[Cell]] = []
    for c in result.by_input:
        if c.kind != "background":
            continue
        positions = traced.get((c.process, c.input, c.stage), [])
        acts = [bg.activities.iloc[p] for p in positions] if bg is not None else []
        rows.append(
            [
                Cell(c.input, None, "wrap"),
                txt(c.stage),
                Cell(
                    "; ".join(activity_name(bg, str(a["id"]), str(a["name"]), t.lang) for a in acts)
                    or DASH,
                    None,
                    "wrap",
                ),
                txt("; ".join(str(a["location"]) for a in acts) or DASH),
                txt("; ".join(str(a["unit"]) for a in acts) or DASH),
                Cell("; ".join(str(a["id"]) for a in acts) or DASH, None, "mono small"),
                Cell("; ".join(str(a["source"]) or DASH for a in acts) or DASH, None, "wrap small"),
                num(c.value),
            ]
        )
    table = Table(
        t("Background datasets used by each line item"),
        [
            t("Input"),
            t("Stage"),
            t("Dataset"),
            t("Location"),
            t("Unit"),
            t("Dataset id"),
            t("Dataset source"),
            "kg CO₂e",
        ],
        rows,
        css="wide",
    )
    sources = list(result.background.sources)
    return Provenance(table, note, sources, gwp_sources(result), ced_sources(t))
