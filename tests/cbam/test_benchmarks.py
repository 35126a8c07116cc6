"""CBAM benchmarks, the CBAM factor schedule and the free-allocation adjustment per tonne."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from importlib.resources import files

import pytest
from typer.testing import CliRunner

from footprint.cbam.benchmarks import benchmarks, cbam_factor, free_allocation_adjustment
from footprint.cbam.goods import CbamError
from footprint.cli.app import app

runner = CliRunner()


def test_the_shipped_table_is_the_one_its_sources_file_describes() -> None:
    raw = (files("footprint") / "data" / "cbam_benchmarks.csv").read_bytes()
    # Pinned: a change to a value must come with a change to cbam_benchmarks.SOURCES.md.
    assert hashlib.sha256(raw).hexdigest() == (
        "f4e98fafd79533ebc07d9d5d78e53a8b18ffe187120f533e58508236c2dcf1ff"
    )
    for b in benchmarks():
        assert b.status == "unconfirmed"
        assert "IR (EU) 2025/2620" in b.source


@pytest.mark.parametrize(
    ("year", "factor"),
    [
        (2026, "0.975"),
        (2027, "0.95"),
        (2029, "0.775"),
        (2030, "0.515"),
        (2033, "0.14"),
        (2034, "0"),
        (2040, "0"),
    ],
)
def test_the_cbam_factor_schedule(year: int, factor: str) -> None:
    assert cbam_factor(year) == Decimal(factor)


def test_no_cbam_factor_before_the_definitive_period() -> None:
    with pytest.raises(CbamError, match="2025"):
        cbam_factor(2025)


@pytest.mark.parametrize(
    ("route", "year", "cscf", "expected", "estimate"),
    [
        ("C", 2026, None, 1.33575, True),  # 0.975 x 1 x 1.370
        ("C", 2026, 0.9, 1.20218, False),  # 0.975 x 0.9 x 1.370 = 1.202175, half up
        ("D", 2028, None, 0.4329, True),  # 0.90 x 0.481
        ("E", 2033, 1.0, 0.01008, True),  # 0.14 x 0.072; provisional benchmark after 2026
        ("C", 2034, 0.8, 0.0, True),  # no free allocation left
    ],
)
def test_hot_rolled_flat_by_route_and_year(
    route: str, year: int, cscf: float | None, expected: float, estimate: bool
) -> None:
    faa = free_allocation_adjustment("7208 51 20", year, route=route, cscf=cscf)
    assert faa.per_tonne == expected
    assert faa.estimate is estimate
    assert faa.benchmark is not None
    assert (faa.benchmark.column, faa.benchmark.route) == ("B", route)
    assert ("CSCF not encoded: 1 used" in faa.note) is (cscf is None)
    data = faa.to_dict()
    assert data["status"] == "unconfirmed"
    assert "2025/2620" in data["source"]


@pytest.mark.parametrize(
    ("cn", "route", "message"),
    [
        ("7208", None, "benchmarks for routes C, D, E are encoded"),
        ("7208", "F", "no benchmark encoded for CN 7208, route F"),
        ("7208", "C/F", "no benchmark encoded for CN 7208, route C/F"),
        ("7203", None, "without saying which applies"),
        ("7601", "K", "no benchmark encoded for CN 7601"),
        ("25232900", None, "no benchmark encoded"),
    ],
)
def test_no_figure_without_a_single_encoded_benchmark(
    cn: str, route: str | None, message: str
) -> None:
    faa = free_allocation_adjustment(cn, 2026, route=route)
    assert faa.per_tonne is None
    assert message in faa.note
    assert faa.to_dict()["per_tonne"] is None


def test_hydrogen_says_its_column_is_not_stated_and_electricity_is_zero() -> None:
    h2 = free_allocation_adjustment("28041000", 2026, cscf=1.0)
    assert h2.per_tonne == pytest.approx(0.975 * 5.089, abs=5e-6)
    assert "does not say whether the benchmark is Column A or Column B" in h2.note
    assert free_allocation_adjustment("27160000", 2027).per_tonne == 0.0


@pytest.mark.parametrize("cscf", [0.0, -0.5, 1.5, 97.5])
def test_a_cscf_outside_zero_to_one_is_refused(cscf: float) -> None:
    with pytest.raises(CbamError, match="not in \\(0, 1\\]"):
        free_allocation_adjustment("7208", 2026, route="C", cscf=cscf)


def test_defaults_show_the_adjustment_where_a_benchmark_is_encoded() -> None:
    args = ["cbam", "defaults", "--country", "CN", "--cn", "7208", "--year", "2026"]
    data = json.loads(runner.invoke(app, [*args, "-f", "json"]).output)
    (value,) = data["values"]
    faa = value["free_allocation_adjustment"]
    assert faa["per_tonne"] == 1.33575  # 0.975 x 1.370, route C of the China row
    assert faa["estimate"] is True
    assert faa["cscf_given"] is False
    assert faa["status"] == "unconfirmed"
    assert faa["benchmark"]["source"]
    given = json.loads(runner.invoke(app, [*args, "--cscf", "0.9", "-f", "json"]).output)
    assert given["values"][0]["free_allocation_adjustment"]["per_tonne"] == 1.20218
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "estimate 1.33575" in table.output
    assert "CSCF not encoded" in table.output
    none = runner.invoke(app, ["cbam", "defaults", "--country", "CN", "--cn", "7601"])
    assert "no benchmark encoded for CN 7601" in none.output


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["--country", "CN", "--cn", "7208", "--cscf", "2"], "--cscf"),
        (["--country", "CN", "--cn", "72x8"], "--cn"),
        (["--country", "CN", "--cn", "9999"], "--cn"),
        (["--country", "XX", "--cn", "7208"], "--country"),
        (["--country", "CN", "--cn", "7208", "--year", "2025"], "--year"),
    ],
)
def test_bad_options_exit_2_with_where_and_fix(args: list[str], where: str) -> None:
    result = runner.invoke(app, ["cbam", "defaults", *args])
    assert result.exit_code == 2, result.output
    assert where in result.output
    assert "Fix:" in result.output
    assert "Traceback" not in result.output
