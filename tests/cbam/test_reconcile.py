"""A good's SEE beside its product footprint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.cbam.calc import calculate as cbam_calculate
from footprint.cbam.goods import CbamError
from footprint.cbam.model import read_installation
from footprint.cbam.reconcile import reconcile
from footprint.cli.app import app
from footprint.engine.calculate import calculate

ROOT = Path(__file__).resolve().parents[2]
CEMENT = ROOT / "inventories" / "cbam" / "cement.yaml"
PCF = ROOT / "inventories" / "examples" / "cement-cn.yaml"


def test_the_footprint_per_tonne_sits_beside_the_see() -> None:
    cbam = cbam_calculate(read_installation(CEMENT))
    footprint = calculate(PCF)  # declared per 1 t; total in kg CO2e
    table = reconcile(cbam, "2523 29 00", footprint)
    per_t = footprint.total / 1000 / footprint.declared_amount
    assert table.footprint_per_t == pytest.approx(per_t, rel=1e-12)
    see = cbam.processes[1].see
    assert table.difference == pytest.approx(per_t - see.total, rel=1e-12)
    stages = sum(v for k, v in table.rows() if k.startswith("  of which"))
    assert stages == pytest.approx(per_t, rel=1e-9)
    with pytest.raises(CbamError, match="makes no good with CN code '7208'"):
        reconcile(cbam, "7208", footprint)


def test_the_cli_gives_the_table_as_json() -> None:
    result = CliRunner().invoke(
        app,
        [
            "cbam",
            "reconcile",
            str(CEMENT),
            "--inventory",
            str(PCF),
            "--cn",
            "25232900",
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    items = [row["item"] for row in data["rows"]]
    assert items[:3] == ["CBAM direct SEE", "CBAM indirect SEE (counted)", "CBAM total SEE"]
    assert items[-1] == "Difference (footprint - CBAM total)"
    assert any("transport" in note for note in data["scope_notes"])
