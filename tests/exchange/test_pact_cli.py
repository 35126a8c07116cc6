"""`footprint export pact`, `footprint import pact`, and suppliers' footprints as background inputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.cli.app import app
from footprint.paths import examples_dir

runner = CliRunner()
EXAMPLES = sorted(p for p in examples_dir().iterdir() if p.suffix in {".yaml", ".csv"})


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_export_every_example(example: Path) -> None:
    result = runner.invoke(app, ["export", "pact", str(example)])
    assert result.exit_code == 0, result.output
    assert not re.search(r'"[-0-9.]+[eE][-+]?\d+"', result.output)
    document = json.loads(result.output)
    assert document["specVersion"].startswith("3.")
    calc = json.loads(runner.invoke(app, ["calc", str(example), "-f", "json"]).output)
    pcf = document["pcf"]
    assert float(pcf["pcfExcludingBiogenicUptake"]) == pytest.approx(
        calc["total_excluding_biogenic_removals"]["value"], rel=1e-9
    )


def test_missing_company_is_a_clear_error(tmp_path: Path) -> None:
    text = (examples_dir() / "float-glass.yaml").read_text()
    text = re.sub(r"^  company: .*\n", "", text, flags=re.M)
    path = tmp_path / "glass.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["export", "pact", str(path)])
    assert result.exit_code == 2
    assert "product.company" in result.output
    ok = runner.invoke(
        app,
        [
            "export",
            "pact",
            str(path),
            "--company-name",
            "Glassworks",
            "--company-id",
            "urn:uuid:69585GB6-56T9-6958-E526-6FDGZJHU1326".lower(),
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["companyName"] == "Glassworks"


def test_import_pact_then_link_with_the_shipped_background(tmp_path: Path) -> None:
    exported = runner.invoke(app, ["export", "pact", str(examples_dir() / "pet-bottle.yaml")])
    supplier = tmp_path / "bottles.json"
    supplier.write_text(exported.output)
    pf_id = json.loads(exported.output)["id"]
    imported = runner.invoke(app, ["import", "pact", str(supplier), "--data-dir", str(tmp_path)])
    assert imported.exit_code == 0, imported.output
    inventory = tmp_path / "six.yaml"
    inventory.write_text(
        "product: {name: Six-pack, declared_unit: piece, geography: US}\n"
        "processes:\n  - id: pack\n    output: 1 piece\n    inputs:\n"
        f"      - {{background: {{id: '{pf_id}'}}, amount: 6 piece}}\n"
        "      - {background: {id: 'grid:US:2022:egrid'}, amount: 0.01 kWh}\n"
    )
    result = runner.invoke(
        app,
        [
            "calc",
            str(inventory),
            "--background",
            "default+bottles",
            "--data-dir",
            str(tmp_path),
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    bottle = float(json.loads(exported.output)["pcf"]["pcfExcludingBiogenicUptake"])
    grid = 0.3734  # kg CO2/kWh, eGRID2022 row of the shipped grid factors
    assert data["total"]["value"] == pytest.approx(6 * bottle + 0.01 * grid, rel=1e-6)
