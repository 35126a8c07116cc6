"""Bad installation files: a FootprintError naming file, line and field; the CLI exits 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.cbam.calc import calculate
from footprint.cbam.model import read_installation
from footprint.cli.app import app
from footprint.errors import FootprintError

runner = CliRunner()

GOOD = """\
installation: {name: Test works, country: CN, unlocode: CNSHA}
reporting_period: {start: 2026-01-01, end: 2026-12-31}
processes:
  - id: a
    goods: [{cn: "7208", category: Iron or steel products}]
    activity_level: 1000 t
    source_streams:
      - {name: gas, activity_data: 10 TJ, emission_factor: 56.1 t CO2/TJ}
    precursors: []
"""


def _fail(tmp_path: Path, text: str) -> FootprintError:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FootprintError) as caught:
        calculate(read_installation(path))
    result = runner.invoke(app, ["cbam", "calc", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return caught.value


def test_the_good_file_works(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert calculate(read_installation(path)).goods[0].see.direct == pytest.approx(0.561)


def test_a_missing_field_is_named_with_its_line(tmp_path: Path) -> None:
    error = _fail(tmp_path, GOOD.replace("    activity_level: 1000 t\n", ""))
    assert error.where == f"{tmp_path / 'bad.yaml'}, line 4, processes[0].activity_level"
    assert "required field is missing" in error.what


def test_a_wrong_unit_is_named_with_its_line(tmp_path: Path) -> None:
    error = _fail(tmp_path, GOOD.replace("activity_level: 1000 t", "activity_level: 1000 MWh"))
    assert error.where == f"{tmp_path / 'bad.yaml'}, line 6, processes[0].activity_level"
    assert "cannot be converted" in error.what


def test_an_emission_factor_of_the_wrong_kind(tmp_path: Path) -> None:
    error = _fail(tmp_path, GOOD.replace("56.1 t CO2/TJ", "56.1 t CO2/t"))
    assert error.where is not None
    assert error.where.endswith("line 8, processes[0].source_streams[0]")


def test_an_unknown_cn_code(tmp_path: Path) -> None:
    error = _fail(tmp_path, GOOD.replace('cn: "7208"', 'cn: "8501"'))
    assert "processes[0].goods[0].cn" in str(error.where)
    assert "line 5" in str(error.where)
    assert "not a CBAM good" in error.what


def test_an_unquoted_cn_code(tmp_path: Path) -> None:
    error = _fail(tmp_path, GOOD.replace('cn: "7208"', "cn: 7208"))
    assert "quoted" in error.what


def test_a_precursor_that_does_not_exist(tmp_path: Path) -> None:
    text = GOOD.replace("precursors: []", "precursors: [{precursor: nowhere, amount: 5 t}]")
    error = _fail(tmp_path, text)
    assert error.where is not None
    assert error.where.endswith("processes[0].precursors[0].precursor")


def test_cyclic_precursors(tmp_path: Path) -> None:
    text = (
        GOOD.replace("precursors: []", "precursors: [{precursor: b, amount: 5 t}]")
        + """\
  - id: b
    goods: [{cn: "7207 11 14", category: Crude steel}]
    activity_level: 500 t
    precursors: [{precursor: a, amount: 10 t}]
"""
    )
    error = _fail(tmp_path, text)
    assert "cyclic precursors: a -> b -> a" in error.what


def test_a_precursor_default_for_a_country_not_shipped(tmp_path: Path) -> None:
    text = (
        GOOD.replace("precursors: []", "precursors: [{precursor: pig, amount: 5 t}]")
        + """\
purchased_precursors:
  - {id: pig, cn: "7201", country: IN, quantity: 5 t}
"""
    )
    error = _fail(tmp_path, text)
    assert error.where == f"{tmp_path / 'bad.yaml'}, line 11, purchased_precursors[0].cn"
    assert "holds only China" in error.what


def test_a_category_that_does_not_match_the_cn_code(tmp_path: Path) -> None:
    error = _fail(tmp_path, GOOD.replace("Iron or steel products", "Cement"))
    assert "sector 'iron_steel' but category 'Cement' belongs to 'cement'" in error.what


def test_not_yaml_and_not_a_mapping(tmp_path: Path) -> None:
    assert "YAML" in _fail(tmp_path, "installation: [\n").what
    assert "expected a mapping" in _fail(tmp_path, "- 1\n").what


def test_a_purchased_quantity_in_the_wrong_unit(tmp_path: Path) -> None:
    text = (
        GOOD.replace("precursors: []", "precursors: [{precursor: pig, amount: 5 t}]")
        + """\
purchased_precursors:
  - {id: pig, cn: "7201", country: CN, quantity: 5 MWh}
"""
    )
    error = _fail(tmp_path, text)
    assert error.where == f"{tmp_path / 'bad.yaml'}, line 11, purchased_precursors[0].quantity"


def test_a_clinker_content_out_of_range_is_named_with_its_line(tmp_path: Path) -> None:
    text = GOOD.replace(
        'goods: [{cn: "7208", category: Iron or steel products}]',
        'goods: [{cn: "2523 29 00", category: Cement, clinker_content: 1.5}]',
    )
    error = _fail(tmp_path, text)
    assert error.where == f"{tmp_path / 'bad.yaml'}, line 5, processes[0].goods[0].clinker_content"
    assert "at most 1" in error.what


def test_a_heat_flow_to_an_unknown_process_is_named_with_its_line(tmp_path: Path) -> None:
    text = GOOD.replace(
        "    precursors: []\n",
        "    precursors: []\n    heat_exported:\n"
        "      - {amount: 5 GJ, emission_factor: 0.06 t CO2/GJ, process: elsewhere}\n",
    )
    error = _fail(tmp_path, text)
    assert error.where == f"{tmp_path / 'bad.yaml'}, line 11, processes[0].heat_exported[0].process"
    assert "'elsewhere', which is not a process of this installation" in error.what


def test_optional_amounts_left_out_take_their_parsed_defaults(tmp_path: Path) -> None:
    text = GOOD.replace(
        "    precursors: []\n",
        "    precursors: [{precursor: pig, amount: 5 t}]\n"
        "    carbon_price: {scheme: ETS, price: 90, currency: CNY, emissions_priced: 561 t CO2e, "
        "evidence: receipts}\n",
    ) + (
        "purchased_precursors:\n"
        '  - {id: pig, cn: "7201", country: CN, quantity: 5 t, emissions: '
        "{direct: 2 t CO2e/t, verification: {verifier: V}}}\n"
    )
    path = tmp_path / "ok.yaml"
    path.write_text(text, encoding="utf-8")
    result = calculate(read_installation(path))  # indirect and rebated left out: 0
    assert result.goods[0].see.direct == pytest.approx(0.561 + 5 / 1000 * 2)
    assert result.processes[0].carbon_price is not None
    assert result.processes[0].carbon_price["rebated_t"] == 0
    assert result.processes[0].carbon_price["effective_total"] == pytest.approx(561 * 90)
