"""The shipped CBAM examples, each number solved on paper from the installation's inputs.

The expected values are written as the arithmetic on the inputs of ``inventories/cbam/*.yaml``
(with the default values and GWPs they use), never as numbers the code printed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from footprint.cbam.calc import CbamResult, calculate, round_see
from footprint.cbam.model import read_installation

EXAMPLES = Path(__file__).resolve().parents[2] / "inventories" / "cbam"
F = 3.664  # t CO2 per t C


def _calc(name: str) -> CbamResult:
    return calculate(read_installation(EXAMPLES / name))


def _good(result: CbamResult, cn: str) -> tuple[float, float]:
    (good,) = [g for g in result.goods if g.cn == cn]
    return good.see.direct, good.see.indirect


def test_eaf_steel_with_pig_iron_precursors() -> None:
    result = _calc("eaf-steel.yaml")
    # EAF: natural gas 150 TJ x 56.1; electrodes 1500 t x 0.85 C; 100000 t steel x 0.002 C out.
    eaf_direct_em = 150 * 56.1 + F * 1500 * 0.85 - F * 100000 * 0.002
    eaf = result.processes[0]
    assert eaf.attributed_direct == pytest.approx(eaf_direct_em, abs=1e-6)
    assert eaf.attributed_indirect == 0  # crude steel is an Annex II good
    # pig iron A: verified actual 1.95 (its 0.1 indirect dropped: Annex II); pig iron B: actual
    # without verification -> China default for 7201, 1.66 (no indirect value).
    eaf_see = eaf_direct_em / 100000 + 20000 / 100000 * 1.95 + 5000 / 100000 * 1.66
    assert _good(result, "72071114") == pytest.approx((eaf_see, 0.0), abs=1e-9)
    # hot rolling: 60 TJ x 56.1 of its own, 98000 t of crude steel from the EAF for 95000 t.
    hr_see = 60 * 56.1 / 95000 + 98000 / 95000 * eaf_see
    assert _good(result, "7208") == pytest.approx((hr_see, 0.0), abs=1e-9)
    assert "functional_unit" not in result.goods[1].to_dict()  # steel: per tonne of good
    # share of defaults: only pig iron B (5000 t x 1.66) is a default value.
    eaf_default = 5000 / 100000 * 1.66
    assert result.processes[0].see.default_share == pytest.approx(100 * eaf_default / eaf_see)
    hr_default = 98000 / 95000 * eaf_default
    assert result.processes[1].see.default_share == pytest.approx(100 * hr_default / hr_see)
    text = " ".join(result.warnings)
    assert "'pig-iron-b': actual emissions without verification" in text
    assert "'pig-iron-a': its indirect SEE (0.1 t CO2e/t) is not counted" in text
    assert "'eaf': electricity consumed" in text


def test_cement_with_own_clinker_and_indirect_emissions() -> None:
    result = _calc("cement.yaml")
    kiln_direct = 1250000 * 0.525 + 2400 * 95 + 100 * 85 * (1 - 0.25)
    kiln_indirect = 60000 * 0.5703
    clinker = (kiln_direct / 800000, kiln_indirect / 800000)
    assert _good(result, "2523100090") == pytest.approx(clinker, abs=1e-9)
    # cement: own clinker 760000 t, bought clinker 50000 t at the China default for grey clinker
    # (row 2523100090: direct 1.35, indirect 0.04, total 1.39), for 1000000 t of cement.
    cement_direct = 20 * 56.1 / 1e6 + 0.76 * clinker[0] + 0.05 * 1.35
    cement_indirect = 40000 * 0.5703 / 1e6 + 0.76 * clinker[1] + 0.05 * 0.04
    assert _good(result, "25232900") == pytest.approx((cement_direct, cement_indirect), abs=1e-9)
    share = 100 * 0.05 * (1.35 + 0.04) / (cement_direct + cement_indirect)
    assert result.processes[1].see.default_share == pytest.approx(share)
    assert result.warnings == []
    # functional unit: cement per t of clinker contained (clinker_content 0.75); clinker is itself
    # the unit (content 1).
    (cement,) = [g for g in result.goods if g.cn == "25232900"]
    unit = cement.functional_unit
    assert unit is not None
    assert unit.see is not None
    assert (unit.unit, unit.content) == ("t clinker contained", 0.75)
    assert (unit.see.direct, unit.see.indirect) == pytest.approx(
        (cement_direct / 0.75, cement_indirect / 0.75), abs=1e-9
    )
    assert unit.see.default_share == pytest.approx(share)
    (kiln,) = [g for g in result.goods if g.cn == "2523100090"]
    assert kiln.functional_unit is not None
    assert kiln.functional_unit.see is not None
    assert (kiln.functional_unit.content, kiln.functional_unit.basis) == (
        1.0,
        "the good is clinker",
    )
    assert kiln.functional_unit.see.total == pytest.approx(sum(clinker), abs=1e-12)
    data = cement.to_dict()["functional_unit"]
    assert data["see"]["unit"] == "t CO2e/t clinker contained"
    assert data["see"]["total"] == round_see((cement_direct + cement_indirect) / 0.75)


def test_aluminium_smelter_with_pfcs_and_an_eu_precursor() -> None:
    result = _calc("aluminium.yaml")
    # anodes 84000 t x 0.970 C; CF4 20 t and C2F6 2.5 t at AR5 GWP100 (6630, 11100);
    # heat exported 50000 GJ x 0.0561 deducted; electricity not counted (Annex II).
    smelter = F * 84000 * 0.970 + 20 * 6630 + 2.5 * 11100 - 50000 * 0.0561
    unwrought = smelter / 200000
    assert _good(result, "76011000") == pytest.approx((unwrought, 0.0), abs=1e-9)
    # rolling: 150 TJ x 56.1 for 50000 t; 52000 t own aluminium; 3000 t ingot made in Germany = 0.
    sheet = 150 * 56.1 / 50000 + 52000 / 50000 * unwrought + 3000 / 50000 * 0.0
    assert _good(result, "7606") == pytest.approx((sheet, 0.0), abs=1e-9)
    eu = result.processes[1].precursors[1]
    assert (eu.direct, eu.indirect, eu.basis) == (0.0, 0.0, "EU origin: counts zero")
    # carbon price: (458900 - 450000) t CO2e priced net of free allocation, at 97.49 CNY/t.
    price = result.processes[0].carbon_price
    assert price is not None
    assert price["effective_total"] == pytest.approx((458900 - 450000) * 97.49, abs=1e-6)
    assert price["effective_per_t_good"] == pytest.approx((458900 - 450000) * 97.49 / 200000)
    assert price["deducted"] is False
    assert _good(result, "76011000")[0] == pytest.approx(unwrought, abs=1e-9)  # SEE unchanged
    (heat,) = result.processes[0].flows
    assert (heat.kind, heat.factor_from, heat.emissions) == (
        "heat exported",
        "operator",
        pytest.approx(-50000 * 0.0561),
    )
    assert heat.source is not None
    assert not [w for w in result.warnings if "has no source" in w]


def test_reported_values_are_rounded_half_up_to_five_decimals() -> None:
    assert round_see(0.123455) == 0.12346  # half up, where binary floats would round down
    assert round_see(2.2804386) == 2.28044
    result = _calc("aluminium.yaml")
    data = result.to_dict()
    for good in data["goods"]:
        assert good["direct"] == round_see(good["unrounded"]["direct"])
        assert len(repr(good["direct"]).split(".")[1]) <= 5
