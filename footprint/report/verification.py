"""The claim-verification page's content, from a :class:`VerificationReport`."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from footprint.errors import FootprintError
from footprint.labels.verify import VerificationReport
from footprint.report import charts
from footprint.report.format import DASH, pretty_unit, signed_pct
from footprint.report.model import Cell, Chart, Table, num, txt
from footprint.report.verdicts import higher_is_better, margin_text

AGREEMENT = "declared value agrees with the recomputed one"
CLAIM_FIELDS = [
    ("id", "Claim id"),
    ("file", "Claim file"),
    ("inventory", "Inventory"),
    ("scheme", "Scheme"),
    ("scheme_version", "Scheme version"),
    ("claim_date", "Claim date"),
    ("declared", "Declared value"),
    ("gwp", "GWP set"),
    ("tolerance_pct", "Claimed tolerance (± %)"),
]


@dataclass(frozen=True)
class VerificationView:
    """Everything the verification template shows."""

    verified: bool
    passed: int
    total: int
    claim: list[tuple[str, str]]
    comparison: Chart | None
    checks: Table
    verdict: dict[str, Any] | None
    verdict_css: str
    verdict_chart: Chart | None
    verdict_margin: str


def _inputs(inputs: dict[str, Any]) -> str:
    parts = []
    for key, value in inputs.items():
        if value is None:
            shown = DASH
        elif isinstance(value, float):
            shown = f"{value:.6g}"
        elif isinstance(value, list | dict):
            shown = json.dumps(value, ensure_ascii=False)
        else:
            shown = str(value)
        parts.append(f"{key}: {shown}")
    return "\n".join(parts) or DASH


def _convert(value: float, unit: str, target: str) -> float | None:
    from footprint.units import convert, quantity

    try:
        return convert(quantity(value, unit), target)
    except FootprintError:
        return None


def _comparison(report: VerificationReport) -> Chart | None:
    check = next((c for c in report.checks if c.name == AGREEMENT), None)
    recomputed = report.recomputed
    if check is None or recomputed is None:
        return None
    declared = float(check.inputs["declared"])
    value = float(recomputed["value"])
    unit = str(recomputed["unit"])
    tolerance = float(report.tolerance.get("applied_pct") or 0.0)
    threshold = None
    verdict = report.verdict or {}
    if (
        verdict.get("threshold") is not None
        and verdict.get("unit")
        and not higher_is_better(verdict.get("unit"))
    ):
        threshold = _convert(float(verdict["threshold"]), str(verdict["unit"]), unit)
    title = "Declared against recomputed value"
    svg = charts.tolerance("claim", title, declared, value, tolerance, pretty_unit(unit), threshold)
    difference = check.inputs.get("difference_pct")
    rows = [
        [txt("Declared (in the recomputed unit)"), num(declared)],
        [txt("Recomputed"), num(value)],
        [
            txt("Difference"),
            txt(signed_pct(difference) if isinstance(difference, float) else DASH, "num"),
        ],
        [txt("Tolerance applied"), txt(f"±{tolerance:g} %", "num")],
        [txt("Tolerance from"), txt(str(report.tolerance.get("note") or DASH))],
        [txt("Unit"), txt(pretty_unit(unit))],
        [txt("Background"), txt(recomputed.get("background") or DASH)],
        [txt("Method"), txt(recomputed.get("method") or DASH)],
    ]
    if threshold is not None:
        rows.insert(2, [txt("Scheme limit"), num(threshold)])
    table = Table("Declared and recomputed", ["Item", "Value"], rows, css="compact")
    return Chart("claim", title, svg, table)


def _verdict_chart(verdict: dict[str, Any]) -> Chart | None:
    value, threshold = verdict.get("value"), verdict.get("threshold")
    if value is None or threshold is None:
        return None
    name = str(verdict.get("verdict"))
    css = "met" if name == "MET" else "not-met" if name == "NOT MET" else "other"
    unit = pretty_unit(verdict.get("unit"))
    title = f"{verdict.get('scheme')}: recomputed value against the limit"
    svg = charts.bullet(
        "verdict",
        title,
        float(value),
        float(threshold),
        [(str(verdict.get("grade") or "limit"), float(threshold))],
        unit,
        higher_is_better(verdict.get("unit")),
    )
    rows = [
        [txt("Verdict"), txt(name, f"verdict-text {css}")],
        [txt("Recomputed value"), num(float(value))],
        [txt("Limit"), num(float(threshold))],
        [txt("Unit"), txt(unit)],
        [txt("Grade"), txt(verdict.get("grade") or DASH)],
    ]
    return Chart(
        "verdict", title, svg, Table("Scheme verdict", ["Item", "Value"], rows, css="compact")
    )


def verification_view(report: VerificationReport) -> VerificationView:
    """The view of ``report``."""
    rows: list[list[Cell]] = []
    for i, c in enumerate(report.checks, 1):
        rows.append(
            [
                txt(i, "num"),
                Cell(c.name, None, "wrap"),
                txt(
                    "✓ pass" if c.passed else "✗ FAIL",
                    "verdict-text " + ("met" if c.passed else "not-met"),
                ),
                Cell(c.outcome, None, "wrap"),
                Cell(_inputs(c.inputs), None, "inputs"),
            ]
        )
    checks = Table(
        "Every check",
        ["#", "Check", "Result", "Outcome", "Inputs"],
        rows,
        css="wide",
        row_css=["" if c.passed else "failed" for c in report.checks],
    )
    verdict = report.verdict
    css = "other"
    margin = DASH
    if verdict:
        css = {"MET": "met", "NOT MET": "not-met"}.get(str(verdict.get("verdict")), "other")
        m = verdict.get("margin")
        mp = verdict.get("margin_pct")
        margin = margin_text(
            float(m) if isinstance(m, int | float) and math.isfinite(m) else None,
            float(mp) if isinstance(mp, int | float) else None,
            verdict.get("unit"),
        )
    claim = [
        (label, str(report.claim[key]))
        for key, label in CLAIM_FIELDS
        if report.claim.get(key) is not None
    ]
    if report.tolerance:
        claim.append(
            (
                "Tolerance applied (± %)",
                f"{report.tolerance['applied_pct']:g} ({report.tolerance['note']})",
            )
        )
    return VerificationView(
        verified=report.verified,
        passed=sum(c.passed for c in report.checks),
        total=len(report.checks),
        claim=claim,
        comparison=_comparison(report),
        checks=checks,
        verdict=verdict,
        verdict_css=css,
        verdict_chart=_verdict_chart(verdict) if verdict else None,
        verdict_margin=margin,
    )
