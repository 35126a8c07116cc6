"""Evidence is typed by what the scheme's rule does with it: `label check --evidence` and evaluate."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footprint.labels import Verdict, evaluate, get_scheme
from footprint.labels.check import check_labels
from footprint.labels.evidence import EvidenceError, Expected, expected_evidence, typed
from footprint.units import convert
from tests.helpers import Ran, run_cli
from tests.labels.conftest import ON, product, scheme

REBAR = Path(__file__).parent / "fixtures" / "claims" / "rebar.yaml"
FRACTION = Expected("number", "a test", 0.0, 1.0)


def where(key: str) -> str:
    return f"test {key}"


def test_shipped_schemes_type_their_evidence() -> None:
    steel = expected_evidence(get_scheme("iea-2022-near-zero-steel"))
    assert steel["scrap_share"].fraction
    concrete = expected_evidence(get_scheme("gsa-lec-2023-concrete"))
    assert (concrete["strength_psi"].kind, concrete["high_early_strength"].kind) == (
        "number",
        "flag",
    )
    board = expected_evidence(get_scheme("buy-clean-california-2022-mineral-wool-board"))
    assert board["heavy_density"].kind == "flag"
    china = expected_evidence(get_scheme("china-14fyp-industry-trajectory"))
    assert (china["baseline_footprint"].measure, china["baseline_energy"].measure) == (
        "gwp",
        "energy",
    )
    korea = expected_evidence(get_scheme("korea-keiti-low-carbon-product"))
    assert sorted(korea) == ["baseline_footprint", "category_average"]
    assert expected_evidence(get_scheme("buy-clean-california-2022-rebar")) == {}


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=0, max_value=1))
def test_every_fraction_from_0_to_1_is_kept(share: float) -> None:
    assert typed({"s": share}, {"s": FRACTION}, where=where) == {"s": share}
    assert typed({"s": repr(share)}, {"s": FRACTION}, where=where) == {"s": share}


@settings(max_examples=100, deadline=None)
@given(st.floats().filter(lambda x: not 0 <= x <= 1))
def test_every_other_float_is_refused_as_a_fraction(value: float) -> None:
    with pytest.raises(EvidenceError, match="expected a fraction from 0 to 1") as caught:
        typed({"s": value}, {"s": FRACTION}, where=where)
    assert caught.value.where == "test s"
    assert caught.value.fix == "give e.g. s: 0.95 (for 95 %)"


@pytest.mark.parametrize(
    "value", ["most", "", "  ", None, True, False, "inf", "nan", [0.5], {"a": 1}]
)
def test_not_a_number(value: Any) -> None:
    with pytest.raises(EvidenceError, match=r"evidence s = "):
        typed({"s": value}, {"s": FRACTION}, where=where)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), (1, True), (0.0, False), ("yes", True), ("False", False)],
)
def test_flags(value: Any, expected: bool) -> None:
    assert typed({"f": value}, {"f": Expected("flag", "a test")}, where=where) == {"f": expected}


@pytest.mark.parametrize("value", [2, 0.5, "maybe", math.nan, None])
def test_not_a_flag(value: Any) -> None:
    with pytest.raises(EvidenceError, match="expected true or false"):
        typed({"f": value}, {"f": Expected("flag", "a test")}, where=where)


@pytest.mark.parametrize(
    ("value", "measure", "words"),
    [
        (900, "gwp", "without its unit"),
        ("900", "gwp", "has no unit"),
        ("900 kg CO2e", "gwp", r"\(in CO2e·kg\)"),
        ("900 MJ/t", "gwp", "footprint per declared unit"),
        ("900 kg CO2e/t", "energy", "energy use per declared unit"),
        ("-900 kg CO2e/t", "gwp", "not positive"),
        ("900 widgets/t", "gwp", "unknown unit"),
        ("5 m3", "mass", "mass"),
        (True, "gwp", "yes/no"),
    ],
)
def test_quantities_need_their_unit_and_kind(value: Any, measure: str, words: str) -> None:
    with pytest.raises(EvidenceError, match=words):
        typed({"q": value}, {"q": Expected("quantity", "a test", measure=measure)}, where=where)


def test_quantities_are_parsed_once_and_kept() -> None:
    want = {"q": Expected("quantity", "a test", measure="gwp")}
    first = typed({"q": "0.9 t CO2e/t"}, want, where=where)
    assert convert(first["q"], "kg CO2e/t") == pytest.approx(900)
    assert typed(first, want, where=where) == first


def test_keys_not_expected_are_kept_as_given() -> None:
    assert typed({"other": "x"}, {"s": FRACTION}, where=where) == {"other": "x"}


def test_evaluate_refuses_bad_inventory_parameters_too() -> None:
    sliding = scheme(
        {
            "kind": "sliding",
            "parameter": "scrap_share",
            "parameter_range": [0, 1],
            "classes": [
                {
                    "name": "A",
                    "intercept": {"value": 800, "unit": "kg CO2e/t", "cite": "doc"},
                    "slope": {"value": -700, "unit": "kg CO2e/t", "cite": "doc"},
                }
            ],
        }
    )
    with pytest.raises(EvidenceError, match="inventory parameter scrap_share"):
        evaluate(product(50, parameters={"scrap_share": 97}), sliding, on=ON)


def test_heavy_density_switch_accepts_flags() -> None:
    board = get_scheme("buy-clean-california-2022-mineral-wool-board")
    on = board.valid_from
    light = product(5, unit="m2", category="insulation.mineral-wool-board")
    for heavy in (True, 1, "true"):
        assert evaluate(light, board, evidence={"heavy_density": heavy}, on=on).verdict is (
            Verdict.MET
        )
    assert evaluate(light, board, evidence={"heavy_density": False}, on=on).verdict is (
        Verdict.NOT_MET
    )
    with pytest.raises(EvidenceError, match="heavy_density = 'heavy'"):
        evaluate(light, board, evidence={"heavy_density": "heavy"}, on=on)


def label_check(*args: str) -> Ran:
    return run_cli("label", "check", str(REBAR), *args)


@pytest.mark.parametrize(
    ("evidence", "words"),
    [
        ("scrap_share=lots", "scrap_share = 'lots' (not a number)"),
        ("scrap_share=nan", "scrap_share = 'nan' (not a finite number)"),
        ("scrap_share=true", "scrap_share = 'true' (not a number)"),
        ("scrap_share=95", "scrap_share = '95' (out of range)"),
        ("scrap_shar=0.9", "rename it to 'scrap_share' if that is meant"),
    ],
)
def test_label_check_bad_evidence_exits_2_naming_the_key(evidence: str, words: str) -> None:
    proc = label_check("--scheme", "iea-2022-near-zero-steel", "--evidence", evidence)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    message = " ".join(proc.stderr.split())
    assert f"--evidence {evidence.split('=')[0]}" in message
    assert words in message


def test_label_check_baseline_needs_its_unit() -> None:
    args = ["--scheme", "china-14fyp-industry-trajectory", "--on", "2025-06-01"]
    bare = label_check(*args, "--evidence", "baseline_footprint=900")
    assert bare.returncode == 2
    assert "baseline_footprint='900 kg CO2e/t'" in " ".join(bare.stderr.split())
    evidence = {"baseline_footprint": "1100 kg CO2e/t", "baseline_energy": "40000 MJ/t"}
    pairs = [f"--evidence={key}={value}" for key, value in evidence.items()]
    good = label_check(*args, *pairs, "--format", "json")
    expected = check_labels(
        REBAR, ["china-14fyp-industry-trajectory"], evidence=evidence, on=dt.date(2025, 6, 1)
    )
    assert [v.verdict for v in expected.verdicts] == [Verdict.MET]  # 1100 is far above the bar
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout) == json.loads(json.dumps(expected.to_dict()))
