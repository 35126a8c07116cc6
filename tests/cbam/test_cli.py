"""``footprint cbam`` and ``footprint schema installation`` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.cli.app import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
EAF = str(ROOT / "inventories" / "cbam" / "eaf-steel.yaml")
CEMENT = str(ROOT / "inventories" / "cbam" / "cement.yaml")


def test_calc_json_gives_every_good_with_five_decimals() -> None:
    result = runner.invoke(app, ["cbam", "calc", CEMENT, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [g["cn"] for g in data["goods"]] == ["2523100090", "25232900"]
    for good in data["goods"]:
        assert good["total"] == pytest.approx(good["direct"] + good["indirect"], abs=2e-5)
    assert data["processes"][1]["precursors"][1]["basis"].startswith("default value 2523100090")
    assert {r["status"] for r in data["rules"]} == {"unconfirmed"}


def test_calc_table_and_out_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["cbam", "calc", EAF])
    assert result.exit_code == 0, result.output
    assert "72071114" in result.output
    assert "actual emissions without verification" in result.output
    out = tmp_path / "see.txt"
    assert runner.invoke(app, ["cbam", "calc", EAF, "--out", str(out)]).exit_code == 0
    assert "warning: purchased precursor 'pig-iron-b'" in out.read_text(encoding="utf-8")


def test_communicate_writes_the_workbook(tmp_path: Path) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    out = tmp_path / "communication.xlsx"
    result = runner.invoke(app, ["cbam", "communicate", CEMENT, "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == [
        "Notes",
        "A_InstData",
        "D_Processes",
        "Energy_Flows",
        "E_PurchPrec",
        "Summary_Products",
    ]
    summary = list(book["Summary_Products"].values)
    assert summary[0][5:8] == (
        "Direct SEE (t CO2e/t)",
        "Indirect SEE (t CO2e/t)",
        "Total SEE (t CO2e/t)",
    )
    calc = json.loads(runner.invoke(app, ["cbam", "calc", CEMENT, "-f", "json"]).output)
    for row, good in zip(summary[1:], calc["goods"], strict=True):
        assert row[0] == good["cn"]
        assert row[5:8] == (good["direct"], good["indirect"], good["total"])
    inst = dict(row[:2] for row in book["A_InstData"].values if row and row[0])
    assert inst["UN/LOCODE"] == "CNWUH"
    precursors = list(book["E_PurchPrec"].values)
    assert precursors[1][0] == "grey clinker (bought in)"
    assert precursors[1][8:10] == (1.35, 0.04)


def test_communicate_json_has_the_same_sheets() -> None:
    result = runner.invoke(app, ["cbam", "communicate", EAF, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["sheets"]) == {
        "A_InstData",
        "D_Processes",
        "Energy_Flows",
        "E_PurchPrec",
        "Summary_Products",
    }


@pytest.mark.parametrize("out", [None, "communication.txt"])
def test_communicate_needs_an_xlsx_file(out: str | None, tmp_path: Path) -> None:
    args = ["cbam", "communicate", EAF] + (["--out", str(tmp_path / out)] if out else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "--out" in result.output


def test_schema_installation_as_a_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "footprint", "schema", "installation"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    assert schema["title"] == "footprint CBAM installation"
    assert {"installation", "reporting_period", "processes"} <= set(schema["required"])


def test_every_example_validates_against_the_schema() -> None:
    import jsonschema
    import yaml

    from footprint.cbam.model import installation_schema

    schema = installation_schema()
    for path in sorted((ROOT / "inventories" / "cbam").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data = json.loads(json.dumps(data, default=str))
        jsonschema.validate(data, schema)
