"""The TianGong build script on the hand-made ILCD fixture, and the shipped TianGong tables."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from footprint.background import build_tiangong
from footprint.background.catalog import SHIPPED, load_background
from footprint.background.importer import import_database
from footprint.errors import FootprintError
from footprint.paths import background_dir

FIXTURE = Path(__file__).parent / "fixtures" / "ilcd"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
SHIPPED_DIR = background_dir() / "tiangong"


def source(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    shutil.copytree(FIXTURE, root)
    (root / "LICENSE").write_text("MIT License\n\nCopyright (c) 2023 test\n")
    (root / "NOTICE.md").write_text(f"commit {COMMIT} (test)\n")
    return root


def digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in directory.iterdir()}


def test_a_rebuild_is_byte_identical_and_cites_its_sources(tmp_path: Path) -> None:
    src = source(tmp_path)
    assert build_tiangong.main(["--source", str(src), "--out", str(tmp_path / "a")]) == 0
    assert build_tiangong.main(["--source", str(src), "--out", str(tmp_path / "b")]) == 0
    first = digests(tmp_path / "a")
    assert first == digests(tmp_path / "b")
    assert {"SOURCES.md", "README.md", "build_report.json", "activities.csv.gz"} <= set(first)
    sources = (tmp_path / "a" / "SOURCES.md").read_text(encoding="utf-8")
    assert "MIT License" in sources
    assert COMMIT in sources
    assert "| Test LCI group | 5 |" in sources  # the data generator of all five data sets
    report = json.loads((tmp_path / "a" / "build_report.json").read_text(encoding="utf-8"))
    assert report["version"] == COMMIT
    assert str(tmp_path) not in json.dumps(report)  # no paths: the same on every machine


def test_a_bad_source_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    code = build_tiangong.main(["--source", str(tmp_path / "empty"), "--out", str(tmp_path / "o")])
    assert code == 2
    assert "no ILCD process data sets" in capsys.readouterr().err


def test_shipped_names_cannot_be_taken_by_an_import(tmp_path: Path) -> None:
    with pytest.raises(FootprintError, match="invalid database name 'tiangong'"):
        import_database(FIXTURE, fmt="ilcd", name="tiangong", data_dir=tmp_path)


@pytest.fixture(scope="module")
def report() -> dict[str, object]:
    return dict(json.loads((SHIPPED_DIR / "build_report.json").read_text(encoding="utf-8")))


def test_the_shipped_tables_are_the_ones_the_report_hashed(report: dict[str, object]) -> None:
    hashes = report["files_sha256"]
    assert isinstance(hashes, dict)
    for name, digest in hashes.items():
        assert hashlib.sha256((SHIPPED_DIR / name).read_bytes()).hexdigest() == digest


def test_tiangong_loads_alone_and_joined_with_the_default(report: dict[str, object]) -> None:
    assert "tiangong" in SHIPPED
    tiangong = load_background("tiangong")
    counts = report["counts"]
    assert isinstance(counts, dict)
    assert len(tiangong.activities) == counts["activities_written"]
    assert tiangong.activities["name_zh"].str.len().gt(0).sum() > len(tiangong.activities) / 2
    joined = load_background("default+tiangong")
    assert len(joined.activities) == len(load_background("default").activities) + len(
        tiangong.activities
    )
    hits = joined.search("电力生产 江苏", "JS-CN")
    assert "Electricity production ; Electricity mix ; Jiangsu" in set(hits["name"])


def test_census_and_input_output_data_sets_carry_their_caveats() -> None:
    tiangong = load_background("tiangong")
    acts = tiangong.activities
    census = acts[acts["name"].str.rstrip().str.endswith("NESPS2")]["id"]
    assert len(census) > 2000
    assert not set(census) & set(tiangong.technosphere["supplier"])
    assert all(any("NESPS2" in c for c in tiangong.caveats(a)) for a in census.head(20))
    sectors = acts[acts["name"].str.contains("| CEEIO |", regex=False)]
    assert len(sectors) == 153
    caveats = tiangong.caveats(str(sectors["id"].iloc[0]))
    assert any("money units are kept as written" in c for c in caveats)
    assert any(c.startswith("reviewed finding: the CEEIO 2018 data set") for c in caveats)
    assert set(sectors["unit"]) == {"EUR"}
