"""Zip archives beyond the size limits are refused before anything is unpacked or read."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint import archive as limits
from footprint.archive import check_zip, open_zip
from footprint.background.importers.ecospold1 import convert_ecospold1
from footprint.background.importers.ecospold2 import convert_ecospold2
from footprint.cli.app import app
from footprint.errors import FootprintError

ES2 = Path(__file__).parent / "fixtures" / "ecospold2"
BOMB_MEMBER = "datasets/zeros.spold"


@pytest.fixture
def bomb(tmp_path: Path) -> Path:
    """A few kB of zip holding one member of zeros far past the ratio limit, among real files."""
    path = tmp_path / "bomb.zip"
    size = 4 * limits.RATIO_CHECKED_ABOVE
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for file in sorted(ES2.rglob("*")):
            if file.is_file():
                zf.write(file, f"datasets/{file.relative_to(ES2)}")
        with zf.open(BOMB_MEMBER, "w") as member:
            for _ in range(size // 2**20):
                member.write(bytes(2**20))
    assert path.stat().st_size < size / limits.MAX_RATIO  # small file, huge member
    return path


def random_zip(path: Path, sizes: list[int]) -> Path:
    """Members of incompressible bytes (so only the size limits apply)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, size in enumerate(sizes):
            zf.writestr(f"m{n}.xml", os.urandom(size))
    return path


def test_a_zip_bomb_is_refused_naming_the_archive_and_member(bomb: Path) -> None:
    with pytest.raises(FootprintError) as refused:
        open_zip(bomb)
    assert str(bomb) in refused.value.message
    assert BOMB_MEMBER in refused.value.message
    assert "zip bomb" in refused.value.message


@pytest.mark.parametrize(
    "convert", [convert_ecospold1, convert_ecospold2], ids=["ecospold1", "ecospold2"]
)
def test_readers_refuse_a_bomb_before_unpacking_it(
    bomb: Path, monkeypatch: pytest.MonkeyPatch, convert: object
) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the archive was unpacked")

    monkeypatch.setattr(zipfile.ZipFile, "extractall", never)
    monkeypatch.setattr(zipfile.ZipFile, "read", never)
    with pytest.raises(FootprintError, match=BOMB_MEMBER):
        convert(bomb)  # type: ignore[operator]


def test_member_and_total_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_MEMBER_BYTES", 3000)
    monkeypatch.setattr(limits, "MAX_TOTAL_BYTES", 5000)
    with zipfile.ZipFile(random_zip(tmp_path / "ok.zip", [3000, 2000])) as fine:
        check_zip(fine, "ok.zip")
    with pytest.raises(FootprintError, match="'m1.xml' expands to .* allowed for one member"):
        open_zip(random_zip(tmp_path / "big.zip", [100, 3001]))
    with pytest.raises(FootprintError, match="up to 'm2.xml' .* allowed for this archive"):
        open_zip(random_zip(tmp_path / "many.zip", [2000, 2000, 2000]))


def test_a_well_compressed_small_member_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "small.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.xml", bytes(limits.RATIO_CHECKED_ABOVE))  # at the threshold, not above
    open_zip(path).close()


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "cut.zip"
    path.write_bytes(b"PK\x03\x04 cut short")
    with pytest.raises(FootprintError, match="not a readable zip archive"):
        open_zip(path)


def test_cli_import_of_a_bomb_exits_2_and_stores_nothing(
    bomb: Path, tmp_path: Path, runner: CliRunner
) -> None:
    data = tmp_path / "data"
    args = ["import", str(bomb), "--format", "ecospold2", "--name", "x", "--data-dir", str(data)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "zip bomb" in result.output
    assert "Traceback" not in result.output
    assert not (data / "backgrounds" / "x").exists()
