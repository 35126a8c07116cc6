"""Import lock per database name, and recovery from imports killed at each step of the swap."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from footprint.background import swap
from footprint.background.catalog import load_background
from footprint.background.importer import backgrounds_dir, imported_names
from footprint.errors import FootprintError
from tests.conftest import FIXTURES

MINI = FIXTURES / "mini_background"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A backgrounds directory holding one database, ``mini``."""
    directory = backgrounds_dir(tmp_path)
    directory.mkdir(parents=True)
    shutil.copytree(MINI, directory / "mini")
    return directory


def hidden(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir() and p.name.startswith("."))


def killed_between_the_renames(root: Path) -> None:
    """What ``swap_in`` leaves if killed after hiding the old database: it aside, a new one staged."""
    (root / ".mini.old-k1lled").mkdir()
    (root / "mini").rename(root / ".mini.old-k1lled" / "mini")
    (root / ".mini.importing-k1lled").mkdir()
    shutil.copytree(MINI, root / ".mini.importing-k1lled" / "half", dirs_exist_ok=True)


def test_a_second_lock_of_one_name_is_refused(root: Path) -> None:
    with swap.exclusive(root, "mini"):
        with pytest.raises(FootprintError, match="another import of 'mini' is running"):
            with swap.exclusive(root, "mini"):
                pass
        with swap.exclusive(root, "other"):  # names lock independently
            pass
    with swap.exclusive(root, "mini"):  # released
        pass


def test_loading_restores_a_database_hidden_by_a_killed_replace(root: Path) -> None:
    before = (root / "mini" / "activities.csv").read_bytes()
    killed_between_the_renames(root)
    assert not (root / "mini").exists()
    background = load_background("mini", root.parent)
    assert len(background.activities) > 0
    assert (root / "mini" / "activities.csv").read_bytes() == before
    assert hidden(root) == []


def test_listing_restores_and_cleans(root: Path) -> None:
    killed_between_the_renames(root)
    (root / ".other.importing-abc_12").mkdir()  # a killed first import of another name
    assert imported_names(root.parent) == ["mini"]
    assert hidden(root) == []


def test_a_killed_swap_after_the_second_rename_keeps_the_new_database(root: Path) -> None:
    (root / ".mini.old-k1lled").mkdir()
    shutil.copytree(MINI, root / ".mini.old-k1lled" / "mini")
    (root / "mini" / "activities.csv").write_text("id,name\nnew,New\n")
    assert imported_names(root.parent) == ["mini"]
    assert (root / "mini" / "activities.csv").read_text() == "id,name\nnew,New\n"
    assert hidden(root) == []


def test_leftovers_of_a_running_import_are_left_alone(root: Path) -> None:
    killed_between_the_renames(root)
    with swap.exclusive(root, "other"):
        (root / ".other.importing-run").mkdir()
        swap.recover(root)
        assert hidden(root) == [".other.importing-run"]  # mini's are tidied, other's are live
    assert (root / "mini").is_dir()


def test_names_with_dots_and_dashes_are_told_apart(root: Path) -> None:
    (root / "b.old-x").mkdir()  # a database whose name looks like a leftover of "b"
    (root / ".b.old-x.importing-abc").mkdir()
    (root / ".b.importing-abc").mkdir()
    swap.recover(root, "b.old-x")
    assert hidden(root) == [".b.importing-abc"]
    assert (root / "b.old-x").is_dir()


def test_swap_in_replaces_and_leaves_nothing(root: Path) -> None:
    with swap.exclusive(root, "mini"), swap.staging(root, "mini") as new:
        (new / "activities.csv").write_text("id,name\nnew,New\n")
        swap.swap_in(new, root / "mini")
    assert (root / "mini" / "activities.csv").read_text() == "id,name\nnew,New\n"
    assert list((root / "mini").iterdir()) == [root / "mini" / "activities.csv"]
    assert hidden(root) == []
