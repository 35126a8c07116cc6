"""Batch: intensities once, every product, failures collected; the fast path equals bw2calc's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from footprint.background.store import Background
from footprint.cli.app import app
from footprint.engine.batch import catalogue_files, run_batch
from footprint.engine.calculate import calculate
from footprint.engine.fast import calculate_with
from footprint.engine.intensities import background_intensities
from footprint.errors import FootprintError
from footprint.paths import examples_dir
from tests.engine.test_background_link import (
    GAS_FOSSIL,
    GAS_REMOVAL,
    STEEL_BIOGENIC,
    STEEL_FOSSIL,
    TRUCK,
)

EXAMPLES = sorted(p for p in examples_dir().iterdir() if p.suffix in {".yaml", ".csv"})


def test_mini_background_intensities_by_hand(mini_background: Background) -> None:
    found = background_intensities(mini_background)
    total = dict(zip(found.activity_ids, found.total, strict=True))
    assert total["truck"] == pytest.approx(TRUCK, rel=1e-12)
    assert total["steel"] == pytest.approx(STEEL_FOSSIL + STEEL_BIOGENIC, rel=1e-12)
    assert total["gas"] == pytest.approx(GAS_FOSSIL + GAS_REMOVAL, rel=1e-12)
    assert total["elec-cn"] == pytest.approx(0.8, rel=1e-12)


def test_intensities_are_cached_by_content(mini_background: Background, tmp_path: Path) -> None:
    first = background_intensities(mini_background, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("intensities-*.npz"))) == 1
    second = background_intensities(mini_background, cache_dir=tmp_path)
    assert np.array_equal(first.matrix, second.matrix)
    assert second.key == first.key
    ar5 = background_intensities(mini_background, "ar5", cache_dir=tmp_path)
    assert ar5.key != first.key
    assert len(list(tmp_path.glob("intensities-*.npz"))) == 2


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_fast_path_equals_the_full_bw2calc_solve(example: Path) -> None:
    from footprint.background.catalog import default_background

    full = calculate(example)
    fast = calculate_with(
        example, background_intensities(default_background()), default_background()
    )
    assert fast.total == pytest.approx(full.total, rel=1e-9)
    assert fast.energy == pytest.approx(full.energy, rel=1e-9)
    for key in full.by_stage:
        assert fast.by_stage[key] == pytest.approx(full.by_stage[key], rel=1e-9, abs=1e-9)
    assert fast.biogenic_removals == pytest.approx(full.biogenic_removals, rel=1e-9, abs=1e-12)


def test_batch_of_examples_with_one_bad_product(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue"
    shutil.copytree(examples_dir(), catalogue, ignore=shutil.ignore_patterns("*.md"))
    (catalogue / "broken.yaml").write_text("product: {name: Broken}\nprocesses: []\n")
    result = run_batch(catalogue)
    assert len(result.rows) == len(EXAMPLES) + 1
    assert [Path(f).name for f, _ in result.failures] == ["broken.yaml"]
    ok = result.rows[result.rows["status"] == "ok"].set_index("file")
    for example in EXAMPLES:
        assert ok.loc[str(catalogue / example.name), "kg_co2e"] == pytest.approx(
            calculate(example).total, rel=1e-9
        )


def test_generated_thousand_product_catalogue_scales_with_the_declared_amount(
    tmp_path: Path,
) -> None:
    """1,000 copies of the YAML examples, each declaring k units: each row is k × the example."""
    import yaml

    templates = [p for p in EXAMPLES if p.suffix == ".yaml"]
    base = {p.name: calculate(p).total for p in templates}
    texts = {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in templates}
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    expected = {}
    for i in range(1000):
        name = templates[i % len(templates)].name
        data = texts[name]
        k = 1 + i // len(templates)
        amount = data["product"].get("declared_amount", 1)
        data["product"]["declared_amount"] = amount * k
        path = catalogue / f"p{i:04d}-{name}"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        data["product"]["declared_amount"] = amount
        expected[str(path)] = k * base[name]
    seen: list[tuple[int, int]] = []
    result = run_batch(catalogue, progress=lambda done, total: seen.append((done, total)))
    assert result.ok
    assert len(result.rows) == 1000
    assert seen[-1] == (1000, 1000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    totals = result.rows.set_index("file")["kg_co2e"]
    for file, value in expected.items():
        assert totals[file] == pytest.approx(value, rel=1e-9)


def test_catalogue_csv_listing(tmp_path: Path) -> None:
    listing = tmp_path / "catalogue.csv"
    listing.write_text("path,note\n" + "\n".join(f"{p},x" for p in EXAMPLES[:2]) + "\n")
    assert catalogue_files(listing) == EXAMPLES[:2]
    with pytest.raises(FootprintError, match="not a catalogue"):
        catalogue_files(EXAMPLES[0])


def test_cli_batch_writes_a_row_per_product_and_exit_codes(
    tmp_path: Path, runner: CliRunner
) -> None:
    out = tmp_path / "r.csv"
    result = runner.invoke(
        app,
        ["batch", str(examples_dir()), "--out", str(out), "--quiet", "--data-dir", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == len(EXAMPLES) + 1
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.yaml").write_text("- not an inventory\n")
    failed = runner.invoke(
        app, ["batch", str(bad), "--out", str(tmp_path / "b.csv"), "--data-dir", str(tmp_path)]
    )
    assert failed.exit_code == 1
    assert "x.yaml" in failed.output


def test_cli_background_intensities(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "i.csv"
    result = runner.invoke(
        app, ["background", "intensities", "--out", str(out), "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    import pandas as pd

    frame = pd.read_csv(out)
    grid = frame.set_index("id").loc["grid:CN:2022:reporting"]
    assert grid["kg_co2e"] == pytest.approx(0.5703, rel=1e-12)
    assert grid["per"] == "per kWh"
    assert np.allclose(
        frame["kg_co2e"], frame.filter(like="kg_co2e_").sum(axis=1), rtol=1e-9, atol=1e-12
    )


@pytest.mark.slow
def test_dask_local_cluster_equals_serial(tmp_path: Path) -> None:
    from footprint.labels.batch import SchemeVerdicts

    annotate = SchemeVerdicts.of(["all"])
    serial = run_batch(examples_dir(), annotate=annotate)
    parallel = run_batch(examples_dir(), workers=2, annotate=annotate)
    assert any(str(c).startswith("verdict:") for c in serial.rows.columns)
    assert serial.rows.equals(parallel.rows)
    assert json.dumps(serial.failures) == json.dumps(parallel.failures)
