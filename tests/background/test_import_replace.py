"""``footprint import --replace`` keeps the reviewed files beside a database and checks its
``proxies.csv`` against the new tables, through the command line.

The hand-made ILCD archive of ``fixtures/ilcd`` (see ``test_ilcd.py``): the census data set's
electricity input is ambiguous (made in Jiangsu and in Shanxi, none in CN). ``proxies.csv``
links it to the Shanxi grid of the same database.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.background.catalog import load_background
from footprint.background.importer import backgrounds_dir, import_database
from footprint.background.proxies import COLUMNS
from footprint.cli.app import app

FIXTURE = Path(__file__).parent / "fixtures" / "ilcd"
ELEC_JS, ELEC_SX, CENSUS = (f"11111111-0000-4000-8000-00000000000{i}" for i in "235")
ELECTRICITY = "cccccccc-0000-4000-8000-000000000002"
LINK = {
    "flow": ELECTRICITY,
    "flow_name": "electricity, medium voltage",
    "consumer": CENSUS,
    "provider_background": "tg",
    "provider_id": ELEC_SX,
    "reason": "the census plant is in Shanxi",
    "reviewer_note": "Shanxi grid",
}
REVIEWED = {
    "findings.csv": f"activity,finding\n{ELEC_JS},reviewed: grid mix of 2020\n",
    "NOTES.md": "# Review notes\n",
}


def _import(runner: CliRunner, source: Path, data: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        ["import", str(source), "--format", "ilcd", "--name", "tg", "--data-dir", str(data)]
        + list(extra),
    )
    return result.exit_code, result.output


def _flat(text: str) -> str:
    """``text`` without whitespace (as printed at any terminal width)."""
    return "".join(text.split())


def _digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in directory.iterdir()}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the fixture imported as ``tg`` (once: each test copies it)."""
    data = tmp_path_factory.mktemp("imported") / "data"
    import_database(FIXTURE, fmt="ilcd", name="tg", data_dir=data)
    return data


@pytest.fixture
def data(imported: Path, tmp_path: Path) -> Path:
    """A data directory with ``tg`` imported and its reviewed files written by hand."""
    data = tmp_path / "data"
    shutil.copytree(imported, data)
    directory = backgrounds_dir(data) / "tg"
    with (directory / "proxies.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerow(LINK)
    for name, text in REVIEWED.items():
        (directory / name).write_text(text, encoding="utf-8")
    return data


def test_replace_keeps_the_reviewed_files_and_they_still_apply(
    data: Path, runner: CliRunner
) -> None:
    directory = backgrounds_dir(data) / "tg"
    before = (directory / "proxies.csv").read_bytes()
    code, output = _import(runner, FIXTURE, data, "--replace")
    assert code == 0, output
    assert (directory / "proxies.csv").read_bytes() == before
    for name, text in REVIEWED.items():
        assert (directory / name).read_text(encoding="utf-8") == text
    assert "Keptthereviewedfiles:proxies.csv,findings.csv,NOTES.md" in _flat(output)
    assert load_background("tg", data).findings == {ELEC_JS: "reviewed: grid mix of 2020"}
    joined = load_background("default+tg", data)  # the row's provider is tg itself
    tech = joined.technosphere
    assert ((tech["consumer"] == CENSUS) & (tech["supplier"] == ELEC_SX)).sum() == 1
    assert "Shanxi grid" in joined.corrections[CENSUS]


def _without(tmp_path: Path, process: str) -> Path:
    """The fixture archive without the process data set ``process``."""
    root = tmp_path / f"without-{process[-1]}"
    shutil.copytree(FIXTURE, root)
    (root / "ILCD" / "processes" / f"{process}.xml").unlink()
    return root


@pytest.mark.parametrize(
    ("removed", "fields", "what"),
    [
        (CENSUS, ["consumer"], f"no activity with id {CENSUS!r}"),
        # without the Shanxi grid the input has one maker, so it is linked; the provider is gone
        (ELEC_SX, ["flow", "provider_id"], "is not an unlinked input"),
    ],
)
def test_replace_with_stale_links_exits_2_and_changes_nothing(
    data: Path, runner: CliRunner, tmp_path: Path, removed: str, fields: list[str], what: str
) -> None:
    directory = backgrounds_dir(data) / "tg"
    before = _digests(directory)
    code, output = _import(runner, _without(tmp_path, removed), data, "--replace")
    assert code == 2, output
    assert "Traceback" not in output
    flat = _flat(output)
    assert _flat(f"{directory / 'proxies.csv'}, line 2, {fields[0]}") in flat
    for field in fields:
        assert _flat(f"line 2, {field}:") in flat  # every stale field is listed
    assert _flat(what) in flat
    assert _flat("nothing was replaced") in flat
    assert "Fix:" in output
    assert _digests(directory) == before  # the old tables and reviewed files, untouched
    assert sorted(p.name for p in backgrounds_dir(data).iterdir() if p.is_dir()) == ["tg"]
    assert len(load_background("tg", data).activities) == 5


def test_a_malformed_proxies_file_stops_the_import_before_converting(
    data: Path, runner: CliRunner
) -> None:
    path = backgrounds_dir(data) / "tg" / "proxies.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("the census plant is in Shanxi", ""))
    before = _digests(path.parent)
    code, output = _import(runner, FIXTURE, data, "--replace")
    assert code == 2, output
    assert _flat(f"{path}, line 2, reason") in _flat(output)
    assert _digests(path.parent) == before


def test_a_finding_for_an_activity_the_new_tables_lack_is_named(
    data: Path, runner: CliRunner
) -> None:
    directory = backgrounds_dir(data) / "tg"
    gone = "99999999-0000-4000-8000-000000000009"
    (directory / "findings.csv").write_text(
        f"activity,finding\n{ELEC_JS},reviewed: grid mix of 2020\n{gone},reviewed: old data set\n",
        encoding="utf-8",
    )
    code, output = _import(runner, FIXTURE, data, "--replace")
    assert code == 0, output
    assert _flat(f"findings.csv, line 3: activity '{gone}' is not in the new tables") in _flat(
        output
    )
    assert ELEC_JS not in output  # the finding of an activity still there is not named
    report = import_database(FIXTURE, fmt="ilcd", name="tg", data_dir=data, replace=True)
    assert [line.split(":")[0] for line in report.stale_findings] == ["findings.csv, line 3"]
    assert report.to_dict()["stale_findings"] == list(report.stale_findings)
