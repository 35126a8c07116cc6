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
from footprint.report.i18n import ENGLISH, N_, Translator
from footprint.report.model import Cell, Chart, Table, num, txt
from footprint.report.verdicts import higher_is_better, margin_text, verdict_word

AGREEMENT = "declared value agrees with the recomputed one"
CLAIM_FIELDS = [
    ("id", N_("Claim id")),
    ("file", N_("Claim file")),
    ("inventory", N_("Inventory")),
    ("scheme", N_("Scheme")),
    ("scheme_version", N_("Scheme version")),
    ("claim_date", N_("Claim date")),
    ("declared", N_("Declared value")),
    ("gwp", N_("GWP set")),
    ("tolerance_pct", N_("Claimed tolerance (± %)")),
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
    #: the verdict in the page's language
    verdict_text: str = ""


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


def _comparison(report: VerificationReport, t: Translator = ENGLISH) -> Chart | None:
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
    title = t("Declared against recomputed value")
    svg = charts.tolerance(
        "claim", title, declared, value, tolerance, pretty_unit(unit), threshold, t=t
    )
    difference = check.inputs.get("difference_pct")
    rows = [
        [txt(t("Declared (in the recomputed unit)")), num(declared)],
        [txt(t("Recomputed")), num(value)],
        [
            txt(t("Difference")),
            txt(signed_pct(difference) if isinstance(difference, float) else DASH, "num"),
        ],
        [txt(t("Tolerance applied")), txt(f"±{tolerance:g} %", "num")],
        [txt(t("Tolerance from")), txt(str(report.tolerance.get("note") or DASH))],
        [txt(t("Unit")), txt(pretty_unit(unit))],
        [txt(t("Background")), txt(recomputed.get("background") or DASH)],
        [txt(t("Method")), txt(recomputed.get("method") or DASH)],
    ]
    if threshold is not None:
        rows.insert(2, [txt(t("Scheme limit")), num(threshold)])
    table = Table(t("Declared and recomputed"), [t("Item"), t("Value")], rows, css="compact")
    return Chart("claim", title, svg, table)


def _verdict_chart(verdict: dict[str, Any], t: Translator = ENGLISH) -> Chart | None:
    value, threshold = verdict.get("value"), verdict.get("threshold")
    if value is None or threshold is None:
        return None
    name = str(verdict.get("verdict"))
    css = "met" if name == "MET" else "not-met" if name == "NOT MET" else "other"
    unit = pretty_unit(verdict.get("unit"))
    title = t("{scheme}: recomputed value against the limit", scheme=verdict.get("scheme"))
    svg = charts.bullet(
        "verdict",
        title,
        float(value),
        float(threshold),
        [(str(verdict.get("grade") or t("limit")), float(threshold))],
        unit,
        higher_is_better(verdict.get("unit")),
        t=t,
    )
    rows = [
        [txt(t("Verdict")), txt(verdict_word(name, t), f"verdict-text {css}")],
        [txt(t("Recomputed value")), num(float(value))],
        [txt(t("Limit")), num(float(threshold))],
        [txt(t("Unit")), txt(unit)],
        [txt(t("Grade")), txt(verdict.get("grade") or DASH)],
    ]
    table = Table(t("Scheme verdict"), [t("Item"), t("Value")], rows, css="compact")
    return Chart("verdict", title, svg, table)


def verification_view(report: VerificationReport, t: Translator = ENGLISH) -> VerificationView:
    """The view of ``report``, in ``t``'s language (checks and outcomes are shown as written)."""
    rows: list[list[Cell]] = []
    for i, c in enumerate(report.checks, 1):
        rows.append(
            [
                txt(i, "num"),
                Cell(c.name, None, "wrap"),
                txt(
                    t("✓ pass") if c.passed else t("✗ FAIL"),
                    "verdict-text " + ("met" if c.passed else "not-met"),
                ),
                Cell(c.outcome, None, "wrap"),
                Cell(_inputs(c.inputs), None, "inputs"),
            ]
        )
    checks = Table(
        t("Every check"),
        ["#", t("Check"), t("Result"), t("Outcome"), t("Inputs")],
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
            t,
        )
    claim = [
        (t(label), str(report.claim[key]))
        for key, label in CLAIM_FIELDS
        if report.claim.get(key) is not None
    ]
    if report.tolerance:
        claim.append(
            (
                t("Tolerance applied (± %)"),
                f"{report.tolerance['applied_pct']:g} ({report.tolerance['note']})",
            )
        )
    return VerificationView(
        verified=report.verified,
        passed=sum(c.passed for c in report.checks),
        total=len(report.checks),
        claim=claim,
        comparison=_comparison(report, t),
        checks=checks,
        verdict=verdict,
        verdict_css=css,
        verdict_chart=_verdict_chart(verdict, t) if verdict else None,
        verdict_margin=margin,
        verdict_text=verdict_word(str(verdict.get("verdict")), t) if verdict else "",
    )
