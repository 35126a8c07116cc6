from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint import __version__
from footprint.cli.app import app
from tests.conftest import write

CONTRACT = {
    "product",
    "declared_unit",
    "total",
    "by_stage",
    "by_process",
    "by_gas",
    "fossil",
    "biogenic_emissions",
    "biogenic_removals",
    "land_use_change",
    "method",
    "background",
}


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"footprint {__version__}"


def test_calc_json_contract(fixtures: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["calc", str(fixtures / "hand.yaml"), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert CONTRACT <= set(data)
    assert data["total"]["unit"] == "kg CO2e"
    assert data["total"]["value"] == pytest.approx(2.1624338624, rel=1e-9)
    assert data["declared_unit"] == {"amount": 1.0, "unit": "piece"}
    for part in ("by_stage", "by_process", "by_gas"):
        assert sum(data[part].values()) == pytest.approx(data["total"]["value"], rel=1e-9)
    where = sum(a["value"] for a in data["by_activity"])
    assert where == pytest.approx(data["total"]["value"], rel=1e-9)


def test_calc_gwp_option_changes_methane(fixtures: Path, runner: CliRunner) -> None:
    ar6 = json.loads(runner.invoke(app, ["calc", str(fixtures / "hand.yaml"), "-f", "json"]).output)
    ar4 = json.loads(
        runner.invoke(
            app, ["calc", str(fixtures / "hand.yaml"), "-f", "json", "--gwp", "ar4"]
        ).output
    )
    assert ar4["by_gas"]["CH4"] / ar6["by_gas"]["CH4"] == pytest.approx(25 / 29.8, rel=1e-12)
    assert ar4["method"]["name"] == "IPCC AR4 GWP100"


def test_calc_table_and_csv_and_out(fixtures: Path, tmp_path: Path, runner: CliRunner) -> None:
    table = runner.invoke(app, ["calc", str(fixtures / "hand.yaml")])
    assert table.exit_code == 0
    assert "2.162 kg CO2e" in table.output
    assert "Where the emissions occur" in table.output
    out = tmp_path / "r.csv"
    result = runner.invoke(
        app, ["calc", str(fixtures / "hand.yaml"), "-f", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("product,declared_unit,process,stage,input,kind,kg_co2e")
    assert len(lines) == 4
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_out_into_missing_directory_is_a_clean_error(
    fixtures: Path, tmp_path: Path, runner: CliRunner
) -> None:
    result = runner.invoke(
        app,
        [
            "calc",
            str(fixtures / "hand.yaml"),
            "-f",
            "json",
            "--out",
            str(tmp_path / "no" / "r.json"),
        ],
    )
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "product:\n  name: X\nprocesses: []\n")
    proc = subprocess.run(
        [sys.executable, "-m", "footprint", "calc", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert str(path) in proc.stderr
    assert "declared_unit" in proc.stderr


def test_unknown_gwp_set_is_a_usage_error(fixtures: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["calc", str(fixtures / "hand.yaml"), "--gwp", "ar7"])
    assert result.exit_code == 2


def test_schema_inventory_prints_json_schema(runner: CliRunner) -> None:
    result = runner.invoke(app, ["schema", "inventory"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert "processes" in schema["properties"]


def test_background_list_search_and_show(runner: CliRunner) -> None:
    listed = runner.invoke(
        app,
        [
            "background",
            "list",
            "--search",
            "electricity grid",
            "--location",
            "CN",
            "--format",
            "json",
            "--limit",
            "0",
        ],
    )
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert rows, "the shipped background has China grid electricity"
    assert all(r["location"] == "CN" and r["unit"] == "kWh" for r in rows)
    shown = runner.invoke(app, ["background", "show", rows[0]["id"], "-f", "json"])
    assert shown.exit_code == 0
    assert json.loads(shown.output)["activity"]["id"] == rows[0]["id"]
    summary = json.loads(runner.invoke(app, ["background", "show"]).output)
    assert summary["activities"] > 500


def test_background_show_unknown_suggests_names(runner: CliRunner) -> None:
    result = runner.invoke(app, ["background", "show", "Electricty, at grid"])
    assert result.exit_code == 2
    assert "nearest" in result.output


def test_template_xlsx_round_trips_through_calc(tmp_path: Path, runner: CliRunner) -> None:
    bom = tmp_path / "bom.xlsx"
    template = runner.invoke(app, ["template", "xlsx"])
    assert template.exit_code == 0, template.stderr
    bom.write_bytes(template.stdout_bytes)
    assert bom.read_bytes()[:2] == b"PK"
    result = runner.invoke(app, ["calc", str(bom), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["declared_unit"]["unit"] == "piece"
    assert data["total"]["value"] > 0
