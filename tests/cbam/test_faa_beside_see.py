"""The free-allocation adjustment per tonne beside the SEE in ``cbam calc`` and on the page.

Expected figures are the CBAM factor x CSCF x benchmark of the sources (cbam.md A3), rounded half
up to 5 decimals, worked out here; the SEE itself must not move.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from footprint.cbam.benchmarks import ACTUAL_DATA_NOTE, for_good, route_code
from footprint.cbam.calc import calculate
from footprint.cbam.model import read_installation
from footprint.cbam.report import cbam_view, render_cbam_html
from footprint.cli.app import app
from tests.report.htmlcheck import parse

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
EAF = ROOT / "inventories" / "cbam" / "eaf-steel.yaml"
DRI = Path(__file__).parent / "fixtures" / "dri-unknown.yaml"


def _faa(*factors: str) -> float:
    value = Decimal(1)
    for factor in factors:
        value *= Decimal(factor)
    return float(value.quantize(Decimal("0.00001"), ROUND_HALF_UP))


def _json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["cbam", "calc", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


@pytest.mark.parametrize(
    ("route", "code"),
    [("E", "E"), ("scrap-EAF", "E"), ("Scrap-eaf", "E"), ("BF-BOF", "C"), ("DRI-EAF", "D")],
)
def test_route_names_of_the_annex_give_their_codes(route: str, code: str) -> None:
    assert route_code(route) == code


@pytest.mark.parametrize("route", [None, "EAF", "primary (prebake)", ""])
def test_other_routes_give_no_code(route: str | None) -> None:
    assert route_code(route) is None


def test_eaf_steel_json_has_the_adjustment_beside_an_unchanged_see() -> None:
    data = _json(str(EAF))
    plain = calculate(read_installation(EAF)).to_dict()
    adjustments = [g.pop("free_allocation_adjustment") for g in data["goods"]]
    header = data.pop("free_allocation_adjustment")
    assert data == json.loads(json.dumps(plain))  # the SEE and everything else unchanged
    billets, coil = adjustments
    # crude steel 7207 11 14: no benchmark encoded -> null with a reason
    assert billets["per_tonne"] is None
    assert billets["label"] == "no benchmark encoded"
    assert billets["reason"] == "no benchmark encoded for CN 72071114"
    # hot-rolled coil 7208, route scrap-EAF = E: 2026 factor 97.5 % x CSCF 1 x Column B 0.072
    assert coil["per_tonne"] == _faa("0.975", "1", "0.072")
    assert (coil["route"], coil["label"], coil["reason"]) == ("E", "estimate", None)
    assert coil["benchmark"]["column"] == "B"
    assert (header["year"], header["cscf"], header["note"]) == (2026, None, ACTUAL_DATA_NOTE)
    assert header["status"] == "unconfirmed"


def test_year_and_cscf_options() -> None:
    coil = _json(str(EAF), "--year", "2026", "--cscf", "0.9")["goods"][1]
    assert coil["free_allocation_adjustment"]["per_tonne"] == _faa("0.975", "0.9", "0.072")
    assert coil["free_allocation_adjustment"]["label"] == "unconfirmed"  # CSCF given, 2026
    later = _json(str(EAF), "--year", "2028", "--cscf", "0.9")["goods"][1]
    assert later["free_allocation_adjustment"]["per_tonne"] == _faa("0.90", "0.9", "0.072")
    assert later["free_allocation_adjustment"]["label"] == "estimate"  # provisional benchmark


def test_dri_route_rounds_half_up() -> None:
    coil = _json(str(DRI))["goods"][1]["free_allocation_adjustment"]
    # 0.975 x 0.481 = 0.468975 -> 0.46898
    assert coil["per_tonne"] == _faa("0.975", "0.481") == 0.46898


def test_a_route_that_names_no_code_gets_no_figure_and_says_why() -> None:
    faa = for_good("7208", "EAF", 2026)
    assert faa.per_tonne is None
    assert "'EAF' names none" in faa.note
    assert "scrap-eaf (E)" in faa.note
    assert "the good gives none" in for_good("7208", None, 2026).note


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--cscf", "1.5"], "not in (0, 1]"), (["--year", "2025"], "before the definitive period")],
)
def test_bad_year_or_cscf_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["cbam", "calc", str(EAF), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_the_table_shows_the_adjustment_and_its_status(tmp_path: Path) -> None:
    out = tmp_path / "calc.txt"
    result = runner.invoke(app, ["cbam", "calc", str(EAF), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "FAA 2026" in text
    assert f"{_faa('0.975', '0.072'):.5f} (estimate)" in text
    assert "no benchmark encoded" in text
    assert ACTUAL_DATA_NOTE in text


def test_the_page_shows_the_adjustment_beside_the_see() -> None:
    view = cbam_view(calculate(read_installation(EAF)), year=2027, cscf=0.8)
    page = parse(render_cbam_html(view, lang="en", generated="2026-12-01"))
    rows = {row[0][0]: row for row in page.tables["table-goods"][1:]}
    text, value = rows["7208"][-1]
    expected = _faa("0.95", "0.8", "0.072")
    assert value is not None
    assert float(value) == expected
    assert text == f"{expected:.5f} (estimate)"
    assert rows["72071114"][-1] == ("no benchmark encoded", None)
    html = render_cbam_html(view, lang="en", generated="2026-12-01")
    assert ACTUAL_DATA_NOTE in html
    assert "Free-allocation adjustment, import year 2027" in html
