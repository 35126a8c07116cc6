"""`footprint import`: a database into an explicit data directory, replace, atomicity, linking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.background import importer
from footprint.background.importer import import_database, imported_names
from footprint.background.store import load_background
from footprint.cli.app import app
from footprint.errors import FootprintError

MINI = Path(__file__).parents[1] / "background" / "fixtures" / "jsonld_mini"
runner = CliRunner()


def test_import_reports_counts_and_links(tmp_path: Path) -> None:
    report = import_database(MINI, fmt="jsonld", name="mini", data_dir=tmp_path)
    assert report.counts["processes_read"] == 5
    assert report.unlinked > 0
    assert report.to_dict()["unlinked_by_reason"]
    assert imported_names(tmp_path) == ["mini"]
    background = load_background("mini", tmp_path)
    assert len(background.activities) == report.counts["activities_written"]


def test_cli_import_then_calc_with_the_imported_background(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "import",
            str(MINI),
            "--format",
            "jsonld",
            "--name",
            "mini",
            "--data-dir",
            str(tmp_path),
            "--report-format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["counts"]["activities_written"] >= 4
    assert summary["unlinked_exchanges"] == sum(summary["unlinked_by_reason"].values())
    background = load_background("mini", tmp_path)
    first = background.activities.iloc[0]
    inventory = tmp_path / "p.yaml"
    inventory.write_text(
        "product: {name: P, declared_unit: piece, geography: US}\n"
        "processes:\n  - id: p\n    output: 1 piece\n"
        f"    inputs: [{{background: {{id: '{first['id']}'}}, amount: 1 {first['unit']}}}]\n"
    )
    calc = runner.invoke(
        app,
        ["calc", str(inventory), "--background", "mini", "--data-dir", str(tmp_path), "-f", "json"],
    )
    assert calc.exit_code == 0, calc.output
    assert json.loads(calc.output)["background"]["name"] == "mini"
    listed = runner.invoke(app, ["background", "list", "--data-dir", str(tmp_path), "-f", "json"])
    assert [r["name"] for r in json.loads(listed.output)] == ["default", "mini"]


def test_reimport_needs_replace(tmp_path: Path) -> None:
    args = [
        "import",
        str(MINI),
        "--format",
        "jsonld",
        "--name",
        "mini",
        "--data-dir",
        str(tmp_path),
    ]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert "--replace" in again.output
    assert runner.invoke(app, [*args, "--replace"]).exit_code == 0


def test_interrupted_import_keeps_the_previous_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_database(MINI, fmt="jsonld", name="mini", data_dir=tmp_path)
    before = (tmp_path / "backgrounds" / "mini" / "activities.csv.gz").read_bytes()

    def interrupted(build: object, out: Path) -> None:
        (out / "activities.csv.gz").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr("footprint.background.build_uslci.write_build", interrupted)
    with pytest.raises(KeyboardInterrupt):
        import_database(MINI, fmt="jsonld", name="mini", data_dir=tmp_path, replace=True)
    assert (tmp_path / "backgrounds" / "mini" / "activities.csv.gz").read_bytes() == before
    assert imported_names(tmp_path) == ["mini"]
    assert not [p for p in (tmp_path / "backgrounds").iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"fmt": "xml"}, "unknown format"),
        ({"name": "default"}, "invalid database name"),
        ({"name": "a/b"}, "invalid database name"),
    ],
)
def test_bad_import_arguments(tmp_path: Path, kwargs: dict[str, str], words: str) -> None:
    args = {"fmt": "jsonld", "name": "mini", **kwargs}
    with pytest.raises(FootprintError, match=words):
        import_database(MINI, data_dir=tmp_path, **args)  # type: ignore[arg-type]


def test_missing_source_and_unknown_background(tmp_path: Path) -> None:
    with pytest.raises(FootprintError, match="no such file"):
        import_database(tmp_path / "nope", fmt="jsonld", name="x", data_dir=tmp_path)
    result = runner.invoke(
        app, ["background", "show", "--background", "nope", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "known: default" in result.output


def test_formats_are_the_documented_ones() -> None:
    assert importer.FORMATS == ("jsonld", "ecospold1", "ecospold2", "simapro-csv", "pact")


def test_import_writes_only_inside_the_data_directory(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "BRIGHTWAY2_DIR"}
    env.update({"HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")})
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "footprint",
            "import",
            str(MINI),
            "--format",
            "jsonld",
            "--name",
            "mini",
            "--data-dir",
            str(data),
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert list(home.iterdir()) == []
    assert (data / "brightway").is_dir()
    assert (data / "backgrounds" / "mini" / "build_report.json").is_file()
