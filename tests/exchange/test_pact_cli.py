"""`footprint export pact`, `footprint import pact`, and suppliers' footprints as background inputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.cli.app import app
from footprint.paths import examples_dir

EXAMPLES = sorted(p for p in examples_dir().iterdir() if p.suffix in {".yaml", ".csv"})


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_export_every_example(example: Path, runner: CliRunner) -> None:
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


def test_missing_company_is_a_clear_error(tmp_path: Path, runner: CliRunner) -> None:
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


def test_import_pact_then_link_with_the_shipped_background(
    tmp_path: Path, runner: CliRunner
) -> None:
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


def _glass_with(tmp_path: Path, extra: str, period: str | None = None) -> Path:
    """The float-glass example with extra product lines (and another reference period)."""
    text = (examples_dir() / "float-glass.yaml").read_text()
    text = re.sub(r"^(  company: .*\n)", lambda m: m.group(1) + extra, text, count=1, flags=re.M)
    if period:
        text = re.sub(
            r"^  reference_period: .*$", f"  reference_period: {period}", text, flags=re.M
        )
    path = tmp_path / "glass.yaml"
    path.write_text(text)
    return path


def test_inventory_data_quality_goes_into_the_pact_dqi(tmp_path: Path, runner: CliRunner) -> None:
    path = _glass_with(
        tmp_path, "  data_quality: {technological: 2, geographical: 1, temporal: 1.5}\n"
    )
    result = runner.invoke(app, ["export", "pact", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["pcf"]["dqi"] == {
        "technologicalDQR": "2",
        "geographicalDQR": "1",
        "temporalDQR": "1.5",
    }


def test_pact_2_3_from_2025_takes_its_data_quality_from_the_inventory(
    tmp_path: Path, runner: CliRunner
) -> None:
    period = "{start: 2025-01-01, end: 2025-12-31}"
    full = (
        "  cpc: '37115'\n  data_quality: {technological: 2, geographical: 1, temporal: 1, "
        "completeness: 2, reliability: 3, coverage_percent: 95}\n"
    )
    done = runner.invoke(
        app, ["export", "pact", str(_glass_with(tmp_path, full, period)), "--spec", "2.3"]
    )
    assert done.exit_code == 0, done.output
    dqi = json.loads(done.output)["pcf"]["dqi"]
    assert (dqi["reliabilityDQR"], dqi["coveragePercent"]) == (3, 95)
    too_high = full.replace("reliability: 3", "reliability: 4")
    refused = runner.invoke(
        app, ["export", "pact", str(_glass_with(tmp_path, too_high, period)), "--spec", "2.3"]
    )
    assert refused.exit_code == 2
    assert "product.data_quality.reliability" in refused.output
    assert "from 1 to 3, got 4" in refused.output
    assert "Traceback" not in refused.output


def test_data_quality_out_of_any_range_names_its_line(tmp_path: Path, runner: CliRunner) -> None:
    path = _glass_with(tmp_path, "  data_quality: {technological: 6}\n")
    done = runner.invoke(app, ["calc", str(path)])
    assert done.exit_code == 2
    assert "data_quality.technological" in done.output
    assert "line 27" in done.output
