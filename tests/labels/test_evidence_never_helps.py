"""For every shipped scheme: removing evidence never turns a verdict better.

A verdict without a piece of evidence must be the same or worse than with any valid value of it:
never MET where the evidence would give NOT MET, never a better class.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footprint.labels import Verdict, evaluate
from footprint.labels.evidence import Expected, expected_evidence
from footprint.labels.scheme import Rule, Scheme, load_schemes
from tests.labels.conftest import product

UNITS = {"gwp": "kg CO2e/t", "energy": "MJ/t", "mass": "kg"}
SCHEMES = [s for s in load_schemes() if expected_evidence(s)]


def _grades(scheme: Scheme) -> list[str]:
    """Class and tier names, best first."""
    names: list[str] = []

    def walk(rule: Rule) -> None:
        names.extend(t.name for t in rule.tiers)
        names.extend(c.name for c in rule.classes)
        for criterion in rule.criteria:
            walk(criterion)

    if scheme.rule is not None:
        walk(scheme.rule)
    if scheme.select is not None:
        for option in scheme.select.options:
            walk(option.rule)
    return names


def _rank(verdict: Any, grades: list[str]) -> tuple[int, int]:
    if verdict.verdict is not Verdict.MET:
        return (0, 0)
    grade = verdict.outcome.grade
    return (1, len(grades) - grades.index(grade) if grade in grades else 0)


def _value(expected: Expected) -> st.SearchStrategy[Any]:
    if expected.kind == "flag":
        return st.booleans()
    if expected.kind == "quantity":
        unit = UNITS.get(expected.measure or "gwp", "kg CO2e/t")
        return st.floats(1, 5000).map(lambda x: f"{x:.3f} {unit}")
    low = expected.low if expected.low is not None else 0.0
    high = expected.high if expected.high is not None else 10_000.0
    return st.floats(low, high)


def test_there_are_parameterised_schemes_to_check() -> None:
    assert len(SCHEMES) >= 5
    assert "iea-2022-near-zero-steel" in {s.id for s in SCHEMES}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_removing_evidence_never_improves_a_verdict(data: st.DataObject) -> None:
    scheme = data.draw(st.sampled_from(SCHEMES), label="scheme")
    expected = expected_evidence(scheme)
    evidence = {key: data.draw(_value(e), label=key) for key, e in expected.items()}
    dropped = data.draw(
        st.lists(st.sampled_from(sorted(expected)), min_size=1, unique=True), label="dropped"
    )
    kg = data.draw(st.floats(0, 4000), label="kg CO2e per declared unit")
    category = next((c for c in scheme.categories if c != "*"), "any.product")
    gwp = scheme.gwp if scheme.gwp in ("ar6", "ar5", "ar4") else "ar6"
    unit = "t" if scheme.declared_unit == "any" else scheme.declared_unit
    result = product(kg, unit=unit, category=category, gwp=gwp)
    on = scheme.valid_from
    full = evaluate(result, scheme, evidence=evidence, on=on)
    partial = evaluate(
        result, scheme, evidence={k: v for k, v in evidence.items() if k not in dropped}, on=on
    )
    grades = _grades(scheme)
    assert _rank(partial, grades) <= _rank(full, grades), (
        f"{scheme.id}: without {dropped}: {partial.verdict.value} {partial.outcome.grade}; "
        f"with {evidence}: {full.verdict.value} {full.outcome.grade}"
    )


@pytest.mark.parametrize("scrap_share", [None, 0.0])
def test_crude_steel_at_200_kg_without_a_scrap_share_is_never_near_zero(
    scrap_share: float | None,
) -> None:
    scheme = next(s for s in load_schemes() if s.id == "iea-2022-near-zero-steel")
    result = product(200, category="steel.crude")
    evidence = {} if scrap_share is None else {"scrap_share": scrap_share}
    verdict = evaluate(result, scheme, evidence=evidence, on=scheme.valid_from)
    if scrap_share is None:
        assert verdict.verdict is Verdict.INSUFFICIENT_EVIDENCE
    else:  # primary steel at 200 kg/t is within 400 kg/t: near zero
        assert (verdict.verdict, verdict.outcome.grade) == (Verdict.MET, "Near zero")
