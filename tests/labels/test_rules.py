"""Each rule kind at, just below and just above its threshold (hand-made cases)."""

from __future__ import annotations

import pytest

from footprint.labels import Verdict, evaluate
from footprint.labels.evidence import EvidenceError
from tests.labels.conftest import ON, product, scheme

CEILING = {"kind": "ceiling", "limit": {"value": 0.89, "unit": "t CO2e/t", "cite": "doc"}}


@pytest.mark.parametrize(
    ("kg", "inclusive", "verdict"),
    [
        (889.0, True, Verdict.MET),
        (890.0, True, Verdict.MET),
        (891.0, True, Verdict.NOT_MET),
        (889.0, False, Verdict.MET),
        (890.0, False, Verdict.NOT_MET),
    ],
)
def test_ceiling_bounds(kg: float, inclusive: bool, verdict: Verdict) -> None:
    result = evaluate(product(kg), scheme({**CEILING, "inclusive": inclusive}), on=ON)
    assert result.verdict is verdict
    assert result.outcome.threshold == pytest.approx(0.89)
    assert result.outcome.value == pytest.approx(kg / 1000)
    assert result.outcome.margin == pytest.approx(0.89 - kg / 1000)
    assert result.outcome.margin_pct == pytest.approx(100 * (0.89 - kg / 1000) / 0.89)
    assert result.outcome.cites == ["Test issuer, Test scheme, 2024"]


def test_ceiling_converts_kg_and_t() -> None:
    result = evaluate(product(0.5, unit="kg"), scheme(CEILING), on=ON)  # 0.5 kg/kg = 0.5 t/t
    assert result.verdict is Verdict.MET
    assert result.outcome.value == pytest.approx(0.5)


def test_volume_product_against_mass_scheme_is_not_comparable() -> None:
    result = evaluate(product(300, unit="m3"), scheme(CEILING), on=ON)
    assert result.verdict is Verdict.NOT_COMPARABLE
    assert "density" in result.outcome.reasons[0]


TIERS = {
    "kind": "tiers",
    "tiers": [
        {"name": "Top 20 %", "limit": {"value": 611, "unit": "kg CO2e/t", "cite": "doc"}},
        {"name": "Top 40 %", "limit": {"value": 716, "unit": "kg CO2e/t", "cite": "doc"}},
        {
            "name": "Better than average",
            "limit": {"value": 760, "unit": "kg CO2e/t", "cite": "doc"},
        },
    ],
}


@pytest.mark.parametrize(
    ("kg", "verdict", "grade", "threshold"),
    [
        (611, Verdict.MET, "Top 20 %", 611),
        (611.5, Verdict.MET, "Top 40 %", 716),
        (760, Verdict.MET, "Better than average", 760),
        (760.5, Verdict.NOT_MET, None, 760),
    ],
)
def test_tiers_grade(kg: float, verdict: Verdict, grade: str | None, threshold: float) -> None:
    result = evaluate(product(kg), scheme(TIERS), on=ON)
    assert (result.verdict, result.outcome.grade, result.outcome.threshold) == (
        verdict,
        grade,
        threshold,
    )


SLIDING = {
    "kind": "sliding",
    "parameter": "scrap_share",
    "parameter_range": [0, 1],
    "default_parameter": None,
    "classes": [
        {
            "name": "Near zero",
            "intercept": {"value": 400, "unit": "kg CO2e/t", "cite": "doc"},
            "slope": {"value": -350, "unit": "kg CO2e/t", "cite": "doc"},
        },
        {
            "name": "A",
            "intercept": {"value": 800, "unit": "kg CO2e/t", "cite": "doc"},
            "slope": {"value": -700, "unit": "kg CO2e/t", "cite": "doc"},
        },
    ],
}


@pytest.mark.parametrize(
    ("kg", "share", "verdict", "grade"),
    [
        (50, 1.0, Verdict.MET, "Near zero"),
        (50.1, 1.0, Verdict.MET, "A"),
        (100.1, 1.0, Verdict.NOT_MET, None),
        (400, 0.0, Verdict.MET, "Near zero"),
        (225, 0.5, Verdict.MET, "Near zero"),
        (225.1, 0.5, Verdict.MET, "A"),
    ],
)
def test_sliding_scale(kg: float, share: float, verdict: Verdict, grade: str | None) -> None:
    result = evaluate(product(kg), scheme(SLIDING), evidence={"scrap_share": share}, on=ON)
    assert (result.verdict, result.outcome.grade) == (verdict, grade)


def test_sliding_reads_the_inventory_parameter() -> None:
    result = evaluate(product(50, parameters={"scrap_share": 1.0}), scheme(SLIDING), on=ON)
    assert result.verdict is Verdict.MET


def test_sliding_without_evidence() -> None:
    assert evaluate(product(50), scheme(SLIDING), on=ON).verdict is Verdict.INSUFFICIENT_EVIDENCE
    # the least favourable share (1: every class's limit is lowest) is the only allowed default
    with_default = evaluate(product(50), scheme({**SLIDING, "default_parameter": 1}), on=ON)
    assert (with_default.verdict, with_default.outcome.grade) == (Verdict.MET, "Near zero")
    assert with_default.outcome.threshold == pytest.approx(50.0)  # kg CO2e/t: 400 - 350 x 1
    assert "default 1 applies" in with_default.outcome.reasons[0]
    above = evaluate(product(51), scheme({**SLIDING, "default_parameter": 1}), on=ON)
    assert above.outcome.grade == "A"


@pytest.mark.parametrize("default", [0, 0.5, 2])
def test_a_default_that_is_not_the_least_favourable_is_refused(default: float) -> None:
    with pytest.raises(ValueError, match="least favourable"):
        scheme({**SLIDING, "default_parameter": default})


def test_a_default_needs_a_range_to_be_checked() -> None:
    rule = {k: v for k, v in SLIDING.items() if k != "parameter_range"}
    with pytest.raises(ValueError, match="parameter_range"):
        scheme({**rule, "default_parameter": 1})


def test_sliding_parameter_out_of_range_is_bad_evidence() -> None:
    with pytest.raises(EvidenceError, match=r"scrap_share = 1\.2 \(out of range\).*0 to 1"):
        evaluate(product(50), scheme(SLIDING), evidence={"scrap_share": 1.2}, on=ON)


REDUCTION = {
    "kind": "relative_reduction",
    "baseline": "baseline_footprint",
    "min_reduction_pct": {"value": 3.3, "cite": "doc"},
}


@pytest.mark.parametrize(
    ("kg", "verdict"), [(967.0, Verdict.MET), (967.1, Verdict.NOT_MET), (900.0, Verdict.MET)]
)
def test_relative_reduction(kg: float, verdict: Verdict) -> None:
    result = evaluate(
        product(kg), scheme(REDUCTION), evidence={"baseline_footprint": "1 t CO2e/t"}, on=ON
    )
    assert result.verdict is verdict
    assert result.outcome.value == pytest.approx(100 * (1000 - kg) / 1000)
    assert result.outcome.threshold == pytest.approx(3.3)


def test_relative_reduction_needs_a_baseline() -> None:
    assert evaluate(product(900), scheme(REDUCTION), on=ON).verdict is Verdict.INSUFFICIENT_EVIDENCE


AVERAGE = {"kind": "category_average", "average": "category_average", "inclusive": False}


@pytest.mark.parametrize(("kg", "verdict"), [(799.9, Verdict.MET), (800.0, Verdict.NOT_MET)])
def test_category_average(kg: float, verdict: Verdict) -> None:
    result = evaluate(
        product(kg), scheme(AVERAGE), evidence={"category_average": "800 kg CO2e/t"}, on=ON
    )
    assert result.verdict is verdict


def test_category_average_missing() -> None:
    assert evaluate(product(1), scheme(AVERAGE), on=ON).verdict is Verdict.INSUFFICIENT_EVIDENCE


MULTI = {
    "kind": "multi_criteria",
    "any": False,
    "criteria": [
        {**CEILING, "name": "GWP ceiling"},
        {**REDUCTION, "name": "Reduction vs 2020"},
    ],
}


def test_multi_criteria_all_must_pass() -> None:
    evidence = {"baseline_footprint": "1 t CO2e/t"}
    assert evaluate(product(800), scheme(MULTI), evidence=evidence, on=ON).verdict is Verdict.MET
    assert (
        evaluate(product(980), scheme(MULTI), evidence=evidence, on=ON).verdict is Verdict.NOT_MET
    )
    missing = evaluate(product(800), scheme(MULTI), on=ON)
    assert missing.verdict is Verdict.INSUFFICIENT_EVIDENCE
    assert [c.verdict for c in missing.outcome.criteria] == [
        Verdict.MET,
        Verdict.INSUFFICIENT_EVIDENCE,
    ]


def test_multi_criteria_any() -> None:
    korea = {**MULTI, "any": True}
    assert evaluate(product(800), scheme(korea), on=ON).verdict is Verdict.MET
    assert evaluate(product(950), scheme(korea), on=ON).verdict is Verdict.INSUFFICIENT_EVIDENCE
    assert (
        evaluate(
            product(980), scheme(korea), evidence={"baseline_footprint": "1000 kg CO2e/t"}, on=ON
        ).verdict
        is Verdict.NOT_MET
    )


def test_not_in_force_before_start_and_after_end() -> None:
    limited = scheme(CEILING, valid_to="2024-12-31")
    assert evaluate(product(1), limited, on=ON.replace(year=2023)).verdict is Verdict.NOT_IN_FORCE
    assert evaluate(product(1), limited, on=ON.replace(year=2025)).verdict is Verdict.NOT_IN_FORCE
    assert evaluate(product(1), limited, on=ON).verdict is Verdict.MET


def test_gwp_set_must_match() -> None:
    ar5_scheme = scheme(CEILING, gwp="ar5")
    assert evaluate(product(1), ar5_scheme, on=ON).verdict is Verdict.NOT_COMPARABLE
    assert evaluate(product(1, gwp="ar5"), ar5_scheme, on=ON).verdict is Verdict.MET


SELECT = {
    "parameter": "strength_psi",
    "adjustments": [{"parameter": "high_early_strength", "factor": 1.3, "cite": "doc"}],
    "options": [
        {
            "min": None,
            "max": 2500,
            "rule": {
                "kind": "ceiling",
                "limit": {"value": 228, "unit": "kg CO2e/m3", "cite": "doc"},
            },
        },
        {
            "min": 2500,
            "max": None,
            "rule": {
                "kind": "ceiling",
                "limit": {"value": 257, "unit": "kg CO2e/m3", "cite": "doc"},
            },
        },
    ],
}


def test_select_by_parameter_and_adjustment() -> None:
    concrete = scheme(None, select=SELECT, declared_unit="m3")
    low = evaluate(product(240, unit="m3"), concrete, evidence={"strength_psi": 2000}, on=ON)
    high = evaluate(product(240, unit="m3"), concrete, evidence={"strength_psi": 2500}, on=ON)
    early = evaluate(
        product(240, unit="m3"),
        concrete,
        evidence={"strength_psi": 2000, "high_early_strength": True},
        on=ON,
    )
    assert (low.verdict, high.verdict, early.verdict) == (Verdict.NOT_MET, Verdict.MET, Verdict.MET)
    assert early.outcome.threshold == pytest.approx(228 * 1.3)
    missing = evaluate(product(240, unit="m3"), concrete, on=ON)
    assert missing.verdict is Verdict.INSUFFICIENT_EVIDENCE


def test_unconfirmed_scheme_says_so() -> None:
    shaky = scheme(CEILING, status="unconfirmed", status_note="draft values")
    assert "unconfirmed: draft values" in evaluate(product(1), shaky, on=ON).outcome.reasons[0]
