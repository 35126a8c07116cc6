"""``footprint cbam report``: the page of an installation, in HTML and PDF, English and Chinese."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from footprint.cbam.calc import calculate
from footprint.cbam.defaults import default_for
from footprint.cbam.goods import CbamError
from footprint.cbam.model import read_installation
from footprint.cbam.report import cbam_view, reconciliations, render_cbam_html
from footprint.cli.app import app
from footprint.report import pdf
from tests.cbam.helpers import build, installation, process
from tests.report.htmlcheck import Page, parse

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "inventories" / "cbam").glob("*.yaml"))
CEMENT = next(p for p in EXAMPLES if p.stem == "cement")
CJK = re.compile(r"[\u4e00-\u9fff]")
NO_PDF = f"PDF output unavailable here: {pdf.pdf_unavailable_reason()}"


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, ["cbam", *args])


def _calc_json(path: Path) -> dict[str, Any]:
    result = _cli("calc", str(path), "-f", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def _rows(page: Page, table: str) -> list[list[tuple[str, str | None]]]:
    return page.tables[table][1:]


def _assert_goods_on_page(page: Page, calc: dict[str, Any]) -> None:
    """Each good's row holds its total SEE as the calc JSON gives it, rounded and unrounded."""
    rows = {row[0][0]: row for row in _rows(page, "table-goods")}
    assert set(rows) == {g["cn"] for g in calc["goods"]}
    for good in calc["goods"]:
        text, value = rows[good["cn"]][8]
        assert text == f"{good['total']:.5f}"
        assert value is not None
        assert float(value) == good["unrounded"]["total"]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_each_shipped_installation_renders_its_page(path: Path, tmp_path: Path) -> None:
    calc = _calc_json(path)
    out = tmp_path / "page.html"
    result = _cli("report", str(path), "--out", str(out))
    assert result.exit_code == 0, result.output
    page = parse(out.read_text(encoding="utf-8"))
    assert not page.errors
    assert not page.remote
    _assert_goods_on_page(page, calc)
    for block in ("goods", "defaults", "processes", "warnings", "provenance"):
        assert page.ids.get(block) == 1
    # every warning of the calculation is on the page, verbatim
    for warning in calc["warnings"]:
        assert warning in page.texts["warnings"]
    # the reconciliation shows where the installation links a product inventory
    linked = path == CEMENT
    assert ("reconciliation" in page.ids) is linked


@pytest.mark.slow
@pytest.mark.skipif(not pdf.pdf_available(), reason=NO_PDF)
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_each_shipped_installation_prints_to_pdf(path: Path, tmp_path: Path) -> None:
    calc = _calc_json(path)
    out = tmp_path / "page.pdf"
    result = _cli("report", str(path), "--out", str(out), "--lang", "zh-CN")
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    if shutil.which("pdftotext"):  # Debian poppler-utils
        text = subprocess.run(
            ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
        ).stdout
        for good in calc["goods"]:
            assert f"{good['total']:.5f}" in text
        assert "各货物的特定隐含排放" in text  # a Chinese heading, in the embedded font


def test_chinese_page_has_chinese_headings_and_the_same_numbers() -> None:
    result = calculate(read_installation(EXAMPLES[0]))
    view = cbam_view(result)
    zh = parse(render_cbam_html(view, lang="zh-CN", generated="2026-12-01"))
    en = parse(render_cbam_html(view, lang="en", generated="2026-12-01"))
    calc = result.to_dict()
    _assert_goods_on_page(zh, calc)
    # the same numbers; the last cell's status word (free-allocation adjustment) is translated
    zh_rows, en_rows = _rows(zh, "table-goods"), _rows(en, "table-goods")
    assert [r[:-1] for r in zh_rows] == [r[:-1] for r in en_rows]
    assert [r[-1][1] for r in zh_rows] == [r[-1][1] for r in en_rows]
    assert {r[-1][0] for r in zh_rows} == {"未收录基准值"}
    assert CJK.search(zh.tables["table-goods"][0][0][0])  # the column headings
    assert not CJK.search(en.tables["table-goods"][0][0][0])
    html = render_cbam_html(view, lang="zh-CN")
    assert '<html lang="zh-CN">' in html
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    assert headings
    assert all(CJK.search(h) for h in headings)


def test_the_saving_against_the_marked_up_default_value() -> None:
    result = calculate(read_installation(CEMENT))
    view = cbam_view(result, year=2027)
    page = parse(render_cbam_html(view))
    rows = {row[0][0]: row for row in _rows(page, "table-defaults")}
    for good in result.goods:
        # China's own row, total x (1 + 20 %) for cement imported in 2027
        value = default_for("CN", good.cn)
        marked = round(value.total * 1.2, 5)
        saving = marked - good.see.total
        # clinker: 800000 t made, 760000 t ground into cement here; cement: all 1000000 t
        market = {"2523100090": 800000 - 760000, "25232900": 1000000}[good.cn]
        row = rows[good.cn]
        assert float(row[5][1] or "nan") == pytest.approx(marked, abs=1e-12)
        assert row[4][0] == "20 %"
        assert float(row[7][1] or "nan") == pytest.approx(saving, rel=1e-12)
        assert float(row[8][1] or "nan") == market
        assert float(row[9][1] or "nan") == pytest.approx(saving * market, rel=1e-12)


def test_every_factor_has_a_source_and_a_status() -> None:
    result = calculate(read_installation(EXAMPLES[0]))
    view = cbam_view(result)
    assert view.factors
    for factor in view.factors:
        assert factor.source
        assert factor.status in ("confirmed", "unconfirmed", "operator", "supplier")
    kinds = {f.kind: f for f in view.factors}
    assert kinds["default value"].status == "unconfirmed"
    assert kinds["mark-up"].value == pytest.approx(10.0)
    inst = result.installation
    sources = {e.factor_source for p in inst.processes for e in p.electricity_consumed}
    shown = " ".join(f.source for f in view.factors if f.kind == "electricity factor")
    assert all(s in shown for s in sources)
    page = parse(render_cbam_html(view))
    statuses = [row[-1][0] for row in _rows(page, "table-factors")]
    assert len(statuses) == len(view.factors)
    assert {row[-1][0] for row in _rows(page, "table-rules")} == {"unconfirmed"}


def test_a_country_without_shipped_defaults_shows_why() -> None:
    data = installation([process("rolling", streams=[(10.0, 56.1)])])
    data["installation"].update(country="IN", unlocode="INBOM")
    result = calculate(build(data))
    view = cbam_view(result)
    (row,) = view.goods
    assert row.default is None
    assert row.saving_per_t is None
    assert "China" in row.no_default
    page = parse(render_cbam_html(view))
    assert row.no_default in page.texts["defaults"]
    _assert_goods_on_page(page, result.to_dict())


def test_a_missing_product_inventory_names_the_field(tmp_path: Path) -> None:
    text = CEMENT.read_text(encoding="utf-8").replace(
        "../examples/cement-cn.yaml", "no-such-inventory.yaml"
    )
    (tmp_path / "cement.yaml").write_text(text, encoding="utf-8")
    result = calculate(read_installation(tmp_path / "cement.yaml"))
    with pytest.raises(CbamError) as error:
        reconciliations(result)
    assert "'no-such-inventory.yaml' not found" in error.value.what
    assert error.value.where is not None
    assert "processes[1].goods[0].product_inventory" in error.value.where
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "no-such-inventory" in t)
    assert f"line {line}," in error.value.where
    cli = _cli("report", str(tmp_path / "cement.yaml"), "--out", str(tmp_path / "x.html"))
    assert cli.exit_code == 2
    assert "no-such-inventory.yaml" in cli.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2025"], "before the definitive period"),
        (["--lang", "fr"], "not 'fr'"),
        (["--format", "pdf"], "does not match"),
    ],
)
def test_bad_options_are_errors(args: list[str], message: str, tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    result = _cli("report", str(EXAMPLES[0]), "--out", str(out), *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_the_precursor_part_is_what_the_precursors_carry_in() -> None:
    result = calculate(read_installation(CEMENT))
    rows = {row.good.cn: row for row in cbam_view(result).goods}
    assert rows["2523100090"].from_precursors == 0.0  # the kiln has no precursors
    kiln = result.processes[0].see
    # cement: 0.76 t own clinker and 0.05 t bought clinker (China default 1.35 + 0.04) per t
    carried = 0.76 * kiln.total + 0.05 * (1.35 + 0.04)
    assert rows["25232900"].from_precursors == pytest.approx(carried, rel=1e-12)
