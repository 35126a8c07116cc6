"""Functional units: cement per tonne of clinker contained, fertilisers per tonne of nitrogen."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footprint.cbam.calc import calculate, round_see
from footprint.cbam.communicate import communication
from footprint.cbam.model import read_installation
from footprint.errors import FootprintError
from tests.cbam.helpers import build, installation, process

GRID = [{"amount": "200 MWh", "emission_factor": "0.5 t CO2/MWh", "factor_source": "grid"}]


def _urea(**good: object) -> dict[str, object]:
    data = process("urea", cn="31021010", category="Urea", level=500.0, streams=[(10.0, 56.1)])
    data["goods"] = [{"cn": "31021010", "category": "Urea", **good}]
    data["electricity_consumed"] = GRID
    return data


@pytest.mark.parametrize("content", [0.46, "460 kg/t", "46 %", "0.46"])
def test_fertiliser_see_per_tonne_of_nitrogen(content: object) -> None:
    result = calculate(build(installation([_urea(nitrogen_content=content)])))
    (good,) = result.goods
    per_t = (10 * 56.1 / 500, 200 * 0.5 / 500)
    assert (good.see.direct, good.see.indirect) == pytest.approx(per_t, abs=1e-12)
    unit = good.functional_unit
    assert unit is not None
    assert unit.see is not None
    assert unit.unit == "t N contained"
    assert unit.content == pytest.approx(0.46, rel=1e-12)
    assert (unit.see.direct, unit.see.indirect) == pytest.approx(
        (per_t[0] / 0.46, per_t[1] / 0.46), rel=1e-12
    )
    assert result.warnings == []
    data = good.to_dict()
    assert data["total"] == round_see(sum(per_t))  # the tonne-of-good value stays as it was
    assert data["functional_unit"]["see"]["total"] == round_see(sum(per_t) / 0.46)
    assert data["functional_unit"]["rule"] == "functional-unit"
    assert "functional-unit" in {r["id"] for r in result.to_dict()["rules"]}


def test_a_missing_content_is_a_warning_not_an_error() -> None:
    result = calculate(build(installation([_urea()])))
    (good,) = result.goods
    assert good.functional_unit is not None
    assert not good.functional_unit.applied
    assert good.see.total == pytest.approx((10 * 56.1 + 200 * 0.5) / 500, rel=1e-12)
    (warning,) = result.warnings
    assert "good 31021010" in warning
    assert "functional unit (t N contained) could not be applied" in warning
    assert "nitrogen_content is not declared" in warning
    data = good.to_dict()["functional_unit"]
    assert (data["applied"], data["content"]) == (False, None)
    assert "see" not in data
    summary = communication(result)["sheets"]["Summary_Products"]
    header, row = summary
    assert row[header.index("Functional unit")] == "t N contained"
    assert str(row[header.index("Direct SEE per functional unit (t CO2e/t)")]).startswith(
        "not applied"
    )


def test_goods_under_the_general_rule_have_no_functional_unit_entry() -> None:
    result = calculate(build(installation([process("p", streams=[(1.0, 56.1)])])))
    assert result.goods[0].functional_unit is None
    assert "functional_unit" not in result.goods[0].to_dict()
    assert result.warnings == []


def test_calcined_clay_has_no_clinker_unit_and_no_warning() -> None:
    clay = process("clay", cn="25070080", category="Calcined clays", streams=[(1.0, 56.1)])
    result = calculate(build(installation([clay])))
    assert result.goods[0].functional_unit is None
    assert result.warnings == []


TEXT = """\
installation: {name: Test works, country: CN, unlocode: CNSHA}
reporting_period: {start: 2026-01-01, end: 2026-12-31}
processes:
  - id: a
    goods:
      - cn: "%(cn)s"
        category: %(category)s
        %(field)s: %(value)s
    activity_level: 1000 t
"""


@pytest.mark.parametrize(
    ("cn", "category", "field", "value", "message"),
    [
        ("2523 29 00", "Cement", "clinker_content", "1.2", "at most 1"),
        ("2523 29 00", "Cement", "clinker_content", "0", "more than 0"),
        ("2523 29 00", "Cement", "clinker_content", "-0.5", "more than 0"),
        ("2523 29 00", "Cement", "clinker_content", "750 kg", "not a mass fraction"),
        ("2523 29 00", "Cement", "clinker_content", "true", "expected a mass fraction"),
        ("2523 29 00", "Cement", "nitrogen_content", "0.4", "belongs to fertilisers goods"),
        ("7208", "Iron or steel products", "clinker_content", "0.7", "belongs to cement goods"),
    ],
)
def test_bad_contents_name_file_line_and_field(
    tmp_path: Path, cn: str, category: str, field: str, value: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        TEXT % {"cn": cn, "category": category, "field": field, "value": value}, encoding="utf-8"
    )
    with pytest.raises(FootprintError) as caught:
        read_installation(path)
    assert caught.value.where == f"{path}, line 8, processes[0].goods[0].{field}"
    assert message in caught.value.what


@settings(max_examples=80, deadline=None)
@given(
    content=st.floats(min_value=1e-3, max_value=1.0),
    level=st.floats(min_value=1.0, max_value=1e6),
    tj=st.floats(min_value=0.0, max_value=1e4),
    mwh=st.floats(min_value=0.0, max_value=1e5),
)
def test_the_value_per_functional_unit_is_the_value_per_tonne_over_the_content(
    content: float, level: float, tj: float, mwh: float
) -> None:
    cement = process(
        "c",
        cn="25232900",
        category="Cement",
        level=level,
        streams=[(tj, 56.1)],
        electricity_consumed=[
            {"amount": f"{mwh!r} MWh", "emission_factor": "0.57 t CO2/MWh", "factor_source": "g"}
        ],
    )
    cement["goods"][0]["clinker_content"] = content
    (good,) = calculate(build(installation([cement]))).goods
    unit = good.functional_unit
    assert unit is not None
    assert unit.see is not None
    assert unit.see.direct == pytest.approx(good.see.direct / content, rel=1e-12, abs=1e-300)
    assert unit.see.indirect == pytest.approx(good.see.indirect / content, rel=1e-12, abs=1e-300)
    assert unit.see.default_share == pytest.approx(good.see.default_share, abs=1e-9)


def test_the_page_and_the_cli_show_the_value_per_functional_unit() -> None:
    from typer.testing import CliRunner

    from footprint.cbam.report import cbam_view, render_cbam_html
    from footprint.cli.app import app
    from tests.report.htmlcheck import parse

    path = Path(__file__).resolve().parents[2] / "inventories" / "cbam" / "cement.yaml"
    result = calculate(read_installation(path))
    page = parse(render_cbam_html(cbam_view(result), generated="2026-12-31"))
    rows = {row[0][0]: row for row in page.tables["table-functional-units"][1:]}
    assert set(rows) == {g.cn for g in result.goods}
    for good in result.goods:
        unit = good.functional_unit
        assert unit is not None
        assert unit.see is not None
        row = rows[good.cn]
        assert row[2][0] == "t clinker contained"
        assert row[6][0] == f"{round_see(unit.see.total):.5f}"
        assert float(row[6][1] or "nan") == unit.see.total
    cli = CliRunner().invoke(app, ["cbam", "calc", str(path)])
    assert cli.exit_code == 0, cli.output
    for good in result.goods:
        assert good.functional_unit is not None
        assert good.functional_unit.see is not None
        assert f"{round_see(good.functional_unit.see.total):.5f}" in cli.output
