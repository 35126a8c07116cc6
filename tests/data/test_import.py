"""`footprint import`: a database into an explicit data directory, replace, atomicity, linking."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.background import importer, swap
from footprint.background.catalog import load_background
from footprint.background.importer import import_database, imported_names
from footprint.background.importers import registry
from footprint.cli.app import app
from footprint.errors import FootprintError

MINI = Path(__file__).parents[1] / "background" / "fixtures" / "jsonld_mini"
ES2 = Path(__file__).parents[1] / "background" / "fixtures" / "ecospold2"
ROOT = Path(__file__).parents[2]


def test_import_reports_counts_and_links(tmp_path: Path) -> None:
    report = import_database(MINI, fmt="jsonld", name="mini", data_dir=tmp_path)
    assert report.counts["processes_read"] == 5
    assert report.unlinked > 0
    assert report.to_dict()["unlinked_by_reason"]
    assert imported_names(tmp_path) == ["mini"]
    background = load_background("mini", tmp_path)
    assert len(background.activities) == report.counts["activities_written"]


def test_cli_import_then_calc_with_the_imported_background(
    tmp_path: Path, runner: CliRunner
) -> None:
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
    assert [r["name"] for r in json.loads(listed.output)] == ["default", "tiangong", "mini"]


def test_reimport_needs_replace(tmp_path: Path, runner: CliRunner) -> None:
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

    monkeypatch.setattr("footprint.background.importers.tables.write_build", interrupted)
    with pytest.raises(KeyboardInterrupt):
        import_database(MINI, fmt="jsonld", name="mini", data_dir=tmp_path, replace=True)
    assert (tmp_path / "backgrounds" / "mini" / "activities.csv.gz").read_bytes() == before
    assert imported_names(tmp_path) == ["mini"]
    assert not [p for p in (tmp_path / "backgrounds").iterdir() if p.is_dir() and p.name[0] == "."]


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


def test_missing_source_and_unknown_background(tmp_path: Path, runner: CliRunner) -> None:
    with pytest.raises(FootprintError, match="no such file"):
        import_database(tmp_path / "nope", fmt="jsonld", name="x", data_dir=tmp_path)
    result = runner.invoke(
        app, ["background", "show", "--background", "nope", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "known: default" in result.output


def test_formats_are_the_documented_ones() -> None:
    assert importer.FORMATS == ("jsonld", "ecospold1", "ecospold2", "simapro-csv", "ilcd", "pact")


def test_import_writes_only_inside_the_data_directory(tmp_path: Path) -> None:
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


# --- concurrent, failing and killed imports -------------------------------------------------


def import_process(data: Path, *extra: str) -> subprocess.Popen[str]:
    """``footprint import`` of the JSON-LD fixture as ``mini``, in its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "footprint", "import", str(MINI), "--format", "jsonld"]
        + ["--name", "mini", "--data-dir", str(data), *extra],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def assert_whole(directory: Path) -> None:
    """Every table of an imported database is there, as its build report recorded it."""
    report = json.loads((directory / "build_report.json").read_text())
    assert report["files_sha256"]
    for name, digest in report["files_sha256"].items():
        assert hashlib.sha256((directory / name).read_bytes()).hexdigest() == digest


def test_an_import_of_a_name_being_imported_exits_2(tmp_path: Path, runner: CliRunner) -> None:
    root = tmp_path / "backgrounds"
    root.mkdir()
    args = ["import", str(MINI), "--format", "jsonld", "--name", "mini", "--data-dir"]
    with swap.exclusive(root, "mini"):  # as another process's import would hold it
        result = runner.invoke(app, [*args, str(tmp_path), "--replace"])
    assert result.exit_code == 2, result.output
    assert "another import of 'mini' is running" in result.output
    assert not (root / "mini").exists()


def test_two_imports_of_one_name_at_once_one_wins(tmp_path: Path) -> None:
    first, second = import_process(tmp_path), import_process(tmp_path)
    outcomes = sorted((p.wait(120), p.communicate()[1]) for p in (first, second))
    assert [code for code, _ in outcomes] == [0, 2]
    loser = outcomes[1][1]
    assert "another import of 'mini' is running" in loser or "already exists" in loser
    assert "Traceback" not in loser
    assert imported_names(tmp_path) == ["mini"]
    assert_whole(tmp_path / "backgrounds" / "mini")


def test_killed_imports_leave_the_old_or_the_new_database(tmp_path: Path) -> None:
    """SIGKILL an import --replace just after it starts writing (a random few ms later)."""
    root = tmp_path / "backgrounds"
    import_database(MINI, fmt="jsonld", name="mini", data_dir=tmp_path)
    for _ in range(3):
        process = import_process(tmp_path, "--replace")
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if any(p.name.startswith(".mini.importing-") for p in root.iterdir()):
                time.sleep(random.uniform(0.0, 0.03))
                break
            time.sleep(0.001)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        background = load_background("mini", tmp_path)  # the next run recovers
        assert len(background.activities) > 0
        assert_whole(root / "mini")
        assert imported_names(tmp_path) == ["mini"]
        assert not [p for p in root.iterdir() if p.is_dir() and p.name[0] == "."]


class ExtractorTrouble(Exception):
    """What a third-party reader might raise on a malformed file."""


def test_any_reader_exception_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: Path, progress: object) -> None:
        raise ExtractorTrouble("unexpected tag <x> at line 3")

    monkeypatch.setitem(registry.READERS, "jsonld", broken)
    with pytest.raises(FootprintError) as failed:
        import_database(MINI, fmt="jsonld", name="mini", data_dir=tmp_path)
    assert failed.value.where == str(MINI)
    assert "ExtractorTrouble: unexpected tag <x> at line 3" in failed.value.what
    assert imported_names(tmp_path) == []


@pytest.mark.parametrize("kind", [MemoryError, KeyboardInterrupt])
def test_memory_errors_and_interrupts_are_not_swallowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: type[BaseException]
) -> None:
    def broken(path: Path, progress: object) -> None:
        raise kind()

    monkeypatch.setitem(registry.READERS, "jsonld", broken)
    with pytest.raises(kind):
        import_database(MINI, fmt="jsonld", name="mini", data_dir=tmp_path)


def test_malformed_master_data_exits_2_naming_the_file(tmp_path: Path, runner: CliRunner) -> None:
    source = tmp_path / "release"
    shutil.copytree(ES2, source)
    (source / "MasterData" / "Units.xml").write_text("<units><unit id='1'>")  # cut short
    data = tmp_path / "data"
    args = ["import", str(source), "--format", "ecospold2", "--name", "es2", "--data-dir"]
    result = runner.invoke(app, [*args, str(data)])
    assert result.exit_code == 2, result.output
    assert "ParseError" in result.output
    assert str(source) in result.output.replace("\n", "")
    assert "Traceback" not in result.output
