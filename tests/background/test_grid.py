"""Grid electricity factors: every row declares its scope and citation; China's provinces and
regions; the renamed reporting factor; the caveat of combustion-only factors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from footprint.background.catalog import load_background
from footprint.background.grid import CHOICES, REQUIRED, grid_background, read_grid_factors
from footprint.cli.app import app
from footprint.engine.calculate import calculate
from footprint.errors import BackgroundError
from footprint.exchange.pact import to_pact
from footprint.paths import background_dir, examples_dir
from tests.conftest import write

SHIPPED = background_dir() / "grid" / "grid_factors.csv"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(SHIPPED, dtype=str, keep_default_na=False)


def test_every_row_declares_scope_and_provenance(table: pd.DataFrame) -> None:
    read_grid_factors(SHIPPED)  # the loader's own checks pass
    for column in REQUIRED:
        empty = table.loc[table[column].str.strip() == "", "id"].tolist()
        assert not empty, f"{column} empty in {empty}"
    for column, allowed in CHOICES.items():
        assert set(table[column]) <= set(allowed), column
    assert table["id"].is_unique
    aliases = [a for cell in table["aliases"] for a in cell.split()]
    assert not set(aliases) & set(table["id"])
    co2e = table["gas_scope"] == "CO2e"
    assert table.loc[co2e, "unit"].str.contains("CO2e").all()
    assert not table.loc[~co2e, "unit"].str.contains("CO2e").any()
    assert table["year"].str.fullmatch(r"20\d\d").all()


def test_china_provinces_and_regions(table: pd.DataFrame) -> None:
    provinces = table[table["level"] == "provincial"]
    assert provinces["location"].str.fullmatch(r"CN-[A-Z]{2}").all()  # ISO 3166-2:CN since 2017
    assert provinces["location"].nunique() == 30
    assert "CN-XZ" not in set(provinces["location"])  # MEE publishes no factor for Tibet
    years = provinces.groupby("location")["year"].apply(lambda y: tuple(sorted(y)))
    assert set(years) == {("2021", "2022", "2023")}
    assert (provinces["place_zh"] != "").all()
    regions = table[table["level"] == "regional"]
    assert set(regions["place_zh"]) == {"华北", "东北", "华东", "华中", "西北", "南方", "西南"}
    assert (table.loc[table["country"] == "CN", "status"] == "unconfirmed").all()
    assert "grid:CN-SOUTHWEST:2023:mee-nbs" not in set(table["id"])  # not found: not invented


def test_jiangsu_2023_is_the_published_value(table: pd.DataFrame, runner: CliRunner) -> None:
    row = table.set_index("id").loc["grid:CN-JS:2023:mee-nbs"]
    assert float(row["value"]) == 0.5827  # MEE/NBS 公告2025年第47号, annex table 3, 江苏
    assert (row["unit"], row["gas_scope"], row["boundary"]) == ("kg CO2/kWh", "CO2", "combustion")
    done = runner.invoke(app, ["background", "show", "grid:CN-JS:2023:mee-nbs", "-f", "json"])
    assert done.exit_code == 0, done.output
    found = json.loads(done.output)
    assert found["kg_co2e"] == pytest.approx(0.5827, rel=1e-12)
    assert "公告2025年第47号" in found["activity"]["source"]
    assert "CN-JS Jiangsu 江苏" in found["activity"]["name"]
    assert "CO2, combustion, losses excluded" in found["activity"]["category"]
    shown = runner.invoke(app, ["background", "show", "grid:CN-JS:2023:mee-nbs"])
    assert "source: Ministry of Ecology and Environment" in shown.output


def test_old_reporting_id_still_resolves(tmp_path: Path) -> None:
    bg = load_background()
    assert bg.find(id="grid:CN:2022:mee-reporting")["id"] == "grid:CN:2022:reporting"
    totals = []
    for ref in ("grid:CN:2022:mee-reporting", "grid:CN:2022:reporting"):
        path = write(tmp_path, "p.yaml", _inventory("CN", ref))
        totals.append(calculate(path).total)
    assert totals[0] == totals[1] == pytest.approx(10 * 0.5703, rel=1e-12)


@pytest.mark.parametrize(
    ("search", "location", "expected"),
    [
        ("electricity", "CN-JS", {"grid:CN-JS:2021:mee-nbs", "grid:CN-JS:2023:mee-nbs"}),
        ("江苏", None, {"grid:CN-JS:2022:mee-nbs"}),
        ("电力 华东", None, {"grid:CN-EAST:2023:mee-nbs"}),
        ("电力", "CN", {"grid:CN:2024:pcf", "grid:CN:2022:reporting"}),
    ],
)
def test_list_finds_provinces_in_either_language(
    search: str, location: str | None, expected: set[str], runner: CliRunner
) -> None:
    args = ["background", "list", "--search", search, "-f", "json", "--limit", "0"]
    done = runner.invoke(app, args + (["--location", location] if location else []))
    assert done.exit_code == 0, done.output
    rows = json.loads(done.output)
    assert expected <= {r["id"] for r in rows}
    if location:
        assert {r["location"] for r in rows} == {location}  # no national rows as fallbacks


def test_combustion_factor_caveat_in_result() -> None:
    us = calculate(examples_dir() / "pet-bottle.yaml")
    expected = (
        "grid factor grid:US:2022:egrid is CO2-only combustion: upstream and losses not included"
    )
    assert any(expected in w for w in us.warnings), us.warnings
    cn = calculate(examples_dir() / "cement-cn.yaml")  # the life-cycle CO2e factor
    assert not any("grid factor" in w for w in cn.warnings), cn.warnings


def test_caveat_names_the_life_cycle_alternative() -> None:
    bg = load_background()
    assert bg.caveats("grid:CN-SC:2023:mee-nbs") == [
        "grid factor grid:CN-SC:2023:mee-nbs is CO2-only combustion: upstream and losses not "
        "included; life-cycle factor for a product footprint: grid:CN:2024:pcf"
    ]
    assert "(grid losses included)" in bg.caveats("grid:KR:2023:mcee")[0]
    assert "combustion-only CO2e" in bg.caveats("grid:EU:2018:eea")[0]
    assert bg.caveats("grid:CN:2024:pcf") == []


def test_province_as_product_geography(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", _inventory("CN-JS", "grid:CN-JS:2023:mee-nbs"))
    result = calculate(path)
    assert result.total == pytest.approx(10 * 0.5827, rel=1e-12)
    pcf = to_pact(result, company_name="C", company_ids=["urn:c:1"], fossil_carbon_content_kg=0.0)[
        "pcf"
    ]
    assert pcf["geographyCountrySubdivision"] == "CN-JS"
    assert "geographyCountry" not in pcf


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("boundary", "cradle-to-grave", "boundary is 'cradle-to-grave'"),
        ("publisher", " ", "publisher is empty"),
        ("unit", "kg CO2e/kWh", "does not match gas_scope"),
        ("id", "grid:CN:2021:Bad", "does not read grid:"),
        ("losses", "", "losses is empty"),
    ],
)
def test_invalid_rows_are_refused(
    tmp_path: Path, table: pd.DataFrame, column: str, value: str, message: str
) -> None:
    rows = table.head(3).copy()
    rows.loc[rows.index[0], column] = value
    path = tmp_path / "grid_factors.csv"
    rows.to_csv(path, index=False)
    with pytest.raises(BackgroundError, match=re.escape(message)) as caught:
        grid_background(path)
    assert caught.value.where == f"{path}, line 2, {column}"


def test_duplicate_alias_is_refused(tmp_path: Path, table: pd.DataFrame) -> None:
    rows = table.head(2).copy()
    rows.loc[rows.index[1], "aliases"] = rows.iloc[0]["id"]
    path = tmp_path / "grid_factors.csv"
    rows.to_csv(path, index=False)
    with pytest.raises(BackgroundError, match="appears twice"):
        grid_background(path)


def _inventory(geography: str, grid_id: str) -> str:
    return f"""\
product:
  name: Test product
  id: urn:example:product:test
  declared_unit: kg
  declared_amount: 1
  geography: {geography}
  reference_period: {{start: 2023-01-01, end: 2023-12-31}}
processes:
  - id: make
    stage: A3
    output: 1 kg
    inputs:
      - {{name: Electricity, background: {{id: "{grid_id}"}}, amount: 10 kWh}}
"""
