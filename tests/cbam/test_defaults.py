"""The shipped CBAM default values: lookup, row-level fallback, mark-up and refusals."""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files

import pytest
from typer.testing import CliRunner

from footprint.cbam.defaults import OTHER, default_for, lookup, table
from footprint.cbam.goods import CbamError, counts_indirect
from footprint.cli.app import app

runner = CliRunner()


def test_the_shipped_table_is_the_one_its_sources_file_describes() -> None:
    raw = (files("footprint") / "data" / "cbam_default_values.csv").read_bytes()
    # Pinned: a change to a value must come with a change to cbam_default_values.SOURCES.md.
    assert hashlib.sha256(raw).hexdigest() == (
        "bc21d0fe1b5ae64cf18064a7d81e971633ce79c4b103a8ad11d0722ec878e1aa"
    )
    areas = {row.area for row in table()}
    assert areas == {"China", OTHER}


def test_acceptance_hot_rolled_flat_from_china_in_2026() -> None:
    result = runner.invoke(
        app, ["cbam", "defaults", "--country", "CN", "--cn", "7208", "--year", "2026", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    (value,) = json.loads(result.output)["values"]
    assert value["total"] == 3.187
    assert value["total_with_markup"] == 3.5057  # 3.187 x 1.10
    assert value["status"] == "unconfirmed"
    assert value["indirect_counts"] is False


@pytest.mark.parametrize(
    ("cn", "year", "expected"),
    [
        ("7208", 2027, 3.187 * 1.2),
        ("7208", 2031, 3.187 * 1.3),
        ("7601", 2026, 3.0 * 1.1),
        ("28141000", 2026, 4.36 * 1.01),  # fertilisers: +1 %
        ("28141000", 2029, 4.36 * 1.01),
    ],
)
def test_markup_by_sector_and_year(cn: str, year: int, expected: float) -> None:
    assert default_for("CN", cn, year=year).total_with_markup == pytest.approx(expected, abs=5e-6)


def test_a_row_without_a_value_falls_back_whole_to_other_countries() -> None:
    value = default_for("CN", "7203", year=2026)  # DRI: "–" for China
    assert value.fallback
    assert (value.row.area, value.total) == (OTHER, 1.325)


def test_a_more_specific_code_finds_the_row_that_covers_it() -> None:
    assert default_for("CN", "7208 51 20").total == 3.187
    assert default_for("CN", "2523 10 00 90").row.route == "A"


def test_a_heading_lists_the_rows_under_it_and_is_ambiguous_for_one_value() -> None:
    codes = [v.row.cn for v in lookup("CN", "7206")]
    assert codes == ["72061000", "72069000"]
    with pytest.raises(CbamError, match="covers 2 default values"):
        default_for("CN", "7206")


def test_annex_ii_goods_count_direct_emissions_only() -> None:
    assert not counts_indirect("7208")
    assert not counts_indirect("7601")
    assert not counts_indirect("28041000")
    assert counts_indirect("25232900")
    assert counts_indirect("31021019")
    assert counts_indirect("26011200")  # agglomerated iron ore


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--country", "IN", "--cn", "7208"], "holds only China"),
        (["--country", "DE", "--cn", "7208"], "EU member state"),
        (["--country", "CN", "--cn", "8501"], "not a CBAM good"),
        (["--country", "CN", "--cn", "72x8"], "not 4 to 10 digits"),
        (["--country", "CN", "--cn", "7208", "--year", "2025"], "before the definitive period"),
    ],
)
def test_bad_requests_exit_2_with_a_message(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["cbam", "defaults", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_other_countries_can_be_asked_for_explicitly() -> None:
    assert default_for("OTHER", "7208").total == 4.049
