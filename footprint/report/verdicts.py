"""Label verdicts as the report shows them: colour and text, margin, citation, bullet chart."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from footprint.errors import FootprintError
from footprint.labels.verdict import LabelVerdict, Verdict
from footprint.report import charts
from footprint.report.format import DASH, pretty_unit, sig
from footprint.report.i18n import ENGLISH, N_, Translator
from footprint.report.model import Chart, Table, num, txt

#: (css class, symbol) of each verdict; the text is always shown beside the colour.
STYLES = {
    Verdict.MET: ("met", "✓"),
    Verdict.NOT_MET: ("not-met", "✗"),
    Verdict.NOT_COMPARABLE: ("other", "≠"),
    Verdict.INSUFFICIENT_EVIDENCE: ("other", "?"),
    Verdict.NOT_IN_FORCE: ("other", "–"),
}
#: the verdicts in words (the English words are the verdicts' own values)
WORDS = {
    Verdict.MET: N_("MET"),
    Verdict.NOT_MET: N_("NOT MET"),
    Verdict.NOT_COMPARABLE: N_("NOT COMPARABLE"),
    Verdict.INSUFFICIENT_EVIDENCE: N_("INSUFFICIENT EVIDENCE"),
    Verdict.NOT_IN_FORCE: N_("NOT IN FORCE"),
}
#: whether a scheme's numbers were checked against its source document
STATUS = {"confirmed": N_("numbers confirmed"), "unconfirmed": N_("numbers unconfirmed")}


def verdict_word(verdict: str, t: Translator = ENGLISH) -> str:
    """A verdict (``NOT MET``) in the page's language; anything else as given."""
    try:
        return t(WORDS[Verdict(verdict)])
    except ValueError:
        return verdict


@dataclass(frozen=True)
class VerdictView:
    """One scheme's verdict, ready for the template."""

    scheme: str
    name: str
    issuer: str
    version: str
    status: str
    verdict: str
    css: str
    symbol: str
    value: str
    threshold: str
    unit: str
    grade: str | None
    margin: str
    reasons: list[str]
    cites: list[str]
    chart: Chart | None
    table: Table | None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "scheme"


def higher_is_better(unit: str | None) -> bool:
    """Reduction rules compare percentages achieved against a minimum."""
    return bool(unit) and "%" in str(unit)


def margin_text(
    margin: float | None, margin_pct: float | None, unit: str | None, t: Translator = ENGLISH
) -> str:
    """The margin in words: headroom below a limit, or the gap above it."""
    if margin is None or math.isnan(margin):
        return DASH
    shown = pretty_unit(unit)
    if higher_is_better(unit):
        points = sig(abs(margin), 3)
        if margin >= 0:
            return t("{points} percentage points beyond the minimum", points=points)
        return t("{points} percentage points short of the minimum", points=points)
    rel = (
        t(" ({pct} % of the limit)", pct=f"{abs(margin_pct):.1f}") if margin_pct is not None else ""
    )
    if margin >= 0:
        return t("{value} {unit} below the limit", value=sig(margin), unit=shown) + rel
    return t("{value} {unit} above the limit", value=sig(-margin), unit=shown) + rel


def tier_bands(
    verdict: LabelVerdict, parameters: dict[str, Any], t: Translator = ENGLISH
) -> list[tuple[str, float]]:
    """The scheme's tiers or classes in the outcome's unit, best first, when they can be rebuilt.

    Falls back to the one threshold that applied (schemes selected by a parameter, or a scheme
    file that cannot be read, or limits that do not reproduce the threshold).
    """
    outcome = verdict.outcome
    if outcome.threshold is None:
        return []
    fallback = [(outcome.grade or t("limit"), outcome.threshold)]
    try:
        from footprint.labels.scheme import get_scheme

        rule = get_scheme(verdict.scheme).rule
    except FootprintError:
        return fallback
    if rule is None:
        return fallback
    bands: list[tuple[str, float]] = []
    if rule.kind == "tiers":
        bands = [(t.name, t.limit.value) for t in rule.tiers]
    elif rule.kind == "sliding" and rule.parameter:
        raw = parameters.get(rule.parameter, rule.default_parameter)
        if isinstance(raw, int | float):
            bands = [(c.name, c.intercept.value + c.slope.value * float(raw)) for c in rule.classes]
    if not any(math.isclose(limit, outcome.threshold, rel_tol=1e-6) for _, limit in bands):
        return fallback
    return bands


def _view(
    verdict: LabelVerdict, parameters: dict[str, Any], index: int, t: Translator = ENGLISH
) -> VerdictView:
    outcome = verdict.outcome
    css, symbol = STYLES.get(outcome.verdict, ("other", "·"))
    unit = pretty_unit(outcome.unit)
    chart = None
    prefix = f"label-{index}-{_slug(verdict.scheme)}"
    bands = tier_bands(verdict, parameters, t)
    table = None
    if outcome.value is not None and outcome.threshold is not None:
        rows = [
            [txt(t("Value")), num(outcome.value)],
            [
                txt(t("Limit that applied") + (f" ({outcome.grade})" if outcome.grade else "")),
                num(outcome.threshold),
            ],
        ]
        if len(bands) > 1:
            rows += [[txt(t("Tier: {name}", name=name)), num(limit)] for name, limit in bands]
        table = Table(t("Numbers, {unit}", unit=unit), [t("Item"), unit], rows, css="compact")
    if table is not None and outcome.value is not None and outcome.threshold is not None:
        svg = charts.bullet(
            prefix,
            t("{scheme}: value against the limit", scheme=verdict.scheme),
            outcome.value,
            outcome.threshold,
            bands,
            unit,
            higher_is_better(outcome.unit),
            t=t,
        )
        chart = Chart(prefix, verdict.scheme_name, svg, table)
    return VerdictView(
        scheme=verdict.scheme,
        name=verdict.scheme_name,
        issuer=verdict.issuer,
        version=verdict.version,
        status=t(STATUS[verdict.status]) if verdict.status in STATUS else verdict.status,
        verdict=verdict_word(outcome.verdict.value, t),
        css=css,
        symbol=symbol,
        value=sig(outcome.value),
        threshold=sig(outcome.threshold),
        unit=unit,
        grade=outcome.grade,
        margin=margin_text(outcome.margin, outcome.margin_pct, outcome.unit, t),
        reasons=list(outcome.reasons),
        cites=list(outcome.cites),
        chart=chart,
        table=table,
    )


def verdict_views(
    verdicts: Sequence[LabelVerdict],
    parameters: dict[str, Any] | None = None,
    t: Translator = ENGLISH,
) -> list[VerdictView]:
    """Views of ``verdicts`` in the order given, in ``t``'s language."""
    return [_view(v, dict(parameters or {}), i, t) for i, v in enumerate(verdicts)]


def summary(views: Sequence[VerdictView], t: Translator = ENGLISH) -> Table:
    """One row per scheme: verdict, value, limit, margin."""
    rows = [
        [
            txt(v.scheme, "mono"),
            txt(f"{v.symbol} {v.verdict}", f"verdict-text {v.css}"),
            txt(v.value, "num"),
            txt(v.threshold, "num"),
            txt(v.unit or DASH, "nowrap"),
            txt(v.grade or DASH),
            txt(v.margin),
        ]
        for v in views
    ]
    return Table(
        t("Label verdicts"),
        [t("Scheme"), t("Verdict"), t("Value"), t("Limit"), t("Unit"), t("Grade"), t("Margin")],
        rows,
    )
