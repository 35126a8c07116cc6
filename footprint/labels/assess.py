"""Judge a footprint result against label schemes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pint

from footprint.engine.result import FootprintResult
from footprint.errors import FootprintError
from footprint.labels.evidence import expected_evidence, typed
from footprint.labels.rules import Subject, rule_for
from footprint.labels.scheme import Rule, Scheme, SchemeError
from footprint.labels.verdict import LabelVerdict, Outcome, Verdict
from footprint.units import quantity


def subject_of(result: FootprintResult, evidence: dict[str, Any] | None = None) -> Subject:
    """Indicator values per declared unit, and evidence (the inventory's parameters, then ``evidence``)."""
    per = f"{result.declared_unit}"
    values: dict[str, pint.Quantity] = {  # type: ignore[type-arg]
        "gwp": quantity(result.total / result.declared_amount, f"kg CO2e / ({per})"),
    }
    if result.energy is not None:
        values["energy"] = quantity(result.energy / result.declared_amount, f"MJ / ({per})")
    merged = dict(result.product.parameters)
    merged.update(evidence or {})
    labels = {"gwp": f"kg CO2e/{per}", "energy": f"MJ/{per}"}
    return Subject(values=values, evidence=merged, labels=labels)


def _select(scheme: Scheme, subject: Subject) -> tuple[Rule | None, float, list[str]]:
    select = scheme.select
    assert select is not None
    raw = subject.evidence.get(select.parameter)
    if raw is None:
        return (
            None,
            1.0,
            [f"the scheme's limits depend on {select.parameter!r}, which is not given"],
        )
    value = float(raw)
    for option in select.options:
        if (option.min is None or value >= option.min) and (
            option.max is None or value < option.max
        ):
            scale, reasons = 1.0, [f"{select.parameter} = {value:g} selects its limits"]
            for adjustment in select.adjustments:
                if subject.evidence.get(adjustment.parameter):
                    scale *= adjustment.factor
                    reasons.append(f"{adjustment.parameter}: limits × {adjustment.factor:g}")
            return option.rule, scale, reasons
    return None, 1.0, [f"{select.parameter} = {value:g} is outside every range of the scheme"]


def _with_reasons(outcome: Outcome, before: list[str]) -> Outcome:
    return Outcome(
        outcome.verdict,
        outcome.value,
        outcome.threshold,
        outcome.unit,
        outcome.grade,
        [*before, *outcome.reasons],
        outcome.cites,
        outcome.margin,
        outcome.criteria,
        outcome.name,
    )


def evaluate(
    result: FootprintResult,
    scheme: Scheme,
    *,
    evidence: dict[str, Any] | None = None,
    on: dt.date | None = None,
) -> LabelVerdict:
    """The verdict of ``scheme`` on ``result``.

    Args:
        result: the product's footprint (its GWP set must match the scheme's, if the scheme fixes one).
        scheme: the scheme version to apply.
        evidence: parameters and baselines the rule may need (added to the inventory's parameters).
        on: the date the claim is made (default: today); the scheme must be in force then.

    Raises:
        EvidenceError: a value the scheme uses (in ``evidence`` or the inventory's parameters) is
            not of its type, e.g. text or a boolean for a fraction, or a baseline without a unit.
    """
    on = on or dt.date.today()
    expected = expected_evidence(scheme)
    evidence = {
        **typed(
            result.product.parameters,
            expected,
            where=lambda key: f"inventory parameter {key}",
        ),
        **typed(evidence or {}, expected, where=lambda key: f"evidence {key}"),
    }
    base: list[str] = []
    if not scheme.in_force(on):
        until = scheme.valid_to.isoformat() if scheme.valid_to else "open-ended"
        outcome = Outcome(
            Verdict.NOT_IN_FORCE,
            reasons=[
                f"version {scheme.version} applies from {scheme.valid_from.isoformat()} to {until}, "
                f"not on {on.isoformat()}"
            ],
        )
    elif scheme.gwp != "any" and scheme.gwp != result.method.gwp:
        outcome = Outcome(
            Verdict.NOT_COMPARABLE,
            reasons=[
                f"the scheme's limits use IPCC {scheme.gwp.upper()} GWP100, the footprint "
                f"{result.method.gwp.upper()}: recompute with --gwp {scheme.gwp}"
            ],
        )
    elif result.product.boundary != scheme.boundary:
        outcome = Outcome(
            Verdict.NOT_COMPARABLE,
            reasons=[
                f"the scheme's boundary is {scheme.boundary}, the footprint's {result.product.boundary}"
            ],
        )
    else:
        subject = subject_of(result, evidence)
        rule, scale = scheme.rule, 1.0
        if scheme.select is not None:
            rule, scale, base = _select(scheme, subject)
        if rule is None:
            outcome = Outcome(Verdict.INSUFFICIENT_EVIDENCE, reasons=base)
        else:
            outcome = _with_reasons(rule_for(rule, scheme, scale).evaluate(subject), base)
    if scheme.status == "unconfirmed":
        outcome = _with_reasons(outcome, [f"scheme numbers unconfirmed: {scheme.status_note}"])
    return LabelVerdict(
        scheme=scheme.id,
        scheme_name=scheme.name,
        issuer=scheme.issuer,
        version=scheme.version,
        status=scheme.status,
        outcome=outcome,
        product=result.product.name,
    )


def applicable(schemes: list[Scheme], category: str | None) -> list[Scheme]:
    """The schemes that cover products of ``category``."""
    return [s for s in schemes if s.applies_to(category)]


def check_scheme_ids(schemes: list[Scheme], wanted: list[str]) -> list[Scheme]:
    """The schemes named in ``wanted`` (``all`` = every applicable one is chosen by the caller).

    Raises:
        SchemeError: an unknown id.
    """
    by_id = {s.id: s for s in schemes}
    unknown = [w for w in wanted if w not in by_id]
    if unknown:
        from footprint.labels.scheme import get_scheme

        get_scheme(unknown[0])
        raise SchemeError(f"no label scheme {unknown[0]!r}")
    return [by_id[w] for w in wanted]


def limit_for(verdict: LabelVerdict, result: FootprintResult) -> float | None:
    """The verdict's footprint limit in kg CO2e for the result's declared amount.

    None when the scheme's limit is not a footprint per declared unit (a % reduction, an energy
    criterion) or cannot be expressed in the result's declared unit.
    """
    from footprint.units import convert

    outcome = verdict.outcome
    if outcome.threshold is None or not outcome.unit or "CO2" not in outcome.unit:
        return None
    if "%" in outcome.unit:
        return None
    try:
        per_unit = convert(
            quantity(outcome.threshold, outcome.unit), f"kg CO2e / ({result.declared_unit})"
        )
    except FootprintError:
        return None
    return per_unit * result.declared_amount
