"""The binary columnar copies of background tables: read in place of the CSV tables only while
they are copies of exactly those files."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

from footprint.background import columnar
from footprint.background.columnar import COLUMNAR_SUFFIX, write_columnar
from footprint.background.importers import tables as table_contract
from footprint.background.store import Background, read_table_dir
from footprint.paths import background_dir
from tests.conftest import FIXTURES

TABLES = ("activities", "technosphere", "biosphere", "flows", "cut_offs")


def csv_only(source: Path, target: Path) -> Path:
    """A copy of the CSV tables (and reports) of ``source``, without columnar copies."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(f"*{COLUMNAR_SUFFIX}"))
    return target


def assert_same(a: Background, b: Background) -> None:
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), obj=table)
    assert (a.version, a.suspect, a.findings, a.corrections) == (
        b.version,
        b.suspect,
        b.findings,
        b.corrections,
    )


def no_csv(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make reading any CSV table fail, to show that the columnar copies were read."""

    def refuse(path: Path, numeric: bool) -> pd.DataFrame:
        raise AssertionError(f"read {path}")

    monkeypatch.setattr(columnar, "_read_csv", refuse)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return csv_only(FIXTURES / "mini_background", tmp_path / "mini")


def test_a_round_trip_reads_what_the_csv_tables_hold(
    mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_csv = read_table_dir(mini, "mini")
    written = write_columnar(mini)
    assert sorted(p.name for p in written) == sorted(f"{t}.arrow" for t in columnar.TABLES)
    no_csv(monkeypatch)
    assert_same(read_table_dir(mini, "mini"), from_csv)


@pytest.mark.parametrize("name", ["uslci", "tiangong"])
def test_the_shipped_copies_are_current_and_read_as_the_csv_tables(
    name: str, tmp_path: Path
) -> None:
    shipped = background_dir() / name
    copy = csv_only(shipped, tmp_path / name)
    from_csv = read_table_dir(copy, name)
    write_columnar(copy)
    for table in columnar.TABLES:  # regenerated: the same bytes as shipped
        target = f"{table}{COLUMNAR_SUFFIX}"
        assert (copy / target).read_bytes() == (shipped / target).read_bytes(), target
    assert_same(read_table_dir(shipped, name), from_csv)


def test_a_copy_of_an_older_table_is_not_read(mini: Path) -> None:
    write_columnar(mini)
    tech = mini / "technosphere.csv"
    lines = tech.read_text(encoding="utf-8").splitlines()
    header, first = lines[0].split(","), lines[1].split(",")
    amount = header.index("amount")
    first[amount] = "123.5"
    tech.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    background = read_table_dir(mini, "mini")
    assert background.technosphere["amount"].iloc[0] == 123.5
    assert_same(background, read_table_dir(csv_only(mini, mini.parent / "fresh"), "mini"))


def test_a_table_gzipped_after_the_copy_was_written_is_read_from_the_csv(mini: Path) -> None:
    write_columnar(mini)
    flows = mini / "flows.csv"
    (mini / "flows.csv.gz").write_bytes(gzip.compress(flows.read_bytes().replace(b"kg", b"g")))
    flows.unlink()
    units = set(read_table_dir(mini, "mini").flows["unit"])
    assert "g" in units
    assert "kg" not in units


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_damaged_copy_falls_back_to_the_csv_table(mini: Path, damage: str) -> None:
    from_csv = read_table_dir(mini, "mini")
    write_columnar(mini)
    for table in columnar.TABLES:
        path = mini / f"{table}{COLUMNAR_SUFFIX}"
        data = path.read_bytes()
        path.write_bytes(
            {
                "garbage": b"\x00not arrow\xff" * 40,
                "truncated": data[: len(data) // 2],
                "empty": b"",
            }[damage]
        )
    assert_same(read_table_dir(mini, "mini"), from_csv)


def test_a_copy_whose_table_is_gone_is_removed(mini: Path) -> None:
    write_columnar(mini)
    (mini / "unlinked.csv").unlink()
    written = write_columnar(mini)
    assert not (mini / f"unlinked{COLUMNAR_SUFFIX}").exists()
    assert len(written) == len(columnar.TABLES) - 1
    assert not list(mini.glob(".*partial"))


def test_the_table_writer_writes_the_copies_beside_its_tables(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = {
        table: [tuple(row) for row in pd.read_csv(path, dtype=str).fillna("").to_numpy()]
        for table in columnar.TABLES
        for path in [mini / f"{table}.csv"]
    }
    out = tmp_path / "built"
    table_contract.write_build(table_contract.Build(tables=tables, report={}), out)
    from_csv = read_table_dir(csv_only(out, tmp_path / "csv"), "b")
    no_csv(monkeypatch)
    assert_same(read_table_dir(out, "b"), from_csv)
    assert len(from_csv.technosphere) == len(tables["technosphere"])
