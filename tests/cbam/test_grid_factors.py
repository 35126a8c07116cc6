"""The CBAM default electricity factors shipped as examples, and China's, which is not encoded."""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files

import pytest
from typer.testing import CliRunner

from footprint.background.grid import read_grid_factors
from footprint.cbam.electricity import grid_factor, grid_factors
from footprint.cbam.goods import CbamError
from footprint.cli.app import app
from footprint.paths import background_dir

runner = CliRunner()


def _json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["cbam", "grid-factors", *args, "-f", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.output)
    return data


def test_the_shipped_table_is_the_one_its_sources_file_describes() -> None:
    raw = (files("footprint") / "data" / "cbam_grid_factors.csv").read_bytes()
    # Pinned: a change to a value must come with a change to cbam_grid_factors.SOURCES.md.
    assert hashlib.sha256(raw).hexdigest() == (
        "ad26ee2b3f199b7d4c877c1ed27e8661c5b42b5568a8eacf553ef5a0ae17ee52"
    )


@pytest.mark.parametrize(
    ("country", "annex", "value"),
    [
        ("AU", "Annex II", 0.645),
        ("BR", "Annex II", 0.096),
        ("OTHER", "Annex II", 0.465),
        ("EU", "Annex III", 0.612),
        ("bra", "Annex II", 0.096),
    ],
)
def test_the_examples_of_the_reference_with_status_and_source(
    country: str, annex: str, value: float
) -> None:
    (row,) = _json("--country", country)["factors"]  # type: ignore[misc]
    assert row["value"] == value
    assert row["unit"] == "t CO2e/MWh"
    assert row["annex"] == f"{annex} of IR (EU) 2025/2621"
    assert row["status"] == "unconfirmed"
    assert f"quoting {annex} of IR (EU) 2025/2621" in row["source"]


def test_every_row_has_a_status_and_a_source() -> None:
    rows = grid_factors()
    assert {r.code for r in rows} == {"AU", "BR", "OTHER", "CN", "EU"}
    for r in rows:
        assert r.source.strip()
        assert (r.status == "not encoded") == (r.value is None)
    table = runner.invoke(app, ["cbam", "grid-factors"])
    assert table.exit_code == 0, table.output
    for r in rows:
        assert r.source in table.output


def test_china_is_not_encoded_and_the_shipped_chinese_factors_are_offered_instead() -> None:
    row = grid_factor("CN")
    assert (row.value, row.status) == (None, "not encoded")
    data = _json("--country", "CN")
    (shown,) = data["factors"]  # type: ignore[misc]
    assert shown["value"] is None
    china = data["china"]
    assert isinstance(china, dict)
    assert "not encoded" in china["advice"]
    assert "IEA" in china["advice"]
    grid = read_grid_factors(background_dir() / "grid" / "grid_factors.csv")
    expected = set(grid.loc[grid["location"] == "CN", "id"])
    offered = {a["id"] for a in china["shipped_grid_factors"]}
    assert offered == expected
    assert any(i.endswith(":mee-nbs") for i in offered)
    table = runner.invoke(app, ["cbam", "grid-factors", "--country", "CN"])
    assert table.exit_code == 0  # a message, not an error
    assert "not the CBAM default" in table.output
    assert sorted(expected)[0] in table.output


@pytest.mark.parametrize(
    ("country", "message"),
    [
        ("JP", "no grid emission factor is encoded for 'JP'"),
        ("DE", "EU member state"),
        ("NO", "Annex III"),
    ],
)
def test_a_country_without_a_row_is_refused_never_given_the_fallback(
    country: str, message: str
) -> None:
    with pytest.raises(CbamError, match=message):
        grid_factor(country)
    result = runner.invoke(app, ["cbam", "grid-factors", "--country", country])
    assert result.exit_code == 2
    assert "--country" in result.output
    assert "Fix:" in result.output
    assert "Traceback" not in result.output


def test_csv_format_is_refused() -> None:
    result = runner.invoke(app, ["cbam", "grid-factors", "-f", "csv"])
    assert result.exit_code == 2
